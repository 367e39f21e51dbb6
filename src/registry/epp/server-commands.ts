// Reads client frames on the server side (RFC 5730 §2.3 hello, §2.5 commands; RFC 5731/5732 objects, RFC 5910 secDNS).
import { parseHostName } from '../../core/registry/registry-rules.js';
import { DOMAIN_NS, EPP_NS, HOST_NS, SECDNS_NS } from './namespaces.js';
import { parseIntegerText } from './object-responses.js';
import { childNamed, childrenNamed, parseXmlDocument, type XmlElement } from './xml-tree.js';

/**
 * A command the server answers with an error result but keeps the session for (RFC 5730 §3):
 * 2000 unknown command, 2001 syntax, 2005 value syntax, 2004 range, 2101-2103 and 2307 not offered.
 */
export class EppCommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** The client's transaction id when it could be read, to echo it (RFC 5730 §2.6). */
    public clTRID?: string,
  ) {
    super(message);
    this.name = 'EppCommandError';
  }
}

/** RFC 5910 §4.1: one DS record as the client sent it. */
export interface EppDsInput {
  keyTag: number;
  alg: number;
  digestType: number;
  digest: string;
}

export interface EppAddrInput {
  ip: 'v4' | 'v6';
  address: string;
}

/** RFC 5910 §5.2.5 <secDNS:update>: rem (all or DS records) is applied before add. */
export interface SecDnsUpdate {
  remAll: boolean;
  rem: EppDsInput[];
  add: EppDsInput[];
}

export type ClientCommand =
  | { verb: 'login'; clID: string; pw: string; newPW?: string; version: string; lang: string; objURIs: string[]; extURIs: string[] }
  | { verb: 'logout' }
  | { verb: 'domain:check'; names: string[] }
  | { verb: 'domain:info'; name: string; hosts: 'all' | 'del' | 'sub' | 'none' }
  | { verb: 'domain:create'; name: string; years: number; ns: string[]; authInfo: string; dsData: EppDsInput[] }
  | { verb: 'domain:renew'; name: string; curExpDate: string; years: number }
  | { verb: 'domain:update'; name: string; add: { ns: string[]; statuses: string[] }; rem: { ns: string[]; statuses: string[] }; secDns: SecDnsUpdate | null }
  | { verb: 'domain:delete'; name: string }
  | { verb: 'host:check'; names: string[] }
  | { verb: 'host:info'; name: string }
  | { verb: 'host:create'; name: string; addrs: EppAddrInput[] }
  | { verb: 'host:update'; name: string; add: EppAddrInput[]; rem: EppAddrInput[] }
  | { verb: 'host:delete'; name: string };

export type ClientFrame = { kind: 'hello' } | { kind: 'command'; clTRID?: string; command: ClientCommand };

/** RFC 5730 §2.9: the commands of the protocol; any other element in <command> is an unknown command (2000). */
const EPP_VERBS = new Set(['login', 'logout', 'check', 'info', 'poll', 'transfer', 'create', 'delete', 'renew', 'update']);

function syntax(message: string): EppCommandError {
  return new EppCommandError(2001, message);
}

function need(parent: XmlElement, ns: string, name: string): XmlElement {
  const child = childNamed(parent, ns, name);
  if (!child) throw syntax(`<${parent.name}> lacks the required <${name}>`);
  return child;
}

function textOf(parent: XmlElement, ns: string, name: string): string {
  return need(parent, ns, name).text;
}

/** Object names are host names (RFC 5731 §2.1, RFC 5732 §2.1: RFC 1123 LDH), kept in canonical lower case. */
function objectName(raw: string, what: string): string {
  const r = parseHostName(raw, '', what);
  if (!r.name) throw new EppCommandError(2005, r.error?.detail ?? `${what} is not a valid name.`);
  return r.name;
}

function names(parent: XmlElement, ns: string, what: string): string[] {
  const list = childrenNamed(parent, ns, 'name').map((n) => objectName(n.text, what));
  if (list.length === 0) throw syntax(`<${parent.name}> needs at least one <name>`);
  return list;
}

