// RRSIG records (RFC 4034 3, RFC 4035 2.2): the signature over an RRset in canonical form, made with
// node:crypto — ECDSA P-256/SHA-256 as r | s (RFC 6605 4), Ed25519 as its 64 octets (RFC 8080 4).
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { canonicalRRsetWire } from '../wire/canonical.js';
import { CLASS } from '../wire/constants.js';
import { isWildcard, labelCount, lowerName } from '../wire/name.js';
import { ALGORITHM, type SigningKey } from '../../core/dnssec/keys.js';

export interface SignatureTimes {
  /** Seconds since the epoch (RFC 4034 3.1.5: serial arithmetic on the wire). */
  inception: number;
  expiration: number;
}

/** RRSIG Labels: the owner's labels, without the root and a leading `*` (RFC 4034 3.1.3). */
export function rrsigLabels(owner: Uint8Array): number {
  return labelCount(owner) - (isWildcard(owner) ? 1 : 0);
}

/** The RRSIG RDATA up to the signer's name (what the signature covers, before the RRset). */
function rrsigHeader(type: number, algorithm: number, labels: number, ttl: number, times: SignatureTimes, tag: number, signer: Uint8Array): Uint8Array {
  const s = lowerName(signer);
  const out = new Uint8Array(18 + s.length);
  out[0] = type >> 8;
  out[1] = type & 0xff;
  out[2] = algorithm;
  out[3] = labels;
  const u32 = (at: number, v: number): void => {
    out[at] = (v >>> 24) & 0xff;
    out[at + 1] = (v >>> 16) & 0xff;
    out[at + 2] = (v >>> 8) & 0xff;
    out[at + 3] = v & 0xff;
  };
  u32(4, ttl >>> 0);
  u32(8, times.expiration >>> 0);
  u32(12, times.inception >>> 0);
  out[16] = tag >> 8;
  out[17] = tag & 0xff;
  out.set(s, 18);
  return out;
}

function signBytes(key: SigningKey, data: Uint8Array): Buffer {
  if (key.algorithm === ALGORITHM.ECDSAP256SHA256) return cryptoSign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return cryptoSign(null, data, key.privateKey);
}

/**
 * The RRSIG RDATA over an RRset: `owner` as it stands in the zone (a wildcard owner for a
 * wildcard RRset), `ttl` the RRset's TTL (the RRSIG's original TTL), `signer` the zone apex.
 */
export function signRRset(owner: Uint8Array, type: number, ttl: number, rdatas: readonly Uint8Array[], key: SigningKey, signer: Uint8Array, times: SignatureTimes): Uint8Array {
  const header = rrsigHeader(type, key.algorithm, rrsigLabels(owner), ttl, times, key.keyTag, signer);
  const rrset = canonicalRRsetWire(owner, type, CLASS.IN, ttl, rdatas);
  const data = new Uint8Array(header.length + rrset.length);
  data.set(header, 0);
  data.set(rrset, header.length);
  const sig = signBytes(key, data);
  const out = new Uint8Array(header.length + sig.length);
  out.set(header, 0);
  out.set(sig, header.length);
  return out;
}

/** Checks an RRSIG RDATA made by signRRset against the public key (tests, self-checks). */
export function verifyRRset(rrsig: Uint8Array, owner: Uint8Array, type: number, rdatas: readonly Uint8Array[], publicKey: KeyObject, algorithm: number): boolean {
  let p = 18;
  while (rrsig[p] !== 0) p += rrsig[p]! + 1;
  p++;
  const header = rrsig.subarray(0, p);
  const ttl = ((rrsig[4]! << 24) | (rrsig[5]! << 16) | (rrsig[6]! << 8) | rrsig[7]!) >>> 0;
  const rrset = canonicalRRsetWire(owner, type, CLASS.IN, ttl, rdatas);
  const data = new Uint8Array(header.length + rrset.length);
  data.set(header, 0);
  data.set(rrset, header.length);
  const sig = rrsig.subarray(p);
  return algorithm === ALGORITHM.ECDSAP256SHA256 ? cryptoVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig) : cryptoVerify(null, data, publicKey, sig);
}
