// The Registry port over EPP (RFC 5730-5732, 5910): each port method as commands on one EppSession.
import ipaddr from 'ipaddr.js';
import { RegistryError, type DomainUpdate, type Registry, type RegistryDomain, type RegistryHost } from '../../core/registry/registry.port.js';
import type { DnssecMaterial } from '../../core/registry/registry-rules.js';
import {
  domainCheckCommand, domainCreateCommand, domainInfoCommand, domainRenewCommand, domainUpdateCommand,
  hostCreateCommand, hostDeleteCommand, hostInfoCommand, hostUpdateCommand,
  type DomainStatusInput, type DsDataInput,
} from './commands.js';
import { EppSession, failureFromResponse, isSuccess, type EppSessionOptions } from './epp-session.js';
import type { DomainInfoData, EppResData, EppResponse, HostInfoData } from './responses.js';

/** xs:dateTime as the port's ISO form; a value that does not parse is kept as the registry wrote it. */
function isoDate(text: string | undefined): string {
  if (text === undefined) return '';
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

/** Addresses compare by value: 2001:db8::1 and 2001:0db8:0:0::1 are one address (RFC 5952 §4 form). */
function addressKey(address: string): string {
  try {
    return ipaddr.parse(address).toString();
  } catch {
    return address.toLowerCase();
  }
}

/** RFC 5910 §4.1: this client uses the DS Data Interface; DNSKEY material cannot be sent as DS. */
function dsData(list: DnssecMaterial[] | undefined): DsDataInput[] {
  return (list ?? []).map((m) => {
    if (m.type !== 'DS') throw new RegistryError('rejected', 'This registry takes DS records (RFC 5910 DS Data Interface); send the DS of the key instead of the key.');
    return { keyTag: m.keyTag, alg: m.algorithm, digestType: m.digestType, digest: m.digest };
  });
}

function domainView(data: DomainInfoData, response: EppResponse): RegistryDomain {
  const statuses = data.statuses.map((s) => s.s);
  return {
    name: data.name,
    roid: data.roid,
    nameservers: data.ns.map((n) => n.toLowerCase()),
    statuses: statuses.length > 0 ? statuses : ['ok'],
    createdAt: isoDate(data.crDate),
    expiresAt: isoDate(data.exDate),
    dnssec: (response.secDns?.dsData ?? []).map((ds) => ({
      type: 'DS' as const, keyTag: ds.keyTag, algorithm: ds.alg, digestType: ds.digestType, digest: ds.digest.toLowerCase(),
    })),
  };
}

function hostView(data: HostInfoData): RegistryHost {
  return {
    name: data.name,
    addresses: data.addrs.map((a) => a.address),
    // RFC 5732 §2.3: "linked" while a domain's nameserver set names the host.
    linked: data.statuses.some((s) => s.s === 'linked'),
  };
}

export class EppRegistry implements Registry {
  readonly session: EppSession;

  constructor(session: EppSession | EppSessionOptions) {
    this.session = session instanceof EppSession ? session : new EppSession(session);
  }

  /** Logs out and closes the connection. */
  close(): Promise<void> {
    return this.session.close();
  }

  /** One command; a failed result becomes a RegistryError with the registry's code and reasons. */
  async #call<T extends EppResData['type'] | null>(
    what: string,
    build: (clTRID: string) => string,
    idempotent: boolean,
    expect: T,
  ): Promise<{ data: T extends EppResData['type'] ? Extract<EppResData, { type: T }> : undefined; response: EppResponse }> {
    const response = await this.session.command(build, { idempotent });
    if (!isSuccess(response)) throw failureFromResponse(response, what);
    if (expect !== null && response.resData?.type !== expect) {
      throw new RegistryError('unavailable', `${what}: the registry's answer lacks <${expect}>`);
    }
    return { data: response.resData as never, response };
  }

  async checkDomains(names: string[]): Promise<{ name: string; available: boolean; reason?: string }[]> {
    const { data } = await this.#call('domain check', (clTRID) => domainCheckCommand({ names, clTRID }), true, 'domain:chkData');
    const byName = new Map(data.items.map((i) => [i.name.toLowerCase(), i]));
    return names.map((name) => {
      const item = byName.get(name.toLowerCase());
      if (!item) throw new RegistryError('unavailable', `domain check: the registry did not answer for ${name}`);
      return item.avail ? { name, available: true } : { name, available: false, ...(item.reason ? { reason: item.reason } : {}) };
    });
  }

  async infoDomain(name: string): Promise<RegistryDomain> {
    const { data, response } = await this.#call(`domain info ${name}`, (clTRID) => domainInfoCommand({ name, hosts: 'all', clTRID }), true, 'domain:infData');
    return domainView(data, response);
  }

  async createDomain(input: { name: string; years: number; nameservers: string[]; authInfo: string }): Promise<RegistryDomain> {
    const { name, years, nameservers, authInfo } = input;
    const { data } = await this.#call(`domain create ${name}`, (clTRID) => domainCreateCommand({ name, period: years, ns: nameservers, authInfo, clTRID }), false, 'domain:creData');
    return this.#afterWrite(name, () => ({
      name, roid: '', nameservers: [...nameservers], statuses: ['ok'], createdAt: isoDate(data.crDate), expiresAt: isoDate(data.exDate), dnssec: [],
    }));
  }

  async renewDomain(name: string, currentExpiry: string, years: number): Promise<RegistryDomain> {
    const curExpDate = currentExpiry.slice(0, 10);
    await this.#call(`domain renew ${name}`, (clTRID) => domainRenewCommand({ name, curExpDate, period: years, clTRID }), false, 'domain:renData');
    return this.infoDomain(name);
  }

  async updateDomain(name: string, change: DomainUpdate): Promise<RegistryDomain> {
    // Only what is not so already: a retried update (its first reply lost) must not add a
    // nameserver twice (2302) or remove one that is gone (2303) — the update stays idempotent.
    const cur = await this.infoDomain(name);
    const has = (list: readonly string[], x: string) => list.some((y) => y.toLowerCase() === x.toLowerCase());
    const hasDs = (m: DnssecMaterial) => cur.dnssec.some((x) => JSON.stringify(x) === JSON.stringify(m));
    const add = { ns: (change.addNameservers ?? []).filter((n) => !has(cur.nameservers, n)), statuses: (change.addStatuses ?? []).filter((x) => !cur.statuses.includes(x)) as DomainStatusInput[] };
    const rem = { ns: (change.removeNameservers ?? []).filter((n) => has(cur.nameservers, n)), statuses: (change.removeStatuses ?? []).filter((x) => cur.statuses.includes(x)) as DomainStatusInput[] };
    const secDns = { add: dsData((change.addDnssec ?? []).filter((m) => !hasDs(m))), rem: dsData((change.removeDnssec ?? []).filter(hasDs)) };
    const changes = add.ns.length + add.statuses.length + rem.ns.length + rem.statuses.length + secDns.add.length + secDns.rem.length;
    if (changes === 0) return this.infoDomain(name);
    await this.#call(`domain update ${name}`, (clTRID) => domainUpdateCommand({ name, add, rem, secDns, clTRID }), false, null);
    return this.infoDomain(name);
  }

  /** After a write the registry has done, a failed read must not claim the write failed: `fallback` then. */
  async #afterWrite<T>(name: string, fallback: () => T): Promise<T | RegistryDomain> {
    try {
      return await this.infoDomain(name);
    } catch {
      return fallback();
    }
  }

  async infoHost(name: string): Promise<RegistryHost> {
    const { data } = await this.#call(`host info ${name}`, (clTRID) => hostInfoCommand({ name, clTRID }), true, 'host:infData');
    return hostView(data);
  }

  async createHost(name: string, addresses: string[]): Promise<RegistryHost> {
    await this.#call(`host create ${name}`, (clTRID) => hostCreateCommand({ name, addrs: addresses, clTRID }), false, null);
    try {
      return await this.infoHost(name);
    } catch {
      return { name, addresses: [...addresses], linked: false };
    }
  }

  /** RFC 5732 §3.2.5: the difference between the registry's list and the wanted one, as one update. */
  async updateHost(name: string, addresses: string[]): Promise<RegistryHost> {
    const current = await this.infoHost(name);
    const have = new Set(current.addresses.map(addressKey));
    const want = new Set(addresses.map(addressKey));
    const add = addresses.filter((a) => !have.has(addressKey(a)));
    const rem = current.addresses.filter((a) => !want.has(addressKey(a)));
    if (add.length === 0 && rem.length === 0) return current;
    await this.#call(`host update ${name}`, (clTRID) => hostUpdateCommand({ name, add: { addrs: add }, rem: { addrs: rem }, clTRID }), false, null);
    try {
      return await this.infoHost(name);
    } catch {
      return { ...current, addresses: [...addresses] };
    }
  }

  async deleteHost(name: string): Promise<void> {
    await this.#call(`host delete ${name}`, (clTRID) => hostDeleteCommand({ name, clTRID }), false, null);
  }

  /** The domain's subordinate hosts (domain info with hosts="all", RFC 5731 §3.1.2), then each host's data. */
  async listHosts(domain: string): Promise<RegistryHost[]> {
    const { data } = await this.#call(`domain info ${domain}`, (clTRID) => domainInfoCommand({ name: domain, hosts: 'all', clTRID }), true, 'domain:infData');
    const hosts: RegistryHost[] = [];
    for (const name of data.hosts) hosts.push(await this.infoHost(name));
    return hosts;
  }
}
