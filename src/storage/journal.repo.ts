// The change journal: append (inside a zone transaction), read after a seq, and per-zone serial chains.
import { sql, type Selectable } from 'kysely';
import type { JournalEntry, JournalKind, RR } from '../core/model.js';
import type { JournalRepo } from '../core/ports.js';
import type { Db, Dialect, Executor, JournalTable } from './schema.js';
import { num } from './sql-util.js';
import { selectZone } from './zones.repo.js';

/** PostgreSQL NOTIFY channel; the payload is `<schema>:<seq>`. */
export const JOURNAL_CHANNEL = 'zonekeeper_journal';
/** Advisory lock class for journal appends (second key: hashtext(current_schema())). */
export const PG_LOCK_CLASS_JOURNAL = 0x7a6b0002;

export function toEntry(r: Selectable<JournalTable>): JournalEntry {
  return {
    seq: num(r.seq),
    zoneId: r.zone_id,
    zoneName: r.zone_name,
    kind: r.kind as JournalKind,
    fromSerial: num(r.from_serial),
    toSerial: num(r.to_serial),
    removed: JSON.parse(r.removed) as RR[],
    added: JSON.parse(r.added) as RR[],
    createdAt: r.created_at,
  };
}

/**
 * Appends an entry inside the caller's write transaction.
 *
 * PostgreSQL hands out bigserial values at insert time, not at commit, so without care a reader
 * could see seq 6 committed before seq 5 and skip 5 forever. The transaction-scoped advisory lock
 * taken just before the insert (always after the zone row lock, so the lock order is fixed) makes
 * seq order equal commit order; it is held only for the insert, the NOTIFY and the commit.
 * SQLite writers are serialized by the database lock already.
 */
export async function appendJournal(trx: Executor, dialect: Dialect, e: Omit<JournalEntry, 'seq'>): Promise<JournalEntry> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${sql.lit(PG_LOCK_CLASS_JOURNAL)}, hashtext(current_schema()))`.execute(trx);
  }
  const row = await trx
    .insertInto('journal')
    .values({
      zone_id: e.zoneId,
      zone_name: e.zoneName,
      kind: e.kind,
      from_serial: e.fromSerial,
      to_serial: e.toSerial,
      removed: JSON.stringify(e.removed),
      added: JSON.stringify(e.added),
      created_at: e.createdAt,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  const seq = num(row.seq);
  if (dialect === 'postgres') {
    // Delivered by PostgreSQL only when (and if) the transaction commits.
    await sql`select pg_notify(${JOURNAL_CHANNEL}, current_schema() || ':' || ${String(seq)})`.execute(trx);
  }
  return { seq, ...e };
}

export class SqlJournalRepo implements JournalRepo {
  constructor(private readonly db: Db) {}

  async readAfter(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    const rows = await this.db.selectFrom('journal').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
    return rows.map(toEntry);
  }

  async latestSeq(): Promise<number> {
    const r = await this.db
      .selectFrom('journal')
      .select((eb) => eb.fn.max('seq').as('m'))
      .executeTakeFirst();
    return num(r?.m as number | string | null | undefined);
  }

  async readZoneSince(zoneId: string, fromSerial: number): Promise<JournalEntry[] | null> {
    // Zone first, journal second: the journal then reaches at least the serial read here.
    const zone = await selectZone(this.db, zoneId, false);
    if (!zone) return null;
    const current = zone.soa.serial;
    if (fromSerial === current) return [];
    const start = await this.db
      .selectFrom('journal')
      .select('seq')
      .where('zone_id', '=', zoneId)
      .where('from_serial', '=', fromSerial)
      .where('kind', '!=', 'delete')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!start) return null;
    const rows = await this.db.selectFrom('journal').selectAll().where('zone_id', '=', zoneId).where('seq', '>=', num(start.seq)).orderBy('seq').execute();
    const chain: JournalEntry[] = [];
    let serial = fromSerial;
    for (const row of rows) {
      const e = toEntry(row);
      if (e.kind === 'delete' || e.fromSerial !== serial) return null;
      chain.push(e);
      serial = e.toSerial;
      if (serial === current) return chain;
    }
    return null;
  }
}