function integer(text: string, what: string, max: number): number {
  try {
    return parseIntegerText(text, what, max);
  } catch (error) {
    throw new EppCommandError(2005, (error as Error).message);
  }
}

/** RFC 5731 §2.5: a period in years or months; the sandbox registers whole years. */
function periodYears(parent: XmlElement): number {
  const period = childNamed(parent, DOMAIN_NS, 'period');
  if (!period) return 1; // RFC 5731 §3.2.1: the server's default period
  const value = integer(period.text, '<period>', 99);
  const unit = period.attrs.get('unit');
  if (unit === 'y' && value >= 1) return value;
  if (unit === 'm' && value >= 12 && value % 12 === 0) return value / 12;
  if (unit !== 'y' && unit !== 'm') throw syntax('<period> needs unit="y" or unit="m"');
  throw new EppCommandError(2004, 'The registration period must be a whole number of years from 1 to 10.');
}

/** <domain:ns> with <domain:hostObj> children: this server keeps name servers as host objects (RFC 5731 §1.1). */
function nameservers(parent: XmlElement | undefined): string[] {
  const ns = parent && childNamed(parent, DOMAIN_NS, 'ns');
  if (!ns) return [];
  if (childNamed(ns, DOMAIN_NS, 'hostAttr')) throw new EppCommandError(2102, 'This server keeps name servers as host objects; <domain:hostAttr> is not supported.');
  return childrenNamed(ns, DOMAIN_NS, 'hostObj').map((h) => objectName(h.text, 'A name server'));
}

function statuses(parent: XmlElement | undefined, ns: string): string[] {
  if (!parent) return [];
  return childrenNamed(parent, ns, 'status').map((s) => {
    const value = s.attrs.get('s');
    if (value === undefined) throw syntax('<status> lacks the attribute s');
    return value;
  });
}

function dsData(parent: XmlElement): EppDsInput[] {
  if (childNamed(parent, SECDNS_NS, 'keyData')) {
    throw new EppCommandError(2306, 'This server uses the DS Data Interface (RFC 5910 §4.1); send <secDNS:dsData>, not <secDNS:keyData>.');
  }
  return childrenNamed(parent, SECDNS_NS, 'dsData').map((ds) => ({
    keyTag: integer(textOf(ds, SECDNS_NS, 'keyTag'), '<keyTag>', 0xffff),
    alg: integer(textOf(ds, SECDNS_NS, 'alg'), '<alg>', 0xff),
    digestType: integer(textOf(ds, SECDNS_NS, 'digestType'), '<digestType>', 0xff),
    digest: textOf(ds, SECDNS_NS, 'digest'),
  }));
}

/** RFC 5910 §5.2.5: `urgent` and maxSigLife are optional features; a server without them answers 2102. */
function secDnsUpdate(el: XmlElement): SecDnsUpdate {
  const urgent = el.attrs.get('urgent');
  if (urgent === 'true' || urgent === '1') throw new EppCommandError(2102, 'This server does not support urgent DS changes (RFC 5910 §5.2.5).');
  if (childNamed(el, SECDNS_NS, 'chg')) throw new EppCommandError(2102, 'This server does not support maxSigLife (RFC 5910 §3.3).');
  const rem = childNamed(el, SECDNS_NS, 'rem');
  const add = childNamed(el, SECDNS_NS, 'add');
  const all = rem && childNamed(rem, SECDNS_NS, 'all');
  if (all && all.text !== 'true' && all.text !== '1') throw new EppCommandError(2005, '<secDNS:all> must be true to remove every DS record.');
  return { remAll: !!all, rem: rem && !all ? dsData(rem) : [], add: add ? dsData(add) : [] };
}

function addrs(parent: XmlElement | undefined): EppAddrInput[] {
  if (!parent) return [];
  return childrenNamed(parent, HOST_NS, 'addr').map((a) => {
    const ip = a.attrs.get('ip') ?? 'v4'; // RFC 5732 §4: the attribute defaults to "v4"
    if (ip !== 'v4' && ip !== 'v6') throw new EppCommandError(2005, `<host:addr> has ip="${ip}", not v4 or v6.`);
    return { ip, address: a.text };
  });
}

