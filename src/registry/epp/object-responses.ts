// Reads the object data of server responses: <resData> of domain and host commands, secDNS:infData.
import { EppProtocolError } from './errors.js';
import { DOMAIN_NS, HOST_NS, SECDNS_NS } from './namespaces.js';
import { childNamed, childrenNamed, requireAttr, requireChild, type XmlElement } from './xml-tree.js';

/** A status element (RFC 5731 §2.3, RFC 5732 §2.3): the status, and the server's note on why, if any. */
export interface EppStatus {
  s: string;
  message?: string;
  lang?: string;
}

/** One name in a check answer (RFC 5731 §3.1.1, RFC 5732 §3.1.1). */
export interface EppCheckItem {
  name: string;
  avail: boolean;
  reason?: string;
  reasonLang?: string;
}

export interface DomainCheckData {
  type: 'domain:chkData';
  items: EppCheckItem[];
}

/** RFC 5731 §3.1.2. Dates are kept as the server wrote them (xs:dateTime, UTC). */
export interface DomainInfoData {
  type: 'domain:infData';
  name: string;
  roid: string;
  statuses: EppStatus[];
  registrant?: string;
  contacts: { type: string; id: string }[];
  /** Delegation name servers, from <domain:hostObj> (or <domain:hostName> of a hostAttr server). */
  ns: string[];
  /** Subordinate host objects the domain has (<domain:host>). */
  hosts: string[];
  clID?: string;
  crID?: string;
  crDate?: string;
  upID?: string;
  upDate?: string;
  exDate?: string;
  trDate?: string;
  /** The auth code; servers return it only to the sponsoring registrar. */
  authInfo?: string;
}

export interface DomainCreateData {
  type: 'domain:creData';
  name: string;
  crDate: string;
  exDate?: string;
}

export interface DomainRenewData {
  type: 'domain:renData';
  name: string;
  exDate?: string;
}

export interface HostCheckData {
  type: 'host:chkData';
  items: EppCheckItem[];
}

/** RFC 5732 §3.1.2. */
export interface HostInfoData {
  type: 'host:infData';
  name: string;
  roid: string;
  statuses: EppStatus[];
  addrs: { ip: 'v4' | 'v6'; address: string }[];
  clID?: string;
  crID?: string;
  crDate?: string;
  upID?: string;
  upDate?: string;
  trDate?: string;
}

export interface HostCreateData {
  type: 'host:creData';
  name: string;
  crDate: string;
}

/** Response data of a kind this codec does not read (e.g. transfer data); named so it can be logged. */
export interface UnknownResData {
  type: 'unknown';
  ns: string | null;
  name: string;
}

export type EppResData =
  | DomainCheckData | DomainInfoData | DomainCreateData | DomainRenewData
  | HostCheckData | HostInfoData | HostCreateData | UnknownResData;

/** RFC 5910 §4.2 Key Data Interface. */
export interface SecDnsKeyData {
  flags: number;
  protocol: number;
  alg: number;
  pubKey: string;
}

/** RFC 5910 §4.1 DS Data Interface. */
export interface SecDnsDsData {
  keyTag: number;
  alg: number;
  digestType: number;
  digest: string;
  keyData?: SecDnsKeyData;
}

/** RFC 5910 §5.1.2: the DNSSEC data of a domain info response. */
export interface SecDnsInfData {
  maxSigLife?: number;
  dsData: SecDnsDsData[];
  keyData: SecDnsKeyData[];
}

/** Drops keys whose value is undefined, so optional fields are absent rather than present-but-undefined. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function optionalText(parent: XmlElement, ns: string, name: string): string | undefined {
  return childNamed(parent, ns, name)?.text;
}

/** A child the schema requires with non-empty content (eppcom:labelType, roidType, dateTime). */
function requireText(parent: XmlElement, ns: string, name: string): string {
  const text = requireChild(parent, ns, name).text;
  if (text === '') throw new EppProtocolError(`<${parent.name}> has an empty <${name}>`);
  return text;
}

/** xs:boolean allows 1/0 and true/false (RFC 5731 §3.1.1 uses avail="1"). */
function parseBoolean(element: XmlElement, attr: string): boolean {
  const value = requireAttr(element, attr);
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new EppProtocolError(`<${element.name}> attribute ${attr} is not a boolean: ${JSON.stringify(value)}`);
}

/** Decimal digits only (no sign, no spaces); `max` from the schema type (unsignedByte, unsignedShort, int). */
export function parseIntegerText(text: string, what: string, max: number): number {
  const valid = text.length > 0 && text.length <= 16 && [...text].every((c) => c >= '0' && c <= '9');
  const value = valid ? Number(text) : NaN;
  if (!(value <= max)) throw new EppProtocolError(`${what} is not an integer from 0 to ${max}: ${JSON.stringify(text)}`);
  return value;
}

function parseInteger(element: XmlElement, max: number): number {
  return parseIntegerText(element.text, `<${element.name}>`, max);
}

function statusesOf(parent: XmlElement, ns: string): EppStatus[] {
  return childrenNamed(parent, ns, 'status').map((el) => compact({
    s: requireAttr(el, 's'),
    message: el.text === '' ? undefined : el.text,
    lang: el.text === '' ? undefined : el.attrs.get('lang'),
  }));
}

function checkItems(chkData: XmlElement, ns: string): EppCheckItem[] {
  return childrenNamed(chkData, ns, 'cd').map((cd) => {
    const name = requireChild(cd, ns, 'name');
    if (name.text === '') throw new EppProtocolError('<cd> has an empty <name>');
    const reason = childNamed(cd, ns, 'reason');
    return compact({ name: name.text, avail: parseBoolean(name, 'avail'), reason: reason?.text, reasonLang: reason?.attrs.get('lang') });
  });
}

