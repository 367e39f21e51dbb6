// Opens the Store: SQLite file (WAL; synchronous FULL or NORMAL; checkpoints inline or in a worker
// thread) or PostgreSQL pool, then runs migrations.
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import pg from 'pg';
import { systemClock, type Clock } from '../core/ports.js';
import { DEFAULT_FEED_OPTIONS, type FeedOptions } from './change-feed.js';
import { migrate } from './migrate.js';
import { GuardedPostgresDialect } from './pg-dialect.js';
import { PgJournalListener } from './pg-listener.js';
import type { Database as Schema, Db } from './schema.js';
import { SqliteCheckpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';
import { ImmediateSqliteDialect, SqliteDirect, SqliteHandle } from './sqlite-dialect.js';
import { SqlStore } from './store.js';

export interface OpenStoreOptions {
  /** postgres://... — PostgreSQL; otherwise SQLite. */
  url?: string;
  /** SQLite file at <dataDir>/zonekeeper.db (the directory is created). */
  dataDir?: string;
  /** Explicit SQLite file, or ':memory:'. */
  sqlitePath?: string;
  clock?: Clock;
  /** PostgreSQL: create (if missing) and use this schema via search_path (tests). */
  pgSchema?: string;
  /** PostgreSQL pool size (default 10). */
  pgPoolSize?: number;
  /** SQLite durability: 'full' (default) loses no acknowledged write even on power loss. */
  sqliteSynchronous?: 'full' | 'normal';
  /** Change-feed polling (tests may shorten it). */
  feed?: Partial<FeedOptions>;
  /**
   * SQLite WAL checkpoints: 'inline' (SQLite's default: the commit that fills 1000 WAL pages copies
   * them into the database file, on the calling thread) or 'background' (a worker thread does it;
   * long-running servers use this so no request waits for a checkpoint). Default 'inline'.
   */
  sqliteCheckpoint?: 'inline' | 'background';
  /** Tuning of the background checkpointer (tests). */
  checkpointer?: Pick<CheckpointerOptions, 'intervalMs' | 'resetFrames'>;
}

export const SQLITE_FILE_NAME = 'zonekeeper.db';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openStore(opts: OpenStoreOptions): Promise<SqlStore> {
  const clock = opts.clock ?? systemClock;
  const feed = { ...DEFAULT_FEED_OPTIONS, ...opts.feed };
  const now = (): string => clock.now().toISOString();
  if (opts.url) return openPostgres(opts.url, opts, clock, feed, now);
  const file = opts.sqlitePath ?? (opts.dataDir ? join(opts.dataDir, SQLITE_FILE_NAME) : undefined);
  if (!file) throw new Error('openStore needs a PostgreSQL url, a dataDir or a sqlitePath');
  if (file !== ':memory:') mkdirSync(opts.sqlitePath ? dirname(file) : opts.dataDir!, { recursive: true });

  const sqlite = new Database(file, { timeout: 5000 });
  try {
    // busy_timeout first, so switching to WAL waits for another process instead of failing.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${opts.sqliteSynchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const handle = new SqliteHandle(sqlite, file === ':memory:' ? `:memory:${randomUUID()}` : resolve(file));
  const db: Db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect(handle) });
  await migrateOrClose(db, () => migrate(db, 'sqlite', { now }));
  const checkpointer = opts.sqliteCheckpoint === 'background' && file !== ':memory:' ? await startCheckpointer(handle, resolve(file), db, opts.checkpointer ?? {}) : null;
  return new SqlStore(db, 'sqlite', clock, { feed, sql: new SqliteDirect(handle), ...(checkpointer ? { onClose: async () => void (await checkpointer.stop()) } : {}) });
}

/** Hands WAL checkpoints to a worker thread; back to SQLite's own if the worker fails. */
async function startCheckpointer(handle: SqliteHandle, file: string, db: Db, tuning: Pick<CheckpointerOptions, 'intervalMs' | 'resetFrames'>): Promise<SqliteCheckpointer> {
  const sqlite = handle.raw;
  sqlite.pragma('wal_autocheckpoint = 0');
  // A WAL that grew during a burst is cut back to this size once it has been checkpointed.
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  try {
    return await SqliteCheckpointer.start(file, {
      ...tuning,
      // Writers of this process wait (the file's queue) while the worker's checkpoint completes —
      // 5 s at most, so a stuck worker can never stop the writes.
      onWalLarge: async (checkpoint) => {
        await handle.mutex.lock();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([checkpoint(), new Promise((r) => (timer = setTimeout(r, 5000)))]);
        } finally {
          clearTimeout(timer);
          handle.mutex.unlock();
        }
      },
      onFailure: (err) => {
        sqlite.pragma('wal_autocheckpoint = 1000');
        process.emitWarning(`zonekeeper: the SQLite checkpoint worker failed (${err.message}); checkpoints run inline again`);
      },
    });
  } catch (err) {
    sqlite.pragma('wal_autocheckpoint = 1000');
    await db.destroy().catch(() => {});
    throw err;
  }
}

async function openPostgres(url: string, opts: OpenStoreOptions, clock: Clock, feed: FeedOptions, now: () => string): Promise<SqlStore> {
  if (opts.pgSchema !== undefined && !SCHEMA_NAME.test(opts.pgSchema)) throw new Error(`invalid PostgreSQL schema name: ${opts.pgSchema}`);
  const config: pg.ClientConfig = {
    connectionString: url,
    ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
  };
  const pool = new pg.Pool({ ...config, max: opts.pgPoolSize ?? 10 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db: Db = new Kysely<Schema>({ dialect: new GuardedPostgresDialect({ pool }) });
  await migrateOrClose(db, () => migrate(db, 'postgres', { now, ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) }));
  const store = new SqlStore(db, 'postgres', clock, { feed });
  store.feed.attachListener(new PgJournalListener(config, () => store.feed.wake()));
  return store;
}

async function migrateOrClose(db: Db, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    await db.destroy().catch(() => {});
    throw err;
  }
}
