// The write side of zones: createZone, deleteZone and applyZoneChange, each one transaction + journal entry.
import { sameRecordContent } from '../core/records/record-changes.js';
import { AppError } from '../core/errors.js';
import type { DnsRecord, JournalEntry, RR, Soa, Zone } from '../core/model.js';
import { nextSerial, type Clock, type CreateZoneInput, type ZoneChangeOutcome, type ZoneChangePlan, type ZoneChangeTx } from '../core/ports.js';
import { soaRR } from '../core/soa.js';
import type { StoreChangeFeed } from './change-feed.js';
import { insertDomain } from './domains.repo.js';
import { applyDynDnsEffect } from './dyndns.repo.js';
import { rethrowConflict } from './errors.js';
import { appendJournal, appendZoneChange } from './journal.repo.js';
import { runPlan } from './plan-guard.js';
import { activeRRs, deleteRecords, insertRecords, selectAllRecords, selectRecordsAt, selectRecordsById, updateRecord } from './records.repo.js';
import type { Db, Dialect } from './schema.js';
import { KyselySql, type SqlAccess, type SqlRunner } from './sql-runner.js';
import { writeTx } from './sql-util.js';
import { selectZone, updateZoneState, zoneRow } from './zones.repo.js';

const SOA_FIELDS = ['mname', 'rname', 'refresh', 'retry', 'expire', 'minimum', 'ttl'] as const;

/** What applying a plan's record changes did (before the serial bump). */
interface Applied {
  removed: DnsRecord[];
  added: DnsRecord[];
  countDelta: number;
  nextRecordNum: number;
}