function domainInfo(el: XmlElement): DomainInfoData {
  const t = (name: string) => optionalText(el, DOMAIN_NS, name);
  const ns = childNamed(el, DOMAIN_NS, 'ns');
  const nsNames = ns?.children.flatMap((c) => {
    if (c.ns !== DOMAIN_NS) return [];
    if (c.name === 'hostObj') return [c.text];
    return c.name === 'hostAttr' ? [requireText(c, DOMAIN_NS, 'hostName')] : [];
  });
  const authInfo = childNamed(el, DOMAIN_NS, 'authInfo');
  return compact({
    type: 'domain:infData' as const,
    name: requireText(el, DOMAIN_NS, 'name'),
    roid: requireText(el, DOMAIN_NS, 'roid'),
    statuses: statusesOf(el, DOMAIN_NS),
    registrant: t('registrant'),
    contacts: childrenNamed(el, DOMAIN_NS, 'contact').map((c) => ({ type: requireAttr(c, 'type'), id: c.text })),
    ns: nsNames ?? [],
    hosts: childrenNamed(el, DOMAIN_NS, 'host').map((h) => h.text),
    clID: t('clID'), crID: t('crID'), crDate: t('crDate'), upID: t('upID'), upDate: t('upDate'),
    exDate: t('exDate'), trDate: t('trDate'),
    authInfo: authInfo && optionalText(authInfo, DOMAIN_NS, 'pw'),
  });
}

function hostInfo(el: XmlElement): HostInfoData {
  const t = (name: string) => optionalText(el, HOST_NS, name);
  return compact({
    type: 'host:infData' as const,
    name: requireText(el, HOST_NS, 'name'),
    roid: requireText(el, HOST_NS, 'roid'),
    statuses: statusesOf(el, HOST_NS),
    addrs: childrenNamed(el, HOST_NS, 'addr').map((a) => {
      const ip = a.attrs.get('ip') ?? 'v4'; // RFC 5732 §4: the attribute defaults to "v4"
      if (ip !== 'v4' && ip !== 'v6') throw new EppProtocolError(`<addr> has ip=${JSON.stringify(ip)}, not v4 or v6`);
      return { ip, address: a.text };
    }),
    clID: t('clID'), crID: t('crID'), crDate: t('crDate'), upID: t('upID'), upDate: t('upDate'), trDate: t('trDate'),
  });
}

type ResDataReader = (el: XmlElement) => EppResData;

const READERS: ReadonlyMap<string, ResDataReader> = new Map<string, ResDataReader>([
  [`${DOMAIN_NS} chkData`, (el) => ({ type: 'domain:chkData', items: checkItems(el, DOMAIN_NS) })],
  [`${DOMAIN_NS} infData`, domainInfo],
  [`${DOMAIN_NS} creData`, (el) => compact({
    type: 'domain:creData' as const,
    name: requireText(el, DOMAIN_NS, 'name'),
    crDate: requireText(el, DOMAIN_NS, 'crDate'),
    exDate: optionalText(el, DOMAIN_NS, 'exDate'),
  })],
  [`${DOMAIN_NS} renData`, (el) => compact({
    type: 'domain:renData' as const,
    name: requireText(el, DOMAIN_NS, 'name'),
    exDate: optionalText(el, DOMAIN_NS, 'exDate'),
  })],
  [`${HOST_NS} chkData`, (el) => ({ type: 'host:chkData', items: checkItems(el, HOST_NS) })],
  [`${HOST_NS} infData`, hostInfo],
  [`${HOST_NS} creData`, (el) => ({
    type: 'host:creData',
    name: requireText(el, HOST_NS, 'name'),
    crDate: requireText(el, HOST_NS, 'crDate'),
  })],
]);

/** The typed reading of one <resData> child element. */
export function parseResData(el: XmlElement): EppResData {
  const reader = READERS.get(`${el.ns} ${el.name}`);
  return reader ? reader(el) : { type: 'unknown', ns: el.ns, name: el.name };
}

function keyData(el: XmlElement): SecDnsKeyData {
  return {
    flags: parseInteger(requireChild(el, SECDNS_NS, 'flags'), 0xffff),
    protocol: parseInteger(requireChild(el, SECDNS_NS, 'protocol'), 0xff),
    alg: parseInteger(requireChild(el, SECDNS_NS, 'alg'), 0xff),
    pubKey: requireText(el, SECDNS_NS, 'pubKey'),
  };
}

/** RFC 5910 §5.1.2: maxSigLife?, then dsData+ (each with optional keyData) or keyData+. */
export function parseSecDnsInfData(el: XmlElement): SecDnsInfData {
  const maxSigLife = childNamed(el, SECDNS_NS, 'maxSigLife');
  return compact({
    maxSigLife: maxSigLife && parseInteger(maxSigLife, 2_147_483_647),
    dsData: childrenNamed(el, SECDNS_NS, 'dsData').map((ds) => {
      const key = childNamed(ds, SECDNS_NS, 'keyData');
      return compact({
        keyTag: parseInteger(requireChild(ds, SECDNS_NS, 'keyTag'), 0xffff),
        alg: parseInteger(requireChild(ds, SECDNS_NS, 'alg'), 0xff),
        digestType: parseInteger(requireChild(ds, SECDNS_NS, 'digestType'), 0xff),
        digest: requireText(ds, SECDNS_NS, 'digest'),
        keyData: key && keyData(key),
      });
    }),
    keyData: childrenNamed(el, SECDNS_NS, 'keyData').map(keyData),
  });
}
