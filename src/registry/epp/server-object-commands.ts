// Carries out domain and host commands (RFC 5731 §3, RFC 5732 §3, RFC 5910 §5) against a Registry port.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { checkGlueAddress } from '../../core/registry/ip-policy.js';
import { RegistryError, type DomainUpdate, type Registry, type RegistryDomain, type RegistryFailureKind, type RegistryHost } from '../../core/registry/registry.port.js';
import { checkDnssecInput, type DnssecMaterial } from '../../core/registry/registry-rules.js';
import { DOMAIN_NS, HOST_NS, SECDNS_NS } from './namespaces.js';
import { EppCommandError, type ClientCommand, type EppAddrInput, type EppDsInput } from './server-commands.js';
import {
  checkData, domainCreData, domainInfoData, domainRenData, hostCreData, hostInfoData, secDnsInfData,
  type QuotedElement, type ResponseParts,
} from './server-responses.js';

export type ObjectCommand = Exclude<ClientCommand, { verb: 'login' } | { verb: 'logout' }>;

/** What a command runs with: the registry, who is logged in, what they announced at login. */
export interface ObjectCommandContext {
  registry: Registry;
  clID: string;
  extURIs: readonly string[];
  now: () => Date;
}

/** RFC 5731 §2.3: the statuses a client may add or remove; the others belong to the server. */
const CLIENT_DOMAIN_STATUSES = new Set([
  'clientDeleteProhibited', 'clientHold', 'clientRenewProhibited', 'clientTransferProhibited', 'clientUpdateProhibited',
]);
const SERVER_DOMAIN_STATUSES = new Set([
  'ok', 'inactive', 'pendingCreate', 'pendingDelete', 'pendingRenew', 'pendingTransfer', 'pendingUpdate',
  'serverDeleteProhibited', 'serverHold', 'serverRenewProhibited', 'serverTransferProhibited', 'serverUpdateProhibited',
]);

/** A failure kind's result code when the registry gave none (RFC 5730 §3). */
const KIND_CODES: Readonly<Record<RegistryFailureKind, number>> = {
  not_found: 2303, exists: 2302, rejected: 2306, auth: 2200, unavailable: 2400,
};

const OK: ResponseParts = { result: { code: 1000 } };

/** The object element a result's <value> quotes: the name the command is about. */
export function quotedName(command: ClientCommand): QuotedElement | undefined {
  if (!('name' in command)) return undefined;
  return command.verb.startsWith('domain:')
    ? { ns: DOMAIN_NS, qname: 'domain:name', text: command.name }
    : { ns: HOST_NS, qname: 'host:name', text: command.name };
}

/** A RegistryError as a result: the registry's own code when it has one, its message and reason. */
export function registryFailure(err: RegistryError, value: QuotedElement | undefined): ResponseParts {
  const own = err.registryCode;
  const code = own !== undefined && own >= 2000 && own <= 2999 ? own : KIND_CODES[err.kind];
  const result: ResponseParts['result'] = { code, message: err.message, reason: err.registryReason ?? err.message };
  if (value) result.value = value;
  return { result };
}

/**
 * RFC 5731 §3.1.2 / RFC 5732 §3.1.2: <clID> is the sponsoring client. A registry whose views say
 * who that is (a `sponsor` field beyond the port's) is believed; otherwise it is the client asking.
 */
function sponsorOf(object: RegistryDomain | RegistryHost, ctx: ObjectCommandContext): string {
  const sponsor = (object as { sponsor?: unknown }).sponsor;
  return typeof sponsor === 'string' && sponsor !== '' ? sponsor : ctx.clID;
}

/** A stable repository id for a host (the port keeps none): roidType is `\w{1,80}-\w{1,8}` (RFC 5730 §4). */
function hostRoid(name: string): string {
  return `H${createHash('sha256').update(name).digest('hex').slice(0, 12).toUpperCase()}-ZK`;
}

/** Glue addresses: the ip attribute must match the address, and the core's glue policy applies. */
function addresses(list: EppAddrInput[]): string[] {
  const out: string[] = [];
  for (const { ip, address } of list) {
    const version = isIP(address);
    if (version === 0 || (version === 4) !== (ip === 'v4')) throw new EppCommandError(2005, `${address} is not an IP${ip} address.`);
    const checked = checkGlueAddress(address);
    if (!checked.ok) throw new EppCommandError(2306, `${address} ${checked.reason}; glue must be a public address.`);
    if (!out.includes(checked.address)) out.push(checked.address);
  }
  return out;
}

/** DS records through the core's DNSSEC rules, so stored material has the same canonical form as the API's. */
function dsMaterial(list: EppDsInput[]): DnssecMaterial[] {
  return list.map((ds) => {
    const r = checkDnssecInput({ type: 'DS', keyTag: ds.keyTag, algorithm: ds.alg, digestType: ds.digestType, digest: ds.digest });
    if (!r.material) throw new EppCommandError(2306, r.errors.map((e) => e.detail).join(' '));
    return r.material;
  });
}

function clientStatuses(list: string[]): string[] {
  for (const s of list) {
    if (SERVER_DOMAIN_STATUSES.has(s)) throw new EppCommandError(2306, `${s} is set by the registry, not by a client (RFC 5731 §2.3).`);
    if (!CLIENT_DOMAIN_STATUSES.has(s)) throw new EppCommandError(2005, `${s} is not a domain status.`);
  }
  return list;
}

