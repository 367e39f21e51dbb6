// DNS records through the organization API (seed 003): bodies with numeric types and per-type
// fields → candidates for the one change engine (core/records), stored records → the API's view,
// JSON merge patch (RFC 7396) for PATCH, and page-numbered lists.
import { AppError, fieldError, type FieldError } from '../errors.js';
import type { DnsRecord, Domain, MonitorType, Zone } from '../model.js';
import { isInZone, parseName, resolveOwner } from '../names.js';
import type { Store } from '../ports.js';
import type { Candidate, ChangeResult, ChangeSet } from '../records/record-changes.js';
import { API_CONTEXT } from '../records/record-descriptor.js';
import { decodeCharString, quoteOctets, utf8DecodeStrict, utf8Encode } from '../records/presentation.js';
import { buildAnyRdata, RECORD_TYPES, rdataTargets, splitRdata } from '../records/record-types.js';
import { MAX_COMMENT_LENGTH, type RecordsService } from '../records/records.service.js';
import { rdataTokens } from '../records/record-descriptor.js';
import { checkScript, scriptKey } from '../scripts/script-sandbox.js';
import { EXTRA_FIELDS, ORG_STORED_TYPES, ORG_TTL, orgTypeByCode, orgTypeByFilter, orgTypeOfStored, WRITABLE_FIELDS, type ExtraField, type OrgRecordType } from './org-record-types.js';

/** A dns-record as the organization API shows it (JSON-LD keys are added by the HTTP layer). */
export interface OrgRecordView {
  recordId: number;
  domainId: string;
  type: number;
  ttl: number;
  value: string;
  name: string;
  weight: number | null;
  priority: number | null;
  port: number | null;
  flags: number | null;
  tag: string | null;
  monitorStatus: number;
  monitorType: number;
  comment: string | null;
  id: string;
  typeString: string;
  /** Script records only: the last failure DNS saw running it (null while it answers), and since when. */
  scriptError?: string | null;
  scriptErrorAt?: string | null;
}

export const DEFAULT_ITEMS_PER_PAGE = 30;
export const MAX_ITEMS_PER_PAGE = 100;
const MAX_NAME_LENGTH = 255;

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** The validation problem of this API: 422 with the violations (see http/org-api/errors.ts). */
export function violations(errors: FieldError[], detail = 'The dns-record failed validation.'): AppError {
  return new AppError('validation_failed', detail, { errors });
}

export class OrgRecordsService {
  constructor(
    private readonly store: Store,
    private readonly records: RecordsService,
    private readonly pullZones: ReadonlyMap<string, unknown>,
  ) {}

  /**
   * Adds the Script records' state as DNS last ran them (docs/smart-records.md): a state reported
   * for another version of the source (an older one, before an edit) does not count.
   */
  async withScriptStatus(zone: Zone, views: OrgRecordView[]): Promise<OrgRecordView[]> {
    const scripts = views.filter((v) => v.type === SCRIPT_TYPE_CODE);
    if (scripts.length === 0) return views;
    const owner = (v: OrgRecordView): string => (v.name === '' ? zone.name : `${v.name}.${zone.name}`);
    const states = await this.store.scriptStatus.get(zone.name, scripts.map(owner));
    for (const v of scripts) {
      const s = states.get(owner(v));
      const current = s !== undefined && s.key === scriptKey(v.value);
      v.scriptError = current ? s.error : null;
      v.scriptErrorAt = current && s.error !== null ? s.at : null;
    }
    return views;
  }

  /** Smart values checked at write time beyond their shape: a Script compiles, a PullZone is configured. */
  private async checkSmart(c: Candidate): Promise<void> {
    if (c.type === 'SCRIPT') {
      const why = await checkScript(c.rdata);
      if (why !== null) throw violations([fieldError('/value', 'invalid_value', why)]);
    } else if (c.type === 'PULLZONE' && !this.pullZones.has(c.rdata.toLowerCase())) {
      const known = [...this.pullZones.keys()];
      throw violations([
        fieldError('/value', 'invalid_value', known.length === 0 ? 'No pull zones are configured on this server (--pull-zones).' : `No pull zone "${c.rdata}" is configured on this server; known: ${known.slice(0, 20).join(', ')}.`),
      ]);
    }
  }

