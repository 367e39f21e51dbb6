// The built-in sandbox registry: a registry of its own for the configured TLDs (`test` by default),
// keeping domains and host objects in its own tables, enforcing registry rules (RFC 5731/5732
// semantics, EPP result codes in its errors) and publishing the TLD zone — NS delegations, glue
// and DS — through zonekeeper's DNS server, so resolvers can follow `test.` down to the domain.
import { serverRecord } from '../records/record-rr.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { newId } from '../ids.js';
import type { DnsRecord, Domain, Zone } from '../model.js';
import { isInZone, labelsOf } from '../names.js';
import { nextSerial, type Clock, type SandboxDomainRow, type SandboxHostRow, type Store } from '../ports.js';
import { RECORD_TYPES } from '../records/record-types.js';
import { API_CONTEXT } from '../records/record-descriptor.js';
import type { CoreSettings } from '../settings.js';
import { REGISTRY_ACCOUNT_KEY } from '../zones/zones.service.js';
import { RegistryError, type DomainUpdate, type Registry, type RegistryDomain, type RegistryHost } from './registry.port.js';
import { MAX_GLUE_IPS, MAX_HOSTS_PER_DOMAIN, MAX_NAMESERVERS, type DnssecMaterial } from './registry-rules.js';

/** Statuses that block changes (RFC 5731 2.3): the server refuses updates or deletes. */
const UPDATE_PROHIBITED = 'clientUpdateProhibited';
const TLD_TTL = 86_400;
/** The sponsoring client id of zonekeeper's own registrar (the HTTP API). */
export const REGISTRAR_CLIENT_ID = 'zonekeeper';

