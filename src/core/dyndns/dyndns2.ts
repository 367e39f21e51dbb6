// The DynDNS update protocol as clients speak it (HostUp's /api/dyndns/update and dyndns2's
// /nic/update): which token, which host names and which addresses a request carries, and the
// reply lines. Pure functions; docs/dyndns.md has the rules.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../records/ip.js';

/** What an update request asks for, before anything is looked up. */
export interface UpdateRequest {
  /** The token (HostUp's `token` parameter, else the Basic-auth password); null when none was sent. */
  token: string | null;
  /** Host names in request order, as sent (each answered by one line). */
  hostnames: string[];
  /** The IPv4 and IPv6 address to set (canonical text), null when the request has none of that family. */
  v4: string | null;
  v6: string | null;
  /** True when the addresses are the client's own (no address parameter was sent). */
  fromClient: boolean;
}

export type ParseResult = { ok: true; request: UpdateRequest } | { ok: false; detail: string };

/** Query parameters as Fastify gives them (a repeated parameter is an array), or a parsed body. */
export type Query = Record<string, unknown>;

const LIST_PARAMS = ['myip', 'ip'] as const;
const V4_PARAMS = ['myipv4'] as const;
const V6_PARAMS = ['myipv6', 'ipv6'] as const;

/** The text values of a parameter, comma lists split; anything that is not text (a JSON body's numbers) is ignored. */
function values(q: Query, name: string): string[] {
  const v = q[name];
  const all: unknown[] = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return all
    .filter((s): s is string => typeof s === 'string')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The password of an `Authorization: Basic` header (the user name is free), or null. */
export function basicPassword(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : text.slice(colon + 1);
}

type Address = { family: 4 | 6; text: string } | { error: string };

/** A strict IPv4 or IPv6 address usable in an A/AAAA record; an IPv4-mapped IPv6 counts as IPv4. */
export function parseUpdateAddress(text: string): Address {
  const v4 = parseIPv4(text);
  if (v4) {
    if (v4.every((o) => o === 0)) return { error: `${text} is the unspecified address` };
    if (v4[0]! >= 224 && v4[0]! <= 239) return { error: `${text} is a multicast address` };
    if (v4.every((o) => o === 255)) return { error: `${text} is the broadcast address` };
    return { family: 4, text: formatIPv4(v4) };
  }
  const v6 = parseIPv6(text);
  if (v6) {
    if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
      return parseUpdateAddress(formatIPv4([v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff]));
    }
    if (v6.every((g) => g === 0)) return { error: `${text} is the unspecified address` };
    if (v6[0]! >> 8 === 0xff) return { error: `${text} is a multicast address` };
    return { family: 6, text: formatIPv6(v6) };
  }
  return { error: `"${text.slice(0, 60)}" is not an IPv4 or IPv6 address` };
}

/**
 * Reads one update request. `myip` and `ip` may be comma lists of both families; `myipv4`,
 * `myipv6` and `ipv6` name one family and win over the lists. Without any address parameter the
 * client's address is used. A malformed or unusable address fails the whole request.
 */
export function parseUpdateRequest(q: Query, authorization: string | undefined, clientIp: string): ParseResult {
  const tokenParam = values(q, 'token')[0];
  const token = tokenParam ?? basicPassword(authorization);
  const hostnames = values(q, 'hostname');
  let v4: string | null = null;
  let v6: string | null = null;
  let given = false;
  const take = (text: string, only?: 4 | 6): string | null => {
    given = true;
    const a = parseUpdateAddress(text);
    if ('error' in a) return a.error;
    if (only !== undefined && a.family !== only) return `${text} is not an IPv${only} address`;
    if (a.family === 4) v4 ??= a.text;
    else v6 ??= a.text;
    return null;
  };
  // Family parameters first: they win over the lists.
  for (const name of V4_PARAMS) for (const t of values(q, name)) {
    const e = take(t, 4);
    if (e) return { ok: false, detail: `${name}: ${e}` };
  }
  for (const name of V6_PARAMS) for (const t of values(q, name)) {
    const e = take(t, 6);
    if (e) return { ok: false, detail: `${name}: ${e}` };
  }
  for (const name of LIST_PARAMS) for (const t of values(q, name)) {
    const e = take(t);
    if (e) return { ok: false, detail: `${name}: ${e}` };
  }
  if (!given) {
    const a = parseUpdateAddress(clientIp);
    if ('error' in a) return { ok: false, detail: `no address was sent and the client address cannot be used: ${a.error}` };
    if (a.family === 4) v4 = a.text;
    else v6 = a.text;
  }
  return { ok: true, request: { token: token === null || token === '' ? null : token, hostnames, v4, v6, fromClient: !given } };
}

/** The outcome for one host name, as the reply line says it. */
export type UpdateOutcome =
  | { status: 'good' | 'nochg'; addresses: string[] }
  | { status: 'badauth' | 'notfqdn' | 'nohost' | 'numhost' | 'abuse' | 'dnserr' | '911' };

export function replyLine(o: UpdateOutcome): string {
  return 'addresses' in o && o.addresses.length > 0 ? `${o.status} ${o.addresses.join(',')}` : o.status;
}
