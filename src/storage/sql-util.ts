// Small helpers shared by the repositories: chunking, LIKE escaping, number/JSON conversion, transactions.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ListQuery } from '../core/ports.js';
import type { Database, Db, Dialect } from './schema.js';

/** Max ids per `IN (...)` list and rows per multi-row INSERT (well under both dialects' limits). */
export const IN_CHUNK = 500;
export const INSERT_CHUNK = 100;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The escape character used with LIKE on both dialects (written literally as ESCAPE '!'). */
export const LIKE_ESCAPE = '!';

/** Escapes LIKE wildcards (`%`, `_` — common in DNS names) and the escape character itself. */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c);
}

/** pg returns bigint (int8) and count(*) as strings; SQLite as numbers. */
export function num(v: number | string | bigint | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/**
 * Runs `fn` in one write transaction: BEGIN IMMEDIATE on SQLite (see sqlite-dialect.ts), READ
 * COMMITTED on PostgreSQL. Kysely commits when `fn` resolves and rolls back and rethrows the same
 * error object when it throws.
 */
export function writeTx<T>(db: Db, dialect: Dialect, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const builder = db.transaction();
  return (dialect === 'postgres' ? builder.setIsolationLevel('read committed') : builder).execute(fn);
}

/** Tables listed per account with keyset pagination (they all have id, account_id and name). */
export type AccountScopedTable = 'domains' | 'zones' | 'api_keys';

/**
 * One page of an account's rows: id ascending, strictly after `afterId`, optional exact `name`,
 * at most `limit` rows (the keyset contract of ListQuery).
 */
export async function selectAccountPage<T extends AccountScopedTable>(db: Db, table: T, accountId: string, q: ListQuery): Promise<Selectable<Database[T]>[]> {
  // The three tables share these columns; Kysely cannot see that through a union of table names,
  // so the query is typed against one stand-in table and runs against the real one.
  const scoped = db as unknown as Kysely<{ scoped: { id: string; account_id: string; name: string } }>;
  const rows = await scoped
    .selectFrom(table as unknown as 'scoped')
    .selectAll()
    .where('account_id', '=', accountId)
    .$if(q.afterId !== undefined, (b) => b.where('id', '>', q.afterId!))
    .$if(q.name !== undefined, (b) => b.where('name', '=', q.name!))
    .orderBy('id')
    .limit(q.limit)
    .execute();
  return rows as unknown as Selectable<Database[T]>[];
}
