// Records repository: reads by id, filtered keyset lists, batch iteration; row mapping for the writer.
import type { Insertable, Selectable } from 'kysely';
import type { DnsRecord, RecordStatus, RR } from '../core/model.js';
import type { RecordQuery, RecordsRepo } from '../core/ports.js';
import type { Db, Executor, RecordsTable } from './schema.js';
import { chunks, IN_CHUNK, num } from './sql-util.js';

export const DEFAULT_ITERATE_BATCH = 5000;

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
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function recordRow(zoneId: string, r: DnsRecord): Insertable<RecordsTable> {
  return {
    id: r.id,
    zone_id: zoneId,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    rdata: r.rdata,
    comment: r.comment,
    status: r.status,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

/** The RR a record contributes to DNS and the journal. */
export function toRR(r: DnsRecord): RR {
  return { name: r.name, type: r.type, ttl: r.ttl, rdata: r.rdata };
}

/** Only active records are served, so only they appear in journal RR lists. */
export function activeRRs(records: readonly DnsRecord[]): RR[] {
  return records.filter((r) => r.status === 'active').map(toRR);
}

export async function selectRecordsById(db: Executor, zoneId: string, ids: readonly string[]): Promise<DnsRecord[]> {
  const out: DnsRecord[] = [];
  for (const part of chunks([...new Set(ids)], IN_CHUNK)) {
    const rows = await db.selectFrom('records').selectAll().where('zone_id', '=', zoneId).where('id', 'in', part).orderBy('id').execute();
    out.push(...rows.map(toRecord));
  }
  return out;
}

export async function selectRecordsAt(db: Executor, zoneId: string, names: readonly string[]): Promise<DnsRecord[]> {
  const out: DnsRecord[] = [];
  for (const part of chunks([...new Set(names)], IN_CHUNK)) {
    // No ORDER BY here: SQLite would then walk the (zone_id, id) index through the whole zone
    // instead of seeking the (zone_id, name) index — O(zone size) per write. Sorted below instead.
    const rows = await db.selectFrom('records').selectAll().where('zone_id', '=', zoneId).where('name', 'in', part).execute();
    out.push(...rows.map(toRecord));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function selectAllRecords(db: Executor, zoneId: string): Promise<DnsRecord[]> {
  const rows = await db.selectFrom('records').selectAll().where('zone_id', '=', zoneId).orderBy('id').execute();
  return rows.map(toRecord);
}

export class SqlRecordsRepo implements RecordsRepo {
  constructor(private readonly db: Db) {}

  async get(zoneId: string, id: string): Promise<DnsRecord | undefined> {
    const r = await this.db.selectFrom('records').selectAll().where('zone_id', '=', zoneId).where('id', '=', id).executeTakeFirst();
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
