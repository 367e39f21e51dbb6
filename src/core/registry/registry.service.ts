// Registrations through the HostUp-style API: register a domain at its TLD's registry, manage its
// nameserver set, glue host objects and DNSSEC material. Always the registry first, then our record
// of what it confirmed, so our state never claims what the registry has not done.
import { KeyedQueue } from '../keyed-queue.js';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError, fieldError, invalid } from '../errors.js';
import { newId } from '../ids.js';
import type { Domain, RegistryDnssecRecord } from '../model.js';
import { isInZone, parseName } from '../names.js';
import type { Clock, Store } from '../ports.js';
import type { CoreSettings } from '../settings.js';
import { REGISTRY_ACCOUNT_KEY, type ZonesService } from '../zones/zones.service.js';
import type { Registry } from './registry.port.js';
import { atRegistry, dnssecView, ensureHost, hostKey, sameSet } from './registry-support.js';
import { checkDnssecInput, checkGlueInput, checkNameserverSet, MAX_HOSTS_PER_DOMAIN } from './registry-rules.js';
import { SandboxRegistry } from './sandbox-registry.js';

/** Statuses the registrar lock sets at the registry (RFC 5731 2.3). */
export const LOCK_STATUSES = ['clientTransferProhibited', 'clientDeleteProhibited'];

export interface NameserversView {
  domainName: string;
  nameservers: string[];
  nameserversChangedAt: string | null;
  registrarLock: { enabled: boolean };
  actions: { canChangeNameservers: boolean; reason: string | null };
  dnssecAutoWillBeBlocked: boolean;
  precheck: { status: string; checkedAt: string | null; error: string | null } | null;
  /** A nameserver change waiting for the DNSSEC withdrawal (docs/dnssec.md): what, when and why. */
  pendingChange?: { nameservers: string[]; at: string; reason: string };
}

export class RegistryService {
  readonly sandbox: SandboxRegistry | null;
  /** Asks this server's DNS whether it answers for a zone (null = it does); set by `serve`. */
  #probe: ((zone: string) => Promise<string | null>) | null = null;
  readonly #chains = new KeyedQueue();

  constructor(
    private readonly store: Store,
    private readonly settings: CoreSettings,
    private readonly clock: Clock,
    private readonly zones: ZonesService,
    /** Registries other than the sandbox, by TLD (EPP adapters). */
    private readonly external: ReadonlyMap<string, Registry> = new Map(),
  ) {
    this.sandbox = settings.registry.sandboxTlds.length > 0 ? new SandboxRegistry(store, clock, settings, settings.registry.sandboxTlds) : null;
  }

  /** The registry of a name's TLD, or null when none is configured. */
  registryFor(name: string): { registry: Registry; tld: string } | null {
    const tld = name.split('.').pop()!;
    const ext = this.external.get(tld);
    if (ext) return { registry: ext, tld };
    if (this.sandbox && this.settings.registry.sandboxTlds.includes(tld)) return { registry: this.sandbox, tld };
    return null;
  }

  private registered(d: Domain): Registry {
    if (d.kind !== 'registered') throw new AppError('operation_unavailable', `${d.name} is registered elsewhere; its nameservers, glue and DNSSEC are managed at its registrar.`);
    const r = this.registryFor(d.name);
    if (!r) throw new AppError('registry_unavailable', `No registry is configured for .${d.name.split('.').pop()} any more.`);
    return r.registry;
  }

  private unlocked(d: Domain): void {
    if (d.registrarLockEnabled) throw new AppError('domain_locked', `The registrar lock of ${d.name} is on; turn it off first (PATCH /domains/{id} with registrarLockEnabled: false).`);
  }

