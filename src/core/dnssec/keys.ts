// DNSSEC signing keys (docs/dnssec.md; the DNS side signs with them in dns/dnssec/): generated with node:crypto, the DNSKEY RDATA of their public
// half (RFC 4034 2.1), key tags (RFC 4034 Appendix B) and DS digests (RFC 4034 5.1.4; SHA-256 is
// digest type 2, SHA-384 type 4). Algorithms: ECDSAP256SHA256 (13, RFC 6605) and ED25519 (15,
// RFC 8080). The private key leaves this module only as PKCS#8 DER, for the caller to seal.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { splitPresentation } from '../names.js';

export const ALGORITHM = { ECDSAP256SHA256: 13, ED25519: 15 } as const;
export type Algorithm = (typeof ALGORITHM)[keyof typeof ALGORITHM];
export const ALGORITHM_NAMES: Readonly<Record<Algorithm, string>> = { 13: 'ECDSAP256SHA256', 15: 'ED25519' };

/** DNSKEY flags: Zone Key (bit 7) plus Secure Entry Point (bit 15): a combined signing key (CSK). */
export const CSK_FLAGS = 257;
export const DNSKEY_PROTOCOL = 3;
export const DIGEST = { SHA256: 2, SHA384: 4 } as const;
export type DigestType = (typeof DIGEST)[keyof typeof DIGEST];

export interface SigningKey {
  algorithm: Algorithm;
  flags: number;
  privateKey: KeyObject;
  /** The DNSKEY RDATA (flags, protocol, algorithm, public key). */
  dnskey: Uint8Array;
  keyTag: number;
}

function b64urlToBytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

/** The DNSKEY public key field: P-256 as x | y (64 octets, RFC 6605 4); Ed25519 as its 32 octets (RFC 8080 3). */
function publicKeyField(algorithm: Algorithm, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' }) as { x?: string; y?: string };
  if (algorithm === ALGORITHM.ECDSAP256SHA256) {
    const x = b64urlToBytes(jwk.x!);
    const y = b64urlToBytes(jwk.y!);
    if (x.length !== 32 || y.length !== 32) throw new Error('unexpected P-256 public key size');
    const out = new Uint8Array(64);
    out.set(x, 0);
    out.set(y, 32);
    return out;
  }
  const x = b64urlToBytes(jwk.x!);
  if (x.length !== 32) throw new Error('unexpected Ed25519 public key size');
  return x;
}

export function dnskeyRdata(flags: number, algorithm: number, publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + publicKey.length);
  out[0] = flags >> 8;
  out[1] = flags & 0xff;
  out[2] = DNSKEY_PROTOCOL;
  out[3] = algorithm;
  out.set(publicKey, 4);
  return out;
}

/** RFC 4034 Appendix B (every algorithm but the retired RSA/MD5). */
export function keyTag(dnskey: Uint8Array): number {
  let ac = 0;
  for (let i = 0; i < dnskey.length; i++) ac += i & 1 ? dnskey[i]! : dnskey[i]! << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}

function keyFrom(algorithm: Algorithm, privateKey: KeyObject, flags: number): SigningKey {
  const dnskey = dnskeyRdata(flags, algorithm, publicKeyField(algorithm, createPublicKey(privateKey)));
  return { algorithm, flags, privateKey, dnskey, keyTag: keyTag(dnskey) };
}

/** A new key pair; `pkcs8` is the private key to keep (sealed) for `loadSigningKey`. */
export function generateSigningKey(algorithm: Algorithm = ALGORITHM.ECDSAP256SHA256, flags = CSK_FLAGS): { key: SigningKey; pkcs8: Buffer } {
  const { privateKey } =
    algorithm === ALGORITHM.ECDSAP256SHA256 ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : algorithm === ALGORITHM.ED25519 ? generateKeyPairSync('ed25519') : unsupported(algorithm);
  return { key: keyFrom(algorithm, privateKey, flags), pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }) };
}

/** A key from its PKCS#8 DER private key; throws when it is not of the algorithm's kind. */
export function loadSigningKey(algorithm: Algorithm, pkcs8: Uint8Array, flags = CSK_FLAGS): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const want = algorithm === ALGORITHM.ECDSAP256SHA256 ? 'ec' : algorithm === ALGORITHM.ED25519 ? 'ed25519' : unsupported(algorithm);
  if (privateKey.asymmetricKeyType !== want) throw new Error(`the stored key is ${privateKey.asymmetricKeyType}, not ${ALGORITHM_NAMES[algorithm]}`);
  if (want === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('the stored EC key is not on P-256');
  return keyFrom(algorithm, privateKey, flags);
}

function unsupported(algorithm: number): never {
  throw new Error(`DNSSEC algorithm ${algorithm} is not supported (13 ECDSAP256SHA256, 15 ED25519)`);
}

/** A store-form name (lowercase, no final dot) as an uncompressed wire name. */
export function ownerWire(name: string): Uint8Array {
  if (name === '' || name === '.') return Uint8Array.of(0);
  const labels = splitPresentation(name);
  if (typeof labels === 'string') throw new Error(`not a name: ${name} (${labels})`);
  const out: number[] = [];
  for (const l of labels) out.push(l.length, ...l.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b)));
  out.push(0);
  return Uint8Array.from(out);
}

/** DS RDATA for a DNSKEY of `owner` (uncompressed wire): key tag, algorithm, digest type, digest (RFC 4034 5.1.4). */
export function dsRdata(owner: Uint8Array, dnskey: Uint8Array, digestType: DigestType): Uint8Array {
  const lower = Uint8Array.from(owner);
  // Lowercase the label octets (length octets are below 0x40 and never change).
  for (let i = 0; i < lower.length; ) {
    const len = lower[i]!;
    for (let j = i + 1; j <= i + len; j++) if (lower[j]! >= 0x41 && lower[j]! <= 0x5a) lower[j]! += 32;
    i += len + 1;
    if (len === 0) break;
  }
  const digest = createHash(digestType === DIGEST.SHA256 ? 'sha256' : 'sha384')
    .update(lower)
    .update(dnskey)
    .digest();
  const out = new Uint8Array(4 + digest.length);
  const tag = keyTag(dnskey);
  out[0] = tag >> 8;
  out[1] = tag & 0xff;
  out[2] = dnskey[3]!;
  out[3] = digestType;
  out.set(digest, 4);
  return out;
}
