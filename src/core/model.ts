// The domain model as the core and storage share it: accounts, API keys, domains, zones, records,
// and the change journal. Names are canonical text (see names.ts); times are ISO-8601 UTC strings.

export type Scope =
  | 'read:dns'
  | 'write:dns'
  | 'read:domains'
  | 'write:domains'
  | 'read:account'
  | 'write:account'
  | 'admin';

export const ALL_SCOPES: readonly Scope[] = [
  'read:dns',
  'write:dns',
  'read:domains',
  'write:domains',
  'read:account',
  'write:account',
  'admin',
];

export interface Account {
  id: string; // acc_...
  name: string;
  createdAt: string;
}

export interface ApiKey {
  id: string; // key_...
  accountId: string;
  name: string;
  /** SHA-256 of the token, hex. The token itself is never stored. */
  tokenHash: string;
  /** The first characters of the token, to help a user recognize it in lists. */
  tokenPrefix: string;
  scopes: Scope[];
  /** Zone names the key may touch; null = all zones of the account. */
  zones: string[] | null;
  /** Client CIDRs the key may be used from; null = anywhere. */
  allowIps: string[] | null;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type DomainKind = 'external' | 'registered';
export type ServiceStatus = 'active' | 'suspended' | 'terminated' | 'pending' | 'cancelled' | 'expired' | 'fraud' | 'unknown';

export interface Domain {
  id: string; // dom_...
  /** The domain's id in the organization API (a random UUID, RFC 9562 version 4). */
  uuid: string;
  accountId: string;
  name: string;
  kind: DomainKind;
  serviceStatus: ServiceStatus;
  autoRenewEnabled: boolean;
  registrarLockEnabled: boolean;
  /** Registered domains: when the registration ends; null for external domains. */
  expiresAt: string | null;
  /** Registered domains: the nameserver set at the registry, as last confirmed by it. */
  nameservers: string[];
  /** When the nameserver set last changed (starts the DNSSEC cooldown). */
  nameserversChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A host object at the registry (glue), as we last confirmed it. */
export interface RegistryHostRecord {
  hostname: string;
  domainId: string;
  ips: string[];
  createdAt: string;
  updatedAt: string;
}

/** DNSSEC material held at the registry for a domain (manual DS/KEY). */
export interface RegistryDnssecRecord {
  id: string; // dsk_...
  domainId: string;
  material: import('./registry/registry-rules.js').DnssecMaterial;
  createdAt: string;
}

/** `running`: claimed by a runner until `runAt` (its lease); a crashed runner's job is claimed again after it. */
export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

/** Durable work: retried with backoff until done or out of attempts. */
export interface Job {
  id: string; // job_...
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  runAt: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ZoneStatus = 'active' | 'disabled' | 'pending' | 'error';

export interface Soa {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  ttl: number;
}

export interface Zone {
  id: string; // zone_...
  accountId: string;
  domainId: string;
  name: string;
  status: ZoneStatus;
  soa: Soa;
  /** Records in the zone, the SOA not counted. */
  recordCount: number;
  /** The `num` the zone's next new record gets (record numbers are never reused within a zone). */
  nextRecordNum: number;
  createdAt: string;
  updatedAt: string;
}

export type RecordStatus = 'active' | 'disabled' | 'pending' | 'error';

/** One resource record as stored: owner name, type mnemonic, TTL, canonical presentation RDATA. */
export interface DnsRecord {
  id: string; // drr_...
  /**
   * The record's number within its zone (the organization API's `recordId`): assigned by the store
   * when the record is inserted (0 until then), kept across updates, never reused in the zone.
   */
  num: number;
  zoneId: string;
  name: string;
  type: string;
  ttl: number;
  /** Canonical presentation form of the RDATA (names absolute, with trailing dot). */
  rdata: string;
  comment: string | null;
  status: RecordStatus;
  /** Weighted answers of an A/AAAA/CNAME set (organization API); null = unweighted. Not the SRV weight (RDATA). */
  weight: number | null;
  /** Health check of the record's address: 0 none, 1 ping, 2 HTTP (organization API). */
  monitorType: MonitorType;
  /** The last health check result: 0 unknown, 1 online, 2 offline. */
  monitorStatus: MonitorStatus;
  createdAt: string;
  updatedAt: string;
}

export type MonitorType = 0 | 1 | 2;
export type MonitorStatus = 0 | 1 | 2;

/** A resource record as DNS and the journal see it (no ids, no metadata). */
export interface RR {
  name: string;
  type: string;
  ttl: number;
  rdata: string;
  /**
   * Answer policy of A/AAAA records (organization API; docs/smart-records.md), only when set:
   * the record's weight (weighted answers) and `offline: true` while its health monitor reports
   * it down. Zone files and transfers ignore both; our DNS answers apply them.
   */
  weight?: number;
  offline?: true;
}

export type DnssecKeyState = 'published' | 'active' | 'retired';

/** A zone's DNSSEC signing key (docs/dnssec.md); `privateKey` is sealed with the data key. */
export interface DnssecKey {
  id: string; // dsk_...
  zoneId: string;
  algorithm: number;
  flags: number;
  keyTag: number;
  state: DnssecKeyState;
  /** DNSKEY RDATA in presentation form. */
  dnskey: string;
  privateKey: string;
  createdAt: string;
  updatedAt: string;
}

export type DnssecAutoStatus = 'inactive' | 'blocked' | 'pending' | 'active' | 'excluded' | 'error';

/** Automatic DNSSEC enrollment of a domain (seed 004). */
export interface DnssecAuto {
  domainId: string;
  enabled: boolean;
  status: DnssecAutoStatus;
  reason: string | null;
  blockedUntil: string | null;
  blockReason: string | null;
  lastCheckedAt: string | null;
  lastError: string | null;
  /** While DNSSEC is withdrawn: signing stops after this (the parent's DS TTL has passed). */
  withdrawUntil: string | null;
  updatedAt: string;
}

export type JournalKind = 'create' | 'update' | 'delete';

/**
 * One committed change of a zone. `removed` and `added` are in IXFR order (RFC 1995): the old SOA
 * is the first removed RR and the new SOA the first added one. A `create` entry has fromSerial 0 and
 * adds the whole zone; a `delete` entry removes the whole zone.
 */
export interface JournalEntry {
  seq: number;
  zoneId: string;
  zoneName: string;
  kind: JournalKind;
  fromSerial: number;
  toSerial: number;
  removed: RR[];
  added: RR[];
  createdAt: string;
}

export type DynDnsRecordType = 'A' | 'AAAA';

/** A DynDNS configuration: one host name and record type, updated by the holder of its token. */
export interface DynDnsConfig {
  id: string; // ddns_...
  accountId: string;
  domainId: string;
  /** Canonical host name (the domain or a name under it). */
  hostname: string;
  recordType: DynDnsRecordType;
  /** SHA-256 of the token, hex (shared by the A and AAAA configs of one host name). */
  tokenHash: string;
  /** The token encrypted under the data key (see core/crypto/data-key.ts). */
  tokenEnc: string;
  enabled: boolean;
  lastIp: string | null;
  lastUpdatedAt: string | null;
  updateCount: number;
  createdAt: string;
  updatedAt: string | null;
}

export type DynDnsLogStatus = 'success' | 'no_change' | 'failed';

/** One authenticated update attempt of a DynDNS configuration. */
export interface DynDnsLog {
  id: string; // ddl_...
  configId: string;
  oldIp: string | null;
  newIp: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  status: DynDnsLogStatus;
  errorMessage: string | null;
  createdAt: string;
}

/** A page of a cursor-paginated list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A member's role in an organization (an account): what its users may do there. */
export type Role = 'owner' | 'admin' | 'member' | 'read-only';
export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'read-only'];

/** A person who signs in with email and password (organization API, `zonekeeper users`). */
export interface User {
  id: string; // usr_...
  /** Lowercase; unique. */
  email: string;
  /** argon2id in PHC string form. */
  passwordHash: string;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Membership {
  accountId: string;
  userId: string;
  role: Role;
  createdAt: string;
}

/** A long-lived organization API token (`X-API-TOKEN`), acting as its user. */
export interface ApiToken {
  id: string; // tok_...
  userId: string;
  name: string;
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  tokenPrefix: string;
  /** Account (organization) ids the token may use; null = every organization of its user. */
  organizations: string[] | null;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** One login: the chain of refresh tokens it rotates through, revoked as a whole. */
export interface RefreshFamily {
  id: string; // rft_... (the id of its first token)
  userId: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A refresh token of a login (rotated on use; a reused one revokes its whole family). */
export interface RefreshSession {
  id: string; // rft_...
  familyId: string;
  tokenHash: string;
  expiresAt: string;
  createdAt: string;
  /** Set when the token was used (rotated). */
  usedAt: string | null;
}
