// Kysely's SQLite dialect with BEGIN IMMEDIATE write transactions and one in-process queue per file.
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig } from 'kysely';
import { assertNotInPlan } from './plan-guard.js';

/** A FIFO async mutex. */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

/**
 * better-sqlite3 waits for a lock held by another connection synchronously (busy_timeout), which
 * blocks the event loop. Two stores on the same file in one process would deadlock that way: the
 * waiting one blocks the loop, so the holder can never finish its transaction. All stores of this
 * process on the same file therefore share one queue; other processes are handled by SQLite locks.
 */
const fileQueues = new Map<string, { mutex: Mutex; users: number }>();

function queueFor(key: string): Mutex {
  let q = fileQueues.get(key);
  if (!q) fileQueues.set(key, (q = { mutex: new Mutex(), users: 0 }));
  q.users++;
  return q.mutex;
}

function releaseQueue(key: string): void {
  const q = fileQueues.get(key);
  if (q && --q.users === 0) fileQueues.delete(key);
}

/**
 * A deferred BEGIN takes the write lock only at the first write; when two processes (server and
 * CLI) both hold read snapshots and then try to write, one upgrade fails at once with SQLITE_BUSY,
 * bypassing busy_timeout. BEGIN IMMEDIATE takes the write lock up front, so a second writer waits
 * in the busy handler instead. Within one process the queue above runs transactions (and single
 * statements) one after another: concurrent applyZoneChange calls wait their turn, none fails.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #mutex: Mutex;

  constructor(
    config: SqliteDialectConfig,
    private readonly fileKey: string,
  ) {
    super(config);
    this.#mutex = queueFor(fileKey);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    assertNotInPlan();
    await this.#mutex.lock();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.#mutex.unlock();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    releaseQueue(this.fileKey);
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #fileKey: string;

  /** `fileKey`: the database file's absolute path (a unique key for ':memory:'). */
  constructor(config: SqliteDialectConfig, fileKey: string) {
    super(config);
    this.#config = config;
    this.#fileKey = fileKey;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#fileKey);
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running the
 * small statements of a record write, so prepared statements are kept per SQL text (bounded; the
 * queue above guarantees no statement is used by two queries at once).
 */
export function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (sqlText: string) => {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        stmt = db.prepare(sqlText);
        cache.set(sqlText, stmt);
      }
      return stmt as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}