async function domainUpdate(cmd: Extract<ClientCommand, { verb: 'domain:update' }>, registry: Registry): Promise<ResponseParts> {
  const change: DomainUpdate = {};
  if (cmd.add.ns.length > 0) change.addNameservers = cmd.add.ns;
  if (cmd.rem.ns.length > 0) change.removeNameservers = cmd.rem.ns;
  if (cmd.add.statuses.length > 0) change.addStatuses = clientStatuses(cmd.add.statuses);
  if (cmd.rem.statuses.length > 0) change.removeStatuses = clientStatuses(cmd.rem.statuses);
  const sec = cmd.secDns;
  if (sec) {
    // RFC 5910 §5.2.5: <secDNS:rem><secDNS:all> removes every DS record, before any <secDNS:add>.
    const removed = sec.remAll ? (await registry.infoDomain(cmd.name)).dnssec.filter((m) => m.type === 'DS') : dsMaterial(sec.rem);
    if (removed.length > 0) change.removeDnssec = removed;
    if (sec.add.length > 0) change.addDnssec = dsMaterial(sec.add);
  }
  await registry.updateDomain(cmd.name, change);
  return OK;
}

async function domainCommand(cmd: ObjectCommand, ctx: ObjectCommandContext): Promise<ResponseParts> {
  const { registry } = ctx;
  switch (cmd.verb) {
    case 'domain:check':
      return { ...OK, resData: checkData(DOMAIN_NS, await registry.checkDomains(cmd.names)) };
    case 'domain:info': {
      const d = await registry.infoDomain(cmd.name);
      // RFC 5731 §3.1.2: hosts="all" or "sub" lists the subordinate host objects.
      const hosts = cmd.hosts === 'all' || cmd.hosts === 'sub' ? (await registry.listHosts(cmd.name)).map((h) => h.name) : [];
      const parts: ResponseParts = { ...OK, resData: domainInfoData(d, hosts, sponsorOf(d, ctx)) };
      // RFC 5910 §5.1.2: DNSSEC data only for a client that announced the extension at login.
      const ext = ctx.extURIs.includes(SECDNS_NS) ? secDnsInfData(d) : undefined;
      if (ext) parts.extension = ext;
      return parts;
    }
    case 'domain:create': {
      const material = dsMaterial(cmd.dsData);
      let d = await registry.createDomain({ name: cmd.name, years: cmd.years, nameservers: cmd.ns, authInfo: cmd.authInfo });
      if (material.length > 0) d = await registry.updateDomain(cmd.name, { addDnssec: material });
      return { ...OK, resData: domainCreData(d) };
    }
    case 'domain:renew': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(cmd.curExpDate)) throw new EppCommandError(2005, '<domain:curExpDate> must be a date YYYY-MM-DD.');
      return { ...OK, resData: domainRenData(await registry.renewDomain(cmd.name, cmd.curExpDate, cmd.years)) };
    }
    case 'domain:update':
      return domainUpdate(cmd, registry);
    case 'domain:delete': {
      // The port has no domain delete; a registry that offers one anyway is used.
      const del = (registry as Partial<{ deleteDomain(name: string): Promise<void> }>).deleteDomain;
      if (typeof del !== 'function') throw new EppCommandError(2101, 'This registry does not delete domains.');
      await del.call(registry, cmd.name);
      return OK;
    }
    default:
      return hostCommand(cmd, ctx);
  }
}

async function hostAvailability(registry: Registry, name: string): Promise<{ name: string; available: boolean; reason?: string }> {
  try {
    await registry.infoHost(name);
    return { name, available: false, reason: 'In use.' };
  } catch (err) {
    if (err instanceof RegistryError && err.kind === 'not_found') return { name, available: true };
    if (err instanceof RegistryError) return { name, available: false, reason: err.message };
    throw err;
  }
}

async function hostCommand(cmd: ObjectCommand, ctx: ObjectCommandContext): Promise<ResponseParts> {
  const { registry } = ctx;
  switch (cmd.verb) {
    case 'host:check': {
      const items = [];
      for (const name of cmd.names) items.push(await hostAvailability(registry, name));
      return { ...OK, resData: checkData(HOST_NS, items) };
    }
    case 'host:info': {
      const h = await registry.infoHost(cmd.name);
      return { ...OK, resData: hostInfoData(h, hostRoid(cmd.name), sponsorOf(h, ctx)) };
    }
    case 'host:create':
      await registry.createHost(cmd.name, addresses(cmd.addrs));
      return { ...OK, resData: hostCreData(cmd.name, ctx.now()) };
    case 'host:update': {
      // The port replaces the address list: the current list, minus rem, plus add (RFC 5732 §3.2.5).
      const rem = new Set(addresses(cmd.rem));
      const add = addresses(cmd.add);
      const current = (await registry.infoHost(cmd.name)).addresses;
      const next = [...current.filter((a) => !rem.has(a)), ...add.filter((a) => !current.includes(a) || rem.has(a))];
      await registry.updateHost(cmd.name, next);
      return OK;
    }
    case 'host:delete':
      await registry.deleteHost(cmd.name);
      return OK;
    default:
      throw new EppCommandError(2101, `${cmd.verb} is not implemented by this server.`);
  }
}

/** Runs one object command; RegistryError and EppCommandError propagate to the session, which answers them. */
export function executeObjectCommand(cmd: ObjectCommand, ctx: ObjectCommandContext): Promise<ResponseParts> {
  return domainCommand(cmd, ctx);
}
