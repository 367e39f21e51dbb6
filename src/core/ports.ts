// Ports: the interfaces the core needs from the outside world (storage, change feed, clock).
// storage/ implements them for SQLite and PostgreSQL with one contract suite.
import type { DnssecMaterial } from './registry/registry-rules.js';
import type { Account, ApiKey, ApiToken, DnsRecord, Domain, DynDnsConfig, DynDnsLog, Job, DnssecAuto, DnssecKey, DnssecKeyState, JournalEntry, Membership, MonitorStatus, MonitorType, RegistryDnssecRecord, RegistryHostRecord, RefreshFamily, RefreshSession, RR, Soa, User, Zone } from './model.js';

/** Keyset pagination: items ordered by id ascending, strictly after `afterId`, at most `limit`. */
export interface ListQuery {
  limit: number;
  afterId?: string;
  /** Exact (canonical) name filter, where the resource has a name. */
  name?: string;
}

export interface AccountsRepo {
  create(account: Account): Promise<void>;
  get(id: string): Promise<Account | undefined>;
  list(q: ListQuery): Promise<Account[]>;
  count(): Promise<number>;
}

export interface ApiKeysRepo {
  create(key: ApiKey): Promise<void>;
  get(id: string): Promise<ApiKey | undefined>;
  findByHash(tokenHash: string): Promise<ApiKey | undefined>;
  /** Keys of one account (revoked ones included), keyset-paginated. */
  list(accountId: string, q: ListQuery): Promise<ApiKey[]>;
  /** Sets revokedAt; returns false when no such un-revoked key exists. */
  revoke(id: string, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

export interface DomainsRepo {
  get(id: string): Promise<Domain | undefined>;
  getByName(name: string): Promise<Domain | undefined>;
  /** The domain with this organization-API UUID (lowercase). */
  getByUuid(uuid: string): Promise<Domain | undefined>;
  list(accountId: string, q: ListQuery): Promise<Domain[]>;
  /** A page of an account's domains by position (id order): the organization API pages by number. */
  listPage(accountId: string, q: { offset: number; limit: number }): Promise<Domain[]>;
  count(accountId: string): Promise<number>;
  /** Inserts a domain without a zone (a registration); a taken name is a `conflict`. */
  create(domain: Domain): Promise<void>;
  update(
    id: string,
    patch: Partial<Pick<Domain, 'autoRenewEnabled' | 'registrarLockEnabled' | 'serviceStatus' | 'kind' | 'expiresAt' | 'nameservers' | 'nameserversChangedAt'>> & { updatedAt: string },
  ): Promise<Domain | undefined>;
}

export interface ZonesRepo {
  get(id: string): Promise<Zone | undefined>;
  getByName(name: string): Promise<Zone | undefined>;
  getByDomainId(domainId: string): Promise<Zone | undefined>;
  list(accountId: string, q: ListQuery): Promise<Zone[]>;
  /** Every zone, any account (the DNS engine loads them all at start). */
  listAll(): Promise<Zone[]>;
  /**
   * Zones of any account whose name equals `name`, is an ancestor of it, or lies below it
   * (used to refuse overlapping zones across accounts).
   */
  findOverlapping(name: string): Promise<Zone[]>;
}

export interface RecordQuery {
  type?: string;
  name?: string;
  limit?: number;
  afterId?: string;
}

export interface RecordPageQuery {
  types: readonly string[];
  name?: string;
  offset: number;
  limit: number;
}

export interface RecordsRepo {
  get(zoneId: string, id: string): Promise<DnsRecord | undefined>;
  /** Records of a zone ordered by id; filters are exact (canonical name, type mnemonic). */
  list(zoneId: string, q: RecordQuery): Promise<DnsRecord[]>;
  /**
   * A page of a zone's records by position (id order), of the listed types only, optionally at one
   * name; the organization API pages by number. `count` counts the same selection.
   */
  listPage(zoneId: string, q: RecordPageQuery): Promise<DnsRecord[]>;
  count(zoneId: string, q: Omit<RecordPageQuery, 'offset' | 'limit'>): Promise<number>;
  /** The record with this number in the zone. */
  getByNum(zoneId: string, num: number): Promise<DnsRecord | undefined>;
  /** Streams every record of a zone in id order, in batches (large zones). */
  iterate(zoneId: string, batchSize?: number): AsyncIterable<DnsRecord[]>;
  /**
   * Streams the RRs of a zone's active records (owner, type, TTL, RDATA only), in batches, ordered
   * by owner name (records of one owner together); each batch is its own short query. The cheap
   * read for loading a whole zone (DNS engine start and reloads). Optional: callers fall back to
   * `iterate` when a store lacks it.
   */
  scanRRs?(zoneId: string, batchSize?: number): AsyncIterable<RR[]>;
  /** Active records with a health monitor, of active zones, in id order after `afterId` (the checker's sweep). */
  listMonitored(afterId: string | null, limit: number): Promise<MonitoredRecord[]>;
}

/** A record the health checker probes. */
export interface MonitoredRecord {
  zoneId: string;
  id: string;
  name: string;
  type: string;
  rdata: string;
  monitorType: MonitorType;
  monitorStatus: MonitorStatus;
}

/** DNSSEC signing keys of zones (docs/dnssec.md). */
export interface DnssecKeysRepo {
  list(zoneId: string): Promise<DnssecKey[]>;
  insert(key: DnssecKey): Promise<void>;
  setState(id: string, state: DnssecKeyState, at: string): Promise<void>;
  delete(id: string): Promise<void>;
  getAuto(domainId: string): Promise<DnssecAuto | undefined>;
  saveAuto(row: DnssecAuto): Promise<void>;
}

/** The last state of Script records as DNS ran them (docs/smart-records.md). */
export interface ScriptStatusRepo {
  /**
   * Records the state of the Script version `key` at a name: its failure, or null once it answers
   * again. A report older than the stored one (`at`) changes nothing.
   */
  report(zoneName: string, name: string, key: string, error: string | null, at: string): Promise<void>;
  /** The states of the Scripts at these names of a zone (names without one are absent). */
  get(zoneName: string, names: string[]): Promise<Map<string, { key: string; error: string | null; at: string }>>;
}

/** A DynDNS configuration as the public update endpoints find it: with its domain's zone, if any. */
export interface DynDnsTarget {
  config: DynDnsConfig;
  zone: { id: string; name: string; status: string } | null;
}

export interface DynDnsRepo {
  /** Inserts a configuration; a second one for the same (hostname, recordType) is a `conflict`. */
  create(config: DynDnsConfig): Promise<void>;
  get(id: string): Promise<DynDnsConfig | undefined>;
  listByDomain(domainId: string): Promise<DynDnsConfig[]>;
  listByHostname(hostname: string): Promise<DynDnsConfig[]>;
  /** The configurations holding this token hash, each with its zone (one indexed query). */
  findByTokenHash(tokenHash: string): Promise<DynDnsTarget[]>;
  setEnabled(id: string, enabled: boolean, at: string): Promise<DynDnsConfig | undefined>;
  /** Gives every listed configuration a new token (one transaction). */
  setTokens(tokens: { id: string; tokenHash: string; tokenEnc: string }[], at: string): Promise<void>;
  /** Deletes a configuration and its logs; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Appends one log row on its own (failed attempts) and prunes the configuration's oldest beyond `retention`. */
  appendLog(log: DynDnsLog, retention: number): Promise<void>;
  /** A configuration's logs, newest first, strictly older than `beforeId` when given. */
  listLogs(configId: string, q: { limit: number; beforeId?: string }): Promise<DynDnsLog[]>;
}

/**
 * DynDNS bookkeeping written in the same transaction as the record change it describes, so the
 * counters and logs commit (or roll back) together with the record.
 */
export interface DynDnsEffect {
  /** Configurations whose record changed: updateCount + 1, lastIp, lastUpdatedAt = at. */
  updated: { configId: string; ip: string }[];
  /** Configurations whose record already held the address: lastIp only. */
  unchanged: { configId: string; ip: string }[];
  logs: DynDnsLog[];
  at: string;
  /** Logs kept per configuration (older ones are deleted). */
  retention: number;
}

/** A membership with its organization's name (the organization list of a user). */
export interface MembershipView extends Membership {
  accountName: string;
  accountCreatedAt: string;
}

export interface UsersRepo {
  /** Inserts a user (a second one with the same email is a `conflict`), with a first membership. */
  create(user: User, membership?: Membership): Promise<void>;
  get(id: string): Promise<User | undefined>;
  getByEmail(email: string): Promise<User | undefined>;
  list(q: { limit: number; afterId?: string }): Promise<User[]>;
  setDisabled(id: string, disabledAt: string | null, at: string): Promise<User | undefined>;
  setPasswordHash(id: string, hash: string, at: string): Promise<void>;
  /** Adds the membership or changes its role. */
  putMembership(m: Membership): Promise<void>;
  /** The user's memberships, by organization id. */
  memberships(userId: string): Promise<MembershipView[]>;
}

export interface ApiTokensRepo {
  create(token: ApiToken): Promise<void>;
  findByHash(tokenHash: string): Promise<ApiToken | undefined>;
  listByUser(userId: string): Promise<ApiToken[]>;
  /** Deletes a token of this user; false when there is none. */
  delete(userId: string, id: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

/** A refresh token as a refresh finds it: with its login's user and revocation. */
export interface RefreshLookup extends RefreshSession {
  userId: string;
  familyRevokedAt: string | null;
}

export type RotateOutcome = 'rotated' | 'reused' | 'revoked';

export interface RefreshTokensRepo {
  /** A new login: its family and first token, in one transaction. */
  createFamily(family: RefreshFamily, first: RefreshSession): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshLookup | undefined>;
  /**
   * One transaction, the family locked: `revoked` when the family is revoked; `reused` when `oldId`
   * was used already (the family is revoked then); else marks it used, inserts `next`: `rotated`.
   */
  rotate(oldId: string, next: RefreshSession, at: string): Promise<RotateOutcome>;
  /** False for a revoked or unknown family (its access tokens stop working). */
  familyActive(familyId: string): Promise<boolean>;
  revokeFamily(familyId: string, at: string): Promise<void>;
  revokeUser(userId: string, at: string): Promise<void>;
  /** Deletes tokens that expired before `before`, and families left without tokens. */
  prune(before: string): Promise<void>;
}

/** Our record of what the registry holds for our domains (host objects, DNSSEC material). */
export interface RegistrarRepo {
  hosts(domainId: string): Promise<RegistryHostRecord[]>;
  /** Inserts or replaces a host object record. */
  putHost(host: RegistryHostRecord): Promise<void>;
  deleteHost(hostname: string): Promise<boolean>;
  dnssec(domainId: string): Promise<RegistryDnssecRecord[]>;
  addDnssec(record: RegistryDnssecRecord): Promise<void>;
  deleteDnssec(domainId: string, id: string): Promise<boolean>;
}

/** The sandbox registry's own state (see core/registry/sandbox-registry.ts). */
export interface SandboxDomainRow {
  name: string;
  roid: string;
  /** The sponsoring client (EPP clID). */
  sponsor: string;
  /** Bumped by every write (optimistic concurrency). */
  version: number;
  authInfo: string;
  statuses: string[];
  nameservers: string[];
  dnssec: DnssecMaterial[];
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
}

export interface SandboxHostRow {
  name: string;
  domain: string;
  sponsor: string;
  addresses: string[];
  createdAt: string;
  updatedAt: string;
}

export interface SandboxRepo {
  domain(name: string): Promise<SandboxDomainRow | undefined>;
  /** Inserts a domain; `exists` when the name is taken. */
  createDomain(d: SandboxDomainRow): Promise<'created' | 'exists'>;
  /** Writes `d` with version + 1 when the stored version is still `d.version`; false when another write came first. */
  saveDomain(d: SandboxDomainRow): Promise<boolean>;
  host(name: string): Promise<SandboxHostRow | undefined>;
  hostsOf(domain: string): Promise<SandboxHostRow[]>;
  saveHost(h: SandboxHostRow): Promise<void>;
  deleteHost(name: string): Promise<void>;
  /** Domains whose nameserver set names the host. */
  domainsUsing(host: string): Promise<string[]>;
}

export interface JobsRepo {
  /** Adds a pending job, or updates the pending one of the same kind and subject (one per pair). */
  enqueue(job: Job): Promise<Job>;
  /**
   * Claims up to `limit` jobs due at `now` (pending, or running with an expired lease): marks them
   * running until `leaseUntil`, so no other runner (process) takes them meanwhile.
   */
  claimDue(now: string, leaseUntil: string, limit: number): Promise<Job[]>;
  /** Pending jobs due at `now`, oldest first (read only). */
  due(now: string, limit: number): Promise<Job[]>;
  /**
   * Writes a job's new state. Back to `pending` while a newer pending job of the same kind and
   * subject exists: this one ends `done` instead (the newer one carries the latest intent).
   */
  save(job: Job): Promise<void>;
  /** Ends the pending job of a kind and subject (its work was done by a newer request). */
  supersede(kind: string, subject: string, at: string): Promise<void>;
  /** The newest job of a kind about a subject. */
  latest(subject: string, kind: string): Promise<Job | undefined>;
}

/** Server-wide values (the data key check). */
export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` unless the key exists; returns the value stored now. */
  putIfAbsent(key: string, value: string): Promise<string>;
}

/** What a zone change wants done; applied atomically with the serial bump and the journal entry. */
export interface ZoneChangePlan<T> {
  insert: DnsRecord[];
  /** Full new versions of existing records (matched by id). */
  update: DnsRecord[];
  /** Ids of records to delete. */
  delete: string[];
  /** New SOA timers/names (the serial is always computed by the store). */
  soa?: Partial<Omit<Soa, 'serial'>>;
  /** DynDNS counters and logs, written in the same transaction (also when no record changed). */
  dyndns?: DynDnsEffect;
  result: T;
}

/** The read side a zone change sees, inside its transaction, with the zone locked. */
export interface ZoneChangeTx {
  readonly zone: Zone;
  /** Records of this zone at any of these owner names. */
  recordsAt(names: string[]): Promise<DnsRecord[]>;
  /** Records of this zone with these ids (missing ids are simply absent). */
  recordsById(ids: string[]): Promise<DnsRecord[]>;
  /** Every record of this zone (zone-file import replaces the whole zone). */
  allRecords(): Promise<DnsRecord[]>;
}

export interface ZoneChangeOutcome<T> {
  zone: Zone;
  /** null when the plan changed nothing (no serial bump, no journal entry). */
  entry: JournalEntry | null;
  result: T;
}

export interface JournalRepo {
  /** Entries of every zone with seq > afterSeq, in seq order, at most `limit`. */
  readAfter(afterSeq: number, limit: number): Promise<JournalEntry[]>;
  /**
   * The entries that take a zone from `fromSerial` to its current serial, in order; null when the
   * journal no longer reaches back to that serial (the caller falls back to a full transfer).
   */
  readZoneSince(zoneId: string, fromSerial: number): Promise<JournalEntry[] | null>;
  /** The highest seq written so far (0 when empty). */
  latestSeq(): Promise<number>;
}

/** Wakes readers when entries are appended: in-process at once, other processes by polling/notify. */
export interface ChangeFeed {
  /** Called after each committed entry of this process (synchronously after commit). */
  subscribe(listener: (entry: JournalEntry) => void): () => void;
  /**
   * Resolves with the entries after `afterSeq` as soon as there is at least one (or [] on timeout /
   * abort). Sees entries written by other processes too.
   */
  waitForNext(afterSeq: number, timeoutMs: number, signal?: AbortSignal): Promise<JournalEntry[]>;
}

export interface CreateZoneInput {
  zone: Zone;
  /** A domain to create with the zone (null when the domain already exists). */
  domain: Domain | null;
  records: DnsRecord[];
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly accounts: AccountsRepo;
  readonly apiKeys: ApiKeysRepo;
  readonly domains: DomainsRepo;
  readonly zones: ZonesRepo;
  readonly records: RecordsRepo;
  readonly journal: JournalRepo;
  readonly dyndns: DynDnsRepo;
  readonly meta: MetaRepo;
  readonly users: UsersRepo;
  readonly apiTokens: ApiTokensRepo;
  readonly refreshTokens: RefreshTokensRepo;
  readonly registrar: RegistrarRepo;
  readonly sandbox: SandboxRepo;
  readonly jobs: JobsRepo;
  readonly scriptStatus: ScriptStatusRepo;
  readonly dnssecKeys: DnssecKeysRepo;
  readonly feed: ChangeFeed;
  /** Creates the zone (and domain) with its records and a `create` journal entry, atomically. */
  createZone(input: CreateZoneInput): Promise<JournalEntry>;
  /** Deletes the zone, its records (and the domain when asked) with a `delete` journal entry. */
  deleteZone(zoneId: string, opts: { deleteDomain: boolean }): Promise<JournalEntry | null>;
  /**
   * Runs `plan` inside one transaction with the zone row locked against concurrent changes, then
   * applies the plan, bumps the SOA serial (nextSerial), updates recordCount and appends a journal
   * entry. A throw from `plan` rolls everything back and is rethrown unchanged.
   * Resolves to undefined when the zone does not exist.
   */
  applyZoneChange<T>(zoneId: string, plan: (tx: ZoneChangeTx) => Promise<ZoneChangePlan<T>>): Promise<ZoneChangeOutcome<T> | undefined>;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * The next SOA serial: strictly greater than the old one in RFC 1982 arithmetic, and at least the
 * current Unix time, so serials also grow across a zone deleted and created again.
 */
export function nextSerial(old: number, now: Date): number {
  const unix = Math.floor(now.getTime() / 1000) >>> 0;
  const inc = (old + 1) >>> 0;
  // RFC 1982: unix is "greater" than old when 0 < (unix - old) mod 2^32 < 2^31
  const diff = (unix - old) >>> 0;
  if (diff !== 0 && diff < 0x80000000) return unix;
  return inc === 0 ? 1 : inc;
}
