// The one change engine every record write goes through (single POST/PUT/DELETE, batch, zone-file
// import): resolve ids, simulate deletes → puts → posts on the records at the touched names, apply
// the rules to the resulting state, then hand the store one plan (one transaction, one serial bump).
import { AppError, type FieldError } from '../errors.js';
import { newId } from '../ids.js';
import type { DnsRecord, MonitorType, Soa, Zone } from '../model.js';
import type { ZoneChangePlan, ZoneChangeTx } from '../ports.js';
import { CONFLICT_CODES, checkCandidate, checkDelegation, type RuleRecord } from './record-rules.js';

/** A record ready to be written: validated fields, canonical name and RDATA. */
export interface Candidate {
  name: string;
  type: string;
  ttl: number;
  rdata: string;
  comment: string | null;
  /**
   * Weighted-answer weight and monitor type (organization API; A/AAAA/CNAME). Absent: a replaced
   * record keeps its own when its type stays the same (the HostUp API cannot express them).
   */
  weight?: number | null;
  monitorType?: MonitorType;
  /** JSON pointer of the item this came from ('' for a single-record request). */
  at: string;
}

export interface ChangeSet {
  deletes: { id: string; at: string }[];
  puts: { id: string; candidate: Candidate }[];
  posts: Candidate[];
  soa?: Partial<Omit<Soa, 'serial'>>;
}

export interface ChangeResult {
  created: DnsRecord[];
  updated: DnsRecord[];
  deleted: string[];
}

export interface ChangeLimits {
  maxRecords: number;
  /** Records ids that may not be deleted or replaced, with the reason (apex NS). */
  protect?: (record: DnsRecord) => string | null;
}

/** Throws the problem for a list of field errors: 409 when all are conflicts, else 400. */
export function throwFieldErrors(errors: FieldError[], what = 'The change'): never {
  const conflictOnly = errors.every((e) => CONFLICT_CODES.has(e.code));
  throw new AppError(conflictOnly ? 'conflict' : 'invalid_request', conflictOnly ? `${what} conflicts with records in the zone.` : `${what} failed validation.`, { errors });
}