  /** The API view of a stored record; undefined for stored types this API has no number for. */
  view(domain: Domain, zone: Zone, r: DnsRecord): OrgRecordView | undefined {
    const t = orgTypeOfStored(r.type);
    if (!t) return undefined;
    const split = splitRdata(r.type, r.rdata);
    let value = split.value;
    let flags: number | null = null;
    let tag: string | null = null;
    if (r.type === 'CAA') {
      const [f = '0', tg = '', v = '""'] = rdataTokens(r.rdata);
      flags = Number(f);
      tag = tg;
      const bytes = decodeCharString(v);
      value = typeof bytes === 'string' ? v : (utf8DecodeStrict(bytes) ?? v);
    }
    const smart = t.extra.includes('monitorType');
    return {
      recordId: r.num,
      domainId: domain.uuid,
      type: t.code,
      ttl: r.ttl,
      value,
      name: relativeName(r.name, zone.name),
      weight: smart ? r.weight : split.weight,
      priority: split.priority,
      port: split.port,
      flags,
      tag,
      monitorStatus: r.monitorStatus,
      monitorType: r.monitorType,
      comment: r.comment,
      id: `${domain.uuid}:${r.num}`,
      typeString: t.name,
    };
  }

  /** The writable fields of a view that hold a value (the base a merge patch applies to). */
  private writable(v: OrgRecordView): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of WRITABLE_FIELDS) {
      const x = (v as unknown as Record<string, unknown>)[f];
      if (x !== null && x !== undefined && !(f === 'monitorType' && x === 0)) out[f] = x;
    }
    return out;
  }

  /** Validates a full body (a POST, or a PATCH after merging) into a candidate, or throws the violations. */
  toCandidate(zone: Zone, body: unknown): Candidate {
    const { f, t, errors } = readBody(body);
    let name = '';
    if (f.name !== undefined) {
      if (f.name.length > MAX_NAME_LENGTH) errors.push(fieldError('/name', 'too_long', `\`name\` must be at most ${MAX_NAME_LENGTH} characters.`));
      else {
        const owner = parseName(resolveOwner(f.name, zone.name), 'owner');
        if (!owner.ok) errors.push(fieldError('/name', 'invalid_format', `\`name\` ${owner.detail}.`));
        else if (!isInZone(owner.name, zone.name)) errors.push(fieldError('/name', 'invalid_value', `\`name\` must be inside the domain ${zone.name}.`));
        else name = owner.name;
      }
    }
    let rdata: string | undefined;
    // The RDATA is built only from valid fields (a bad priority is reported once, as itself).
    const extrasOk = !errors.some((e) => (EXTRA_FIELDS as readonly string[]).includes(e.pointer.slice(1)));
    if (t && extrasOk && f.value !== undefined && f.value.trim() !== '') {
      // Fields the type does not allow were reported already; they must not reach the RDATA builder.
      const allow = <V>(x: ExtraField, v: V): V | undefined => (t.extra.includes(x) ? v : undefined);
      const built = this.buildRdata(t, { value: f.value, priority: allow('priority', f.priority), weight: allow('weight', f.weight), port: allow('port', f.port), flags: allow('flags', f.flags), tag: allow('tag', f.tag) });
      if (!built.ok) errors.push(...built.errors);
      else {
        rdata = built.rdata;
        const single = rdataTargets(t.stored, rdata).find((x) => !x.includes('.'));
        if (single !== undefined) errors.push(fieldError('/value', 'invalid_value', `\`value\` names the single-label host "${single}"; targets are fully qualified — did you mean ${single}.${zone.name}?`));
      }
    }
    if (errors.length > 0 || !t || rdata === undefined) throw violations(errors);
    const smart = t.extra.includes('monitorType');
    return { name, type: t.stored, ttl: f.ttl ?? ORG_TTL.default, rdata, comment: f.comment ?? null, weight: smart ? (f.weight ?? null) : null, monitorType: smart ? ((f.monitorType ?? 0) as MonitorType) : 0, at: '' };
  }

  private buildRdata(
    t: OrgRecordType,
    f: { value: string; priority: number | undefined; weight: number | undefined; port: number | undefined; flags: number | undefined; tag: string | undefined },
  ): { ok: true; rdata: string } | { ok: false; errors: FieldError[] } {
    if (t.stored === 'CAA') {
      if (f.tag === undefined) return { ok: false, errors: [fieldError('/tag', 'required', '`tag` is required for CAA records (issue, issuewild, iodef, ...).')] };
      const r = RECORD_TYPES.CAA!.parse([String(f.flags ?? 0), f.tag, quoteOctets(utf8Encode(f.value))], API_CONTEXT);
      if (r.ok) return { ok: true, rdata: r.value };
      const p = r.problem;
      const field = p.subject === 'tag' ? 'tag' : p.subject === 'flags' ? 'flags' : 'value';
      return { ok: false, errors: [fieldError(`/${field}`, p.code, p.subject === null || field !== 'value' ? `\`${field}\` ${p.predicate}.` : `The ${p.subject} in \`value\` ${p.predicate}.`)] };
    }
    // Seed 003 requires only name and value: a leading number (MX/SVCB/HTTPS priority, SRV
    // priority/weight/port) left out defaults to 0, unless `value` carries the full RDATA.
    const zero = (used: boolean, v: number | undefined): number | null => (v !== undefined ? v : used && !/^\s*[0-9]+\s/.test(f.value) ? 0 : null);
    const srv = t.stored === 'SRV';
    // The SRV weight is RDATA; the A/AAAA/CNAME weight is not (a column), so it is not passed on.
    const r = buildAnyRdata({ type: t.stored, value: f.value, priority: zero(t.extra.includes('priority'), f.priority), weight: srv ? zero(true, f.weight) : null, port: zero(srv, f.port) });
    return r;
  }

  async create(domain: Domain, zone: Zone, body: unknown): Promise<OrgRecordView> {
    const candidate = this.toCandidate(zone, body);
    await this.checkSmart(candidate);
    const r = await this.apply(zone, { deletes: [], puts: [], posts: [candidate] });
    return this.view(domain, r.zone, r.created[0]!)!;
  }

  /** The change engine's rule errors (duplicates, CNAME beside data, apex NS) are this API's violations. */
  private async apply(zone: Zone, changes: ChangeSet): Promise<ChangeResult & { zone: Zone }> {
    try {
      return await this.records.apply(zone, changes);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'invalid_request' || err.code === 'conflict') && err.errors.length > 0) throw violations(err.errors, err.message);
      throw err;
    }
  }

  /** The record `<domainUuid>:<recordId>` (or a bare recordId) of this domain, or 404. */
  async get(domain: Domain, zone: Zone, id: string): Promise<DnsRecord> {
    const m = /^(?:([0-9a-fA-F-]{36}):)?([0-9]{1,15})$/.exec(id);
    const r = m && (m[1] === undefined || m[1].toLowerCase() === domain.uuid) ? await this.store.records.getByNum(zone.id, Number(m[2])) : undefined;
    if (!r || !orgTypeOfStored(r.type)) throw new AppError('not_found', `No dns-record ${id} in domain ${domain.uuid}.`);
    return r;
  }

  /** RFC 7396 merge patch: members replace, `null` removes, then the result is validated as a whole. */
  async patch(domain: Domain, zone: Zone, id: string, patch: unknown): Promise<OrgRecordView> {
    const current = await this.get(domain, zone, id);
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw violations([fieldError('', 'invalid_type', 'A merge patch must be a JSON object.')]);
    const merged = this.writable(this.view(domain, zone, current)!);
    for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    // A cleared field not allowed by the type is simply absent; unknown fields are reported as such.
    for (const k of Object.keys(patch as object)) if (!WRITABLE_FIELDS.includes(k)) merged[k] = (patch as Record<string, unknown>)[k];
    const candidate = this.toCandidate(zone, merged);
    if (candidate.type !== current.type || candidate.rdata !== current.rdata) await this.checkSmart(candidate);
    const r = await this.apply(zone, { deletes: [], puts: [{ id: current.id, candidate }], posts: [] });
    return this.view(domain, r.zone, r.updated[0]!)!;
  }

  async delete(domain: Domain, zone: Zone, id: string): Promise<void> {
    const current = await this.get(domain, zone, id);
    if (current.type === 'NS' && current.name === zone.name) throw new AppError('forbidden', 'The apex NS set is managed by the server and cannot be deleted through records.');
    await this.records.apply(zone, { deletes: [{ id: current.id, at: '' }], puts: [], posts: [] });
  }

  async list(
    domain: Domain,
    zone: Zone,
    q: { page: number; itemsPerPage: number; type?: string; name?: string },
  ): Promise<{ items: OrgRecordView[]; total: number }> {
    let types = ORG_STORED_TYPES;
    if (q.type !== undefined && q.type !== '') {
      const t = orgTypeByFilter(q.type);
      if (!t) throw new AppError('invalid_request', 'The `type` filter is not a dns-record type.', { errors: [fieldError('/type', 'invalid_value', '`type` must be 0-15 or a typeString such as A or Flatten.')] });
      types = [t.stored];
    }
    let name: string | undefined;
    if (q.name !== undefined) {
      const n = parseName(resolveOwner(q.name, zone.name), 'any');
      if (!n.ok) throw new AppError('invalid_request', 'The `name` filter is not a valid name.', { errors: [fieldError('/name', 'invalid_format', `\`name\` ${n.detail}.`)] });
      name = n.name;
    }
    const filter = { types, ...(name !== undefined ? { name } : {}) };
    const [total, rows] = await Promise.all([
      this.store.records.count(zone.id, filter),
      this.store.records.listPage(zone.id, { ...filter, offset: (q.page - 1) * q.itemsPerPage, limit: q.itemsPerPage }),
    ]);
    return { items: await this.withScriptStatus(zone, rows.map((r) => this.view(domain, zone, r)!)), total };
  }
}

