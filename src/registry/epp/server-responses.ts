// Server frames: the greeting (RFC 5730 §2.4) and responses (§2.6) with the object data of RFC 5731/5732 and 5910.
import { create } from 'xmlbuilder2';
import type { RegistryDomain, RegistryHost } from '../../core/registry/registry.port.js';
import { leaf, type XMLBuilder } from './command-builder.js';
import { DOMAIN_NS, EPP_NS, HOST_NS, SECDNS_NS } from './namespaces.js';
import { describeResultCode } from './result-codes.js';

/** The object services and extensions this server offers in its greeting and accepts at login. */
export const SERVER_OBJ_URIS: readonly string[] = [DOMAIN_NS, HOST_NS];
export const SERVER_EXT_URIS: readonly string[] = [SECDNS_NS];

/** An element quoted in <value> to show what a result is about (RFC 5730 §2.6). */
export interface QuotedElement {
  ns: string;
  qname: string;
  text: string;
}

export interface ResultParts {
  code: number;
  /** <msg>; the RFC's text for the code when absent. */
  message?: string;
  /** <extValue><reason>: why, in the registry's words. */
  reason?: string;
  /** The element the reason is about; the reason is sent only with one (the schema needs a <value>). */
  value?: QuotedElement;
}

export interface ResponseParts {
  result: ResultParts;
  /** Adds the one child of <resData>. */
  resData?: (resData: XMLBuilder) => void;
  /** Adds children of <extension> (secDNS:infData). */
  extension?: (extension: XMLBuilder) => void;
}

function document(build: (epp: XMLBuilder) => void): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8', standalone: false });
  build(doc.ele(EPP_NS, 'epp'));
  return doc.end({ prettyPrint: false, wellFormed: true });
}

/** RFC 5730 §2.4: who we are, the services offered, and a data collection policy (<dcp> is required). */
export function greetingXml(svID: string, now: Date): string {
  return document((epp) => {
    const greeting = epp.ele(EPP_NS, 'greeting');
    leaf(greeting, EPP_NS, 'svID', svID);
    leaf(greeting, EPP_NS, 'svDate', now.toISOString());
    const menu = greeting.ele(EPP_NS, 'svcMenu');
    leaf(menu, EPP_NS, 'version', '1.0');
    leaf(menu, EPP_NS, 'lang', 'en');
    for (const uri of SERVER_OBJ_URIS) leaf(menu, EPP_NS, 'objURI', uri);
    const ext = menu.ele(EPP_NS, 'svcExtension');
    for (const uri of SERVER_EXT_URIS) leaf(ext, EPP_NS, 'extURI', uri);
    const dcp = greeting.ele(EPP_NS, 'dcp');
    dcp.ele(EPP_NS, 'access').ele(EPP_NS, 'all');
    const statement = dcp.ele(EPP_NS, 'statement');
    const purpose = statement.ele(EPP_NS, 'purpose');
    purpose.ele(EPP_NS, 'admin');
    purpose.ele(EPP_NS, 'prov');
    statement.ele(EPP_NS, 'recipient').ele(EPP_NS, 'ours');
    statement.ele(EPP_NS, 'retention').ele(EPP_NS, 'stated');
  });
}

/** RFC 5730 §2.6: result, resData, extension, trID in schema order; clTRID only when the client sent one. */
export function responseXml(parts: ResponseParts, trID: { clTRID?: string | undefined; svTRID: string }): string {
  const { code, message, reason, value } = parts.result;
  return document((epp) => {
    const response = epp.ele(EPP_NS, 'response');
    const result = response.ele(EPP_NS, 'result', { code: String(code) });
    leaf(result, EPP_NS, 'msg', message ?? describeResultCode(code).text);
    if (reason !== undefined && value !== undefined) {
      const ext = result.ele(EPP_NS, 'extValue');
      leaf(ext.ele(EPP_NS, 'value'), value.ns, value.qname, value.text);
      leaf(ext, EPP_NS, 'reason', reason);
    }
    if (parts.resData) parts.resData(response.ele(EPP_NS, 'resData'));
    if (parts.extension) parts.extension(response.ele(EPP_NS, 'extension'));
    const tr = response.ele(EPP_NS, 'trID');
    if (trID.clTRID !== undefined) leaf(tr, EPP_NS, 'clTRID', trID.clTRID);
    leaf(tr, EPP_NS, 'svTRID', trID.svTRID);
  });
}

const D = DOMAIN_NS;
const H = HOST_NS;
const S = SECDNS_NS;

