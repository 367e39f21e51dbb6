// Applies pending migrations once, under a lock, so processes starting together never race.
import { sql, type Kysely } from 'kysely';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { Database, Db, Dialect } from './schema.js';
import { writeTx } from './sql-util.js';

/** First key of PostgreSQL advisory locks taken by zonekeeper (the second is hashtext(schema)). */
export const PG_LOCK_CLASS_MIGRATE = 0x7a6b0001;

async function ensureTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('zk_migrations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

async function pending(db: Kysely<Database>, all: readonly Migration[]): Promise<Migration[]> {
  const done = new Set((await db.selectFrom('zk_migrations').select('id').execute()).map((r) => r.id));
  return all.filter((m) => !done.has(m.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Runs every migration not yet recorded in zk_migrations. Returns the ids applied.
 * - SQLite: the whole run is one BEGIN IMMEDIATE transaction (DDL is transactional), so a second
 *   process waits for the write lock and then finds nothing left to do.
 * - PostgreSQL: a session advisory lock per schema serializes the runs; each migration commits in
 *   its own transaction together with its zk_migrations row.
 */
export async function migrate(db: Db, dialect: Dialect, opts: { pgSchema?: string; now: () => string }, all: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const applied: string[] = [];
  const runOne = async (trx: Kysely<Database>, m: Migration): Promise<void> => {
    await m.up(trx, dialect);
    await trx.insertInto('zk_migrations').values({ id: m.id, applied_at: opts.now() }).execute();
    applied.push(m.id);
  };

  if (dialect === 'sqlite') {
    await writeTx(db, dialect, async (trx) => {
      await ensureTable(trx);
      for (const m of await pending(trx, all)) await runOne(trx, m);
    });
    return applied;
  }

  const lockKey = opts.pgSchema ?? 'public';
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(PG_LOCK_CLASS_MIGRATE)}, hashtext(${lockKey}))`.execute(conn);
    try {
      if (opts.pgSchema) await sql`create schema if not exists ${sql.id(opts.pgSchema)}`.execute(conn);
      await ensureTable(conn);
      for (const m of await pending(conn, all)) {
        await conn.transaction().setIsolationLevel('read committed').execute((trx) => runOne(trx, m));
      }
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(PG_LOCK_CLASS_MIGRATE)}, hashtext(${lockKey}))`.execute(conn);
    }
  });
  return applied;
}