function sameMaterial(a: DnssecMaterial, b: DnssecMaterial): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SandboxRegistry implements Registry {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: CoreSettings,
    /** The TLDs this sandbox is the registry of (canonical, e.g. `test`). */
    readonly tlds: readonly string[],
    /** The client this view acts for (EPP clID): it sponsors what it creates, and only that it may change. */
    readonly sponsor: string = REGISTRAR_CLIENT_ID,
  ) {}

  /** The same registry as seen by another client (the EPP server makes one per logged-in clID). */
  forSponsor(clID: string): SandboxRegistry {
    return new SandboxRegistry(this.store, this.clock, this.settings, this.tlds, clID);
  }

  /** RFC 5730 2201: an object of another sponsoring client may be read, not changed. */
  private mine(sponsor: string, what: string): void {
    if (sponsor !== this.sponsor) throw new RegistryError('rejected', `${what} is sponsored by another registrar.`, 2201);
  }

  /**
   * Reads the domain, applies `change`, writes it if nobody wrote in between (the version), and
   * otherwise starts over — other processes (serve-epp, another serve) share these tables.
   */
  private async modifyDomain(name: string, change: (d: SandboxDomainRow) => SandboxDomainRow | Promise<SandboxDomainRow>): Promise<SandboxDomainRow> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = await this.domainRow(name);
      this.mine(d.sponsor, name);
      const next = await change(d);
      if (await this.store.sandbox.saveDomain(next)) return { ...next, version: d.version + 1 };
    }
    throw new RegistryError('unavailable', `${name} is being changed by others at the same time; retry.`, 2400);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** The TLD a name is directly under (registrable names have exactly one more label). */
  private tldOf(name: string): string {
    const tld = this.tlds.find((t) => name !== t && isInZone(name, t) && labelsOf(name).length === labelsOf(t).length + 1);
    if (!tld) throw new RegistryError('rejected', `${name} is not a registrable name under ${this.tlds.map((t) => `.${t}`).join(', ')}.`, 2306);
    return tld;
  }

  private async domainRow(name: string): Promise<SandboxDomainRow> {
    const d = await this.store.sandbox.domain(name);
    if (!d) throw new RegistryError('not_found', `The registry has no domain ${name}.`, 2303);
    return d;
  }

  private async view(d: SandboxDomainRow): Promise<RegistryDomain> {
    return { name: d.name, roid: d.roid, nameservers: d.nameservers, statuses: d.statuses.length ? d.statuses : ['ok'], createdAt: d.createdAt, expiresAt: d.expiresAt, dnssec: d.dnssec, sponsor: d.sponsor };
  }

  /** A nameserver named in a domain's set: a host under one of our TLDs must exist as a host object. */
  private async checkNameservers(nameservers: string[]): Promise<void> {
    for (const ns of nameservers) {
      if (this.tlds.some((t) => isInZone(ns, t)) && !(await this.store.sandbox.host(ns))) {
        throw new RegistryError('rejected', `Host ${ns} does not exist at the registry; create it (glue) first.`, 2303);
      }
    }
  }

  async checkDomains(names: string[]): Promise<{ name: string; available: boolean; reason?: string }[]> {
    const out = [];
    for (const name of names) {
      try {
        this.tldOf(name);
      } catch (e) {
        out.push({ name, available: false, reason: (e as Error).message });
        continue;
      }
      const taken = await this.store.sandbox.domain(name);
      out.push(taken ? { name, available: false, reason: 'In use.' } : { name, available: true });
    }
    return out;
  }

  async createDomain(input: { name: string; years: number; nameservers: string[]; authInfo: string }): Promise<RegistryDomain> {
    this.tldOf(input.name);
    if (input.years < 1 || input.years > 10) throw new RegistryError('rejected', 'The registration period must be 1 to 10 years.', 2004);
    if (input.nameservers.length > MAX_NAMESERVERS) throw new RegistryError('rejected', `At most ${MAX_NAMESERVERS} nameservers.`, 2306);
    await this.checkNameservers(input.nameservers);
    const now = this.clock.now();
    const expires = new Date(now);
    expires.setUTCFullYear(expires.getUTCFullYear() + input.years);
    const row: SandboxDomainRow = {
      name: input.name,
      roid: `${randomBytes(6).toString('hex').toUpperCase()}-SANDBOX`,
      sponsor: this.sponsor,
      version: 0,
      authInfo: input.authInfo,
      statuses: [],
      nameservers: [...input.nameservers],
      dnssec: [],
      createdAt: now.toISOString(),
      expiresAt: expires.toISOString(),
      updatedAt: now.toISOString(),
    };
    if ((await this.store.sandbox.createDomain(row)) === 'exists') throw new RegistryError('exists', `${input.name} is already registered.`, 2302);
    await this.publishSafely(input.name);
    await this.publishHostDomains(input.nameservers, input.name);
    return this.view(row);
  }

  async renewDomain(name: string, currentExpiry: string, years: number): Promise<RegistryDomain> {
    if (years < 1 || years > 10) throw new RegistryError('rejected', 'The renewal period must be 1 to 10 years.', 2004);
    const next = await this.modifyDomain(name, (d) => {
      // RFC 5731 3.2.3: the current expiry date must match, so a retried renew cannot renew twice.
      if (d.expiresAt.slice(0, 10) !== currentExpiry.slice(0, 10)) throw new RegistryError('rejected', `The current expiry date is ${d.expiresAt.slice(0, 10)}, not ${currentExpiry.slice(0, 10)}.`, 2004);
      const expires = new Date(d.expiresAt);
      expires.setUTCFullYear(expires.getUTCFullYear() + years);
      if (expires.getTime() - this.clock.now().getTime() > 10 * 366 * 86_400_000) throw new RegistryError('rejected', 'A registration may not run more than 10 years ahead.', 2306);
      return { ...d, expiresAt: expires.toISOString(), updatedAt: this.now() };
    });
    return this.view(next);
  }

  async infoDomain(name: string): Promise<RegistryDomain> {
    return this.view(await this.domainRow(name));
  }

  async updateDomain(name: string, change: DomainUpdate): Promise<RegistryDomain> {
    await this.checkNameservers(change.addNameservers ?? []);
    const next = await this.modifyDomain(name, (d) => {
      const onlyUnlock = (change.removeStatuses ?? []).includes(UPDATE_PROHIBITED);
      if (d.statuses.includes(UPDATE_PROHIBITED) && !onlyUnlock) throw new RegistryError('rejected', `${name} has status ${UPDATE_PROHIBITED}.`, 2304);
      const rem = new Set(change.removeNameservers ?? []);
      const nameservers = [...d.nameservers.filter((n) => !rem.has(n)), ...(change.addNameservers ?? []).filter((n) => !d.nameservers.includes(n) || rem.has(n))];
      if (new Set(nameservers).size !== nameservers.length) throw new RegistryError('rejected', 'A nameserver would be listed twice.', 2302);
      if (nameservers.length > MAX_NAMESERVERS) throw new RegistryError('rejected', `At most ${MAX_NAMESERVERS} nameservers.`, 2306);
      const remStatus = new Set(change.removeStatuses ?? []);
      const statuses = [...new Set([...d.statuses.filter((s) => !remStatus.has(s)), ...(change.addStatuses ?? [])])];
      const dnssec = [...d.dnssec.filter((m) => !(change.removeDnssec ?? []).some((r) => sameMaterial(r, m)))];
      for (const m of change.addDnssec ?? []) if (!dnssec.some((x) => sameMaterial(x, m))) dnssec.push(m);
      return { ...d, nameservers, statuses, dnssec, updatedAt: this.now() };
    });
    await this.publishSafely(name);
    // Glue of a host under another domain appears (or goes) when this domain starts (or stops) using it.
    await this.publishHostDomains([...(change.addNameservers ?? []), ...(change.removeNameservers ?? [])], name);
    return this.view(next);
  }

  private async publishHostDomains(hosts: string[], except: string): Promise<void> {
    const domains = new Set<string>();
    for (const h of hosts) {
      const row = await this.store.sandbox.host(h);
      if (row && row.domain !== except) domains.add(row.domain);
    }
    for (const d of domains) await this.publishSafely(d);
  }

  private hostView(h: SandboxHostRow, linked: boolean): RegistryHost {
    return { name: h.name, addresses: h.addresses, linked, sponsor: h.sponsor };
  }

  /** The superordinate domain of a host under one of our TLDs (RFC 5732 2.1: it must exist). */
  private async superordinate(host: string): Promise<SandboxDomainRow> {
    const tld = this.tlds.find((t) => isInZone(host, t));
    if (!tld) throw new RegistryError('rejected', `${host} is not under ${this.tlds.map((t) => `.${t}`).join(', ')}; the sandbox keeps no external hosts.`, 2306);
    const labels = host.split('.');
    const domain = labels.slice(labels.length - labelsOf(tld).length - 1).join('.');
    if (domain === host) throw new RegistryError('rejected', `${host} is a domain name, not a host under one.`, 2005);
    return this.domainRow(domain);
  }

  private checkAddresses(addresses: string[]): void {
    if (addresses.length < 1 || addresses.length > MAX_GLUE_IPS) throw new RegistryError('rejected', `A host under its domain needs 1 to ${MAX_GLUE_IPS} addresses.`, 2306);
  }

  async createHost(name: string, addresses: string[]): Promise<RegistryHost> {
    const d = await this.superordinate(name);
    this.mine(d.sponsor, d.name); // RFC 5732 3.2.1: only the sponsor of the superordinate domain
    this.checkAddresses(addresses);
    if (await this.store.sandbox.host(name)) throw new RegistryError('exists', `Host ${name} already exists.`, 2302);
    if ((await this.store.sandbox.hostsOf(d.name)).length >= MAX_HOSTS_PER_DOMAIN) throw new RegistryError('rejected', `${d.name} already has ${MAX_HOSTS_PER_DOMAIN} host objects, the registry's limit.`, 2308);
    const now = this.now();
    const h: SandboxHostRow = { name, domain: d.name, sponsor: this.sponsor, addresses: [...addresses], createdAt: now, updatedAt: now };
    await this.store.sandbox.saveHost(h);
    await this.publishSafely(d.name);
    return this.hostView(h, (await this.store.sandbox.domainsUsing(name)).length > 0);
  }

  async updateHost(name: string, addresses: string[]): Promise<RegistryHost> {
    const h = await this.store.sandbox.host(name);
    if (!h) throw new RegistryError('not_found', `The registry has no host ${name}.`, 2303);
    this.mine(h.sponsor, name);
    this.checkAddresses(addresses);
    const next = { ...h, addresses: [...addresses], updatedAt: this.now() };
    await this.store.sandbox.saveHost(next);
    await this.publishSafely(h.domain);
    return this.hostView(next, (await this.store.sandbox.domainsUsing(name)).length > 0);
  }

  async deleteHost(name: string): Promise<void> {
    const h = await this.store.sandbox.host(name);
    if (!h) throw new RegistryError('not_found', `The registry has no host ${name}.`, 2303);
    this.mine(h.sponsor, name);
    const users = await this.store.sandbox.domainsUsing(name);
    if (users.length > 0) throw new RegistryError('rejected', `Host ${name} is a nameserver of ${users.join(', ')}; remove it from the nameserver set first.`, 2305);
    await this.store.sandbox.deleteHost(name);
    await this.publishSafely(h.domain, [name]);
  }

  async infoHost(name: string): Promise<RegistryHost> {
    const h = await this.store.sandbox.host(name);
    if (!h) throw new RegistryError('not_found', `The registry has no host ${name}.`, 2303);
    return this.hostView(h, (await this.store.sandbox.domainsUsing(name)).length > 0);
  }

  async listHosts(domain: string): Promise<RegistryHost[]> {
    const hosts = await this.store.sandbox.hostsOf(domain);
    return Promise.all(hosts.map(async (h) => this.hostView(h, (await this.store.sandbox.domainsUsing(h.name)).length > 0)));
  }

  // --- the TLD zone ---------------------------------------------------------------------------

  /**
   * Signs the TLD zones (the DNSSEC service, set by createServices when the server has a data key):
   * the sandbox's TLDs are signed like a real registry's, so delegations can be validated.
   */
  signer: ((zone: Zone) => Promise<void>) | null = null;
  readonly #signed = new Set<string>();

  /** The TLD zone (created on first use, owned by the registry's own account, and signed). */
  async tldZone(tld: string): Promise<Zone> {
    const zone = await this.#tldZone(tld);
    if (this.signer !== null && !this.#signed.has(zone.id)) {
      await this.signer(zone);
      this.#signed.add(zone.id);
    }
    return (await this.store.zones.get(zone.id)) ?? zone;
  }

  async #tldZone(tld: string): Promise<Zone> {
    const existing = await this.store.zones.getByName(tld);
    if (existing) return existing;
    let accountId = await this.store.meta.get(REGISTRY_ACCOUNT_KEY);
    if (accountId === undefined) {
      const account = { id: newId('account'), name: 'registry', createdAt: this.now() };
      await this.store.accounts.create(account);
      accountId = await this.store.meta.putIfAbsent(REGISTRY_ACCOUNT_KEY, account.id);
    }
    const now = this.clock.now();
    const iso = now.toISOString();
    const domain: Domain = { id: newId('domain'), uuid: randomUUID(), accountId, name: tld, kind: 'external', serviceStatus: 'active', autoRenewEnabled: false, registrarLockEnabled: false, expiresAt: null, nameservers: [], nameserversChangedAt: null, createdAt: iso, updatedAt: iso };
    const zone: Zone = {
      id: newId('zone'),
      accountId,
      domainId: domain.id,
      name: tld,
      status: 'active',
      soa: { mname: this.settings.nameservers[0]!, rname: this.settings.hostmaster ?? `hostmaster.${tld}`, serial: nextSerial(0, now), ...this.settings.soa },
      recordCount: this.settings.nameservers.length,
      nextRecordNum: this.settings.nameservers.length + 1,
      createdAt: iso,
      updatedAt: iso,
    };
    const records = this.settings.nameservers.map((ns) => this.record(zone.id, tld, 'NS', `${ns}.`, iso));
    try {
      await this.store.createZone({ zone, domain, records });
    } catch (err) {
      const again = await this.store.zones.getByName(tld); // created meanwhile by another process
      if (again) return again;
      throw err;
    }
    return zone;
  }

  private record(zoneId: string, name: string, type: string, rdata: string, iso: string): DnsRecord {
    return serverRecord(zoneId, name, type, TLD_TTL, rdata, iso);
  }

  /** The records the TLD zone holds for a domain: NS, DS (with NS only), glue of its linked hosts. */
  private async wanted(name: string): Promise<{ name: string; type: string; rdata: string }[]> {
    const d = await this.store.sandbox.domain(name);
    if (!d || d.nameservers.length === 0) return [];
    const out = d.nameservers.map((ns) => ({ name, type: 'NS', rdata: `${ns}.` }));
    for (const m of d.dnssec) {
      if (m.type !== 'DS') continue;
      const r = RECORD_TYPES.DS!.parse([String(m.keyTag), String(m.algorithm), String(m.digestType), m.digest], API_CONTEXT);
      if (r.ok) out.push({ name, type: 'DS', rdata: r.value });
    }
    for (const h of await this.store.sandbox.hostsOf(name)) {
      if ((await this.store.sandbox.domainsUsing(h.name)).length === 0) continue; // glue only for hosts in use
      for (const a of h.addresses) out.push({ name: h.name, type: a.includes(':') ? 'AAAA' : 'A', rdata: a });
    }
    return out;
  }

  /**
   * Publishes after a registry change that has committed: a failure here must not fail the change
   * (the registry's state is right), so it is queued as a `sandbox_publish` job that repeats it.
   */
  private async publishSafely(domain: string, extraNames: string[] = []): Promise<void> {
    try {
      await this.publish(domain, extraNames);
    } catch (err) {
      const now = this.now();
      await this.store.jobs.enqueue({ id: newId('job'), kind: 'sandbox_publish', subject: domain, payload: { domain, extraNames, error: (err as Error).message }, status: 'pending', runAt: now, attempts: 0, lastError: (err as Error).message, createdAt: now, updatedAt: now });
    }
  }

  /**
   * Brings the TLD zone's records for `domain` (and `extraNames`, e.g. a deleted host) in line with
   * the registry's state, in one zone change. Idempotent: running it again changes nothing.
   */
  async publish(domain: string, extraNames: string[] = []): Promise<void> {
    const tld = this.tlds.find((t) => isInZone(domain, t))!;
    const zone = await this.tldZone(tld);
    const wanted = await this.wanted(domain);
    const hostNames = (await this.store.sandbox.hostsOf(domain)).map((h) => h.name);
    const names = [...new Set([domain, ...hostNames, ...extraNames, ...wanted.map((w) => w.name)])];
    const iso = this.now();
    await this.store.applyZoneChange(zone.id, async (tx) => {
      const have = await tx.recordsAt(names);
      const key = (r: { name: string; type: string; rdata: string }) => `${r.name} ${r.type} ${r.rdata}`;
      const want = new Set(wanted.map(key));
      const present = new Set(have.map(key));
      return {
        insert: wanted.filter((w) => !present.has(key(w))).map((w) => this.record(zone.id, w.name, w.type, w.rdata, iso)),
        update: [],
        delete: have.filter((r) => !want.has(key(r))).map((r) => r.id),
        result: null,
      };
    });
  }
}
