// Client frames for domain objects (RFC 5731 §3) and their DS data (RFC 5910 secDNS-1.1 extension).
import { EppInputError } from './errors.js';
import {
  checkInteger, checkName, checkNames, checkToken, commandFrame, leaf, objectVerb, statusElement,
  type StatusInput, type XMLBuilder,
} from './command-builder.js';
import { DOMAIN_NS, SECDNS_NS } from './namespaces.js';

/** RFC 5731 §2.3: the statuses a client may set or clear; `server*` and `pending*` belong to the registry. */
export type DomainClientStatus =
  | 'clientDeleteProhibited'
  | 'clientHold'
  | 'clientRenewProhibited'
  | 'clientTransferProhibited'
  | 'clientUpdateProhibited';
export type DomainStatusInput = DomainClientStatus | StatusInput<DomainClientStatus>;

/** RFC 5731 §2.2: contact roles besides the registrant. */
export interface DomainContactInput {
  type: 'admin' | 'billing' | 'tech';
  id: string;
}

/** RFC 5910 §4.1 DS Data Interface: the DS record's fields (RFC 4034 §5.1). */
export interface DsDataInput {
  keyTag: number;
  alg: number;
  digestType: number;
  /** Hex digits (xs:hexBinary). */
  digest: string;
}

export interface DomainCheckInput {
  names: string[];
  clTRID: string;
}

export interface DomainInfoInput {
  name: string;
  /** Which subordinate host names to return (RFC 5731 §3.1.2); default "all". */
  hosts?: 'all' | 'del' | 'sub' | 'none';
  /** The domain's auth code, needed by servers for a domain of another registrar. */
  authInfo?: string;
  clTRID: string;
}

export interface DomainCreateInput {
  name: string;
  /** Registration period in years (1-99, RFC 5731 §2.5); the server's default when absent. */
  period?: number;
  /** Name servers as host objects (<domain:hostObj>). */
  ns?: string[];
  registrant?: string;
  contacts?: DomainContactInput[];
  /** The domain's auth code (<domain:authInfo><domain:pw>). */
  authInfo: string;
  /** DS records to publish at creation (RFC 5910 §5.2.1). */
  secDns?: { dsData: DsDataInput[]; maxSigLife?: number };
  clTRID: string;
}

export interface DomainRenewInput {
  name: string;
  /** Current expiry date, YYYY-MM-DD: guards against renewing twice on a retry (RFC 5731 §3.2.3). */
  curExpDate: string;
  period?: number;
  clTRID: string;
}

export interface DomainAddRemInput {
  ns?: string[];
  contacts?: DomainContactInput[];
  /** E.g. clientTransferProhibited for a registrar lock. */
  statuses?: DomainStatusInput[];
}

/** RFC 5910 §5.2.5: <secDNS:update>; `rem` is processed before `add`. */
export interface SecDnsUpdateInput {
  /** Remove every DS record (<secDNS:rem><secDNS:all>true</secDNS:all>); excludes `rem`. */
  remAll?: boolean;
  rem?: DsDataInput[];
  add?: DsDataInput[];
  maxSigLife?: number;
  /** Ask the server to treat the change with priority (the `urgent` attribute). */
  urgent?: boolean;
}

export interface DomainUpdateInput {
  name: string;
  add?: DomainAddRemInput;
  rem?: DomainAddRemInput;
  chg?: { registrant?: string; authInfo?: string };
  secDns?: SecDnsUpdateInput;
  clTRID: string;
}

export interface DomainDeleteInput {
  name: string;
  clTRID: string;
}

const D = DOMAIN_NS;
const S = SECDNS_NS;

/** eppcom:pwAuthInfoType is a normalizedString (RFC 5730 §4): no tabs or line breaks. */
function checkAuthInfo(field: string, pw: string, required: boolean): void {
  if (typeof pw !== 'string' || (required && pw.length === 0)) throw new EppInputError(field, 'must be a non-empty string');
  if (/[\t\n\r]/.test(pw)) throw new EppInputError(field, 'must not contain tabs or line breaks');
}

function checkPeriod(field: string, period: number | undefined): void {
  if (period !== undefined) checkInteger(field, period, 1, 99); // RFC 5731 §4 periodType
}

function domainVerb(command: XMLBuilder, verb: string): XMLBuilder {
  return objectVerb(command, verb, D, 'domain');
}

function authInfoElement(parent: XMLBuilder, pw: string): void {
  leaf(parent.ele(D, 'domain:authInfo'), D, 'domain:pw', pw);
}

function nsElement(parent: XMLBuilder, hosts: readonly string[]): void {
  const ns = parent.ele(D, 'domain:ns');
  for (const host of hosts) leaf(ns, D, 'domain:hostObj', host);
}