  /** POST /domains: registers `name` for the account and links a new DNS zone to it. */
  async register(accountId: string, body: { name: string; years?: number; nameservers?: string[] }): Promise<Domain> {
    const n = parseName(body.name ?? '', 'hostname');
    if (!n.ok) throw invalid([fieldError('/name', 'invalid_format', `\`name\` ${n.detail}.`)]);
    const name = n.name;
    const years = body.years ?? 1;
    if (!Number.isInteger(years) || years < 1 || years > 10) throw invalid([fieldError('/years', 'out_of_range', '`years` must be 1 to 10.')]);
    const target = this.registryFor(name);
    if (!target) throw new AppError('operation_unavailable', `No registry is configured for .${name.split('.').pop()}; this server registers ${[...this.settings.registry.sandboxTlds, ...this.external.keys()].map((t) => `.${t}`).join(', ') || 'no TLDs'}.`, { errors: [fieldError('/name', 'not_allowed', 'The TLD has no registry here.')] });
    let nameservers = this.settings.nameservers;
    if (body.nameservers !== undefined) {
      const c = checkNameserverSet(name, { nameservers: body.nameservers }, new Map());
      if (!c.entries) throw invalid(c.errors.map((e) => (e.pointer.startsWith('/nsips') ? { ...e, pointer: e.pointer.replace('/nsips', '/nameservers'), detail: `${e.detail} At registration a domain can only use nameservers outside it; add child nameservers after their glue exists.` } : e)));
      nameservers = c.entries.map((e) => e.name);
    }
    if (await this.store.domains.getByName(name)) throw new AppError('conflict', `${name} is already a domain on this server.`, { errors: [fieldError('/name', 'conflict', 'This domain exists already.')] });
    // The linked zone must be possible before the registry is asked (no registration without it).
    const registryAccount = await this.store.meta.get(REGISTRY_ACCOUNT_KEY);
    for (const z of await this.store.zones.findOverlapping(name)) {
      if (z.accountId === registryAccount && z.name !== name) continue;
      if (z.accountId !== accountId) throw new AppError('conflict', `${name} overlaps a zone managed by another account.`, { errors: [fieldError('/name', 'conflict', '`name` overlaps a zone of another account.')] });
    }
    const reg = await atRegistry(() => target.registry.createDomain({ name, years, nameservers, authInfo: randomBytes(12).toString('base64url') }));
    const iso = this.clock.now().toISOString();
    const domain: Domain = {
      id: newId('domain'), uuid: randomUUID(), accountId, name, kind: 'registered', serviceStatus: 'active', autoRenewEnabled: false, registrarLockEnabled: false,
      expiresAt: reg.expiresAt, nameservers: reg.nameservers, nameserversChangedAt: iso, createdAt: iso, updatedAt: iso,
    };
    await this.store.domains.create(domain);
    await this.zones.create(accountId, name);
    return domain;
  }

  async nameservers(d: Domain): Promise<NameserversView> {
    const can = d.kind === 'registered' && !d.registrarLockEnabled;
    const job = await this.store.jobs.latest(d.id, 'zone_precheck');
    return {
      domainName: d.name,
      nameservers: d.nameservers,
      nameserversChangedAt: d.nameserversChangedAt,
      registrarLock: { enabled: d.registrarLockEnabled },
      actions: { canChangeNameservers: can, reason: can ? null : d.kind !== 'registered' ? 'The domain is registered elsewhere.' : 'The registrar lock is on.' },
      dnssecAutoWillBeBlocked: can,
      // A pending job that failed before is being retried: still queued, with the last error.
      precheck: job ? { status: job.status === 'pending' ? 'queued' : job.status === 'done' ? 'passed' : 'failed', checkedAt: job.attempts > 0 ? job.updatedAt : null, error: job.lastError } : null,
    };
  }

