// Records of a zone through the HostUp-style API: turn request bodies into candidates (type, owner,
// TTL, RDATA), run them through the change engine, and present stored records in the API's shape.
import { AppError, fieldError, invalid, type FieldError } from '../errors.js';
import type { DnsRecord, Zone } from '../model.js';
import { isInZone, parseName, resolveOwner } from '../names.js';
import type { Clock, Store } from '../ports.js';
import type { CoreSettings } from '../settings.js';
import { DNSSEC_MANAGED_TYPES } from './dnssec-types.js';
import { planChanges, throwFieldErrors, type Candidate, type ChangeLimits, type ChangeResult, type ChangeSet } from './record-changes.js';
import { buildRdata, isApiRecordType, rdataTargets, splitRdata } from './record-types.js';

export const MAX_COMMENT_LENGTH = 500;
export const MAX_BATCH_ITEMS = 1000;

export interface RecordBody {
  type: string;
  name: string;
  value: string;
  ttl?: number | null;
  priority?: number | null;
  weight?: number | null;
  port?: number | null;
  comment?: string | null;
}

export interface BatchBody {
  deletes?: string[];
  puts?: (RecordBody & { id: string })[];
  posts?: RecordBody[];
}

/** The record as the API shows it (HostUp shape plus comment and timestamps). */
export interface RecordView {
  id: string;
  type: string;
  name: string;
  value: string;
  ttl: number;
  priority: number | null;
  weight: number | null;
  port: number | null;
  status: string;
  comment: string | null;
  zoneId: string;
  createdAt: string;
  updatedAt: string;
}

