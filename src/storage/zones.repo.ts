// Zones repository: lookups, lists and the overlap query that keeps zones of different accounts apart.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Zone, ZoneStatus } from '../core/model.js';
import { formatName, isInZone, labelsOf } from '../core/names.js';
import type { ListQuery, ZonesRepo } from '../core/ports.js';
import type { Db, Executor, ZonesTable } from './schema.js';
import { stmt, type SqlAccess, type SqlRunner } from './sql-runner.js';
import { escapeLike, num, selectAccountPage } from './sql-util.js';

export function toZone(r: Selectable<ZonesTable>): Zone {
  return {
    id: r.id,
    accountId: r.account_id,
    domainId: r.domain_id,
    name: r.name,
    status: r.status as ZoneStatus,
    soa: {
      mname: r.soa_mname,
      rname: r.soa_rname,
      serial: num(r.soa_serial),
      refresh: num(r.soa_refresh),
      retry: num(r.soa_retry),
      expire: num(r.soa_expire),
      minimum: num(r.soa_minimum),
      ttl: num(r.soa_ttl),
    },
    recordCount: num(r.record_count),
    nextRecordNum: num(r.next_record_num),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function zoneRow(z: Zone): Insertable<ZonesTable> {
  return {
    id: z.id,
    account_id: z.accountId,
    domain_id: z.domainId,
    name: z.name,
    status: z.status,
    soa_mname: z.soa.mname,
    soa_rname: z.soa.rname,
    soa_serial: z.soa.serial,
    soa_refresh: z.soa.refresh,
    soa_retry: z.soa.retry,
    soa_expire: z.soa.expire,
    soa_minimum: z.soa.minimum,
    soa_ttl: z.soa.ttl,
    record_count: z.recordCount,
    next_record_num: z.nextRecordNum,
    created_at: z.createdAt,
    updated_at: z.updatedAt,
  };
}

const SELECT_ZONE = stmt('select * from zones where id = ?');
// SQLite has no row locks: its write transactions (BEGIN IMMEDIATE) hold the database write lock.
const SELECT_ZONE_LOCKED = stmt({ sqlite: 'select * from zones where id = ?', postgres: 'select * from zones where id = ? for update' });
/** The SET list of a zone change (SOA, serial, recordCount, updatedAt); params: zoneStateParams. */
export const ZONE_STATE_SET = 'soa_mname = ?, soa_rname = ?, soa_serial = ?, soa_refresh = ?, soa_retry = ?, soa_expire = ?, soa_minimum = ?, soa_ttl = ?, record_count = ?, next_record_num = ?, updated_at = ?';
const UPDATE_ZONE_STATE = stmt(`update zones set ${ZONE_STATE_SET} where id = ?`);

/** Parameters of ZONE_STATE_SET followed by the zone id. */
export function zoneStateParams(z: Zone): unknown[] {
  const { soa } = z;
  return [soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum, soa.ttl, z.recordCount, z.nextRecordNum, z.updatedAt, z.id];
}

/**
 * Reads one zone. With `lock` (inside a write transaction) the zone stays locked against other
 * writers until the transaction ends: PostgreSQL's SELECT ... FOR UPDATE on the zone row.
 */
export async function selectZone(tx: SqlRunner, id: string, lock: boolean): Promise<Zone | undefined> {
  const [r] = await tx.all<Selectable<ZonesTable>>(lock ? SELECT_ZONE_LOCKED : SELECT_ZONE, [id]);
  return r && toZone(r);
}

/** Writes what a zone change changes: SOA fields, serial, recordCount and updatedAt. */
export async function updateZoneState(tx: SqlRunner, z: Zone): Promise<void> {
  await tx.run(UPDATE_ZONE_STATE, zoneStateParams(z));
}

/** Every proper and improper suffix of a canonical name, label-wise: a.b.c → a.b.c, b.c, c. */
export function nameSuffixes(name: string): string[] {
  const labels = labelsOf(name);
  return labels.map((_, i) => formatName(labels.slice(i)));
}

/**
 * Zones equal to `name`, at one of its suffixes, or ending in `.<name>`. `_` and `%` are LIKE
 * wildcards (and `_` is common in DNS names), so they are escaped with ESCAPE '!' — identical on
 * SQLite and PostgreSQL (names are canonical lowercase, so SQLite's case-insensitive LIKE agrees).
 */
export async function overlapCandidates(db: Executor, name: string): Promise<Zone[]> {
  const pattern = '%.' + escapeLike(name);
  const rows = await db
    .selectFrom('zones')
    .selectAll()
    .where((eb) => eb.or([eb('name', 'in', nameSuffixes(name)), sql<boolean>`${eb.ref('name')} like ${pattern} escape '!'`]))
    .orderBy('id')
    .execute();
  return rows.map(toZone);
}

export class SqlZonesRepo implements ZonesRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  get(id: string): Promise<Zone | undefined> {
    return selectZone(this.sql, id, false);
  }

  async getByName(name: string): Promise<Zone | undefined> {
    const r = await this.db.selectFrom('zones').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toZone(r);
  }

  async getByDomainId(domainId: string): Promise<Zone | undefined> {
    const r = await this.db.selectFrom('zones').selectAll().where('domain_id', '=', domainId).executeTakeFirst();
    return r && toZone(r);
  }

  async list(accountId: string, q: ListQuery): Promise<Zone[]> {
    return (await selectAccountPage(this.db, 'zones', accountId, q)).map(toZone);
  }

  async listAll(): Promise<Zone[]> {
    const rows = await this.db.selectFrom('zones').selectAll().orderBy('id').execute();
    return rows.map(toZone);
  }

  async findOverlapping(name: string): Promise<Zone[]> {
    // The SQL is a superset (a label may hold an escaped dot, `a\.b`); the label-wise check decides.
    return (await overlapCandidates(this.db, name)).filter((z) => isInZone(z.name, name) || isInZone(name, z.name));
  }
}