/** The organization API's number of the Script type. */
const SCRIPT_TYPE_CODE = 11;

/** The owner name relative to the zone: "" at the apex, "www" below it. */
export function relativeName(name: string, zone: string): string {
  if (name === zone) return '';
  return name.endsWith('.' + zone) ? name.slice(0, -(zone.length + 1)) : name;
}

interface BodyFields {
  name?: string;
  value?: string;
  ttl?: number;
  comment?: string;
  weight?: number;
  priority?: number;
  port?: number;
  flags?: number;
  monitorType?: number;
  tag?: string;
}

/**
 * The shape checks of a dns-record body: an object, known fields only, a type 0-15, the extra
 * fields that type allows (seed 003), required name and value, types and ranges of each field.
 */
function readBody(body: unknown): { f: BodyFields; t: OrgRecordType | undefined; errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw violations([fieldError('', 'invalid_type', 'The request body must be a JSON object.')]);
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(b)) {
    if (!WRITABLE_FIELDS.includes(k)) errors.push(fieldError(`/${k}`, 'unknown_field', `\`${k}\` is not a field of dns-record; writable fields are ${WRITABLE_FIELDS.join(', ')}.`));
  }
  let t: OrgRecordType | undefined;
  if (b.type === undefined || b.type === null) errors.push(fieldError('/type', 'required', '`type` is required.'));
  else if (!isInt(b.type)) errors.push(fieldError('/type', 'invalid_type', '`type` must be an integer (0 = A ... 15 = TLSA).'));
  else if (!(t = orgTypeByCode(b.type))) errors.push(fieldError('/type', 'out_of_range', '`type` must be between 0 and 15.'));
  for (const f of t ? EXTRA_FIELDS : []) {
    if (!t!.extra.includes(f) && b[f] !== undefined && b[f] !== null) {
      const allowed = t!.extra.length > 0 ? `${t!.name} records accept ${t!.extra.join(', ')}` : `${t!.name} records accept only name, value, ttl and comment`;
      errors.push(fieldError(`/${f}`, 'not_allowed', `\`${f}\` is not allowed for ${t!.name} records; ${allowed}.`));
    }
  }
  const str = (f: string, required: boolean): string | undefined => {
    const v = b[f];
    if (v === undefined || v === null) {
      if (required) errors.push(fieldError(`/${f}`, 'required', `\`${f}\` is required.`));
      return undefined;
    }
    if (typeof v === 'string') return v;
    errors.push(fieldError(`/${f}`, 'invalid_type', `\`${f}\` must be a string.`));
    return undefined;
  };
  const int = (f: string, min: number, max: number): number | undefined => {
    const v = b[f];
    if (v === undefined || v === null) return undefined;
    if (!isInt(v)) errors.push(fieldError(`/${f}`, 'invalid_type', `\`${f}\` must be an integer.`));
    else if (v < min || v > max) errors.push(fieldError(`/${f}`, 'out_of_range', `\`${f}\` must be between ${min} and ${max}.`));
    else return v;
    return undefined;
  };
  const f: BodyFields = {};
  const put = <K extends keyof BodyFields>(k: K, v: BodyFields[K] | undefined): void => {
    if (v !== undefined) f[k] = v;
  };
  put('name', str('name', true));
  put('value', str('value', true));
  if (f.value !== undefined && f.value.trim() === '') errors.push(fieldError('/value', 'required', '`value` must not be empty.'));
  put('ttl', int('ttl', ORG_TTL.min, ORG_TTL.max));
  put('comment', str('comment', false));
  if (f.comment !== undefined && f.comment.length > MAX_COMMENT_LENGTH) errors.push(fieldError('/comment', 'too_long', `\`comment\` must be at most ${MAX_COMMENT_LENGTH} characters.`));
  else if (f.comment?.includes('\u0000')) errors.push(fieldError('/comment', 'invalid_value', '`comment` must not contain NUL characters.'));
  put('weight', int('weight', 0, 65535));
  put('priority', int('priority', 0, 65535));
  put('port', int('port', 0, 65535));
  put('flags', int('flags', 0, 255));
  put('monitorType', int('monitorType', 0, 2));
  put('tag', str('tag', false));
  return { f, t, errors };
}
