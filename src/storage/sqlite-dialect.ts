// SQLite: Kysely's dialect with BEGIN IMMEDIATE write transactions and one in-process queue per
// file, and SqliteDirect, the same rules for precompiled statements run straight on better-sqlite3.
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase } from 'kysely';
import { assertNotInPlan } from './plan-guard.js';
import type { Row, SqlAccess, SqlRunner, Stmt } from './sql-runner.js';

/** A FIFO async mutex. */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  /** Takes the lock when it is free (and nobody waits); false otherwise. */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

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

const STATEMENT_CACHE_SIZE = 500;

/**
 * One store's SQLite connection: the better-sqlite3 database, its prepared statements (kept per SQL
 * text: preparing costs more than running the small statements of a record write; bounded) and the
 * queue of its file. Kysely (cold paths) and SqliteDirect (hot paths) share all three.
 */
export class SqliteHandle {
  readonly mutex: Mutex;
  readonly #cache = new Map<string, BetterSqlite3.Statement>();
  #closed = false;

  /** `fileKey`: the database file's absolute path (a unique key for ':memory:'). */
  constructor(
    readonly raw: BetterSqlite3.Database,
    private readonly fileKey: string,
  ) {
    this.mutex = queueFor(fileKey);
  }

  /** The queue above guarantees no statement is used by two queries at once. */
  prepare(sqlText: string): BetterSqlite3.Statement {
    let stmt = this.#cache.get(sqlText);
    if (!stmt) {
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.clear();
      stmt = this.raw.prepare(sqlText);
      this.#cache.set(sqlText, stmt);
    }
    return stmt;
  }

  /** Closes the database and leaves the file's queue (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    try {
      this.raw.close();
    } finally {
      releaseQueue(this.fileKey);
    }
  }

  /** The database as Kysely's SqliteDriver sees it. */
  forKysely(): SqliteDatabase {
    return {
      close: () => this.close(),
      prepare: (sqlText: string) => this.prepare(sqlText) as unknown as ReturnType<SqliteDatabase['prepare']>,
    };
  }
}

/**
 * A deferred BEGIN takes the write lock only at the first write; when two processes (server and
 * CLI) both hold read snapshots and then try to write, one upgrade fails at once with SQLITE_BUSY,
 * bypassing busy_timeout. BEGIN IMMEDIATE takes the write lock up front, so a second writer waits
 * in the busy handler instead. Within one process the queue above runs transactions (and single
 * statements) one after another: concurrent applyZoneChange calls wait their turn, none fails.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(private readonly handle: SqliteHandle) {
    super({ database: handle.forKysely() });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    assertNotInPlan();
    await this.handle.mutex.lock();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.handle.mutex.unlock();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    this.handle.close();
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly handle: SqliteHandle) {
    super({ database: handle.forKysely() });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.handle);
  }
}

function settle<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The statements of one SqliteDirect transaction; refused once the transaction has ended. */
class SqliteTx implements SqlRunner {
  open = true;

  constructor(private readonly handle: SqliteHandle) {}

  all<R = Row>(s: Stmt, params: readonly unknown[]): Promise<R[]> {
    if (!this.open) return Promise.reject(new Error('This transaction has already ended.'));
    return settle(() => this.handle.prepare(s.sqlite).all(params) as R[]);
  }

  run(s: Stmt, params: readonly unknown[]): Promise<number> {
    if (!this.open) return Promise.reject(new Error('This transaction has already ended.'));
    return settle(() => this.handle.prepare(s.sqlite).run(params).changes);
  }
}

/**
 * Precompiled statements straight on better-sqlite3, bypassing Kysely's executor (the hot paths:
 * a record write costs a few statements, and Kysely's per-query overhead was most of their cost).
 * Same rules as the Kysely driver above: the file's queue is taken for every statement outside a
 * transaction and for the whole of a transaction, write transactions BEGIN IMMEDIATE, and a zone
 * change plan calling the store fails with PlanReentryError instead of waiting for its own lock.
 */
export class SqliteDirect implements SqlAccess {
  readonly dialect = 'sqlite' as const;

  constructor(private readonly handle: SqliteHandle) {}

  all<R = Row>(s: Stmt, params: readonly unknown[]): Promise<R[]> {
    return this.#single(() => this.handle.prepare(s.sqlite).all(params) as R[]);
  }

  run(s: Stmt, params: readonly unknown[]): Promise<number> {
    return this.#single(() => this.handle.prepare(s.sqlite).run(params).changes);
  }

  rows(s: Stmt, params: readonly unknown[]): Promise<unknown[][]> {
    return this.#single(() => {
      // The statement is shared through the cache (Kysely could prepare the same text): raw mode
      // only for this call.
      const st = this.handle.prepare(s.sqlite);
      st.raw(true);
      try {
        return st.all(params) as unknown[][];
      } finally {
        st.raw(false);
      }
    });
  }

  async write<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    assertNotInPlan();
    const { mutex } = this.handle;
    if (!mutex.tryLock()) await mutex.lock();
    try {
      this.handle.prepare('begin immediate').run();
      const tx = new SqliteTx(this.handle);
      try {
        const result = await fn(tx);
        tx.open = false;
        this.handle.prepare('commit').run();
        return result;
      } catch (err) {
        tx.open = false;
        // SQLite may have rolled back already (e.g. SQLITE_FULL); a second ROLLBACK would fail.
        if (this.handle.raw.inTransaction) this.handle.prepare('rollback').run();
        throw err;
      }
    } finally {
      mutex.unlock();
    }
  }

  /** One statement outside a transaction: synchronous when the queue is free, else in its turn. */
  #single<T>(exec: () => T): Promise<T> {
    try {
      assertNotInPlan();
    } catch (err) {
      return Promise.reject(err);
    }
    const { mutex } = this.handle;
    if (mutex.tryLock()) {
      try {
        return settle(exec);
      } finally {
        mutex.unlock();
      }
    }
    return mutex.lock().then(() => {
      try {
        return exec();
      } finally {
        mutex.unlock();
      }
    });
  }
}
