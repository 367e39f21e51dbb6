// The change journal: append (inside a zone transaction), read after a seq, and per-zone serial chains.
import type { Selectable } from 'kysely';
import type { JournalEntry, JournalKind, RR, Zone } from '../core/model.js';
import type { JournalRepo } from '../core/ports.js';
import type { Db, Dialect, JournalTable } from './schema.js';
import { stmt, type SqlAccess, type SqlRunner } from './sql-runner.js';
import { num } from './sql-util.js';
import { selectZone, updateZoneState, ZONE_STATE_SET, zoneStateParams } from './zones.repo.js';

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

const JOURNAL_INSERT = 'insert into journal (zone_id, zone_name, kind, from_serial, to_serial, removed, added, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_ENTRY = stmt(`${JOURNAL_INSERT} returning seq`);
// PostgreSQL: the NOTIFY rides on the insert (one round trip less); pg_notify runs once, for the
// inserted row, after the insert — the same order as a separate statement.
const PG_INSERT_ENTRY_NOTIFY = stmt(`${JOURNAL_INSERT} returning seq, pg_notify(?, current_schema() || ':' || seq)`);
const PG_JOURNAL_LOCK = stmt(`select pg_advisory_xact_lock(${PG_LOCK_CLASS_JOURNAL}, hashtext(current_schema()))`);
// PostgreSQL, one round trip for the end of a zone change: the zone row's new state, the journal
// lock and the entry with its NOTIFY. The lock sits in a MATERIALIZED CTE that the insert reads
// from, so it cannot be inlined away and is held before the insert draws its seq.
const PG_ZONE_STATE_AND_ENTRY = stmt(
  `with journal_lock as materialized (select pg_advisory_xact_lock(${PG_LOCK_CLASS_JOURNAL}, hashtext(current_schema())) as locked),
   zone_state as (update zones set ${ZONE_STATE_SET} where id = ?)
   insert into journal (zone_id, zone_name, kind, from_serial, to_serial, removed, added, created_at)
   select ?::text, ?::text, ?::text, ?::bigint, ?::bigint, ?::text, ?::text, ?::text from journal_lock
   returning seq, pg_notify(?, current_schema() || ':' || seq)`,
);
const READ_AFTER = stmt('select * from journal where seq > ? order by seq limit ?');
const LATEST_SEQ = stmt('select max(seq) as m from journal');

/**
 * Appends an entry inside the caller's write transaction.
 *
 * PostgreSQL hands out bigserial values at insert time, not at commit, so without care a reader
 * could see seq 6 committed before seq 5 and skip 5 forever. The transaction-scoped advisory lock
 * taken just before the insert (always after the zone row lock, so the lock order is fixed) makes
 * seq order equal commit order; it is held only for the insert, the NOTIFY and the commit.
 * SQLite writers are serialized by the database lock already.
 */
export async function appendJournal(tx: SqlRunner, dialect: Dialect, e: Omit<JournalEntry, 'seq'>): Promise<JournalEntry> {
  const values: unknown[] = [e.zoneId, e.zoneName, e.kind, e.fromSerial, e.toSerial, JSON.stringify(e.removed), JSON.stringify(e.added), e.createdAt];
  let row: { seq: number | string } | undefined;
  if (dialect === 'postgres') {
    await tx.all(PG_JOURNAL_LOCK, []);
    // The notification is delivered by PostgreSQL only when (and if) the transaction commits.
    [row] = await tx.all<{ seq: number | string }>(PG_INSERT_ENTRY_NOTIFY, [...values, JOURNAL_CHANNEL]);
  } else {
    [row] = await tx.all<{ seq: number | string }>(INSERT_ENTRY, values);
  }
  return { seq: num(row!.seq), ...e };
}

/**
 * The end of a zone change: writes the zone's new state and appends its entry — on PostgreSQL in
 * one statement (same lock order and seq guarantee as appendJournal), on SQLite as two.
 */
export async function appendZoneChange(tx: SqlRunner, dialect: Dialect, zone: Zone, e: Omit<JournalEntry, 'seq'>): Promise<JournalEntry> {
  if (dialect !== 'postgres') {
    await updateZoneState(tx, zone);
    return appendJournal(tx, dialect, e);
  }
  const values: unknown[] = [e.zoneId, e.zoneName, e.kind, e.fromSerial, e.toSerial, JSON.stringify(e.removed), JSON.stringify(e.added), e.createdAt];
  const [row] = await tx.all<{ seq: number | string }>(PG_ZONE_STATE_AND_ENTRY, [...zoneStateParams(zone), ...values, JOURNAL_CHANNEL]);
  return { seq: num(row!.seq), ...e };
}

export class SqlJournalRepo implements JournalRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  // Followers (change feed) run these two after every commit.
  async readAfter(afterSeq: number, limit: number): Promise<JournalEntry[]> {
    const rows = await this.sql.all<Selectable<JournalTable>>(READ_AFTER, [afterSeq, limit]);
    return rows.map(toEntry);
  }

  async latestSeq(): Promise<number> {
    const [r] = await this.sql.all<{ m: number | string | null }>(LATEST_SEQ, []);
    return num(r?.m);
  }

  async readZoneSince(zoneId: string, fromSerial: number): Promise<JournalEntry[] | null> {
    // Zone first, journal second: the journal then reaches at least the serial read here.
    const zone = await selectZone(this.sql, zoneId, false);
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
