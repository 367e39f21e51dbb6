// Automatic DNSSEC enrollment of registered domains (seed 004, docs/dnssec.md "Automatic
// enrollment"): GET/POST /api/v2/domains/{id}/dnssec-auto and the `dnssec_auto` job drive one state
// machine per domain:
//
//   inactive ── include, delegated here, cooldown over ──► pending ── parent serves our DS ──► active
//      │                 │ cooldown running                  │ registry fails
//      │                 ▼                                   ▼
//      │              blocked (until nameserversChangedAt + --dnssec-cooldown) ──► pending     error ──► (retried) pending
//   exclude (signing): DS removed at the registry, CDS/CDNSKEY delete published, status pending until the
//   parent's DS TTL has passed, then signing stops ──► excluded
//
// Nothing bypasses the cooldown. A domain whose nameservers move away while it is signed has its
// DS withdrawn at the registry before the nameserver change (RegistryService calls
// `nameserversLeaving`), so no resolver ever sees a DS without matching signatures.
import { AppError, fieldError } from '../errors.js';
import { KeyedQueue } from '../keyed-queue.js';
import { newId } from '../ids.js';
import type { DnssecAuto, Domain, RegistryDnssecRecord, Zone } from '../model.js';
import type { Clock, Store } from '../ports.js';
import type { RegistryService } from '../registry/registry.service.js';
import type { CoreSettings } from '../settings.js';
import { dsOf, type DnssecService } from './dnssec.service.js';

export const DNSSEC_AUTO_JOB = 'dnssec_auto';
/** How soon a pending domain is checked again (the parent publishing the DS). */
export const RECHECK_MS = 60_000;
/** How often an enrolled domain that is not delegated here is looked at again. */
export const INACTIVE_RECHECK_MS = 3_600_000;
/** When the parent's DS TTL is unknown (a registry that is not ours): a day. */
export const DEFAULT_PARENT_DS_TTL = 86_400;
export const BLOCK_REASON = 'Nameservers changed recently; automatic DNSSEC is paused until the cooldown period ends.';

/** The response of GET/POST /api/v2/domains/{id}/dnssec-auto, field for field as seed 004. */
export interface DnssecAutoView {
  domainName: string;
  status: DnssecAuto['status'];
  reason: string | null;
  isEnabled: boolean;
  isBlocked: boolean;
  blockedUntil: string | null;
  blockReason: string | null;
  lastCheckedAt: string | null;
  lastError: string | null;
  nameserversChangedAt: string | null;
}

/**
 * One form for comparing DS records from anywhere (a DS view, the registry's material, the parent's
 * presentation RDATA): `KEYTAG ALG DIGESTTYPE DIGEST`, uppercase, single spaces.
 */
function dsText(ds: { keyTag: unknown; algorithm: unknown; digestType: unknown; digest: unknown } | string): string {
  const text = typeof ds === 'string' ? ds : `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${ds.digest}`;
  return text.toUpperCase().replace(/\s+/g, ' ');
}

/** The registry's DS records of a domain in dsText form (KEY material is left out). */
function registryDs(records: readonly RegistryDnssecRecord[]): { id: string; text: string }[] {
  return records.flatMap((r) => (r.material.type === 'DS' ? [{ id: r.id, text: dsText(r.material) }] : []));
}

/** The parent's published DS records for a domain (presentation RDATA), or null when it cannot be asked. */
export type ParentDsProbe = (domain: string) => Promise<string[] | null>;

