// The rules a registrar applies before it talks to a registry: nameserver sets (RFC 5731 host
// objects, in-bailiwick glue), glue host objects (seed 000) and DNSSEC key material (RFC 5910).
// Pure functions over request bodies; the registry adapters enforce them again on their side.
import { fieldError, type FieldError } from '../errors.js';
import { isInZone, parseName } from '../names.js';
import { RECORD_TYPES } from '../records/record-types.js';
import { API_CONTEXT } from '../records/record-descriptor.js';
import { checkGlueAddress } from './ip-policy.js';

export const MIN_NAMESERVERS = 2;
export const MAX_NAMESERVERS = 13;
export const MAX_GLUE_IPS = 10;
/** Host objects per domain (HostUp's registry limit, seed 000). */
export const MAX_HOSTS_PER_DOMAIN = 13;

/** DNSSEC algorithms accepted at the registry (IANA registry; RFC 8624 forbids signing with 1 RSAMD5). */
export const DNSSEC_ALGORITHMS: Readonly<Record<number, string>> = Object.freeze({
  3: 'DSA', 5: 'RSASHA1', 6: 'DSA-NSEC3-SHA1', 7: 'RSASHA1-NSEC3-SHA1', 8: 'RSASHA256', 10: 'RSASHA512', 12: 'ECC-GOST',
  13: 'ECDSAP256SHA256', 14: 'ECDSAP384SHA384', 15: 'ED25519', 16: 'ED448', 17: 'SM2SM3', 23: 'ECC-GOST12',
});

/** A host name as registries take it: canonical, at least two labels, host-name syntax. */
export function parseHostName(raw: unknown, pointer: string, what: string): { name?: string; error?: FieldError } {
  if (typeof raw !== 'string') return { error: fieldError(pointer, 'invalid_type', `${what} must be a string.`) };
  const r = parseName(raw, 'hostname');
  if (!r.ok) return { error: fieldError(pointer, 'invalid_format', `${what} ${r.detail}.`) };
  if (!r.name.includes('.')) return { error: fieldError(pointer, 'invalid_value', `${what} must be a fully qualified host name such as ns1.example.org.`) };
  // An all-numeric last label is no TLD (RFC 3696 2): `192.0.2.1` is an address, not a host name.
  if (/^[0-9]+$/.test(r.name.split('.').pop()!)) return { error: fieldError(pointer, 'invalid_value', `${what} must be a host name, not an IP address.`) };
  // Host objects are LDH names (RFC 5732 2.1, RFC 1123 2.1): no underscores or other characters.
  if (!r.name.split('.').every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) {
    return { error: fieldError(pointer, 'invalid_format', `${what} must use letters, digits and hyphens only (no label starting or ending with a hyphen).`) };
  }
  return { name: r.name };
}

/** Strictly below the domain (a child nameserver needs glue; the domain itself is not a host here). */
export function isInBailiwick(host: string, domain: string): boolean {
  return host !== domain && isInZone(host, domain);
}

/** Addresses of one host: canonical, duplicates dropped, 1-10, each allowed by the glue policy. */
export function parseAddresses(raw: unknown, pointer: string): { addresses?: string[]; errors: FieldError[] } {
  const list = typeof raw === 'string' ? raw.split(/[\s,]+/).filter((x) => x !== '') : raw;
  if (!Array.isArray(list)) return { errors: [fieldError(pointer, 'invalid_type', 'The addresses must be a list of IPv4/IPv6 addresses.')] };
  const errors: FieldError[] = [];
  const out: string[] = [];
  list.forEach((a, i) => {
    const at = typeof raw === 'string' ? pointer : `${pointer}/${i}`;
    if (typeof a !== 'string') return void errors.push(fieldError(at, 'invalid_type', 'Each address must be a string.'));
    const c = checkGlueAddress(a);
    if (!c.ok) errors.push(fieldError(at, 'invalid_value', `${a.trim() || '""'} ${c.reason}; glue must be a public address.`));
    else if (!out.includes(c.address)) out.push(c.address);
  });
  if (errors.length === 0 && out.length === 0) errors.push(fieldError(pointer, 'required', 'At least one IP address is required.'));
  if (out.length > MAX_GLUE_IPS) errors.push(fieldError(pointer, 'too_long', `A host object may carry at most ${MAX_GLUE_IPS} addresses; this one has ${out.length}.`));
  return errors.length > 0 ? { errors } : { addresses: out, errors };
}

