// Which addresses a registry host object (glue) may carry: public unicast only. The special-purpose
// ranges of the IANA IPv4 and IPv6 registries (RFC 6890 and its updates) are refused, except the
// documentation ranges, which examples and tests use (seed 000's own example is 203.0.113.10).
import ipaddr from 'ipaddr.js';

export interface RefusedRange {
  cidr: string;
  what: string;
}

/** Refused IPv4 ranges (IANA IPv4 Special-Purpose Address Registry). */
export const REFUSED_V4: readonly RefusedRange[] = [
  { cidr: '0.0.0.0/8', what: '"this network" (RFC 791), including the unspecified address 0.0.0.0' },
  { cidr: '10.0.0.0/8', what: 'private-use (RFC 1918)' },
  { cidr: '100.64.0.0/10', what: 'shared address space (RFC 6598, carrier-grade NAT)' },
  { cidr: '127.0.0.0/8', what: 'loopback (RFC 1122)' },
  { cidr: '169.254.0.0/16', what: 'link-local (RFC 3927)' },
  { cidr: '172.16.0.0/12', what: 'private-use (RFC 1918)' },
  { cidr: '192.0.0.0/24', what: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.88.99.0/24', what: 'deprecated 6to4 relay anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', what: 'private-use (RFC 1918)' },
  { cidr: '198.18.0.0/15', what: 'benchmarking (RFC 2544)' },
  { cidr: '224.0.0.0/4', what: 'multicast (RFC 5771)' },
  { cidr: '240.0.0.0/4', what: 'reserved (RFC 1112), including the limited broadcast address 255.255.255.255' },
];

/** Refused IPv6 ranges (IANA IPv6 Special-Purpose Address Registry); outside 2000::/3 is refused too. */
export const REFUSED_V6: readonly RefusedRange[] = [
  { cidr: '::/128', what: 'the unspecified address (RFC 4291)' },
  { cidr: '::1/128', what: 'loopback (RFC 4291)' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped (RFC 4291)' },
  { cidr: '64:ff9b::/96', what: 'IPv4/IPv6 translation (RFC 6052)' },
  { cidr: '64:ff9b:1::/48', what: 'local-use IPv4/IPv6 translation (RFC 8215)' },
  { cidr: '100::/64', what: 'discard-only (RFC 6666)' },
  { cidr: '2001::/23', what: 'IETF protocol assignments (RFC 2928: Teredo, benchmarking, ORCHID, ...)' },
  { cidr: '2002::/16', what: '6to4 (RFC 3056)' },
  { cidr: 'fc00::/7', what: 'unique-local (RFC 4193)' },
  { cidr: 'fe80::/10', what: 'link-local (RFC 4291)' },
  { cidr: 'ff00::/8', what: 'multicast (RFC 4291)' },
];

/** Documentation ranges: reserved, but accepted (examples and tests use them). */
export const DOCUMENTATION_RANGES: readonly string[] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '3fff::/20'];

const parsed = <T extends RefusedRange | string>(list: readonly T[]) =>
  list.map((r) => ({ r, net: ipaddr.parseCIDR(typeof r === 'string' ? r : (r as RefusedRange).cidr) }));
const V4 = parsed(REFUSED_V4);
const V6 = parsed(REFUSED_V6);
const DOCS = parsed(DOCUMENTATION_RANGES);
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export type GlueAddress = { ok: true; address: string; version: 4 | 6 } | { ok: false; reason: string };

/**
 * A glue address in canonical text (IPv4 dotted quad, RFC 5952 IPv6), or why it is refused.
 * Only plain addresses: no CIDR, no zone index, no leading zeros in IPv4 octets.
 */
export function checkGlueAddress(raw: string): GlueAddress {
  const text = raw.trim();
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) addr = ipaddr.IPv4.parse(text);
  else if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) addr = ipaddr.IPv6.parse(text);
  else return { ok: false, reason: 'is not an IPv4 or IPv6 address' };
  if (addr.kind() === 'ipv4' && /(^|\.)0[0-9]/.test(text)) return { ok: false, reason: 'has a leading zero in an octet (ambiguous: octal or decimal)' };
  const match = (net: [ipaddr.IPv4 | ipaddr.IPv6, number]) => addr.kind() === net[0].kind() && addr.match(net);
  if (!DOCS.some((d) => match(d.net))) {
    const hit = (addr.kind() === 'ipv4' ? V4 : V6).find((x) => match(x.net));
    if (hit) return { ok: false, reason: `is in ${(hit.r as RefusedRange).cidr}, ${(hit.r as RefusedRange).what}` };
    if (addr.kind() === 'ipv6' && !match(GLOBAL_UNICAST_V6)) return { ok: false, reason: 'is outside the IPv6 global unicast space 2000::/3' };
  }
  return addr.kind() === 'ipv4' ? { ok: true, address: addr.toString(), version: 4 } : { ok: true, address: (addr as ipaddr.IPv6).toRFC5952String(), version: 6 };
}