export class DnssecAutoService {
  #probe: ParentDsProbe | null = null;
  /** One step at a time per domain in this process (API calls and jobs alike). */
  readonly #steps = new KeyedQueue();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: CoreSettings,
    private readonly registry: RegistryService,
    private readonly dnssec: DnssecService,
  ) {}

  /** How the parent is asked for DS records when its zone is not served here (serve sets it). */
  setParentProbe(probe: ParentDsProbe): void {
    this.#probe = probe;
  }

  async view(d: Domain): Promise<DnssecAutoView> {
    const row = (await this.store.dnssecKeys.getAuto(d.id)) ?? this.#fresh(d);
    return this.#view(d, row);
  }

  #fresh(d: Domain): DnssecAuto {
    return { domainId: d.id, enabled: false, status: 'inactive', reason: 'Automatic DNSSEC is not enabled for this domain; POST {"action": "include"} to enroll it.', blockedUntil: null, blockReason: null, lastCheckedAt: null, lastError: null, withdrawUntil: null, updatedAt: this.clock.now().toISOString() };
  }

  #view(d: Domain, a: DnssecAuto): DnssecAutoView {
    return {
      domainName: d.name,
      status: a.status,
      reason: a.reason,
      isEnabled: a.enabled,
      isBlocked: a.status === 'blocked',
      blockedUntil: a.status === 'blocked' ? a.blockedUntil : null,
      blockReason: a.status === 'blocked' ? a.blockReason : null,
      lastCheckedAt: a.lastCheckedAt,
      lastError: a.lastError,
      nameserversChangedAt: d.nameserversChangedAt,
    };
  }

  /** POST: `{action: include|exclude}`; any other field is refused (seed 004). */
  async act(d: Domain, body: unknown): Promise<DnssecAutoView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_request', 'The body must be a JSON object {"action": "include"|"exclude"}.', { errors: [fieldError('', 'invalid_type', 'must be an object')] });
    const errors = [];
    for (const k of Object.keys(body)) if (k !== 'action') errors.push(fieldError(`/${k}`, 'unknown_field', `\`${k}\` is not a field of this request; only \`action\` is.`));
    const action = (body as { action?: unknown }).action;
    if (action === undefined) errors.push(fieldError('/action', 'required', '`action` is required: include or exclude.'));
    else if (action !== 'include' && action !== 'exclude') errors.push(fieldError('/action', 'invalid_value', '`action` must be include or exclude.'));
    if (errors.length > 0) throw new AppError('invalid_request', 'The request body failed validation.', { errors });
    if (d.kind !== 'registered') throw new AppError('operation_unavailable', 'Automatic DNSSEC needs a domain registered here (its DS is published at the registry by this server).');
    return this.#steps.run(d.id, async () => {
      const fresh = (await this.store.domains.get(d.id)) ?? d;
      const row = (await this.store.dnssecKeys.getAuto(d.id)) ?? this.#fresh(fresh);
      if (action === 'include') {
        row.enabled = true;
        if (row.withdrawUntil !== null && !(await this.#signed(fresh))) row.withdrawUntil = null;
        // A withdrawal under way finishes first (signing stops, the DS is gone); include then starts afresh.
        if (row.withdrawUntil === null) await this.#evaluate(fresh, row);
        else await this.#save(fresh, row);
      } else {
        row.enabled = false;
        await this.#withdraw(fresh, row, 'Excluded: ');
      }
      return this.#view(fresh, row);
    });
  }

  async #signed(d: Domain): Promise<boolean> {
    const zone = await this.store.zones.getByDomainId(d.id);
    return zone !== undefined && (await this.store.dnssecKeys.list(zone.id)).length > 0;
  }

  /** False while the domain's DNSSEC is being withdrawn or it is excluded: a DS must not be added then. */
  async allowsDsAdd(domainId: string): Promise<boolean> {
    const a = await this.store.dnssecKeys.getAuto(domainId);
    return a === undefined || (a.enabled && a.withdrawUntil === null);
  }

  /** Whether the zone's domain is having its DNSSEC withdrawn. */
  async withdrawing(zone: Zone): Promise<boolean> {
    const a = zone.domainId ? await this.store.dnssecKeys.getAuto(zone.domainId) : undefined;
    return a !== undefined && a.withdrawUntil !== null;
  }

  /** Refuses a key rollover while the domain's DNSSEC is being withdrawn. */
  async assertNotWithdrawing(zone: Zone): Promise<void> {
    const a = zone.domainId ? await this.store.dnssecKeys.getAuto(zone.domainId) : undefined;
    if (a && a.withdrawUntil !== null) throw new AppError('conflict', `DNSSEC of ${zone.name} is being withdrawn; a key rollover cannot start now.`);
  }

  /** Job `dnssec_auto`: one step of the state machine; again later while it is not settled. */
  async runJob(domainId: string): Promise<void> {
    return this.#steps.run(domainId, async () => {
      const d = await this.store.domains.get(domainId);
      if (!d) return;
      const row = await this.store.dnssecKeys.getAuto(d.id);
      if (!row) return;
      // The next step is scheduled by #save (a new job when the state is not settled).
      if (row.withdrawUntil !== null) await this.#finishWithdraw(d, row);
      else if (row.enabled) await this.#evaluate(d, row);
    });
  }

  /** When the job should look again, or null when the state is settled. */
  #due(a: DnssecAuto): string | null {
    if (a.withdrawUntil !== null) return a.withdrawUntil;
    if (!a.enabled) return null;
    if (a.status === 'blocked') return a.blockedUntil;
    if (a.status === 'pending' || a.status === 'error') return new Date(this.clock.now().getTime() + RECHECK_MS).toISOString();
    // Enrolled but not delegated here (yet): looked at again every hour.
    if (a.status === 'inactive') return new Date(this.clock.now().getTime() + INACTIVE_RECHECK_MS).toISOString();
    return null;
  }

  async #save(d: Domain, a: DnssecAuto): Promise<void> {
    a.updatedAt = this.clock.now().toISOString();
    await this.store.dnssecKeys.saveAuto(a);
    const due = this.#due(a);
    if (due !== null) {
      const now = a.updatedAt;
      await this.store.jobs.enqueue({ id: newId('job'), kind: DNSSEC_AUTO_JOB, subject: d.id, payload: { domain: d.name }, status: 'pending', runAt: due, attempts: 0, lastError: null, createdAt: now, updatedAt: now });
    } else await this.store.jobs.supersede(DNSSEC_AUTO_JOB, d.id, a.updatedAt);
  }

  /**
   * Whether the domain is delegated to this server's nameservers and its zone is served here: `away`
   * when not (the nameservers are elsewhere, or no zone), `failing` when our DNS does not answer
   * the zone right now (a SOA query to this server's DNS, when it runs here).
   */
  async #delegatedHere(d: Domain): Promise<{ zone: Zone | null; why: string | null; away: boolean }> {
    const ours = this.settings.nameservers;
    if (d.nameservers.length === 0 || !d.nameservers.every((n) => ours.includes(n))) {
      return { zone: null, away: true, why: `The domain is not delegated to this server's nameservers (${ours.join(', ')}); it uses ${d.nameservers.join(', ') || 'none'}.` };
    }
    const zone = await this.store.zones.getByDomainId(d.id);
    if (!zone || zone.status !== 'active') return { zone: null, away: true, why: `No active DNS zone for ${d.name} is served here.` };
    const why = await this.registry.probeZone(zone.name);
    if (why !== null) return { zone: null, away: false, why: `This server's DNS does not answer ${zone.name} right now: ${why}` };
    return { zone, away: false, why: null };
  }

  async #evaluate(d: Domain, a: DnssecAuto): Promise<void> {
    const now = this.clock.now();
    a.lastCheckedAt = now.toISOString();
    const here = await this.#delegatedHere(d);
    if (here.zone === null) {
      if (!here.away) {
        // A passing failure of our own DNS: retried, nothing withdrawn.
        Object.assign(a, { status: 'error', reason: 'Enrollment is waiting for this server to answer the zone; it is retried automatically.', lastError: here.why });
        return this.#save(d, a);
      }
      // Not (or no longer) served here: a DS of ours at the registry is withdrawn safely first.
      if ((await this.store.registrar.dnssec(d.id)).length > 0 || (await this.#signed(d))) return this.#withdraw(d, a, 'Nameservers moved: ');
      Object.assign(a, { status: 'inactive', reason: here.why, blockedUntil: null, blockReason: null, lastError: null });
      return this.#save(d, a);
    }
    const changed = d.nameserversChangedAt ? Date.parse(d.nameserversChangedAt) : NaN;
    const until = changed + this.settings.dnssec.cooldownSeconds * 1000;
    if (Number.isFinite(until) && now.getTime() < until) {
      Object.assign(a, { status: 'blocked', reason: BLOCK_REASON, blockedUntil: new Date(until).toISOString(), blockReason: BLOCK_REASON, lastError: null });
      return this.#save(d, a);
    }
    a.blockedUntil = null;
    a.blockReason = null;
    try {
      await this.dnssec.ensureSigned(here.zone);
      await this.dnssec.publishKeys(here.zone); // CDS/CDNSKEY of the key (after a withdrawal: no delete records)
      const view = await this.dnssec.view(here.zone);
      const ds = view.ds.find((x) => x.digestType === 2);
      if (!ds) throw new Error('the zone has no active secure-entry-point key');
      const want = dsText(ds);
      // Our DS at the registry (and no other DS or KEY: the domain's DNSSEC is ours while enrolled).
      const atRegistry = await this.store.registrar.dnssec(d.id);
      const ours = new Set(registryDs(atRegistry).filter((r) => r.text === want).map((r) => r.id));
      if (ours.size === 0) await this.registry.addDnssec(d, { type: 'DS', keyTag: ds.keyTag, algorithm: ds.algorithm, digestType: 2, digest: ds.digest });
      for (const r of atRegistry) if (!ours.has(r.id)) await this.registry.deleteDnssec(d, r.id);
      const served = await this.#parentDs(d);
      if (served === null) {
        Object.assign(a, { status: 'pending', reason: 'The DS is at the registry; the parent zone cannot be asked from here, so it is checked again later.', lastError: null });
      } else if (served.some((s) => dsText(s) === want)) {
        Object.assign(a, { status: 'active', reason: null, lastError: null });
      } else {
        Object.assign(a, { status: 'pending', reason: 'The zone is signed and the DS is at the registry; waiting for the parent zone to publish it.', lastError: null });
      }
    } catch (err) {
      Object.assign(a, { status: 'error', reason: 'Enrollment failed; it is retried automatically.', lastError: (err as Error).message });
    }
    return this.#save(d, a);
  }

  /** The DS records the parent zone serves: from our store when we serve it (the sandbox TLDs), else asked. */
  async #parentDs(d: Domain): Promise<string[] | null> {
    const dot = d.name.indexOf('.');
    const parent = await this.store.zones.getByName(d.name.slice(dot + 1));
    if (parent && parent.status === 'active') {
      return (await this.store.records.list(parent.id, { name: d.name, type: 'DS' })).filter((r) => r.status === 'active').map((r) => r.rdata);
    }
    return this.#probe ? this.#probe(d.name) : null;
  }

  /** The parent's DS TTL: the DS record's TTL when we serve the parent and it has one, else a day. */
  async #parentDsTtl(d: Domain): Promise<number> {
    const parent = await this.store.zones.getByName(d.name.slice(d.name.indexOf('.') + 1));
    if (!parent) return DEFAULT_PARENT_DS_TTL;
    const ds = await this.store.records.list(parent.id, { name: d.name, type: 'DS' });
    return ds.reduce((max, r) => Math.max(max, r.ttl), 0) || DEFAULT_PARENT_DS_TTL;
  }

  /**
   * Stops DNSSEC safely: the DS goes first (registry), CDS/CDNSKEY announce the removal (RFC 8078),
   * and signing stops only once the parent's DS TTL has passed (cached DS records expire first).
   */
  async #withdraw(d: Domain, a: DnssecAuto, prefix: string, removeDs: (recordId: string) => Promise<void> = (id) => this.registry.deleteDnssec(d, id)): Promise<void> {
    const zone = await this.store.zones.getByDomainId(d.id);
    const signed = zone !== undefined && (await this.store.dnssecKeys.list(zone.id)).length > 0;
    a.lastCheckedAt = this.clock.now().toISOString();
    a.blockedUntil = null;
    a.blockReason = null;
    try {
      // The parent's DS TTL is read while the DS is still there (it is what resolvers may cache).
      const ttl = await this.#parentDsTtl(d);
      const atRegistry = await this.store.registrar.dnssec(d.id);
      for (const r of atRegistry) await removeDs(r.id);
      if (!signed) {
        // Unsigned: nothing to keep signing; a DS that was there still ends only after its TTL.
        Object.assign(a, {
          status: atRegistry.length > 0 ? 'pending' : a.enabled ? 'inactive' : 'excluded',
          reason: atRegistry.length > 0 ? `${prefix}the DS is removed at the registry.` : `${prefix}automatic DNSSEC is off for this domain.`,
          lastError: null,
          withdrawUntil: atRegistry.length > 0 ? new Date(this.clock.now().getTime() + ttl * 1000).toISOString() : null,
        });
        return this.#save(d, a);
      }
      await this.dnssec.publishKeys(zone!, { withdraw: true });
      Object.assign(a, {
        status: 'pending',
        reason: `${prefix}the DS is removed at the registry; the zone stays signed until the parent's DS TTL (${ttl} s) has passed.`,
        lastError: null,
        withdrawUntil: new Date(this.clock.now().getTime() + ttl * 1000).toISOString(),
      });
    } catch (err) {
      Object.assign(a, { status: 'error', reason: `${prefix}withdrawing the DS failed; it is retried automatically.`, lastError: (err as Error).message, withdrawUntil: this.clock.now().toISOString() });
    }
    return this.#save(d, a);
  }

  async #finishWithdraw(d: Domain, a: DnssecAuto): Promise<void> {
    if (a.status === 'error') return this.#withdraw(d, a, a.reason?.startsWith('Excluded') ? 'Excluded: ' : 'Nameservers moved: ');
    if (a.withdrawUntil !== null && this.clock.now().getTime() < Date.parse(a.withdrawUntil)) return this.#save(d, a);
    const zone = await this.store.zones.getByDomainId(d.id);
    if (zone) await this.dnssec.disableSigning(zone, { force: true });
    Object.assign(a, { status: a.reason?.startsWith('Nameservers moved') ? 'inactive' : 'excluded', withdrawUntil: null, lastError: null, lastCheckedAt: this.clock.now().toISOString() });
    a.reason = a.status === 'excluded' ? 'Excluded: the DS is gone and the zone is no longer signed.' : 'The nameservers moved away from this server; DNSSEC was withdrawn safely.';
    return this.#save(d, a);
  }

  /**
   * A key rollover's DS swap (DnssecService.rolloverStep): an enrolled domain's DS moves to the new
   * key at the registry now. Returns how long the parent's old DS may stay cached (seconds).
   */
  async afterDsSwap(zone: Zone): Promise<number> {
    const d = zone.domainId ? await this.store.domains.get(zone.domainId) : undefined;
    if (!d) return DEFAULT_PARENT_DS_TTL;
    const a = await this.store.dnssecKeys.getAuto(d.id);
    if (a && a.enabled && a.withdrawUntil === null) await this.#evaluate(d, a);
    return this.#parentDsTtl(d);
  }

  /**
   * Whether the parent still has a DS of this key: the registry's record for domains registered
   * here; for others what the parent serves (asked through the resolver, when one is set).
   */
  async parentStillHas(zone: Zone, dnskey: string): Promise<boolean> {
    const wanted = new Set(dsOf(zone.name, dnskey).map(dsText));
    const d = zone.domainId ? await this.store.domains.get(zone.domainId) : undefined;
    if (d && d.kind === 'registered') {
      const atRegistry = await this.store.registrar.dnssec(d.id);
      return registryDs(atRegistry).some((r) => wanted.has(r.text));
    }
    const served = this.#probe ? await this.#probe(zone.name) : null;
    return served !== null && served.some((s) => wanted.has(dsText(s)));
  }

  /** The parent's DS TTL for the zone's domain (a day when it is not known). */
  async parentDsTtlOf(zone: Zone): Promise<number> {
    const d = zone.domainId ? await this.store.domains.get(zone.domainId) : undefined;
    return d ? this.#parentDsTtl(d) : DEFAULT_PARENT_DS_TTL;
  }

  /**
   * Called by RegistryService before a domain's nameservers change away from this server: while
   * enrolled, the DS is withdrawn first (never a DS the new nameservers cannot match).
   */
  async nameserversLeaving(d: Domain, removeDs: (recordId: string) => Promise<void>): Promise<string | null> {
    const a = await this.store.dnssecKeys.getAuto(d.id);
    if (!a) return null;
    const now = this.clock.now().getTime();
    // Withdrawn already: the change waits until the DS can no longer be cached.
    if (a.withdrawUntil !== null) return now >= Date.parse(a.withdrawUntil) ? null : a.withdrawUntil;
    const hasDs = (await this.store.registrar.dnssec(d.id)).length > 0;
    if (!hasDs && !(await this.#signed(d))) return null;
    await this.#withdraw(d, a, 'Nameservers moved: ', removeDs);
    if (a.status === 'error') throw new AppError('registry_unavailable', `The DS of ${d.name} could not be withdrawn before the nameserver change: ${a.lastError}`);
    return a.withdrawUntil;
  }
}
