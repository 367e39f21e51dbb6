// Records repository: reads by id, filtered keyset lists, batch iteration; row mapping for the writer.
import type { Selectable } from 'kysely';
import type { DnsRecord, MonitorStatus, MonitorType, RecordStatus, RR } from '../core/model.js';
import { toRR, withPolicy } from '../core/records/record-rr.js';
import { isJournaledType, UNJOURNALED_TYPES } from '../core/records/record-types.js';
import type { MonitoredRecord, RecordPageQuery, RecordQuery, RecordsRepo } from '../core/ports.js';
import type { Db, RecordsTable } from './schema.js';
import { marks, stmt, stmtPerLength, type SqlAccess, type SqlRunner } from './sql-runner.js';
import { chunks, IN_CHUNK, INSERT_CHUNK, num } from './sql-util.js';

export const DEFAULT_ITERATE_BATCH = 5000;
/** Rows per scanRRs batch: each is one short query (on SQLite ~10 ms of holding the connection). */
export const DEFAULT_SCAN_BATCH = 8192;

export function toRecord(r: Selectable<RecordsTable>): DnsRecord {
  return {
    id: r.id,
    zoneId: r.zone_id,
    name: r.name,
    type: r.type,
    ttl: num(r.ttl),
    rdata: r.rdata,
    comment: r.comment,
    status: r.status as RecordStatus,
    num: num(r.num),
    weight: r.weight === null ? null : num(r.weight),
    monitorType: num(r.monitor_type) as MonitorType,
    monitorStatus: num(r.monitor_status) as MonitorStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const RECORD_COLUMNS = 'id, zone_id, name, type, ttl, rdata, comment, status, num, weight, monitor_type, monitor_status, created_at, updated_at';
const ROW_MARKS = `(${marks(14)})`;

/** A record's row values in RECORD_COLUMNS order. */
function recordValues(zoneId: string, r: DnsRecord): unknown[] {
  return [r.id, zoneId, r.name, r.type, r.ttl, r.rdata, r.comment, r.status, r.num, r.weight, r.monitorType, r.monitorStatus, r.createdAt, r.updatedAt];
}

// The hot statements of record writes and reads, precompiled (see sql-runner.ts). On SQLite the
// records table is clustered by (zone_id, name, id) with a unique (zone_id, id) index; see 001-initial.
const SELECT_RECORD = stmt('select * from records where zone_id = ? and id = ?');
const SELECT_BY_NUM = stmt('select * from records where zone_id = ? and num = ?');
const SELECT_ALL = stmt('select * from records where zone_id = ? order by id');
// Keyset batches over (zone_id, name, id): on SQLite the clustered primary key (a range scan of
// the table itself; an id-ordered scan goes through records_zone_id_uq and seeks the table once per
// row, ~3x slower on a 1M-record zone), on PostgreSQL records_zone_name_idx. Name and id come last
// (the keyset). Row values compare as (name, id) on both dialects.
// (Every stored type is journaled now; the clause stays for any future type that is not.)
const UNJOURNALED_SQL = UNJOURNALED_TYPES.length === 0 ? '' : ` and type not in (${UNJOURNALED_TYPES.map((t) => `'${t}'`).join(', ')})`;
const SCAN_RRS_FIRST = stmt(`select name, type, ttl, rdata, id, weight, monitor_status from records where zone_id = ? and status = 'active'${UNJOURNALED_SQL} order by name, id limit ?`);
const SCAN_RRS_NEXT = stmt(
  `select name, type, ttl, rdata, id, weight, monitor_status from records where zone_id = ? and status = 'active'${UNJOURNALED_SQL} and (name, id) > (?, ?) order by name, id limit ?`,
);
const selectAtStmt = stmtPerLength((n) => stmt(`select * from records where zone_id = ? and name in (${marks(n)})`));
const selectByIdStmt = stmtPerLength((n) => stmt(`select * from records where zone_id = ? and id in (${marks(n)}) order by id`));
const insertStmt = stmtPerLength((n) => stmt(`insert into records (${RECORD_COLUMNS}) values ${Array<string>(n).fill(ROW_MARKS).join(', ')}`));
const UPDATE_RECORD = stmt(
  'update records set name = ?, type = ?, ttl = ?, rdata = ?, comment = ?, status = ?, weight = ?, monitor_type = ?, monitor_status = ?, updated_at = ? where zone_id = ? and id = ?',
);
// SQLite's planner would walk the whole zone in primary-key order for this DELETE (it does not for
// the SELECT by ids); the unique (zone_id, id) index makes it one seek per id.
const deleteStmt = stmtPerLength((n) =>
  stmt({
    sqlite: `delete from records indexed by records_zone_id_uq where zone_id = ? and id in (${marks(n)})`,
    postgres: `delete from records where zone_id = ? and id in (${marks(n)})`,
  }),
);

/** Inserts records of one zone, in multi-row INSERTs of at most INSERT_CHUNK rows. */
export async function insertRecords(tx: SqlRunner, zoneId: string, records: readonly DnsRecord[]): Promise<void> {
  for (const part of chunks(records, INSERT_CHUNK)) {
    await tx.run(insertStmt(part.length), part.flatMap((r) => recordValues(zoneId, r)));
  }
}

/** Writes a record's new content (everything but its id, zone and createdAt). */
export async function updateRecord(tx: SqlRunner, zoneId: string, r: DnsRecord): Promise<void> {
  await tx.run(UPDATE_RECORD, [r.name, r.type, r.ttl, r.rdata, r.comment, r.status, r.weight, r.monitorType, r.monitorStatus, r.updatedAt, zoneId, r.id]);
}

export async function deleteRecords(tx: SqlRunner, zoneId: string, ids: readonly string[]): Promise<void> {
  for (const part of chunks(ids, IN_CHUNK)) await tx.run(deleteStmt(part.length), [zoneId, ...part]);
}

/** Only active records of journaled types reach DNS, so only they appear in journal RR lists. */
export function activeRRs(records: readonly DnsRecord[]): RR[] {
  return records.filter((r) => r.status === 'active' && isJournaledType(r.type)).map(toRR);
}

export async function selectRecordsById(tx: SqlRunner, zoneId: string, ids: readonly string[]): Promise<DnsRecord[]> {
  const out: DnsRecord[] = [];
  for (const part of chunks([...new Set(ids)], IN_CHUNK)) {
    const rows = await tx.all<Selectable<RecordsTable>>(selectByIdStmt(part.length), [zoneId, ...part]);
    for (const r of rows) out.push(toRecord(r));
  }
  return out;
}

export async function selectRecordsAt(tx: SqlRunner, zoneId: string, names: readonly string[]): Promise<DnsRecord[]> {
  const out: DnsRecord[] = [];
  for (const part of chunks([...new Set(names)], IN_CHUNK)) {
    // No ORDER BY: the rows come from (zone_id, name) seeks; sorted by id below.
    const rows = await tx.all<Selectable<RecordsTable>>(selectAtStmt(part.length), [zoneId, ...part]);
    for (const r of rows) out.push(toRecord(r));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function selectAllRecords(tx: SqlRunner, zoneId: string): Promise<DnsRecord[]> {
  const rows = await tx.all<Selectable<RecordsTable>>(SELECT_ALL, [zoneId]);
  return rows.map(toRecord);
}

export class SqlRecordsRepo implements RecordsRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  async listMonitored(afterId: string | null, limit: number): Promise<MonitoredRecord[]> {
    let q = this.db
      .selectFrom('records')
      .innerJoin('zones', 'zones.id', 'records.zone_id')
      .select(['records.zone_id', 'records.id', 'records.name', 'records.type', 'records.rdata', 'records.monitor_type', 'records.monitor_status'])
      .where('records.monitor_type', '<>', 0)
      .where('records.status', '=', 'active')
      .where('zones.status', '=', 'active');
    if (afterId !== null) q = q.where('records.id', '>', afterId);
    const rows = await q.orderBy('records.id').limit(limit).execute();
    return rows.map((r) => ({
      zoneId: r.zone_id,
      id: r.id,
      name: r.name,
      type: r.type,
      rdata: r.rdata,
      monitorType: Number(r.monitor_type) as MonitorType,
      monitorStatus: Number(r.monitor_status) as MonitorStatus,
    }));
  }

  async get(zoneId: string, id: string): Promise<DnsRecord | undefined> {
    const [r] = await this.sql.all<Selectable<RecordsTable>>(SELECT_RECORD, [zoneId, id]);
    return r && toRecord(r);
  }

  async list(zoneId: string, q: RecordQuery): Promise<DnsRecord[]> {
    const rows = await this.db
      .selectFrom('records')
      .selectAll()
      .where('zone_id', '=', zoneId)
      .$if(q.type !== undefined, (b) => b.where('type', '=', q.type!))
      .$if(q.name !== undefined, (b) => b.where('name', '=', q.name!))
      .$if(q.afterId !== undefined, (b) => b.where('id', '>', q.afterId!))
      .orderBy('id')
      .$if(q.limit !== undefined, (b) => b.limit(q.limit!))
      .execute();
    return rows.map(toRecord);
  }

  async listPage(zoneId: string, q: RecordPageQuery): Promise<DnsRecord[]> {
    if (q.types.length === 0) return [];
    const rows = await this.db
      .selectFrom('records')
      .selectAll()
      .where('zone_id', '=', zoneId)
      .where('type', 'in', [...q.types])
      .$if(q.name !== undefined, (b) => b.where('name', '=', q.name!))
      .orderBy('id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return rows.map(toRecord);
  }

  async count(zoneId: string, q: Omit<RecordPageQuery, 'offset' | 'limit'>): Promise<number> {
    if (q.types.length === 0) return 0;
    const r = await this.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('zone_id', '=', zoneId)
      .where('type', 'in', [...q.types])
      .$if(q.name !== undefined, (b) => b.where('name', '=', q.name!))
      .executeTakeFirstOrThrow();
    return num(r.n as number);
  }

  async getByNum(zoneId: string, n: number): Promise<DnsRecord | undefined> {
    const [r] = await this.sql.all<Selectable<RecordsTable>>(SELECT_BY_NUM, [zoneId, n]);
    return r && toRecord(r);
  }

  /**
   * The active records' RRs in (name, id) order, in keyset batches of raw rows (no Kysely, no
   * DnsRecord): one small object per record.
   */
  async *scanRRs(zoneId: string, batchSize: number = DEFAULT_SCAN_BATCH): AsyncIterable<RR[]> {
    let rows = await this.sql.rows(SCAN_RRS_FIRST, [zoneId, batchSize]);
    for (;;) {
      const n = rows.length;
      if (n === 0) return;
      const out = new Array<RR>(n);
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        const rr: RR = { name: r[0] as string, type: r[1] as string, ttl: Number(r[2]), rdata: r[3] as string };
        if (r[5] !== null || Number(r[6]) === 2) withPolicy(rr, r[5] === null ? null : Number(r[5]), Number(r[6]));
        out[i] = rr;
      }
      const last = rows[n - 1]!;
      rows = [];
      yield out;
      if (n < batchSize) return;
      rows = await this.sql.rows(SCAN_RRS_NEXT, [zoneId, last[0], last[4], batchSize]);
    }
  }

  /**
   * Keyset batches: each batch is its own short query, so iterating a large zone never holds a
   * transaction (or, on SQLite, the connection) open between batches.
   */
  async *iterate(zoneId: string, batchSize: number = DEFAULT_ITERATE_BATCH): AsyncIterable<DnsRecord[]> {
    let after: string | undefined;
    for (;;) {
      const batch = await this.list(zoneId, { limit: batchSize, ...(after !== undefined ? { afterId: after } : {}) });
      if (batch.length > 0) yield batch;
      if (batch.length < batchSize) return;
      after = batch[batch.length - 1]!.id;
    }
  }
}