export function recordView(r: DnsRecord): RecordView {
  const v = splitRdata(r.type, r.rdata);
  return {
    id: r.id,
    type: r.type,
    name: r.name,
    value: v.value,
    ttl: r.ttl,
    priority: v.priority,
    weight: v.weight,
    port: v.port,
    status: r.status,
    comment: r.comment,
    zoneId: r.zoneId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export class RecordsService {
  constructor(private readonly store: Store, private readonly settings: CoreSettings, private readonly clock: Clock) {}

  /** Validates one body into a candidate; errors carry pointers under `at`. */
  prepare(zone: Zone, body: RecordBody, at: string): { candidate?: Candidate; errors: FieldError[] } {
    const errors: FieldError[] = [];
    const type = body.type.trim().toUpperCase();
    if (!isApiRecordType(type)) {
      errors.push(fieldError(`${at}/type`, 'invalid_value', `\`type\` ${JSON.stringify(body.type)} is not a supported record type.`));
      return { errors };
    }
    const owner = parseName(resolveOwner(body.name, zone.name), 'owner');
    let name = '';
    if (!owner.ok) errors.push(fieldError(`${at}/name`, 'invalid_format', `\`name\` ${owner.detail}.`));
    else if (!isInZone(owner.name, zone.name)) errors.push(fieldError(`${at}/name`, 'invalid_value', `\`name\` must be inside the zone ${zone.name}.`));
    else name = owner.name;
    const { min, max } = this.settings.ttl;
    const ttl = body.ttl ?? this.settings.ttl.default;
    if (!Number.isInteger(ttl) || ttl < min || ttl > max) errors.push(fieldError(`${at}/ttl`, 'out_of_range', `\`ttl\` must be between ${min} and ${max}.`));
    const comment = body.comment ?? null;
    if (comment !== null && comment.length > MAX_COMMENT_LENGTH) errors.push(fieldError(`${at}/comment`, 'too_long', `\`comment\` must be at most ${MAX_COMMENT_LENGTH} characters.`));
    else if (comment !== null && comment.includes('\u0000')) errors.push(fieldError(`${at}/comment`, 'invalid_value', '`comment` must not contain NUL characters.'));
    const rd = buildRdata({ type, value: body.value, priority: body.priority ?? null, weight: body.weight ?? null, port: body.port ?? null });
    if (!rd.ok) errors.push(...rd.errors.map((e) => ({ ...e, pointer: at + e.pointer })));
    else {
      // Targets are absolute; a lone label ("mail") is almost always meant relative to the zone.
      const single = rdataTargets(type, rd.rdata).find((t) => !t.includes('.'));
      if (single !== undefined) {
        errors.push(fieldError(`${at}/value`, 'invalid_value', `\`value\` names the single-label host "${single}"; targets are fully qualified — did you mean ${single}.${zone.name}?`));
      }
    }
    if (errors.length > 0 || !rd.ok) return { errors };
    return { candidate: { name, type, ttl, rdata: rd.rdata, comment, at }, errors };
  }

  /** The limits of a records-API change: the zone's record limit, and the apex NS set kept. */
  private limits(zone: Zone, maxRecords = this.settings.maxRecordsPerZone): ChangeLimits {
    return {
      maxRecords,
      protect: (r: DnsRecord): string | null =>
        r.type === 'NS' && r.name === zone.name
          ? 'The apex NS set is managed by the server and cannot be changed through records.'
          : DNSSEC_MANAGED_TYPES.has(r.type)
            ? `${r.type} records are managed by the server's DNSSEC signing (GET /api/v2/dns-zones/{id}/dnssec) and cannot be changed through records.`
            : null,
    };
  }

  /** Applies a change set to a zone (validated bodies), atomically; `zone` is the zone afterwards. */
  async apply(zone: Zone, changes: ChangeSet): Promise<ChangeResult & { zone: Zone }> {
    const outcome = await this.store.applyZoneChange(zone.id, (tx) => planChanges(tx, changes, this.limits(tx.zone), this.clock.now().toISOString()));
    if (!outcome) throw new AppError('not_found', `DNS zone ${zone.id} was not found.`);
    return { ...outcome.result, zone: outcome.zone };
  }

  async create(zone: Zone, body: RecordBody): Promise<DnsRecord> {
    const p = this.prepare(zone, body, '');
    if (!p.candidate) throw invalid(p.errors, 'The record failed validation.');
    const r = await this.apply(zone, { deletes: [], puts: [], posts: [p.candidate] });
    return r.created[0]!;
  }

  async replace(zone: Zone, recordId: string, body: RecordBody): Promise<DnsRecord> {
    await this.get(zone, recordId);
    const p = this.prepare(zone, body, '');
    if (!p.candidate) throw invalid(p.errors, 'The record failed validation.');
    const r = await this.apply(zone, { deletes: [], puts: [{ id: recordId, candidate: p.candidate }], posts: [] });
    return r.updated[0]!;
  }

  async delete(zone: Zone, recordId: string): Promise<void> {
    await this.get(zone, recordId);
    await this.apply(zone, { deletes: [{ id: recordId, at: '' }], puts: [], posts: [] });
  }

  async get(zone: Zone, recordId: string): Promise<DnsRecord> {
    const r = await this.store.records.get(zone.id, recordId);
    if (!r) throw new AppError('not_found', `Record ${recordId} was not found in this zone.`);
    return r;
  }

  /** The atomic batch: deletes, then puts, then posts; all or nothing, errors per item. */
  async batch(zone: Zone, body: BatchBody): Promise<ChangeResult & { zone: Zone }> {
    const deletes = body.deletes ?? [];
    const puts = body.puts ?? [];
    const posts = body.posts ?? [];
    const total = deletes.length + puts.length + posts.length;
    if (total === 0) throwFieldErrors([fieldError('', 'required', 'A batch needs at least one of `deletes`, `puts`, `posts`.')], 'The batch');
    if (total > MAX_BATCH_ITEMS) throwFieldErrors([fieldError('', 'too_long', `A batch may hold at most ${MAX_BATCH_ITEMS} items; it has ${total}.`)], 'The batch');
    const errors: FieldError[] = [];
    const changes: ChangeSet = { deletes: deletes.map((id, i) => ({ id, at: `/deletes/${i}` })), puts: [], posts: [] };
    puts.forEach((b, i) => {
      const p = this.prepare(zone, b, `/puts/${i}`);
      errors.push(...p.errors);
      if (p.candidate) changes.puts.push({ id: b.id, candidate: p.candidate });
    });
    posts.forEach((b, i) => {
      const p = this.prepare(zone, b, `/posts/${i}`);
      errors.push(...p.errors);
      if (p.candidate) changes.posts.push(p.candidate);
    });
    // Report the rule errors of the valid items too (missing ids, duplicates, ...), not only the
    // malformed ones, so that one answer lists every bad item.
    if (errors.length > 0) throw invalid([...errors, ...(await this.dryRunErrors(zone, changes))], 'The batch failed validation.');
    return this.apply(zone, changes);
  }

  /** The field errors planning `changes` would give, from a transaction that is always rolled back. */
  private async dryRunErrors(zone: Zone, changes: ChangeSet): Promise<FieldError[]> {
    const rollback = new Error('dry run');
    try {
      await this.store.applyZoneChange(zone.id, async (tx) => {
        await planChanges(tx, changes, this.limits(tx.zone, Number.MAX_SAFE_INTEGER), this.clock.now().toISOString());
        throw rollback;
      });
    } catch (err) {
      if (err instanceof AppError) return err.errors;
      if (err !== rollback) throw err;
    }
    return [];
  }

  async list(zone: Zone, filter: { type?: string; name?: string; limit?: number; afterId?: string }): Promise<DnsRecord[]> {
    const q: { type?: string; name?: string; limit?: number; afterId?: string } = {};
    if (filter.type !== undefined && filter.type !== '') {
      q.type = filter.type.trim().toUpperCase();
      if (!isApiRecordType(q.type)) throw new AppError('invalid_request', 'The `type` filter is not a record type.', { errors: [fieldError('/type', 'invalid_value', '`type` must be a record type such as TXT.')] });
    }
    if (filter.name !== undefined && filter.name !== '') {
      const n = parseName(resolveOwner(filter.name, zone.name), 'any');
      if (!n.ok) throw new AppError('invalid_request', 'The `name` filter is not a valid name.', { errors: [fieldError('/name', 'invalid_format', `\`name\` ${n.detail}.`)] });
      q.name = n.name;
    }
    if (filter.limit !== undefined) q.limit = filter.limit;
    if (filter.afterId !== undefined) q.afterId = filter.afterId;
    return this.store.records.list(zone.id, q);
  }
}
