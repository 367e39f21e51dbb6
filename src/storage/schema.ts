// Kysely table types of the zonekeeper database (the same schema on SQLite and PostgreSQL).
import type { ColumnType, Kysely, Transaction } from 'kysely';

/**
 * A 64-bit integer column (serials, seq, counts): PostgreSQL's pg driver returns bigint as a string,
 * SQLite as a number; mappers convert with Number().
 */
export type BigIntColumn = ColumnType<number | string, number, number>;

/** Times are ISO-8601 UTC text with milliseconds on both dialects, so they read back identically. */
export type IsoTime = string;

export interface AccountsTable {
  id: string;
  name: string;
  created_at: IsoTime;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  /** JSON array of scopes. */
  scopes: string;
  /** JSON array of zone names, or null. */
  zones: string | null;
  /** JSON array of CIDRs, or null. */
  allow_ips: string | null;
  expires_at: IsoTime | null;
  created_at: IsoTime;
  last_used_at: IsoTime | null;
  revoked_at: IsoTime | null;
}

export interface DomainsTable {
  id: string;
  uuid: string;
  account_id: string;
  name: string;
  kind: string;
  service_status: string;
  /** 0/1: booleans are integers on both dialects (better-sqlite3 cannot bind booleans). */
  auto_renew_enabled: number;
  registrar_lock_enabled: number;
  expires_at: IsoTime | null;
  /** JSON array of host names: the set at the registry, as last confirmed. */
  nameservers: ColumnType<string, string | undefined, string>;
  nameservers_changed_at: IsoTime | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface ZonesTable {
  id: string;
  account_id: string;
  domain_id: string;
  name: string;
  status: string;
  soa_mname: string;
  soa_rname: string;
  soa_serial: BigIntColumn;
  soa_refresh: BigIntColumn;
  soa_retry: BigIntColumn;
  soa_expire: BigIntColumn;
  soa_minimum: BigIntColumn;
  soa_ttl: number;
  record_count: number;
  next_record_num: BigIntColumn;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface RecordsTable {
  id: string;
  zone_id: string;
  name: string;
  type: string;
  ttl: number;
  rdata: string;
  comment: string | null;
  status: string;
  num: BigIntColumn;
  weight: number | null;
  monitor_type: number;
  monitor_status: number;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface JournalTable {
  seq: ColumnType<number | string, never, never>;
  zone_id: string;
  zone_name: string;
  kind: string;
  from_serial: BigIntColumn;
  to_serial: BigIntColumn;
  /** JSON array of RR. */
  removed: string;
  /** JSON array of RR. */
  added: string;
  created_at: IsoTime;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface DynDnsConfigsTable {
  id: string;
  account_id: string;
  domain_id: string;
  hostname: string;
  record_type: string;
  /** SHA-256 of the token, hex: the lookup key of the public endpoints. */
  token_hash: string;
  /** The token under the data key (AES-256-GCM, the config id as associated data). */
  token_enc: string;
  enabled: number;
  last_ip: string | null;
  last_updated_at: IsoTime | null;
  update_count: BigIntColumn;
  created_at: IsoTime;
  updated_at: IsoTime | null;
}

export interface DynDnsLogsTable {
  id: string;
  config_id: string;
  old_ip: string | null;
  new_ip: string | null;
  source_ip: string | null;
  user_agent: string | null;
  status: string;
  error_message: string | null;
  created_at: IsoTime;
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  disabled_at: IsoTime | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface MembershipsTable {
  account_id: string;
  user_id: string;
  role: string;
  created_at: IsoTime;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  /** JSON array of account ids, or null (all of the user's). */
  organizations: string | null;
  expires_at: IsoTime | null;
  created_at: IsoTime;
  last_used_at: IsoTime | null;
}

export interface RefreshFamiliesTable {
  id: string;
  user_id: string;
  created_at: IsoTime;
  revoked_at: IsoTime | null;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  token_hash: string;
  expires_at: IsoTime;
  created_at: IsoTime;
  used_at: IsoTime | null;
}

export interface RegistryHostsTable {
  hostname: string;
  domain_id: string;
  /** JSON array of canonical addresses. */
  ips: string;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface RegistryDnssecTable {
  id: string;
  domain_id: string;
  /** JSON DnssecMaterial. */
  material: string;
  created_at: IsoTime;
}

export interface SandboxDomainsTable {
  name: string;
  roid: string;
  sponsor: string;
  version: number;
  auth_info: string;
  /** JSON arrays. */
  statuses: string;
  nameservers: string;
  dnssec: string;
  created_at: IsoTime;
  expires_at: IsoTime;
  updated_at: IsoTime;
}

export interface SandboxHostsTable {
  name: string;
  /** The superordinate domain (RFC 5732 2.1: the host is under it). */
  domain: string;
  sponsor: string;
  addresses: string;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface JobsTable {
  id: string;
  kind: string;
  /** What the job is about (a domain id): one pending job per kind and subject. */
  subject: string;
  payload: string;
  status: string;
  run_at: IsoTime;
  attempts: number;
  last_error: string | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface MigrationsTable {
  id: string;
  applied_at: IsoTime;
}

export interface DnssecKeysTable {
  id: string;
  zone_id: string;
  algorithm: number;
  flags: number;
  key_tag: number;
  state: string;
  dnskey: string;
  private_key: string;
  created_at: string;
  updated_at: string;
}

export interface DnssecAutoTable {
  domain_id: string;
  enabled: number;
  status: string;
  reason: string | null;
  blocked_until: string | null;
  block_reason: string | null;
  last_checked_at: string | null;
  last_error: string | null;
  withdraw_until: string | null;
  updated_at: string;
}

export interface ScriptStatusTable {
  zone_name: string;
  name: string;
  script_key: string;
  error: string | null;
  at: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  domains: DomainsTable;
  zones: ZonesTable;
  records: RecordsTable;
  journal: JournalTable;
  meta: MetaTable;
  dyndns_configs: DynDnsConfigsTable;
  dyndns_logs: DynDnsLogsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  refresh_families: RefreshFamiliesTable;
  registry_hosts: RegistryHostsTable;
  registry_dnssec: RegistryDnssecTable;
  sandbox_domains: SandboxDomainsTable;
  sandbox_hosts: SandboxHostsTable;
  jobs: JobsTable;
  script_status: ScriptStatusTable;
  dnssec_keys: DnssecKeysTable;
  dnssec_auto: DnssecAutoTable;
  refresh_tokens: RefreshTokensTable;
  zk_migrations: MigrationsTable;
}

export type Db = Kysely<Database>;
/** A connection or a transaction: repositories run on either. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type Dialect = 'sqlite' | 'postgres';