  private async doSetNameservers(d: Domain, body: { nameservers?: unknown; nsips?: unknown }): Promise<{ view: NameserversView; queued: boolean }> {
    const registry = this.registered(d);
    this.unlocked(d);
    const hosts = new Map((await this.store.registrar.hosts(d.id)).map((h) => [h.hostname, h.ips]));
    const c = checkNameserverSet(d.name, body, hosts);
    if (!c.entries) throw invalid(c.errors, 'The nameserver set failed validation.');
    const now = this.clock.now().toISOString();
    // Child nameservers sent with addresses: their host objects first (create or update).
    for (const e of c.entries) {
      if (!e.addresses) continue;
      const exists = hosts.has(e.name);
      if (exists && sameSet(hosts.get(e.name)!, e.addresses)) continue;
      await ensureHost(registry, e.name, e.addresses, exists);
      await this.store.registrar.putHost({ hostname: e.name, domainId: d.id, ips: e.addresses, createdAt: now, updatedAt: now });
    }
    const next = c.entries.map((e) => e.name);
    // A change waiting for a DNSSEC withdrawal is replaced by this newer request.
    await this.store.jobs.supersede('registry_retry', `${d.id}:nameservers-deferred:`, now);
    const add = next.filter((n) => !d.nameservers.includes(n));
    const rem = d.nameservers.filter((n) => !next.includes(n));
    let updated = d;
    const ours = (set: string[]): boolean => set.length > 0 && set.every((n) => this.settings.nameservers.includes(n));
    if ((add.length > 0 || rem.length > 0) && ours(d.nameservers) && !ours(next) && this.beforeNameserversLeave) {
      // A signed, enrolled domain: its DS goes first, and the new nameservers only once the DS
      // can no longer be cached anywhere (resolvers holding it would reject the new, unsigned answers).
      const until = await this.beforeNameserversLeave(d, (id) => this.doDeleteDnssec(d, id));
      if (until !== null) {
        const now = this.clock.now().toISOString();
        await this.store.jobs.enqueue({ id: newId('job'), kind: 'registry_retry', subject: `${d.id}:nameservers-deferred:`, payload: { op: 'nameservers', domainId: d.id, args: { body } }, status: 'pending', runAt: until, attempts: 0, lastError: null, createdAt: now, updatedAt: now });
        const reason = 'The domain is signed: its DS was removed at the registry first; the new nameservers are set once the DS can no longer be cached by resolvers (the parent\'s DS TTL).';
        return { view: { ...(await this.nameservers(d)), pendingChange: { nameservers: next, at: until, reason } }, queued: true };
      }
    }
    if (add.length > 0 || rem.length > 0) {
      const reg = await atRegistry(() => registry.updateDomain(d.name, { addNameservers: add, removeNameservers: rem }));
      updated = (await this.store.domains.update(d.id, { nameservers: reg.nameservers, nameserversChangedAt: now, updatedAt: now }))!;
    }
    const own = sameSet(next, this.settings.nameservers);
    if (own) {
      // Our own nameservers: check that the zone exists and answers before anyone relies on it.
      await this.store.jobs.enqueue({ id: newId('job'), kind: 'zone_precheck', subject: d.id, payload: { domain: d.name }, status: 'pending', runAt: now, attempts: 0, lastError: null, createdAt: now, updatedAt: now });
    }
    return { view: await this.nameservers(updated), queued: own };
  }

  private glueTld(d: Domain): boolean {
    return this.settings.registry.glueTlds.includes(d.name.split('.').pop()!);
  }

  glueAllowed(d: Domain): { allowed: boolean; reason: string | null } {
    if (d.kind !== 'registered') return { allowed: false, reason: 'The domain is registered elsewhere; glue is managed at its registrar.' };
    if (!this.glueTld(d)) return { allowed: false, reason: `The .${d.name.split('.').pop()} registry takes no glue records from this server.` };
    if (d.registrarLockEnabled) return { allowed: false, reason: 'The registrar lock is on.' };
    return { allowed: true, reason: null };
  }

  async glue(d: Domain) {
    const hosts = this.glueTld(d) ? await this.store.registrar.hosts(d.id) : [];
    const allowed = this.glueAllowed(d);
    const reached = hosts.length >= MAX_HOSTS_PER_DOMAIN;
    return {
      domainName: d.name,
      glueRecords: hosts.map((h) => ({ hostname: h.hostname, ips: h.ips })),
      count: hosts.length,
      registryLimit: { current: hosts.length, max: MAX_HOSTS_PER_DOMAIN, reached },
      actions: { canCreateGlueRecord: allowed.allowed && reached ? { allowed: false, reason: `The registry allows at most ${MAX_HOSTS_PER_DOMAIN} host objects per domain.` } : allowed },
    };
  }

  private async doPutGlue(d: Domain, body: { hostname?: unknown; ips?: unknown }): Promise<{ hostname: string; ips: string[] }> {
    const allowed = this.glueAllowed(d);
    const c = checkGlueInput(d.name, body);
    if (!c.hostname) throw invalid(c.errors, 'The glue record failed validation.');
    if (!allowed.allowed) throw new AppError(d.registrarLockEnabled ? 'domain_locked' : 'operation_unavailable', allowed.reason!);
    const registry = this.registered(d);
    const existing = (await this.store.registrar.hosts(d.id)).find((h) => h.hostname === c.hostname);
    if (existing && sameSet(existing.ips, c.ips!)) return { hostname: existing.hostname, ips: existing.ips };
    if (!existing && (await this.store.registrar.hosts(d.id)).length >= MAX_HOSTS_PER_DOMAIN) {
      throw new AppError('limit_exceeded', `${d.name} has ${MAX_HOSTS_PER_DOMAIN} glue records, the registry's limit.`, { extra: { limit: MAX_HOSTS_PER_DOMAIN } });
    }
    await ensureHost(registry, c.hostname, c.ips!, existing !== undefined);
    const now = this.clock.now().toISOString();
    await this.store.registrar.putHost({ hostname: c.hostname, domainId: d.id, ips: c.ips!, createdAt: existing?.createdAt ?? now, updatedAt: now });
    return { hostname: c.hostname, ips: c.ips! };
  }