/** The one extension element of a command in `ns`; another extension is not offered (2103). */
function extensionOf(command: XmlElement, ns: string): XmlElement | undefined {
  const extension = childNamed(command, EPP_NS, 'extension');
  if (!extension) return undefined;
  const foreign = extension.children.find((c) => c.ns !== ns);
  if (foreign) throw new EppCommandError(2103, `The extension ${foreign.ns ?? '(no namespace)'} is not offered by this server.`);
  return extension.children[0];
}

function domainCommand(verb: string, el: XmlElement, command: XmlElement): ClientCommand {
  const name = () => objectName(textOf(el, DOMAIN_NS, 'name'), 'The domain name');
  const ext = extensionOf(command, SECDNS_NS);
  switch (verb) {
    case 'check':
      return { verb: 'domain:check', names: names(el, DOMAIN_NS, 'The domain name') };
    case 'info': {
      const hosts = need(el, DOMAIN_NS, 'name').attrs.get('hosts') ?? 'all';
      if (hosts !== 'all' && hosts !== 'del' && hosts !== 'sub' && hosts !== 'none') throw syntax('hosts must be all, del, sub or none');
      return { verb: 'domain:info', name: name(), hosts };
    }
    case 'create': {
      const authInfo = childNamed(need(el, DOMAIN_NS, 'authInfo'), DOMAIN_NS, 'pw')?.text ?? ''; // RFC 5731 §3.2.1: required
      if (ext && ext.name !== 'create') throw syntax(`<secDNS:${ext.name}> does not belong to <create>`);
      return { verb: 'domain:create', name: name(), years: periodYears(el), ns: nameservers(el), authInfo, dsData: ext ? dsData(ext) : [] };
    }
    case 'renew':
      return { verb: 'domain:renew', name: name(), curExpDate: textOf(el, DOMAIN_NS, 'curExpDate'), years: periodYears(el) };
    case 'update': {
      if (childNamed(el, DOMAIN_NS, 'chg')) throw new EppCommandError(2102, 'This server does not change registrants or auth codes (<domain:chg>).');
      if (ext && ext.name !== 'update') throw syntax(`<secDNS:${ext.name}> does not belong to <update>`);
      const add = childNamed(el, DOMAIN_NS, 'add');
      const rem = childNamed(el, DOMAIN_NS, 'rem');
      return {
        verb: 'domain:update',
        name: name(),
        add: { ns: nameservers(add), statuses: statuses(add, DOMAIN_NS) },
        rem: { ns: nameservers(rem), statuses: statuses(rem, DOMAIN_NS) },
        secDns: ext ? secDnsUpdate(ext) : null,
      };
    }
    case 'delete':
      return { verb: 'domain:delete', name: name() };
    default:
      throw new EppCommandError(2101, `domain ${verb} is not implemented by this server.`);
  }
}

function hostCommand(verb: string, el: XmlElement, command: XmlElement): ClientCommand {
  const name = () => objectName(textOf(el, HOST_NS, 'name'), 'The host name');
  if (childNamed(command, EPP_NS, 'extension')) throw new EppCommandError(2103, 'Host commands take no extension here.');
  switch (verb) {
    case 'check':
      return { verb: 'host:check', names: names(el, HOST_NS, 'The host name') };
    case 'info':
      return { verb: 'host:info', name: name() };
    case 'create':
      return { verb: 'host:create', name: name(), addrs: addrs(el) };
    case 'update': {
      const add = childNamed(el, HOST_NS, 'add');
      const rem = childNamed(el, HOST_NS, 'rem');
      if (statuses(add, HOST_NS).length + statuses(rem, HOST_NS).length > 0) throw new EppCommandError(2102, 'This server keeps no host statuses.');
      if (childNamed(el, HOST_NS, 'chg')) throw new EppCommandError(2102, 'This server does not rename hosts (<host:chg>).');
      return { verb: 'host:update', name: name(), add: addrs(add), rem: addrs(rem) };
    }
    case 'delete':
      return { verb: 'host:delete', name: name() };
    default:
      throw new EppCommandError(2101, `host ${verb} is not implemented by this server.`);
  }
}