/** Builds the store plan for a change set, or throws a problem listing every failing item. */
export async function planChanges(tx: ZoneChangeTx, changes: ChangeSet, limits: ChangeLimits, nowIso: string): Promise<ZoneChangePlan<ChangeResult>> {
  const zone = tx.zone;
  const errors: FieldError[] = [];
  const targetIds = [...changes.deletes.map((d) => d.id), ...changes.puts.map((p) => p.id)];
  // Only strings shaped like ids can name a record (and only they may reach the store: PostgreSQL
  // refuses text with NUL characters); anything else is reported below as "no such record".
  const lookup = targetIds.filter((id) => /^[0-9a-z_]{1,64}$/.test(id));
  const existingById = new Map((lookup.length ? await tx.recordsById(lookup) : []).map((r) => [r.id, r]));
  const names = new Set<string>([...changes.posts.map((c) => c.name), ...changes.puts.map((p) => p.candidate.name)]);
  for (const id of targetIds) {
    const r = existingById.get(id);
    if (r) names.add(r.name);
  }
  const state = new Map<string, RuleRecord[]>();
  for (const name of names) state.set(name, []);
  for (const r of names.size ? await tx.recordsAt([...names]) : []) state.get(r.name)?.push(r);

  const removeFromState = (r: DnsRecord): void => {
    const list = state.get(r.name);
    if (list) state.set(r.name, list.filter((x) => x.id !== r.id));
  };
  const seen = new Set<string>();
  const checkTarget = (id: string, at: string): DnsRecord | undefined => {
    const r = existingById.get(id);
    if (!r) {
      errors.push({ pointer: at, code: 'invalid_value', detail: `No record ${id} exists in zone ${zone.name}.` });
      return undefined;
    }
    if (seen.has(id)) {
      errors.push({ pointer: at, code: 'duplicate', detail: `Record ${id} appears more than once in this change.` });
      return undefined;
    }
    seen.add(id);
    const reason = limits.protect?.(r);
    if (reason) {
      errors.push({ pointer: at, code: 'not_allowed', detail: reason });
      return undefined;
    }
    return r;
  };

  const deleted: string[] = [];
  const deletedAt: string[] = []; // the pointer of each deleted id (no search per id: imports delete millions)
  for (const d of changes.deletes) {
    const r = checkTarget(d.id, d.at);
    if (r) {
      removeFromState(r);
      deleted.push(r.id);
      deletedAt.push(d.at);
    }
  }
  const updated: DnsRecord[] = [];
  const putPairs: { old: DnsRecord; next: DnsRecord; at: string }[] = [];
  for (const p of changes.puts) {
    // In a batch the id is a body field; for a single PUT it is the path, so the pointer is ''.
    const old = checkTarget(p.id, p.candidate.at === '' ? '' : p.candidate.at + '/id');
    if (!old) continue;
    removeFromState(old);
    const next = toRecord(zone, p.candidate, old.id, old.createdAt, nowIso, old);
    putPairs.push({ old, next, at: p.candidate.at });
  }
  const created: DnsRecord[] = [];
  const placed: { rec: DnsRecord; at: string }[] = [
    ...putPairs.map((p) => ({ rec: p.next, at: p.at })),
    ...changes.posts.map((c) => ({ rec: toRecord(zone, c, newId('record'), nowIso, nowIso), at: c.at })),
  ];
  for (const { rec, at } of placed) {
    const list = state.get(rec.name) ?? [];
    const errs = checkCandidate(zone.name, rec, list, at);
    if (errs.length > 0) errors.push(...errs);
    else state.set(rec.name, [...list, rec]);
  }
  for (const { rec, at } of placed) {
    errors.push(...checkDelegation(rec.name, state.get(rec.name) ?? [], at + '/type'));
  }
  for (let i = 0; i < deleted.length; i++) {
    const r = existingById.get(deleted[i]!)!;
    errors.push(...checkDelegation(r.name, state.get(r.name) ?? [], deletedAt[i]!));
  }
  const finalCount = zone.recordCount - deleted.length + changes.posts.length;
  if (errors.length === 0 && changes.posts.length > 0 && finalCount > limits.maxRecords) {
    throw new AppError('limit_exceeded', `Zone ${zone.name} may hold at most ${limits.maxRecords} records; this change would make ${finalCount}.`, {
      extra: { limit: limits.maxRecords, current: zone.recordCount },
    });
  }
  if (errors.length > 0) throwFieldErrors(dedupe(errors));

  for (const p of putPairs) {
    if (!sameRecordContent(p.old, p.next)) updated.push(p.next);
  }
  // A loop, not push(...spread): an import places up to millions of records (call stack limit).
  for (let i = putPairs.length; i < placed.length; i++) created.push(placed[i]!.rec);
  return {
    insert: created,
    update: updated,
    delete: deleted,
    ...(changes.soa ? { soa: changes.soa } : {}),
    result: { created, updated: putPairs.map((p) => p.next), deleted },
  };
}

function toRecord(zone: Zone, c: Candidate, id: string, createdAt: string, nowIso: string, old?: DnsRecord): DnsRecord {
  const sameType = old !== undefined && old.type === c.type;
  return {
    id,
    num: old?.num ?? 0, // new records get theirs from the store
    zoneId: zone.id,
    name: c.name,
    type: c.type,
    ttl: c.ttl,
    rdata: c.rdata,
    comment: c.comment,
    status: 'active',
    weight: c.weight !== undefined ? c.weight : sameType ? old.weight : null,
    monitorType: c.monitorType !== undefined ? c.monitorType : sameType ? old.monitorType : 0,
    // A health result belongs to the address it was measured on, with the same kind of check.
    monitorStatus: old !== undefined && sameType && old.rdata === c.rdata && old.monitorType === (c.monitorType ?? old.monitorType) ? old.monitorStatus : 0,
    createdAt,
    updatedAt: nowIso,
  };
}

/**
 * Same content (everything a write may change: owner, type, TTL, RDATA, comment, status, weight,
 * monitoring): a write of the same content changes nothing. The store skips such updates too.
 */
export function sameRecordContent(a: DnsRecord, b: DnsRecord): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.ttl === b.ttl &&
    a.rdata === b.rdata &&
    a.comment === b.comment &&
    a.status === b.status &&
    a.weight === b.weight &&
    a.monitorType === b.monitorType &&
    a.monitorStatus === b.monitorStatus
  );
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.pointer}\u0000${e.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