  private async doDeleteGlue(d: Domain, rawHostname: string): Promise<void> {
    const n = parseName(rawHostname, 'hostname');
    const host = n.ok ? (await this.store.registrar.hosts(d.id)).find((h) => h.hostname === n.name) : undefined;
    if (!host) throw new AppError('not_found', `No glue record ${rawHostname} on ${d.name}.`);
    const registry = this.registered(d);
    this.unlocked(d);
    if (d.nameservers.includes(host.hostname)) {
      throw new AppError('conflict', `${host.hostname} is in the nameserver set of ${d.name}; change the nameservers first.`, { errors: [fieldError('', 'conflict', 'The host is still a nameserver of the domain.')] });
    }
    await atRegistry(() => registry.deleteHost(host.hostname));
    await this.store.registrar.deleteHost(host.hostname);
  }

  async dnssec(d: Domain) {
    const records = await this.store.registrar.dnssec(d.id);
    const can = d.kind === 'registered' && !d.registrarLockEnabled;
    return { domainName: d.name, records: records.map(dnssecView), actions: { canAdd: can } };
  }

  private async doAddDnssec(d: Domain, body: Record<string, unknown>): Promise<ReturnType<typeof dnssecView>> {
    const c = checkDnssecInput(body);
    if (!c.material) throw invalid(c.errors, 'The DNSSEC record failed validation.');
    const registry = this.registered(d);
    this.unlocked(d);
    const existing = await this.store.registrar.dnssec(d.id);
    const same = existing.find((r) => JSON.stringify(r.material) === JSON.stringify(c.material));
    if (same) return dnssecView(same);
    await atRegistry(() => registry.updateDomain(d.name, { addDnssec: [c.material!] }));
    const rec: RegistryDnssecRecord = { id: newId('dnssecKey'), domainId: d.id, material: c.material, createdAt: this.clock.now().toISOString() };
    await this.store.registrar.addDnssec(rec);
    return dnssecView(rec);
  }

  private async doDeleteDnssec(d: Domain, id: string): Promise<void> {
    const rec = (await this.store.registrar.dnssec(d.id)).find((r) => r.id === id.toLowerCase());
    if (!rec) throw new AppError('not_found', `No DNSSEC record ${id} on ${d.name}.`);
    const registry = this.registered(d);
    this.unlocked(d);
    await atRegistry(() => registry.updateDomain(d.name, { removeDnssec: [rec.material] }));
    await this.store.registrar.deleteDnssec(d.id, rec.id);
  }

  private async doSetLock(d: Domain, enabled: boolean): Promise<void> {
    const registry = this.registered(d);
    await atRegistry(() => registry.updateDomain(d.name, enabled ? { addStatuses: LOCK_STATUSES } : { removeStatuses: LOCK_STATUSES }));
  }

  // --- operations retried through the job table when the registry is unavailable -------------

  /** POST /domains/{id}/nameservers → the new view, and whether a zone precheck was queued (202). */
  setNameservers(d: Domain, body: { nameservers?: unknown; nsips?: unknown }): Promise<{ view: NameserversView; queued: boolean }> {
    return this.retrying(d, 'nameservers', '', { body }, (fresh) => this.doSetNameservers(fresh, body));
  }

  /** Creates or updates a host object (idempotent: the same addresses again change nothing). */
  putGlue(d: Domain, body: { hostname?: unknown; ips?: unknown }): Promise<{ hostname: string; ips: string[] }> {
    return this.retrying(d, 'glue', hostKey(body.hostname), { body }, (fresh) => this.doPutGlue(fresh, body));
  }

  deleteGlue(d: Domain, hostname: string): Promise<void> {
    return this.retrying(d, 'glue', hostKey(hostname), { hostname }, (fresh) => this.doDeleteGlue(fresh, hostname));
  }

