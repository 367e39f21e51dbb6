// DNSSEC canonical form (RFC 4034 6): canonical RRs and RRsets as signed and as hashed, in one
// place for the signer and NSEC/NSEC3 code. Names: `compareNames` in name.ts (6.1); RDATA:
// `canonicalRdata` and `compareRdata` in rdata.ts (6.2, 6.3).
import { WireError } from './errors.js';
import { lowerName } from './name.js';
import { canonicalRdata, compareRdata } from './rdata.js';

export { compareNames } from './name.js';
export { canonicalRdata, compareRdata } from './rdata.js';

/**
 * The RDATA of an RRset in canonical form and order (RFC 4034 6.3): each canonicalized, sorted as
 * unsigned octet strings, duplicates removed.
 */
export function canonicalRdataSet(type: number, rdatas: readonly Uint8Array[]): Uint8Array[] {
  const sorted = rdatas.map((r) => canonicalRdata(type, r)).sort(compareRdata);
  const out: Uint8Array[] = [];
  for (const r of sorted) if (out.length === 0 || compareRdata(out[out.length - 1]!, r) !== 0) out.push(r);
  return out;
}

/**
 * The wire form of an RRset as it enters a signature (RFC 4034 3.1.8.1, 6.2): for each RDATA in
 * canonical order, owner (lowercase, uncompressed) | type | class | TTL | RDLENGTH | RDATA. `ttl`
 * is the RRSIG's original TTL; for a wildcard expansion pass the `*.` owner.
 */
export function canonicalRRsetWire(owner: Uint8Array, type: number, klass: number, ttl: number, rdatas: readonly Uint8Array[]): Uint8Array {
  const name = lowerName(owner);
  const set = canonicalRdataSet(type, rdatas);
  let size = 0;
  for (const r of set) {
    if (r.length > 65535) throw new WireError('RDATA is longer than 65535 octets');
    size += name.length + 10 + r.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const r of set) {
    out.set(name, o);
    o += name.length;
    out[o++] = type >> 8;
    out[o++] = type & 0xff;
    out[o++] = klass >> 8;
    out[o++] = klass & 0xff;
    out[o++] = ttl >>> 24;
    out[o++] = (ttl >>> 16) & 0xff;
    out[o++] = (ttl >>> 8) & 0xff;
    out[o++] = ttl & 0xff;
    out[o++] = r.length >> 8;
    out[o++] = r.length & 0xff;
    out.set(r, o);
    o += r.length;
  }
  return out;
}
