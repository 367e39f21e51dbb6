// DNS zones: creation (name rules, public suffixes, cross-account overlap, initial SOA and apex NS),
// listing, deletion, and zone-file import/export, all scoped to the caller's account.
import { serverRecord } from '../records/record-rr.js';
import { randomUUID } from 'node:crypto';
import { getPublicSuffix } from 'tldts';
import { AppError, fieldError, type FieldError } from '../errors.js';
import { newId } from '../ids.js';
import type { DnsRecord, Domain, Zone } from '../model.js';
import { isInZone, parseName } from '../names.js';
import { listQuery, toPage } from '../pagination.js';
import { nextSerial, type Clock, type Store } from '../ports.js';
import { planChanges, throwFieldErrors, type Candidate, type ChangeSet } from '../records/record-changes.js';
import { DNSSEC_MANAGED_TYPES } from '../records/dnssec-types.js';
import { isApiRecordType, isZoneFileType } from '../records/record-types.js';
import type { CoreSettings } from '../settings.js';
import { parseZoneFile } from '../zonefile/zonefile.parse.js';
import { writeZoneFile } from '../zonefile/zonefile.write.js';

/** Meta key of the account that owns the sandbox registry's TLD zones. */
export const REGISTRY_ACCOUNT_KEY = 'registry_account_id';

export interface ImportReport {
  added: number;
  removed: number;
  updated: number;
  unchanged: number;
  ignored: { line: number; reason: string }[];
}

/** Validates a zone name: canonical, at least two labels, not a public suffix. */
export function validateZoneName(input: string, pointer = '/name'): string {
  const r = parseName(input, 'hostname');
  if (!r.ok) throw new AppError('invalid_request', 'The zone name is not valid.', { errors: [fieldError(pointer, 'invalid_format', `\`name\` ${r.detail}.`)] });
  if (r.labels.length < 2) {
    throw new AppError('invalid_request', 'The zone name is not valid.', { errors: [fieldError(pointer, 'invalid_value', '`name` must have at least two labels, such as example.org.')] });
  }
  const suffix = getPublicSuffix(r.name, { allowPrivateDomains: true });
  if (suffix === r.name) {
    throw new AppError('invalid_request', 'The zone name is a public suffix.', {
      errors: [fieldError(pointer, 'not_allowed', `\`name\` ${r.name} is a public suffix; zones must be registrable domains or names below them.`)],
    });
  }
  return r.name;
}

export class ZonesService {
  constructor(private readonly store: Store, private readonly settings: CoreSettings, private readonly clock: Clock) {}

  async create(accountId: string, rawName: string): Promise<Zone> {
    const name = validateZoneName(rawName);
    // A sandbox registry's TLD zone (test.) delegates to the zones below it: not an overlap.
    const registryAccount = await this.store.meta.get(REGISTRY_ACCOUNT_KEY);
    for (const z of await this.store.zones.findOverlapping(name)) {
      if (z.accountId === registryAccount && z.name !== name && isInZone(name, z.name)) continue;
      if (z.accountId !== accountId) throw new AppError('conflict', `${name} overlaps a zone managed by another account.`, { errors: [fieldError('/name', 'conflict', '`name` overlaps a zone of another account.')] });
      if (z.name === name) throw new AppError('conflict', `The zone ${name} already exists.`, { errors: [fieldError('/name', 'conflict', `A zone named ${name} already exists.`)] });
    }
    const existing = await this.store.domains.getByName(name);
    if (existing && existing.accountId !== accountId) throw new AppError('conflict', `${name} belongs to another account.`, { errors: [fieldError('/name', 'conflict', '`name` belongs to another account.')] });
    const now = this.clock.now();
    const iso = now.toISOString();
    const domain: Domain | null = existing
      ? null
      : { id: newId('domain'), uuid: randomUUID(), accountId, name, kind: 'external', serviceStatus: 'active', autoRenewEnabled: false, registrarLockEnabled: false, expiresAt: null, nameservers: [], nameserversChangedAt: null, createdAt: iso, updatedAt: iso };
    const zone: Zone = {
      id: newId('zone'),
      accountId,
      domainId: existing ? existing.id : domain!.id,
      name,
      status: 'active',
      soa: {
        mname: this.settings.nameservers[0]!,
        rname: this.settings.hostmaster ?? `hostmaster.${name}`,
        serial: nextSerial(0, now),
        ...this.settings.soa,
      },
      recordCount: this.settings.nameservers.length,
      nextRecordNum: this.settings.nameservers.length + 1, // the store numbers the records 1..n
      createdAt: iso,
      updatedAt: iso,
    };
    const records: DnsRecord[] = this.settings.nameservers.map((ns) => serverRecord(zone.id, name, 'NS', this.settings.ttl.default, `${ns}.`, iso));
    await this.store.createZone({ zone, domain, records });
    return zone;
  }

  /** The zone if it belongs to the account; another account's zone is "not found". */
  async get(accountId: string, id: string): Promise<Zone> {
    const z = await this.store.zones.get(id);
    if (!z || z.accountId !== accountId) throw new AppError('not_found', `DNS zone ${id} was not found.`);
    return z;
  }

  async getByName(accountId: string, rawName: string): Promise<Zone | undefined> {
    const r = parseName(rawName, 'any');
    if (!r.ok) return undefined;
    const z = await this.store.zones.getByName(r.name);
    return z && z.accountId === accountId ? z : undefined;
  }

  async list(accountId: string, q: { limit: number; cursor?: string; name?: string }): Promise<{ data: Zone[]; hasMore: boolean; nextCursor: string | null }> {
    const query = listQuery('zone', q);
    if (query === null) return { data: [], hasMore: false, nextCursor: null };
    const rows = await this.store.zones.list(accountId, query);
    return toPage('zone', rows, q.limit);
  }