function contactElements(parent: XMLBuilder, field: string, contacts: readonly DomainContactInput[]): void {
  contacts.forEach((c, i) => {
    if (!['admin', 'billing', 'tech'].includes(c.type)) throw new EppInputError(`${field}[${i}].type`, 'must be admin, billing or tech');
    checkToken(`${field}[${i}].id`, c.id, 3, 16); // eppcom:clIDType
    leaf(parent, D, 'domain:contact', c.id, { type: c.type });
  });
}

function dsDataElement(parent: XMLBuilder, field: string, ds: DsDataInput): void {
  checkInteger(`${field}.keyTag`, ds.keyTag, 0, 0xffff);
  checkInteger(`${field}.alg`, ds.alg, 0, 0xff);
  checkInteger(`${field}.digestType`, ds.digestType, 0, 0xff);
  const hex = typeof ds.digest === 'string' && ds.digest.length > 0 && ds.digest.length % 2 === 0 &&
    [...ds.digest].every((c) => !Number.isNaN(Number.parseInt(c, 16)));
  if (!hex) throw new EppInputError(`${field}.digest`, 'must be a non-empty even number of hex digits');
  const el = parent.ele(S, 'secDNS:dsData');
  leaf(el, S, 'secDNS:keyTag', String(ds.keyTag));
  leaf(el, S, 'secDNS:alg', String(ds.alg));
  leaf(el, S, 'secDNS:digestType', String(ds.digestType));
  leaf(el, S, 'secDNS:digest', ds.digest);
}

function checkMaxSigLife(field: string, value: number | undefined): void {
  if (value !== undefined) checkInteger(field, value, 1, 2_147_483_647); // RFC 5910 §4.3: positive xs:int
}

/** RFC 5731 §3.1.1: which of these names could be created. */
export function domainCheckCommand({ names, clTRID }: DomainCheckInput): string {
  checkNames('names', names, 1);
  return commandFrame({
    clTRID,
    verb: (command) => {
      const check = domainVerb(command, 'check');
      for (const name of names) leaf(check, D, 'domain:name', name);
    },
  });
}

/** RFC 5731 §3.1.2: a domain's data; the `hosts` attribute is always written, as in the RFC's example. */
export function domainInfoCommand({ name, hosts = 'all', authInfo, clTRID }: DomainInfoInput): string {
  checkName('name', name);
  if (!['all', 'del', 'sub', 'none'].includes(hosts)) throw new EppInputError('hosts', 'must be all, del, sub or none');
  if (authInfo !== undefined) checkAuthInfo('authInfo', authInfo, false);
  return commandFrame({
    clTRID,
    verb: (command) => {
      const info = domainVerb(command, 'info');
      leaf(info, D, 'domain:name', name, { hosts });
      if (authInfo !== undefined) authInfoElement(info, authInfo);
    },
  });
}

/** RFC 5731 §3.2.1, elements in schema order: name, period, ns, registrant, contact*, authInfo. */
export function domainCreateCommand(input: DomainCreateInput): string {
  const { name, period, ns = [], registrant, contacts = [], authInfo, secDns, clTRID } = input;
  checkName('name', name);
  checkPeriod('period', period);
  checkNames('ns', ns);
  if (registrant !== undefined) checkToken('registrant', registrant, 3, 16);
  checkAuthInfo('authInfo', authInfo, true);
  if (secDns) {
    checkMaxSigLife('secDns.maxSigLife', secDns.maxSigLife);
    if (secDns.dsData.length === 0) throw new EppInputError('secDns.dsData', 'needs at least one DS record');
  }
  return commandFrame({
    clTRID,
    verb: (command) => {
      const create = domainVerb(command, 'create');
      leaf(create, D, 'domain:name', name);
      if (period !== undefined) leaf(create, D, 'domain:period', String(period), { unit: 'y' });
      if (ns.length > 0) nsElement(create, ns);
      if (registrant !== undefined) leaf(create, D, 'domain:registrant', registrant);
      contactElements(create, 'contacts', contacts);
      authInfoElement(create, authInfo);
    },
    extension: secDns && ((extension) => {
      const el = extension.ele(S, 'secDNS:create');
      if (secDns.maxSigLife !== undefined) leaf(el, S, 'secDNS:maxSigLife', String(secDns.maxSigLife));
      secDns.dsData.forEach((ds, i) => dsDataElement(el, `secDns.dsData[${i}]`, ds));
    }),
  });
}

/** RFC 5731 §3.2.3: extends the registration by `period` years from curExpDate. */
export function domainRenewCommand({ name, curExpDate, period, clTRID }: DomainRenewInput): string {
  checkName('name', name);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(curExpDate);
  if (!date || new Date(`${curExpDate}T00:00:00Z`).toISOString().slice(0, 10) !== curExpDate) {
    throw new EppInputError('curExpDate', 'must be a calendar date YYYY-MM-DD');
  }
  checkPeriod('period', period);
  return commandFrame({
    clTRID,
    verb: (command) => {
      const renew = domainVerb(command, 'renew');
      leaf(renew, D, 'domain:name', name);
      leaf(renew, D, 'domain:curExpDate', curExpDate);
      if (period !== undefined) leaf(renew, D, 'domain:period', String(period), { unit: 'y' });
    },
  });
}

