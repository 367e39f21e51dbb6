// Precompiled statements for the hot paths: SQL text written once per dialect, run without Kysely's
// query builder (the cold paths keep the builder).
import { CompiledQuery } from 'kysely';
import type { Db, Dialect, Executor } from './schema.js';
import { writeTx } from './sql-util.js';

/** One statement's text per dialect: `?` placeholders on SQLite, `$1, $2, ...` on PostgreSQL. */
export interface Stmt {
  readonly sqlite: string;
  readonly postgres: string;
}

/**
 * A statement written with `?` placeholders (the PostgreSQL text gets `$n`), or different text per
 * dialect. The texts must not contain `?` anywhere but in placeholders (no literals, no operators).
 */
export function stmt(text: string | { sqlite: string; postgres: string }): Stmt {
  const t = typeof text === 'string' ? { sqlite: text, postgres: text } : text;
  let n = 0;
  const postgres = t.postgres.replace(/\?/g, () => `$${++n}`);
  if ((t.sqlite.match(/\?/g)?.length ?? 0) !== n) throw new Error(`placeholder count differs between dialects: ${t.sqlite}`);
  return Object.freeze({ sqlite: t.sqlite, postgres });
}

/** `?, ?, ?` — n placeholders. */
export function marks(n: number): string {
  return n === 1 ? '?' : '?, '.repeat(n - 1) + '?';
}

/**
 * Statements that differ only in a list length (`IN (...)`, multi-row VALUES): built once per length.
 * Lengths are bounded by the callers' chunk sizes (IN_CHUNK, INSERT_CHUNK).
 */
export function stmtPerLength(build: (n: number) => Stmt): (n: number) => Stmt {
  const cache = new Map<number, Stmt>();
  return (n) => {
    let s = cache.get(n);
    if (!s) cache.set(n, (s = build(n)));
    return s;
  };
}

export type Row = Record<string, unknown>;

/** Runs precompiled statements on one connection, or inside one transaction. */
export interface SqlRunner {
  /** The rows of a SELECT (or INSERT ... RETURNING). */
  all<R = Row>(s: Stmt, params: readonly unknown[]): Promise<R[]>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(s: Stmt, params: readonly unknown[]): Promise<number>;
}

/**
 * The rows of a SELECT as arrays of column values (in select-list order): no object per row. For
 * bulk reads (a whole zone); on SQLite better-sqlite3's raw mode.
 */
export interface RawRows {
  rows(s: Stmt, params: readonly unknown[]): Promise<unknown[][]>;
}

/** The store's access to precompiled statements: single statements and write transactions. */
export interface SqlAccess extends SqlRunner, RawRows {
  readonly dialect: Dialect;
  /**
   * One write transaction, exactly like writeTx (BEGIN IMMEDIATE on SQLite, READ COMMITTED on
   * PostgreSQL): committed when `fn` resolves, rolled back (and the same error rethrown) when it throws.
   */
  write<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/**
 * Precompiled statements through Kysely's executor (PostgreSQL; on SQLite inside the Kysely
 * transactions of the cold paths). `write` needs the store's Kysely instance, not a transaction.
 */
export class KyselySql implements SqlAccess {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async all<R = Row>(s: Stmt, params: readonly unknown[]): Promise<R[]> {
    return (await this.db.executeQuery<R>(CompiledQuery.raw(s[this.dialect], params as unknown[]))).rows as R[];
  }

  async rows(s: Stmt, params: readonly unknown[]): Promise<unknown[][]> {
    const rows = (await this.db.executeQuery<Row>(CompiledQuery.raw(s[this.dialect], params as unknown[]))).rows;
    return rows.map((r) => Object.values(r));
  }

  async run(s: Stmt, params: readonly unknown[]): Promise<number> {
    const r = await this.db.executeQuery(CompiledQuery.raw(s[this.dialect], params as unknown[]));
    return Number(r.numAffectedRows ?? 0n);
  }

  write<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return Promise.reject(new Error('KyselySql.write: already inside a transaction'));
    return writeTx(this.db as Db, this.dialect, (trx) => fn(new KyselySql(trx, this.dialect)));
  }
}