/** The same RRs on both sides (as multisets): a change DNS cannot see. */
function sameRRs(a: readonly RR[], b: readonly RR[]): boolean {
  if (a.length !== b.length) return false;
  const count = new Map<string, number>();
  for (const r of a) {
    const k = `${r.name} ${r.type} ${r.ttl} ${r.rdata} ${r.weight ?? ''} ${r.offline ?? ''}`;
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  for (const r of b) {
    const k = `${r.name} ${r.type} ${r.ttl} ${r.rdata} ${r.weight ?? ''} ${r.offline ?? ''}`;
    const n = count.get(k) ?? 0;
    if (n === 0) return false;
    count.set(k, n - 1);
  }
  return true;
}

/**
 * Gives new records their numbers (the organization API's recordId), from the zone's counter; an
 * updated record keeps its own. Returns the zone's next number afterwards.
 */
function numberRecords(records: readonly DnsRecord[], next: number): number {
  for (const r of records) r.num = next++;
  return next;
}

/** The read side handed to a plan: every query runs in the plan's transaction. */
function changeTx(tx: SqlRunner, zone: Zone): ZoneChangeTx {
  return {
    zone,
    recordsAt: (names) => (names.length ? selectRecordsAt(tx, zone.id, names) : Promise.resolve([])),
    recordsById: (ids) => (ids.length ? selectRecordsById(tx, zone.id, ids) : Promise.resolve([])),
    allRecords: () => selectAllRecords(tx, zone.id),
  };
}

/**
 * applyZoneChange (the hot path: every record write) runs precompiled statements through `sql`
 * (on SQLite straight on better-sqlite3); createZone and deleteZone use the Kysely builder, with
 * the shared statements run through the same Kysely transaction.
 */
export class ZoneWriter {
  private readonly dialect: Dialect;

  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
    private readonly clock: Clock,
    private readonly feed: StoreChangeFeed,
  ) {
    this.dialect = sql.dialect;
  }

  async createZone(input: CreateZoneInput): Promise<JournalEntry> {
    const zone: Zone = { ...input.zone, recordCount: input.records.length, nextRecordNum: numberRecords(input.records, 1) };
    let entry: JournalEntry;
    try {
      entry = await writeTx(this.db, this.dialect, async (trx) => {
        const tx = new KyselySql(trx, this.dialect);
        if (input.domain) await insertDomain(trx, input.domain);
        await trx.insertInto('zones').values(zoneRow(zone)).execute();
        await insertRecords(tx, zone.id, input.records);
        return appendJournal(tx, this.dialect, {
          zoneId: zone.id,
          zoneName: zone.name,
          kind: 'create',
          fromSerial: 0,
          toSerial: zone.soa.serial,
          removed: [],
          added: [soaRR(zone.name, zone.soa), ...activeRRs(input.records)],
          createdAt: this.clock.now().toISOString(),
        });
      });
    } catch (err) {
      rethrowConflict(err);
    }
    this.feed.publish(entry);
    return entry;
  }

  async deleteZone(zoneId: string, opts: { deleteDomain: boolean }): Promise<JournalEntry | null> {
    const entry = await writeTx(this.db, this.dialect, async (trx) => {
      const tx = new KyselySql(trx, this.dialect);
      const zone = await selectZone(tx, zoneId, true);
      if (!zone) return null;
      const records = await selectAllRecords(tx, zoneId);
      await trx.deleteFrom('records').where('zone_id', '=', zoneId).execute();
      await trx.deleteFrom('zones').where('id', '=', zoneId).execute();
      if (opts.deleteDomain) await trx.deleteFrom('domains').where('id', '=', zone.domainId).execute();
      return appendJournal(tx, this.dialect, {
        zoneId,
        zoneName: zone.name,
        kind: 'delete',
        fromSerial: zone.soa.serial,
        toSerial: zone.soa.serial,
        removed: [soaRR(zone.name, zone.soa), ...activeRRs(records)],
        added: [],
        createdAt: this.clock.now().toISOString(),
      });
    });
    if (entry) this.feed.publish(entry);
    return entry;
  }

  /**
   * One transaction: lock the zone (PostgreSQL: SELECT ... FOR UPDATE on the zone row only;
   * SQLite: BEGIN IMMEDIATE already holds the database write lock), run the plan against reads in
   * that transaction, apply it, bump the serial and append the journal entry. Subscribers are told
   * after COMMIT. The plan must read through `tx` only: a store call from inside it fails with
   * PlanReentryError (on SQLite it would otherwise wait forever for this very transaction).
   */
  async applyZoneChange<T>(zoneId: string, planFn: (tx: ZoneChangeTx) => Promise<ZoneChangePlan<T>>): Promise<ZoneChangeOutcome<T> | undefined> {
    const planFailure: { thrown: boolean; error: unknown } = { thrown: false, error: undefined };
    let outcome: ZoneChangeOutcome<T> | undefined;
    try {
      outcome = await this.sql.write(async (tx) => {
        const zone = await selectZone(tx, zoneId, true);
        if (!zone) return undefined;
        let plan: ZoneChangePlan<T>;
        try {
          plan = await runPlan(() => planFn(changeTx(tx, zone)));
        } catch (error) {
          planFailure.thrown = true;
          planFailure.error = error;
          throw error;
        }
        return this.#applyPlan(tx, zone, plan);
      });
    } catch (err) {
      // The plan's own error is rethrown as is (same object), never reinterpreted.
      if (planFailure.thrown && planFailure.error === err) throw err;
      rethrowConflict(err);
    }
    if (outcome?.entry) this.feed.publish(outcome.entry);
    return outcome;
  }

  async #applyPlan<T>(tx: SqlRunner, zone: Zone, plan: ZoneChangePlan<T>): Promise<ZoneChangeOutcome<T>> {
    const applied = await this.#applyRecords(tx, zone, plan);
    if (plan.dyndns) await applyDynDnsEffect(tx, plan.dyndns);
    const soaPatch: Partial<Omit<Soa, 'serial'>> = {};
    for (const f of SOA_FIELDS) {
      const v = plan.soa?.[f];
      if (v !== undefined && v !== zone.soa[f]) (soaPatch as Record<string, unknown>)[f] = v;
    }
    const removedRRs = activeRRs(applied.removed);
    const addedRRs = activeRRs(applied.added);
    const rowsChanged = applied.removed.length + applied.added.length > 0;
    if (!rowsChanged && Object.keys(soaPatch).length === 0) return { zone, entry: null, result: plan.result };
    const now = this.clock.now();
    if (Object.keys(soaPatch).length === 0 && sameRRs(removedRRs, addedRRs)) {
      // Rows changed but not what DNS serves (a comment, a monitor result other than offline): the zone's
      // counters move, the serial does not, and there is no journal entry (nothing to transfer).
      const next: Zone = { ...zone, recordCount: zone.recordCount + applied.countDelta, nextRecordNum: applied.nextRecordNum, updatedAt: now.toISOString() };
      await updateZoneState(tx, next);
      return { zone: next, entry: null, result: plan.result };
    }

    const soa: Soa = { ...zone.soa, ...soaPatch, serial: nextSerial(zone.soa.serial, now) };
    const next: Zone = { ...zone, soa, recordCount: zone.recordCount + applied.countDelta, nextRecordNum: applied.nextRecordNum, updatedAt: now.toISOString() };
    const entry = await appendZoneChange(tx, this.dialect, next, {
      zoneId: zone.id,
      zoneName: zone.name,
      kind: 'update',
      fromSerial: zone.soa.serial,
      toSerial: soa.serial,
      removed: [soaRR(zone.name, zone.soa), ...removedRRs],
      added: [soaRR(zone.name, soa), ...addedRRs],
      createdAt: now.toISOString(),
    });
    return { zone: next, entry, result: plan.result };
  }

  /**
   * Inserts, updates and deletes records. Updates identical in content (name, type, TTL, RDATA,
   * comment, status) are skipped, so re-sending the same data does not bump the serial; deletes of
   * ids that do not exist are ignored; an update of a missing record is a `not_found` error.
   * Journal order: removed = old versions of updated, then deleted; added = inserted, then updated.
   */
  async #applyRecords<T>(tx: SqlRunner, zone: Zone, plan: ZoneChangePlan<T>): Promise<Applied> {
    const deleteIds = [...new Set(plan.delete)];
    const updateIds = new Set<string>();
    for (const r of plan.update) {
      if (updateIds.has(r.id)) throw new Error(`zone change plan updates record ${r.id} twice`);
      updateIds.add(r.id);
    }
    if (deleteIds.some((id) => updateIds.has(id))) throw new Error('zone change plan updates and deletes the same record');
    const old = new Map((await selectRecordsById(tx, zone.id, [...updateIds, ...deleteIds])).map((r) => [r.id, r]));

    const removed: DnsRecord[] = [];
    const updated: DnsRecord[] = [];
    for (const next of plan.update) {
      const prev = old.get(next.id);
      if (!prev) throw new AppError('not_found', `Record ${next.id} was not found in zone ${zone.name}.`);
      next.num = prev.num;
      if (sameRecordContent(prev, next)) continue;
      await updateRecord(tx, zone.id, next);
      removed.push(prev);
      updated.push(next);
    }
    const deleted = deleteIds.filter((id) => old.has(id));
    await deleteRecords(tx, zone.id, deleted);
    for (const id of deleted) removed.push(old.get(id)!); // no push(...spread): may be millions
    const nextRecordNum = numberRecords(plan.insert, zone.nextRecordNum);
    await insertRecords(tx, zone.id, plan.insert);
    return { removed, added: [...plan.insert, ...updated], countDelta: plan.insert.length - deleted.length, nextRecordNum };
  }
}
