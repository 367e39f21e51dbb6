// The settings the core needs (a subset of the server config, so the core imports no config code).
export interface CoreSettings {
  nameservers: string[];
  /** SOA RNAME as a name; null = hostmaster.<zone>. */
  hostmaster: string | null;
  ttl: { default: number; min: number; max: number };
  maxRecordsPerZone: number;
  soa: { refresh: number; retry: number; expire: number; minimum: number; ttl: number };
  dyndns: DynDnsSettings;
}

export interface DynDnsSettings {
  /** TTL of records DynDNS creates. */
  ttl: number;
  /** Requests per configuration (token bucket). */
  rateLimit: { enabled: boolean; perSecond: number; burst: number };
  /** Requests with an unknown token per client address (token bucket); past it: `abuse`. */
  authFailureLimit: { enabled: boolean; perSecond: number; burst: number };
  /** Logs kept per configuration. */
  logRetention: number;
}

export const DEFAULT_SOA_TIMERS: CoreSettings['soa'] = {
  refresh: 10800,
  retry: 3600,
  expire: 1209600,
  minimum: 300,
  ttl: 3600,
};