/** RFC 5731 §3.2.4. */
export function domainDeleteCommand({ name, clTRID }: DomainDeleteInput): string {
  checkName('name', name);
  return commandFrame({ clTRID, verb: (command) => leaf(domainVerb(command, 'delete'), D, 'domain:name', name) });
}

function hasAddRem(part: DomainAddRemInput | undefined): part is DomainAddRemInput {
  return !!part && ((part.ns?.length ?? 0) + (part.contacts?.length ?? 0) + (part.statuses?.length ?? 0)) > 0;
}

/** <domain:add> or <domain:rem> in schema order: ns, contact*, status*. */
function addRemElement(parent: XMLBuilder, field: 'add' | 'rem', part: DomainAddRemInput): void {
  const el = parent.ele(D, `domain:${field}`);
  if (part.ns && part.ns.length > 0) nsElement(el, part.ns);
  contactElements(el, `${field}.contacts`, part.contacts ?? []);
  for (const status of part.statuses ?? []) statusElement(el, D, 'domain:status', status);
}

function checkAddRem(field: string, part: DomainAddRemInput | undefined): void {
  checkNames(`${field}.ns`, part?.ns ?? []);
  (part?.statuses ?? []).forEach((status, i) => {
    const s = typeof status === 'string' ? status : status.s;
    if (typeof s !== 'string' || !s.startsWith('client')) {
      throw new EppInputError(`${field}.statuses[${i}]`, 'only client* statuses can be set by a registrar (RFC 5731 §2.3)');
    }
  });
}

function hasSecDns(sec: SecDnsUpdateInput | undefined): sec is SecDnsUpdateInput {
  return !!sec && (!!sec.remAll || (sec.rem?.length ?? 0) > 0 || (sec.add?.length ?? 0) > 0 || sec.maxSigLife !== undefined);
}

/** RFC 5910 §5.2.5, children in schema order: rem, add, chg. */
function secDnsUpdateElement(extension: XMLBuilder, sec: SecDnsUpdateInput): void {
  const update = extension.ele(S, 'secDNS:update', sec.urgent ? { urgent: 'true' } : undefined);
  if (sec.remAll) {
    leaf(update.ele(S, 'secDNS:rem'), S, 'secDNS:all', 'true');
  } else if (sec.rem && sec.rem.length > 0) {
    const rem = update.ele(S, 'secDNS:rem');
    sec.rem.forEach((ds, i) => dsDataElement(rem, `secDns.rem[${i}]`, ds));
  }
  if (sec.add && sec.add.length > 0) {
    const add = update.ele(S, 'secDNS:add');
    sec.add.forEach((ds, i) => dsDataElement(add, `secDns.add[${i}]`, ds));
  }
  if (sec.maxSigLife !== undefined) leaf(update.ele(S, 'secDNS:chg'), S, 'secDNS:maxSigLife', String(sec.maxSigLife));
}

/** RFC 5731 §3.2.5: add/rem ns, contacts, statuses; chg registrant and auth code; DS changes in the extension. */
export function domainUpdateCommand(input: DomainUpdateInput): string {
  const { name, add, rem, chg, secDns, clTRID } = input;
  checkName('name', name);
  checkAddRem('add', add);
  checkAddRem('rem', rem);
  if (chg?.registrant !== undefined) checkToken('chg.registrant', chg.registrant, 3, 16);
  if (chg?.authInfo !== undefined) checkAuthInfo('chg.authInfo', chg.authInfo, true);
  const hasChg = chg?.registrant !== undefined || chg?.authInfo !== undefined;
  if (secDns?.remAll && (secDns.rem?.length ?? 0) > 0) {
    throw new EppInputError('secDns', 'remAll and rem exclude each other (RFC 5910 §5.2.5)');
  }
  checkMaxSigLife('secDns.maxSigLife', secDns?.maxSigLife);
  if (!hasAddRem(add) && !hasAddRem(rem) && !hasChg && !hasSecDns(secDns)) {
    throw new EppInputError('update', 'changes nothing');
  }
  return commandFrame({
    clTRID,
    verb: (command) => {
      const update = domainVerb(command, 'update');
      leaf(update, D, 'domain:name', name);
      if (hasAddRem(add)) addRemElement(update, 'add', add);
      if (hasAddRem(rem)) addRemElement(update, 'rem', rem);
      if (hasChg) {
        const el = update.ele(D, 'domain:chg');
        if (chg?.registrant !== undefined) leaf(el, D, 'domain:registrant', chg.registrant);
        if (chg?.authInfo !== undefined) authInfoElement(el, chg.authInfo);
      }
    },
    extension: hasSecDns(secDns) ? (extension) => secDnsUpdateElement(extension, secDns) : undefined,
  });
}
