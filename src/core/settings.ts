// The settings the core needs (a subset of the server config, so the core imports no config code).
export interface CoreSettings {
  nameservers: string[];
  /** SOA RNAME as a name; null = hostmaster.<zone>. */
  hostmaster: string | null;
  ttl: { default: number; min: number; max: number };
  maxRecordsPerZone: number;
  soa: { refresh: number; retry: number; expire: number; minimum: number; ttl: number };
  dyndns: DynDnsSettings;
  auth: AuthSettings;
  registry: RegistrySettings;
  smart: SmartSettings;
  dnssec: DnssecSettings;
}

/** DNSSEC (docs/dnssec.md). */
export interface DnssecSettings {
  /** Seconds automatic DNSSEC stays blocked after a nameserver change (seed 004: 72 h). */
  cooldownSeconds: number;
}

export const DEFAULT_DNSSEC_SETTINGS: DnssecSettings = { cooldownSeconds: 72 * 3600 };

/** Pull zone edges: one host name (answered like Flatten/ALIAS) or addresses (answered as A/AAAA). */
export type PullZoneEdges = { host: string } | { addresses: readonly string[] };

/** Smart records (docs/smart-records.md): the pull zones and the health checker. */
export interface SmartSettings {
  /** Pull zone name (lowercase) → its edges. PullZone records must name one of these. */
  pullZones: ReadonlyMap<string, PullZoneEdges>;
  monitor: MonitorSettings;
}

export interface MonitorSettings {
  /** Seconds between two checks of every monitored address. */
  intervalSeconds: number;
  /** Port of the Http check (80; tests use their own). */
  httpPort: number;
  /** Probe loopback, private and link-local addresses too (off: they are not probed). */
  allowPrivate: boolean;
}

export const DEFAULT_SMART_SETTINGS: SmartSettings = { pullZones: new Map(), monitor: { intervalSeconds: 30, httpPort: 80, allowPrivate: false } };

/** The registry layer (docs/registry.md). */
export interface RegistrySettings {
  /** TLDs the built-in sandbox registry is the registry of (canonical names). */
  sandboxTlds: string[];
  /** TLDs whose registries take host objects (glue) from us. */
  glueTlds: string[];
  /** Real registries over EPP (serve connects to them; the core sees only the Registry port). */
  epp: EppRegistryConfig[];
}

export interface EppRegistryConfig {
  tld: string;
  host: string;
  port: number;
  clID: string;
  password: string;
  /** A PEM file of CAs to trust for this registry (else the system's). */
  caFile: string | null;
  servername: string | null;
}

export const DEFAULT_REGISTRY_SETTINGS: RegistrySettings = { sandboxTlds: ['test'], glueTlds: ['se', 'nu', 'test'], epp: [] };

/** Logins of the organization API (POST /api/auth/login). */
export interface AuthSettings {
  /** Seconds a JWT access token is valid. */
  accessTokenTtl: number;
  /** Seconds a refresh token is valid. */
  refreshTokenTtl: number;
  /** Failed logins per account (email), then every attempt for it is refused for a while. */
  loginLimitPerAccount: { enabled: boolean; perSecond: number; burst: number };
  /** Failed logins per client address. */
  loginLimitPerAddress: { enabled: boolean; perSecond: number; burst: number };
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  accessTokenTtl: 900,
  refreshTokenTtl: 2_592_000,
  loginLimitPerAccount: { enabled: true, perSecond: 5 / 60, burst: 10 },
  loginLimitPerAddress: { enabled: true, perSecond: 20 / 60, burst: 30 },
};

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
