// The Store: repositories, the zone writer and the change feed over one Kysely instance.
import type { JournalEntry } from '../core/model.js';
import type { CreateZoneInput, Clock, Store, ZoneChangeOutcome, ZoneChangePlan, ZoneChangeTx } from '../core/ports.js';
import { SqlAccountsRepo } from './accounts.repo.js';
import { SqlApiKeysRepo } from './api-keys.repo.js';
import { DEFAULT_FEED_OPTIONS, StoreChangeFeed, type FeedOptions } from './change-feed.js';
import { SqlDomainsRepo } from './domains.repo.js';
import { SqlDynDnsRepo, SqlMetaRepo } from './dyndns.repo.js';
import { SqlJournalRepo } from './journal.repo.js';
import { SqlRecordsRepo } from './records.repo.js';
import type { Db, Dialect } from './schema.js';
import { KyselySql, type SqlAccess } from './sql-runner.js';
import { ZoneWriter } from './zone-writer.js';
import { SqlZonesRepo } from './zones.repo.js';
import { SqlApiTokensRepo, SqlRefreshTokensRepo, SqlUsersRepo } from './users.repo.js';
import { SqlJobsRepo, SqlRegistrarRepo, SqlSandboxRepo } from './registry.repo.js';
import { SqlScriptStatusRepo } from './smart-records.repo.js';
import { SqlDnssecKeysRepo } from './dnssec.repo.js';

export class SqlStore implements Store {
  readonly accounts: SqlAccountsRepo;
  readonly apiKeys: SqlApiKeysRepo;
  readonly domains: SqlDomainsRepo;
  readonly zones: SqlZonesRepo;
  readonly records: SqlRecordsRepo;
  readonly journal: SqlJournalRepo;
  readonly dyndns: SqlDynDnsRepo;
  readonly meta: SqlMetaRepo;
  readonly users: SqlUsersRepo;
  readonly apiTokens: SqlApiTokensRepo;
  readonly refreshTokens: SqlRefreshTokensRepo;
  readonly registrar: SqlRegistrarRepo;
  readonly sandbox: SqlSandboxRepo;
  readonly jobs: SqlJobsRepo;
  readonly scriptStatus: SqlScriptStatusRepo;
  readonly dnssecKeys: SqlDnssecKeysRepo;
  readonly feed: StoreChangeFeed;
  readonly #writer: ZoneWriter;
  readonly #onClose: () => Promise<void>;
  #closing: Promise<void> | null = null;

  constructor(
    /** The Kysely instance (for tests and tools; application code uses the repositories). */
    readonly db: Db,
    readonly dialect: Dialect,
    clock: Clock,
    /** `sql`: how the hot paths run precompiled statements (default: through `db`). */
    opts: { feed?: FeedOptions; onClose?: () => Promise<void>; sql?: SqlAccess } = {},
  ) {
    const sql = opts.sql ?? new KyselySql(db, dialect);
    if (sql.dialect !== dialect) throw new Error(`SqlStore: ${sql.dialect} statements for a ${dialect} store`);
    this.accounts = new SqlAccountsRepo(db);
    this.apiKeys = new SqlApiKeysRepo(db, sql);
    this.domains = new SqlDomainsRepo(db);
    this.zones = new SqlZonesRepo(db, sql);
    this.records = new SqlRecordsRepo(db, sql);
    this.journal = new SqlJournalRepo(db, sql);
    this.dyndns = new SqlDynDnsRepo(db, sql);
    this.meta = new SqlMetaRepo(db);
    this.users = new SqlUsersRepo(db, sql);
    this.apiTokens = new SqlApiTokensRepo(db, sql);
    this.refreshTokens = new SqlRefreshTokensRepo(db, dialect);
    this.registrar = new SqlRegistrarRepo(db);
    this.sandbox = new SqlSandboxRepo(db, dialect);
    this.jobs = new SqlJobsRepo(db, dialect);
    this.scriptStatus = new SqlScriptStatusRepo(db);
    this.dnssecKeys = new SqlDnssecKeysRepo(db);
    this.feed = new StoreChangeFeed(this.journal, opts.feed ?? DEFAULT_FEED_OPTIONS);
    this.#writer = new ZoneWriter(db, sql, clock, this.feed);
    this.#onClose = opts.onClose ?? (async () => {});
  }

  createZone(input: CreateZoneInput): Promise<JournalEntry> {
    return this.#writer.createZone(input);
  }

  deleteZone(zoneId: string, opts: { deleteDomain: boolean }): Promise<JournalEntry | null> {
    return this.#writer.deleteZone(zoneId, opts);
  }

  applyZoneChange<T>(zoneId: string, plan: (tx: ZoneChangeTx) => Promise<ZoneChangePlan<T>>): Promise<ZoneChangeOutcome<T> | undefined> {
    return this.#writer.applyZoneChange(zoneId, plan);
  }

  /** Idempotent: stops the feed (timers, LISTEN connection), then closes the database. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.feed.close();
      await this.db.destroy();
      await this.#onClose();
    })();
    return this.#closing;
  }
}