/** RFC 5730 §2.9.1.1. */
function loginCommand(el: XmlElement): ClientCommand {
  const options = need(el, EPP_NS, 'options');
  const svcs = need(el, EPP_NS, 'svcs');
  const svcExtension = childNamed(svcs, EPP_NS, 'svcExtension');
  const newPW = childNamed(el, EPP_NS, 'newPW')?.text;
  const login: ClientCommand = {
    verb: 'login',
    clID: textOf(el, EPP_NS, 'clID'),
    pw: textOf(el, EPP_NS, 'pw'),
    version: textOf(options, EPP_NS, 'version'),
    lang: textOf(options, EPP_NS, 'lang'),
    objURIs: childrenNamed(svcs, EPP_NS, 'objURI').map((u) => u.text),
    extURIs: svcExtension ? childrenNamed(svcExtension, EPP_NS, 'extURI').map((u) => u.text) : [],
  };
  if (newPW !== undefined) login.newPW = newPW;
  return login;
}

function objectCommand(verb: string, el: XmlElement, command: XmlElement): ClientCommand {
  if (verb === 'poll') throw new EppCommandError(2101, 'poll is not implemented by this server (it queues no messages).');
  const object = el.children[0];
  if (!object) throw syntax(`<${verb}> holds no object element`);
  if (object.ns === DOMAIN_NS && object.name === verb) return domainCommand(verb, object, command);
  if (object.ns === HOST_NS && object.name === verb) return hostCommand(verb, object, command);
  if (object.ns === DOMAIN_NS || object.ns === HOST_NS) throw syntax(`<${verb}> holds <${object.name}>`);
  throw new EppCommandError(2307, `The object service ${object.ns ?? '(no namespace)'} is not offered by this server.`);
}

function parseCommand(command: XmlElement): ClientFrame {
  const clTRID = childNamed(command, EPP_NS, 'clTRID')?.text;
  try {
    const verbs = command.children.filter((c) => !(c.ns === EPP_NS && (c.name === 'extension' || c.name === 'clTRID')));
    const [el] = verbs;
    if (!el || verbs.length !== 1) throw syntax('<command> must hold exactly one command element');
    if (el.ns !== EPP_NS || !EPP_VERBS.has(el.name)) throw new EppCommandError(2000, `<${el.name}> is not an EPP command.`);
    const parsed = el.name === 'login' ? loginCommand(el) : el.name === 'logout' ? { verb: 'logout' as const } : objectCommand(el.name, el, command);
    return clTRID === undefined ? { kind: 'command', command: parsed } : { kind: 'command', clTRID, command: parsed };
  } catch (error) {
    if (error instanceof EppCommandError && clTRID !== undefined) error.clTRID = clTRID;
    throw error;
  }
}

/** One client frame's payload → hello or a command; anything else throws EppCommandError (the session stays). */
export function parseClientFrame(payload: Uint8Array): ClientFrame {
  let root: XmlElement;
  try {
    root = parseXmlDocument(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (error) {
    throw syntax(`The frame is not well-formed XML: ${(error as Error).message}`);
  }
  if (root.ns !== EPP_NS || root.name !== 'epp') throw syntax(`The root element is <${root.name}>, not <epp> in ${EPP_NS}.`);
  const [body] = root.children;
  if (!body || root.children.length !== 1) throw syntax('<epp> must hold exactly one element.');
  if (body.ns === EPP_NS && body.name === 'hello') return { kind: 'hello' };
  if (body.ns === EPP_NS && body.name === 'command') return parseCommand(body);
  throw new EppCommandError(2000, `<${body.name}> is not something a client sends.`);
}
