// DynDNS: configurations of a domain (create, enable/disable, delete, rotate the token, logs) and
// the public update — authenticate by token, rate-limit per configuration, then change the record
// and the configuration's counters and log in one transaction (updates of one zone arriving
// together share it: update-batcher.ts). docs/dyndns.md has the rules.
import { randomBytes } from 'node:crypto';
import type { DataKey } from '../crypto/data-key.js';
import { hashToken, sameTokenHash } from '../crypto/token-hash.js';
import { AppError, fieldError, invalid } from '../errors.js';
import { newId } from '../ids.js';
import type { Domain, DynDnsConfig, DynDnsLog, DynDnsLogStatus, DynDnsRecordType, Zone } from '../model.js';
import { isInZone, labelsOf, parseName } from '../names.js';
import type { Clock, DynDnsTarget, Store, ZoneChangePlan, ZoneChangeTx } from '../ports.js';
import { RateLimiter } from '../rate-limit.js';
import { planChanges, type ChangeSet } from '../records/record-changes.js';
import type { CoreSettings } from '../settings.js';
import type { UpdateOutcome, UpdateRequest } from './dyndns2.js';
import { ZoneUpdateBatcher } from './update-batcher.js';

/** Host names one update request may carry; more are answered `numhost`. */
export const MAX_HOSTNAMES_PER_UPDATE = 20;
const USER_AGENT_MAX = 256;

export interface DynDnsAvailability {
  available: boolean;
  reason: string | null;
  zone: Zone | null;
}

export interface UpdateContext {
  sourceIp: string;
  userAgent: string | null;
}

/** The owner names strictly between `name` and the zone apex (where a delegation would cut). */
function namesBetween(name: string, zone: string): string[] {
  const out: string[] = [];
  const labels = labelsOf(name).length - labelsOf(zone).length;
  let rest = name;
  for (let i = 0; i < labels - 1; i++) {
    rest = rest.slice(rest.indexOf('.') + 1);
    out.push(rest);
  }
  return out;
}

/** One host name's update, ready to be written (authenticated, rate-limited, with its addresses). */
interface HostUpdate {
  name: string;
  configs: DynDnsConfig[];
  req: UpdateRequest;
  ctx: UpdateContext;
  now: string;
}