export interface NameserverEntry {
  name: string;
  /** A child of the domain: the registry needs a host object with addresses for it. */
  inBailiwick: boolean;
  /** Addresses sent with it (`nsips[i]`); null when none were sent. */
  addresses: string[] | null;
}

/**
 * `POST /domains/{id}/nameservers` body → the new set. `existingHosts` are the domain's host objects
 * at the registry (an in-bailiwick nameserver needs addresses from `nsips` or from one of them).
 */
export function checkNameserverSet(domain: string, body: { nameservers?: unknown; nsips?: unknown }, existingHosts: ReadonlyMap<string, readonly string[]>): { entries?: NameserverEntry[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const ns = body.nameservers;
  if (!Array.isArray(ns)) return { errors: [fieldError('/nameservers', ns === undefined ? 'required' : 'invalid_type', '`nameservers` must be a list of 2 to 13 host names.')] };
  if (ns.length < MIN_NAMESERVERS || ns.length > MAX_NAMESERVERS) errors.push(fieldError('/nameservers', ns.length < MIN_NAMESERVERS ? 'too_short' : 'too_long', `A domain needs ${MIN_NAMESERVERS} to ${MAX_NAMESERVERS} nameservers; ${ns.length} were given.`));
  const nsips = body.nsips;
  if (nsips !== undefined && nsips !== null && (!Array.isArray(nsips) || nsips.length > ns.length)) {
    errors.push(fieldError('/nsips', 'invalid_value', '`nsips` must be a list aligned with `nameservers` (nsips[i] are the addresses of nameservers[i]).'));
  }
  const ips = Array.isArray(nsips) ? nsips : [];
  const entries: NameserverEntry[] = [];
  const seen = new Set<string>();
  ns.forEach((raw, i) => {
    const h = parseHostName(raw, `/nameservers/${i}`, `\`nameservers[${i}]\``);
    if (h.error) return void errors.push(h.error);
    const name = h.name!;
    if (seen.has(name)) return void errors.push(fieldError(`/nameservers/${i}`, 'duplicate', `${name} is listed twice.`));
    seen.add(name);
    const inBailiwick = isInBailiwick(name, domain);
    const given = ips[i];
    const sent = given !== undefined && given !== null && !(Array.isArray(given) && given.length === 0) && given !== '';
    let addresses: string[] | null = null;
    if (sent) {
      if (!inBailiwick) return void errors.push(fieldError(`/nsips/${i}`, 'not_allowed', `${name} is not under ${domain}, so the registry takes no addresses for it; leave nsips[${i}] empty.`));
      const a = parseAddresses(given, `/nsips/${i}`);
      if (!a.addresses) return void errors.push(...a.errors);
      addresses = a.addresses;
    } else if (inBailiwick && !existingHosts.has(name)) {
      return void errors.push(fieldError(`/nsips/${i}`, 'required', `${name} is under ${domain}: give its addresses in nsips[${i}] or create its glue record first.`));
    }
    entries.push({ name, inBailiwick, addresses });
  });
  return errors.length > 0 ? { errors } : { entries, errors };
}

/** `POST /domains/{id}/glue-records` body (seed 000) → host name and canonical addresses. */
export function checkGlueInput(domain: string, body: { hostname?: unknown; ips?: unknown }): { hostname?: string; ips?: string[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  let hostname: string | undefined;
  if (body.hostname === undefined) errors.push(fieldError('/hostname', 'required', '`hostname` is required.'));
  else if (typeof body.hostname === 'string' && (body.hostname.trim().length < 3 || body.hostname.trim().length > 255)) {
    errors.push(fieldError('/hostname', 'out_of_range', '`hostname` must be 3 to 255 characters.'));
  } else {
    const h = parseHostName(body.hostname, '/hostname', '`hostname`');
    if (h.error) errors.push(h.error);
    else if (!isInBailiwick(h.name!, domain)) errors.push(fieldError('/hostname', 'invalid_value', `\`hostname\` must be a host under ${domain}, such as ns1.${domain}.`));
    else hostname = h.name;
  }
  let ips: string[] | undefined;
  if (body.ips === undefined) errors.push(fieldError('/ips', 'required', '`ips` is required.'));
  else if (!Array.isArray(body.ips)) errors.push(fieldError('/ips', 'invalid_type', '`ips` must be a list of 1 to 10 addresses.'));
  else {
    const a = parseAddresses(body.ips, '/ips');
    if (a.addresses) ips = a.addresses;
    else errors.push(...a.errors);
  }
  return errors.length > 0 ? { errors } : { hostname: hostname!, ips: ips!, errors };
}

export type DnssecMaterial =
  | { type: 'DS'; keyTag: number; algorithm: number; digestType: number; digest: string }
  | { type: 'KEY'; flags: number; protocol: 3; algorithm: number; publicKey: string };

/** A number sent as a JSON number or (HostUp does) as a string of digits. */
function numberField(body: Record<string, unknown>, f: string, min: number, max: number, errors: FieldError[]): number | undefined {
  const raw = body[f];
  if (raw === undefined || raw === null || raw === '') return void errors.push(fieldError(`/${f}`, 'required', `\`${f}\` is required.`));
  const v = typeof raw === 'string' && /^[0-9]{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v)) return void errors.push(fieldError(`/${f}`, 'invalid_type', `\`${f}\` must be an integer.`));
  if (v < min || v > max) return void errors.push(fieldError(`/${f}`, 'out_of_range', `\`${f}\` must be between ${min} and ${max}.`));
  return v;
}

function algorithmField(body: Record<string, unknown>, errors: FieldError[]): number | undefined {
  const a = numberField(body, 'algorithm', 0, 255, errors);
  if (a === undefined) return undefined;
  if (a === 1) return void errors.push(fieldError('/algorithm', 'invalid_value', 'Algorithm 1 (RSAMD5) must not be used (RFC 8624).'));
  if (!Object.hasOwn(DNSSEC_ALGORITHMS, a)) return void errors.push(fieldError('/algorithm', 'invalid_value', `\`algorithm\` must be an assigned DNSSEC algorithm: ${Object.entries(DNSSEC_ALGORITHMS).map(([n, m]) => `${n} (${m})`).join(', ')}.`));
  return a;
}

/** `POST /domains/{id}/dnssec` body: a DS or a KEY (DNSKEY data), numbers as numbers or digit strings. */
export function checkDnssecInput(body: Record<string, unknown>): { material?: DnssecMaterial; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const type = typeof body.type === 'string' ? body.type.trim().toUpperCase() : body.type;
  if (type === 'DS') {
    const keyTag = numberField(body, 'keyTag', 0, 65535, errors);
    const algorithm = algorithmField(body, errors);
    const digestType = numberField(body, 'digestType', 0, 255, errors);
    const digest = typeof body.digest === 'string' ? body.digest.trim() : undefined;
    if (digest === undefined) errors.push(fieldError('/digest', body.digest === undefined ? 'required' : 'invalid_type', '`digest` must be the digest in hex.'));
    if (errors.length > 0) return { errors };
    // The DS RDATA parser knows the digest types (1, 2, 4) and their lengths.
    const r = RECORD_TYPES.DS!.parse([String(keyTag), String(algorithm), String(digestType), digest!], API_CONTEXT);
    if (!r.ok) {
      const field = r.problem.subject === 'digest type' ? 'digestType' : 'digest';
      return { errors: [fieldError(`/${field}`, r.problem.code, `\`${field}\` ${r.problem.predicate}.`)] };
    }
    const hex = r.value.split(' ').slice(3).join('').toLowerCase();
    return { material: { type: 'DS', keyTag: keyTag!, algorithm: algorithm!, digestType: digestType!, digest: hex }, errors };
  }
  if (type === 'KEY') {
    const flags = numberField(body, 'flags', 0, 65535, errors);
    const protocol = numberField(body, 'protocol', 0, 255, errors);
    if (protocol !== undefined && protocol !== 3) errors.push(fieldError('/protocol', 'invalid_value', '`protocol` must be 3 (RFC 4034 2.1.2).'));
    const algorithm = algorithmField(body, errors);
    const key = typeof body.publicKey === 'string' ? body.publicKey.replace(/\s+/g, '') : undefined;
    if (key === undefined) errors.push(fieldError('/publicKey', body.publicKey === undefined ? 'required' : 'invalid_type', '`publicKey` must be the key in base64.'));
    else if (key === '' || key.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) errors.push(fieldError('/publicKey', 'invalid_format', '`publicKey` must be base64 (RFC 4648, with padding).'));
    if (flags !== undefined && (flags & 0x0100) === 0) errors.push(fieldError('/flags', 'invalid_value', '`flags` must have the Zone Key bit (256; 257 for a key-signing key).'));
    if (errors.length > 0) return { errors };
    return { material: { type: 'KEY', flags: flags!, protocol: 3, algorithm: algorithm!, publicKey: Buffer.from(key!, 'base64').toString('base64') }, errors };
  }
  return { errors: [fieldError('/type', type === undefined ? 'required' : 'invalid_value', '`type` must be DS or KEY.')] };
}