  async delete(accountId: string, id: string): Promise<void> {
    const zone = await this.get(accountId, id);
    const domain = await this.store.domains.get(zone.domainId);
    // A signed zone whose DS the parent publishes: deleting it (and its keys) would leave the
    // delegation pointing at keys that are gone. DNSSEC is withdrawn first.
    if (domain && (await this.store.dnssecKeys.list(zone.id)).length > 0) {
      const auto = await this.store.dnssecKeys.getAuto(domain.id);
      if ((auto && auto.enabled) || (await this.store.registrar.dnssec(domain.id)).length > 0) {
        throw new AppError('conflict', `${zone.name} is signed and its DS is at the registry (or automatic DNSSEC is on); exclude it first (POST /api/v2/domains/{id}/dnssec-auto {"action": "exclude"}) and delete the zone once DNSSEC is withdrawn.`);
      }
    }
    await this.store.deleteZone(zone.id, { deleteDomain: domain?.kind === 'external' });
  }

  async exportZoneFile(zone: Zone): Promise<string> {
    const fresh = (await this.store.zones.get(zone.id)) ?? zone;
    const records: DnsRecord[] = [];
    for await (const batch of this.store.records.iterate(zone.id)) records.push(...batch.filter((r) => r.status === 'active' && isZoneFileType(r.type)));
    return writeZoneFile({ name: fresh.name, soa: fresh.soa }, records);
  }

  /**
   * Replaces the zone's records with those of a zone file, as one change. The SOA timers come from
   * the file; its serial, MNAME and RNAME, the apex NS set and DNSSEC records are the server's and
   * are ignored (reported). Rules are those of the records API.
   */
  async importZoneFile(zone: Zone, text: string): Promise<ImportReport & { zone: Zone }> {
    const parsed = parseZoneFile(text, { origin: zone.name, defaultTtl: this.settings.ttl.default, maxRecords: this.settings.maxRecordsPerZone + 100 });
    if (parsed.errors.length > 0) {
      throwFieldErrors(parsed.errors.slice(0, 100).map((e) => fieldError('/zoneFile', 'invalid_format', `line ${e.line}: ${e.detail}`)), 'The zone file');
    }
    const ignored: ImportReport['ignored'] = [];
    const wanted: (Candidate & { line: number })[] = [];
    const { min, max } = this.settings.ttl;
    const errors: FieldError[] = [];
    for (const r of parsed.records) {
      if (r.type === 'NS' && r.name === zone.name) { ignored.push({ line: r.line, reason: 'the apex NS set is managed by the server' }); continue; }
      if (['DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'CDS', 'CDNSKEY'].includes(r.type)) { ignored.push({ line: r.line, reason: 'DNSSEC records are generated by the server' }); continue; }
      if (!isApiRecordType(r.type)) { errors.push(fieldError('/zoneFile', 'invalid_value', `line ${r.line}: type ${r.type} is not supported`)); continue; }
      if (r.ttl < min || r.ttl > max) { errors.push(fieldError('/zoneFile', 'out_of_range', `line ${r.line}: TTL ${r.ttl} is outside ${min}-${max}`)); continue; }
      wanted.push({ name: r.name, type: r.type, ttl: r.ttl, rdata: r.rdata, comment: null, at: '/zoneFile', line: r.line });
    }
    if (errors.length > 0) throwFieldErrors(errors, 'The zone file');
    if (parsed.soa) ignored.push({ line: 0, reason: 'SOA serial, MNAME and RNAME are the server\'s; only its timers were taken' });
    const report: ImportReport = { added: 0, removed: 0, updated: 0, unchanged: 0, ignored };
    const outcome = await this.store.applyZoneChange(zone.id, async (tx) => {
      // The apex NS set and the DNSSEC keys' records are the server's; records of unserved types
      // cannot be in a zone file: all of them stay.
      const existing = (await tx.allRecords()).filter((r) => !(r.type === 'NS' && r.name === zone.name) && isZoneFileType(r.type) && !DNSSEC_MANAGED_TYPES.has(r.type));
      const byKey = new Map(existing.map((r) => [`${r.name} ${r.type} ${r.rdata}`, r]));
      const changes: ChangeSet = { deletes: [], puts: [], posts: [] };
      const kept = new Set<string>();
      for (const w of wanted) {
        const key = `${w.name} ${w.type} ${w.rdata}`;
        const old = byKey.get(key);
        if (kept.has(key)) { ignored.push({ line: w.line, reason: 'duplicate of an earlier record in the file' }); continue; }
        kept.add(key);
        if (!old) { changes.posts.push(w); report.added++; }
        else if (old.ttl !== w.ttl) { changes.puts.push({ id: old.id, candidate: { ...w, comment: old.comment } }); report.updated++; }
        else report.unchanged++;
      }
      for (const r of existing) if (!kept.has(`${r.name} ${r.type} ${r.rdata}`)) { changes.deletes.push({ id: r.id, at: '/zoneFile' }); report.removed++; }
      if (parsed.soa) {
        const { refresh, retry, expire, minimum, ttl } = parsed.soa;
        changes.soa = { refresh, retry, expire, minimum, ttl };
      }
      return planChanges(tx, changes, { maxRecords: this.settings.maxRecordsPerZone }, this.clock.now().toISOString());
    });
    if (!outcome) throw new AppError('not_found', `DNS zone ${zone.id} was not found.`);
    return { ...report, zone: outcome.zone };
  }
}