  addDnssec(d: Domain, body: Record<string, unknown>): Promise<ReturnType<typeof dnssecView>> {
    const key = createHash('sha256').update(JSON.stringify(checkDnssecInput(body).material ?? body)).digest('hex').slice(0, 32);
    return this.retrying(d, 'dnssec-add', key, { body }, (fresh) => this.doAddDnssec(fresh, body));
  }

  deleteDnssec(d: Domain, id: string): Promise<void> {
    return this.retrying(d, 'dnssec-delete', id.toLowerCase(), { id }, (fresh) => this.doDeleteDnssec(fresh, id));
  }

  /** The registrar lock at the registry (statuses), before the domain row records it. */
  setLock(d: Domain, enabled: boolean): Promise<void> {
    return this.retrying(d, 'lock', '', { enabled }, (fresh) => this.doSetLock(fresh, enabled));
  }

  /**
   * Runs an idempotent registry operation; when the registry is unavailable, queues a
   * `registry_retry` job that repeats it (with backoff) and still answers 503, saying so. One job
   * per domain, operation and target: a newer request replaces the queued one (the latest intent).
   */
  private async retrying<T>(d: Domain, op: RetryOp, target: string, args: Record<string, unknown>, fn: (fresh: Domain) => Promise<T>): Promise<T> {
    const subject = `${d.id}:${op}:${target}`.slice(0, 500);
    try {
      const out = await this.serialized(d.id, async () => fn((await this.store.domains.get(d.id)) ?? d));
      // Done now: a change queued earlier for the same target must not run later and undo it.
      await this.store.jobs.supersede('registry_retry', subject, this.clock.now().toISOString());
      return out;
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'registry_unavailable') throw e;
      const now = this.clock.now();
      const job = await this.store.jobs.enqueue({
        id: newId('job'),
        kind: 'registry_retry',
        subject,
        payload: { op, domainId: d.id, args },
        status: 'pending',
        runAt: new Date(now.getTime() + RETRY_FIRST_MS).toISOString(),
        attempts: 0,
        lastError: e.message,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      });
      throw new AppError('registry_unavailable', `${e.message} The change is queued and will be retried (job ${job.id}).`, { extra: { ...e.extra, retryQueued: true, jobId: job.id } });
    }
  }

  /**
   * Runs the registry operations on one domain one after another (in this process), so that our
   * record follows the registry in the order the registry applied them.
   */
  private serialized<T>(domainId: string, fn: () => Promise<T>): Promise<T> {
    return this.#chains.run(domainId, fn);
  }

  /** Job `registry_retry`: repeats the queued operation; a new failure reschedules it. */
  async retry(payload: Record<string, unknown>): Promise<void> {
    const domainId = String(payload.domainId);
    return this.serialized(domainId, () => this.retryNow(domainId, payload));
  }

  private async retryNow(domainId: string, payload: Record<string, unknown>): Promise<void> {
    const d = await this.store.domains.get(domainId);
    if (!d) return; // the domain is gone: nothing left to do
    const args = (payload.args ?? {}) as Record<string, unknown>;
    try {
      switch (payload.op as RetryOp) {
        case 'nameservers':
          await this.doSetNameservers(d, args.body as { nameservers?: unknown });
          return;
        case 'glue':
          if (args.hostname !== undefined) await this.doDeleteGlue(d, String(args.hostname));
          else await this.doPutGlue(d, args.body as { hostname?: unknown; ips?: unknown });
          return;
        case 'dnssec-add':
          // Automatic DNSSEC withdrawn (or being withdrawn) since: the queued DS must not appear now.
          if (this.allowDnssecAdd && !(await this.allowDnssecAdd(d.id))) throw new FinalRetryError(`DNSSEC of ${d.name} was withdrawn since; the queued DS is not added.`);
          await this.doAddDnssec(d, args.body as Record<string, unknown>);
          return;
        case 'dnssec-delete':
          await this.doDeleteDnssec(d, String(args.id));
          return;
        case 'lock':
          await this.doSetLock(d, args.enabled === true);
          await this.store.domains.update(d.id, { registrarLockEnabled: args.enabled === true, updatedAt: this.clock.now().toISOString() });
          return;
        default:
          throw new Error(`unknown registry operation ${String(payload.op)}`);
      }
    } catch (e) {
      // A refusal now is final (the state has moved on since the request): failed, not retried.
      if (e instanceof AppError && e.code !== 'registry_unavailable') throw new FinalRetryError(e.message);
      throw e;
    }
  }

  /**
   * Queues the renewal of a registered domain with auto-renew on, `AUTO_RENEW_LEAD_DAYS` before it
   * expires (at once when that is past). The job re-checks the flag when it runs.
   */
  async scheduleAutoRenew(d: Domain): Promise<void> {
    if (d.kind !== 'registered' || d.expiresAt === null) return;
    const now = this.clock.now();
    const at = Math.max(now.getTime(), Date.parse(d.expiresAt) - AUTO_RENEW_LEAD_DAYS * 86_400_000);
    await this.store.jobs.enqueue({ id: newId('job'), kind: 'auto_renew', subject: d.id, payload: { expiresAt: d.expiresAt }, status: 'pending', runAt: new Date(at).toISOString(), attempts: 0, lastError: null, createdAt: now.toISOString(), updatedAt: now.toISOString() });
  }

  /**
   * Job `auto_renew`: renews for one year at the registry (RFC 5731 3.2.3: the current expiry is
   * given, so a repeated run cannot renew twice), records it, and runs again before the new expiry.
   */
  async autoRenew(domainId: string): Promise<void | { rerunAt: string }> {
    const d = await this.store.domains.get(domainId);
    if (!d || d.kind !== 'registered' || !d.autoRenewEnabled || d.expiresAt === null) return; // turned off meanwhile: nothing to do
    const registry = this.registered(d);
    // The registry's expiry first: a renewal done before (its reply lost) is recorded, not repeated.
    const info = await atRegistry(() => registry.infoDomain(d.name));
    if (Date.parse(info.expiresAt) > Date.parse(d.expiresAt)) {
      await this.store.domains.update(d.id, { expiresAt: info.expiresAt, updatedAt: this.clock.now().toISOString() });
      return { rerunAt: new Date(Date.parse(info.expiresAt) - AUTO_RENEW_LEAD_DAYS * 86_400_000).toISOString() };
    }
    const reg = await atRegistry(() => registry.renewDomain(d.name, info.expiresAt, 1));
    await this.store.domains.update(d.id, { expiresAt: reg.expiresAt, updatedAt: this.clock.now().toISOString() });
    return { rerunAt: new Date(Date.parse(reg.expiresAt) - AUTO_RENEW_LEAD_DAYS * 86_400_000).toISOString() };
  }

  /**
   * Runs before a domain's nameservers move away from this server (automatic DNSSEC withdraws its
   * DS), inside the domain's serialized registry operation: it removes DS records through
   * `removeDs`, never through deleteDnssec (which would wait for this very operation).
   */
  beforeNameserversLeave: ((d: Domain, removeDs: (recordId: string) => Promise<void>) => Promise<string | null>) | null = null;
  /** Whether a queued DS may still be added (automatic DNSSEC may have withdrawn it since). */
  allowDnssecAdd: ((domainId: string) => Promise<boolean>) | null = null;

  setZoneProbe(probe: (zone: string) => Promise<string | null>): void {
    this.#probe = probe;
  }

  /** Why this server's DNS does not answer a zone authoritatively (null: it does, or DNS is not in this process). */
  async probeZone(zone: string): Promise<string | null> {
    return this.#probe ? this.#probe(zone) : null;
  }

  /**
   * Job `zone_precheck`: the domain's zone exists here and is active, and — when this process runs
   * the DNS server — that server answers it authoritatively (a SOA query).
   */
  async precheck(domainId: string): Promise<void> {
    const d = await this.store.domains.get(domainId);
    if (!d) throw new Error('the domain no longer exists');
    const zone = await this.store.zones.getByDomainId(d.id);
    if (!zone) throw new Error(`no DNS zone for ${d.name} on this server; create it before pointing the domain here`);
    if (zone.status !== 'active') throw new Error(`the zone ${zone.name} is ${zone.status}`);
    if (!isInZone(d.name, zone.name)) throw new Error('the zone does not match the domain');
    const why = this.#probe ? await this.#probe(zone.name) : null;
    if (why !== null) throw new Error(why);
  }
}

/** A queued registry operation the registry (or our rules) now refuses: retrying cannot help. */
export class FinalRetryError extends Error {
  readonly final = true;
}

type RetryOp = 'nameservers' | 'glue' | 'dnssec-add' | 'dnssec-delete' | 'lock';
const RETRY_FIRST_MS = 30_000;
/** Auto-renewal runs this many days before the expiry (registries renew for a year from it). */
export const AUTO_RENEW_LEAD_DAYS = 30;