/** RFC 5731 §3.1.1 / RFC 5732 §3.1.1: one <cd> per name asked. */
export function checkData(ns: typeof DOMAIN_NS | typeof HOST_NS, items: { name: string; available: boolean; reason?: string | undefined }[]) {
  const prefix = ns === DOMAIN_NS ? 'domain' : 'host';
  return (resData: XMLBuilder): void => {
    const chk = resData.ele(ns, `${prefix}:chkData`);
    for (const item of items) {
      const cd = chk.ele(ns, `${prefix}:cd`);
      leaf(cd, ns, `${prefix}:name`, item.name, { avail: item.available ? '1' : '0' });
      if (!item.available && item.reason) leaf(cd, ns, `${prefix}:reason`, item.reason);
    }
  };
}

/** RFC 5731 §3.1.2, elements in schema order; `hosts` are the subordinate host objects when asked for. */
export function domainInfoData(d: RegistryDomain, hosts: string[], clID: string) {
  return (resData: XMLBuilder): void => {
    const inf = resData.ele(D, 'domain:infData');
    leaf(inf, D, 'domain:name', d.name);
    leaf(inf, D, 'domain:roid', d.roid);
    for (const s of d.statuses.length > 0 ? d.statuses : ['ok']) inf.ele(D, 'domain:status', { s });
    if (d.nameservers.length > 0) {
      const ns = inf.ele(D, 'domain:ns');
      for (const host of d.nameservers) leaf(ns, D, 'domain:hostObj', host);
    }
    for (const host of hosts) leaf(inf, D, 'domain:host', host);
    // The sponsoring client (RFC 5731 3.1.2): the object's sponsor as the registry reports it.
    leaf(inf, D, 'domain:clID', clID);
    leaf(inf, D, 'domain:crID', clID);
    leaf(inf, D, 'domain:crDate', d.createdAt);
    leaf(inf, D, 'domain:exDate', d.expiresAt);
  };
}

/** RFC 5910 §5.1.2 with the DS Data Interface: present only when the domain has DS records. */
export function secDnsInfData(d: RegistryDomain): ((extension: XMLBuilder) => void) | undefined {
  const ds = d.dnssec.flatMap((m) => (m.type === 'DS' ? [m] : []));
  if (ds.length === 0) return undefined;
  return (extension) => {
    const inf = extension.ele(S, 'secDNS:infData');
    for (const m of ds) {
      const el = inf.ele(S, 'secDNS:dsData');
      leaf(el, S, 'secDNS:keyTag', String(m.keyTag));
      leaf(el, S, 'secDNS:alg', String(m.algorithm));
      leaf(el, S, 'secDNS:digestType', String(m.digestType));
      leaf(el, S, 'secDNS:digest', m.digest);
    }
  };
}

export function domainCreData(d: RegistryDomain) {
  return (resData: XMLBuilder): void => {
    const cre = resData.ele(D, 'domain:creData');
    leaf(cre, D, 'domain:name', d.name);
    leaf(cre, D, 'domain:crDate', d.createdAt);
    leaf(cre, D, 'domain:exDate', d.expiresAt);
  };
}

export function domainRenData(d: RegistryDomain) {
  return (resData: XMLBuilder): void => {
    const ren = resData.ele(D, 'domain:renData');
    leaf(ren, D, 'domain:name', d.name);
    leaf(ren, D, 'domain:exDate', d.expiresAt);
  };
}

/**
 * RFC 5732 §3.1.2. The port's host view has no repository id or dates: the roid is derived from the
 * name (stable, roidType-shaped), and the dates are left out.
 */
export function hostInfoData(h: RegistryHost, roid: string, clID: string) {
  return (resData: XMLBuilder): void => {
    const inf = resData.ele(H, 'host:infData');
    leaf(inf, H, 'host:name', h.name);
    leaf(inf, H, 'host:roid', roid);
    // RFC 5732 §2.3: "linked" while a domain uses the host (then it cannot be deleted); "ok" otherwise.
    inf.ele(H, 'host:status', { s: h.linked ? 'linked' : 'ok' });
    for (const address of h.addresses) leaf(inf, H, 'host:addr', address, { ip: address.includes(':') ? 'v6' : 'v4' });
    leaf(inf, H, 'host:clID', clID);
    leaf(inf, H, 'host:crID', clID);
  };
}

export function hostCreData(name: string, now: Date) {
  return (resData: XMLBuilder): void => {
    const cre = resData.ele(H, 'host:creData');
    leaf(cre, H, 'host:name', name);
    leaf(cre, H, 'host:crDate', now.toISOString());
  };
}