export class DynDnsService {
  readonly #limiter: RateLimiter;
  /** Unknown tokens per client address: a guessing client gets `abuse` (and costs no lookups). */
  readonly #authFailures: RateLimiter;
  readonly #batcher = new ZoneUpdateBatcher<HostUpdate, UpdateOutcome>(
    (zoneId, items) => this.#applyBatch(zoneId, items),
    (zoneId, item) => this.#applyAlone(zoneId, item),
  );

  constructor(
    private readonly store: Store,
    private readonly settings: CoreSettings,
    private readonly clock: Clock,
    private readonly dataKey: DataKey | null,
  ) {
    this.#limiter = new RateLimiter(settings.dyndns.rateLimit, () => clock.now().getTime());
    this.#authFailures = new RateLimiter(settings.dyndns.authFailureLimit, () => clock.now().getTime());
  }

  #key(): DataKey {
    if (!this.dataKey) throw new AppError('service_unavailable', 'This server has no data key configured, so DynDNS tokens cannot be stored.');
    return this.dataKey;
  }

  /** DynDNS works for a domain whose zone is served here and active. */
  async availability(domain: Domain): Promise<DynDnsAvailability> {
    const zone = (await this.store.zones.getByDomainId(domain.id)) ?? null;
    if (!zone) return { available: false, reason: `The DNS of ${domain.name} is not hosted on this server: create a DNS zone for it first.`, zone: null };
    if (zone.status !== 'active') return { available: false, reason: `The DNS zone ${zone.name} is ${zone.status}, not active.`, zone };
    return { available: true, reason: null, zone };
  }

  list(domain: Domain): Promise<DynDnsConfig[]> {
    return this.store.dyndns.listByDomain(domain.id);
  }

  async get(domain: Domain, configId: string): Promise<DynDnsConfig> {
    const c = await this.store.dyndns.get(configId);
    if (!c || c.domainId !== domain.id) throw new AppError('not_found', `DynDNS configuration ${configId} was not found for ${domain.name}.`);
    return c;
  }

  /** The token of a configuration, decrypted (only for callers allowed to see it). */
  revealToken(config: DynDnsConfig): string {
    return this.#key().decrypt(config.tokenEnc, config.id);
  }

  async create(domain: Domain, body: { hostname: string; recordType: DynDnsRecordType }): Promise<{ config: DynDnsConfig; token: string }> {
    const key = this.#key();
    const avail = await this.availability(domain);
    if (!avail.available || !avail.zone) throw new AppError('operation_unavailable', avail.reason ?? 'DynDNS is not available for this domain.');
    const hostname = await this.#checkHostname(domain, avail.zone, body.hostname, body.recordType);
    // The A and AAAA configurations of one host name share its token (docs/dyndns.md).
    const siblings = await this.store.dyndns.listByHostname(hostname);
    if (siblings.some((s) => s.recordType === body.recordType)) {
      throw new AppError('conflict', `A DynDNS configuration for ${hostname} (${body.recordType}) already exists.`, { errors: [fieldError('/hostname', 'duplicate', `\`hostname\` ${hostname} already has a ${body.recordType} configuration.`)] });
    }
    const sibling = siblings.find((s) => s.accountId === domain.accountId);
    const token = sibling ? key.decrypt(sibling.tokenEnc, sibling.id) : randomBytes(32).toString('hex');
    const id = newId('dyndns');
    const config: DynDnsConfig = {
      id,
      accountId: domain.accountId,
      domainId: domain.id,
      hostname,
      recordType: body.recordType,
      tokenHash: hashToken(token),
      tokenEnc: key.encrypt(token, id),
      enabled: true,
      lastIp: null,
      lastUpdatedAt: null,
      updateCount: 0,
      createdAt: this.clock.now().toISOString(),
      updatedAt: null,
    };
    await this.store.dyndns.create(config);
    return { config, token };
  }

  async #checkHostname(domain: Domain, zone: Zone, raw: string, type: DynDnsRecordType): Promise<string> {
    const r = parseName(raw, 'hostname');
    if (!r.ok) throw invalid([fieldError('/hostname', 'invalid_format', `\`hostname\` ${r.detail}.`)]);
    const name = r.name;
    if (!isInZone(name, domain.name)) throw invalid([fieldError('/hostname', 'invalid_value', `\`hostname\` must be ${domain.name} or a name under it.`)]);
    if (r.labels.length < 2) throw invalid([fieldError('/hostname', 'invalid_value', '`hostname` must be a fully qualified domain name.')]);
    const inner = (await this.store.zones.findOverlapping(name)).find((z) => z.id !== zone.id && isInZone(name, z.name) && isInZone(z.name, zone.name));
    if (inner) throw invalid([fieldError('/hostname', 'invalid_value', `\`hostname\` ${name} is served by the zone ${inner.name}; create the configuration under that domain.`)]);
    for (const cut of namesBetween(name, zone.name)) {
      if ((await this.store.records.list(zone.id, { name: cut, type: 'NS', limit: 1 })).length > 0) {
        throw invalid([fieldError('/hostname', 'invalid_value', `\`hostname\` ${name} lies below the delegation ${cut}; its records are served elsewhere.`)]);
      }
    }
    const here = await this.store.records.list(zone.id, { name });
    if (name !== zone.name && here.some((r) => r.type === 'NS')) {
      throw invalid([fieldError('/hostname', 'invalid_value', `\`hostname\` ${name} is a delegation point; an ${type} record there would be glue, not an answer.`)]);
    }
    if (here.some((r) => r.type === 'CNAME')) {
      throw new AppError('conflict', `${name} has a CNAME record, which cannot stand beside an ${type} record.`, { errors: [fieldError('/hostname', 'conflict', `\`hostname\` ${name} has a CNAME record.`)] });
    }
    return name;
  }

  async setEnabled(domain: Domain, configId: string, enabled: boolean): Promise<DynDnsConfig> {
    await this.get(domain, configId);
    const c = await this.store.dyndns.setEnabled(configId, enabled, this.clock.now().toISOString());
    if (!c) throw new AppError('not_found', `DynDNS configuration ${configId} was not found.`);
    return c;
  }

  async delete(domain: Domain, configId: string): Promise<void> {
    await this.get(domain, configId);
    await this.store.dyndns.delete(configId);
  }

  /** A new token for the configuration and its sibling of the other record type (same host name). */
  async rotateToken(domain: Domain, configId: string): Promise<{ config: DynDnsConfig; token: string; rotated: string[] }> {
    const key = this.#key();
    const config = await this.get(domain, configId);
    const group = (await this.store.dyndns.listByHostname(config.hostname)).filter((c) => c.tokenHash === config.tokenHash);
    const token = randomBytes(32).toString('hex');
    const tokenHash = hashToken(token);
    await this.store.dyndns.setTokens(group.map((c) => ({ id: c.id, tokenHash, tokenEnc: key.encrypt(token, c.id) })), this.clock.now().toISOString());
    return { config: await this.get(domain, configId), token, rotated: group.map((c) => c.id) };
  }

  async logs(domain: Domain, configId: string, q: { limit: number; beforeId?: string }): Promise<DynDnsLog[]> {
    await this.get(domain, configId);
    return this.store.dyndns.listLogs(configId, q);
  }

  /** One public update request: one outcome per host name, in request order. */
  async update(req: UpdateRequest, ctx: UpdateContext): Promise<UpdateOutcome[]> {
    if (req.hostnames.length === 0) return [{ status: 'notfqdn' }];
    // A client address that keeps sending unknown tokens gets `abuse` instead of `badauth` until
    // its bucket refills (--dyndns-auth-failure-limit). Valid tokens are never held back by it, so a
    // guesser behind the same address as a router does not lock the router out.
    const badauth = (): UpdateOutcome[] => {
      const status = this.#authFailures.take(ctx.sourceIp).allowed ? 'badauth' : 'abuse';
      return req.hostnames.map(() => ({ status }));
    };
    if (req.token === null) return badauth();
    const hash = hashToken(req.token);
    // The index finds rows by hash; the comparison that decides is constant-time.
    const targets = (await this.store.dyndns.findByTokenHash(hash)).filter((t) => sameTokenHash(t.config.tokenHash, hash));
    if (targets.length === 0) return badauth();
    const out: UpdateOutcome[] = [];
    for (const [i, raw] of req.hostnames.entries()) {
      if (i >= MAX_HOSTNAMES_PER_UPDATE) out.push({ status: 'numhost' });
      else out.push(await this.#updateHost(raw, targets, req, ctx));
    }
    return out;
  }

  async #updateHost(raw: string, targets: DynDnsTarget[], req: UpdateRequest, ctx: UpdateContext): Promise<UpdateOutcome> {
    const parsed = parseName(raw, 'hostname');
    if (!parsed.ok || parsed.labels.length < 2) return { status: 'notfqdn' };
    const mine = targets.filter((t) => t.config.hostname === parsed.name);
    if (mine.length === 0) return { status: 'nohost' };
    const now = this.clock.now().toISOString();
    const enabled = mine.filter((t) => t.config.enabled);
    if (enabled.length === 0) return this.#fail(mine.map((t) => t.config), req, ctx, now, 'The configuration is disabled.', 'badauth');
    const limited = enabled.filter((t) => !this.#limiter.take(t.config.id).allowed);
    if (limited.length > 0) return this.#fail(enabled.map((t) => t.config), req, ctx, now, `Rate limit exceeded (${this.#limitText()}).`, 'abuse');
    const zone = enabled[0]!.zone;
    if (!zone || zone.status !== 'active') return this.#fail(enabled.map((t) => t.config), req, ctx, now, 'The domain has no active DNS zone on this server.', 'dnserr');

    const relevant = enabled.filter((t) => this.#addressFor(t.config, req) !== null);
    if (relevant.length === 0) {
      const family = enabled.map((t) => (t.config.recordType === 'A' ? 'IPv4' : 'IPv6')).join(' or ');
      for (const t of enabled) await this.store.dyndns.appendLog(this.#log(t.config, ctx, now, 'no_change', null, `The request carries no ${family} address.`), this.settings.dyndns.logRetention);
      return { status: 'nochg', addresses: enabled.map((t) => t.config.lastIp).filter((a): a is string => a !== null) };
    }
    return this.#batcher.submit(zone.id, { name: parsed.name, configs: relevant.map((t) => t.config), req, ctx, now });
  }

  /** Logs a failed attempt for each configuration and answers `status`. */
  async #fail(configs: DynDnsConfig[], req: UpdateRequest, ctx: UpdateContext, now: string, message: string, status: 'badauth' | 'abuse' | 'dnserr'): Promise<UpdateOutcome> {
    for (const c of configs) await this.store.dyndns.appendLog(this.#log(c, ctx, now, 'failed', this.#addressFor(c, req), message), this.settings.dyndns.logRetention);
    return { status };
  }

  #log(c: DynDnsConfig, ctx: UpdateContext, now: string, status: DynDnsLogStatus, newIp: string | null, errorMessage: string | null, oldIp: string | null = c.lastIp): DynDnsLog {
    return {
      id: newId('dyndnsLog'),
      configId: c.id,
      oldIp,
      newIp,
      sourceIp: ctx.sourceIp,
      userAgent: ctx.userAgent === null ? null : ctx.userAgent.slice(0, USER_AGENT_MAX),
      status,
      errorMessage,
      createdAt: now,
    };
  }

  #addressFor(c: DynDnsConfig, req: UpdateRequest): string | null {
    return c.recordType === 'A' ? req.v4 : req.v6;
  }

  #limitText(): string {
    const r = this.settings.dyndns.rateLimit;
    return `${r.burst} requests at once, then one every ${Math.round(1 / r.perSecond)} s per configuration`;
  }

  /** Several host names of one zone as one change (throws when any of them cannot be written). */
  async #applyBatch(zoneId: string, items: HostUpdate[]): Promise<UpdateOutcome[]> {
    const outcome = await this.store.applyZoneChange(zoneId, (tx) => this.#plan(tx, items));
    if (!outcome) throw new AppError('not_found', 'The DNS zone no longer exists.');
    return outcome.result;
  }

  /** One host name on its own: a failure is logged and answered `dnserr`, nothing half-applied. */
  async #applyAlone(zoneId: string, item: HostUpdate): Promise<UpdateOutcome> {
    try {
      return (await this.#applyBatch(zoneId, [item]))[0]!;
    } catch (err) {
      const message = err instanceof AppError ? [err.message, ...err.errors.map((e) => e.detail)].join(' ') : 'The record could not be written.';
      return this.#fail(item.configs, item.req, item.ctx, item.now, message, 'dnserr');
    }
  }

  /** The record change for host names of one zone: each configuration's RRset becomes its one address. */
  async #plan(tx: ZoneChangeTx, items: HostUpdate[]): Promise<ZoneChangePlan<UpdateOutcome[]>> {
    const all = (await tx.recordsAt(items.map((i) => i.name))).filter((r) => r.status === 'active');
    const changes: ChangeSet = { deletes: [], puts: [], posts: [] };
    const updated: { configId: string; ip: string }[] = [];
    const unchanged: { configId: string; ip: string }[] = [];
    const logs: DynDnsLog[] = [];
    const results: UpdateOutcome[] = [];
    for (const { name, configs, req, ctx, now } of items) {
      const here = all.filter((r) => r.name === name);
      const addresses: string[] = [];
      let changed = false;
      for (const c of configs) {
        const ip = this.#addressFor(c, req)!;
        addresses.push(ip);
        const rrset = here.filter((r) => r.type === c.recordType);
        const old = rrset.length > 0 ? rrset.map((r) => r.rdata).join(',') : null;
        if (rrset.length === 1 && rrset[0]!.rdata === ip) {
          unchanged.push({ configId: c.id, ip });
          logs.push(this.#log(c, ctx, now, 'no_change', ip, null, old));
          continue;
        }
        const [keep, ...extra] = rrset;
        if (keep) changes.puts.push({ id: keep.id, candidate: { name, type: c.recordType, ttl: keep.ttl, rdata: ip, comment: keep.comment, at: '' } });
        else changes.posts.push({ name, type: c.recordType, ttl: this.settings.dyndns.ttl, rdata: ip, comment: 'DynDNS', at: '' });
        for (const r of extra) changes.deletes.push({ id: r.id, at: '' });
        updated.push({ configId: c.id, ip });
        logs.push(this.#log(c, ctx, now, 'success', ip, null, old));
        changed = true;
      }
      results.push({ status: changed ? 'good' : 'nochg', addresses });
    }
    const at = this.clock.now().toISOString();
    const dyndns = { updated, unchanged, logs, at, retention: this.settings.dyndns.logRetention };
    if (updated.length === 0) return { insert: [], update: [], delete: [], dyndns, result: results };
    const plan = await planChanges(tx, changes, { maxRecords: this.settings.maxRecordsPerZone }, at);
    return { ...plan, dyndns, result: results };
  }
}
