// Types that carry a hash in hex: TLSA (RFC 6698), SSHFP (RFC 4255/6594/7479/8709) and DS (RFC 4034 5.3).
// Canonical hex is uppercase, as Knot and BIND print it.
import { ok, parseHex, parseUint, problem, type Parsed } from './fields.js';
import type { RecordTypeDescriptor } from './record-descriptor.js';

function checkLength(hex: string, bytes: number | undefined, subject: string, why: string): Parsed<string> {
  if (bytes !== undefined && hex.length !== bytes * 2) {
    return problem('invalid_value', subject, `must be ${bytes} octets (${bytes * 2} hex digits) for ${why}, not ${hex.length / 2}`);
  }
  return ok(hex);
}

/** Parse the leading numeric fields: [subject, min, max] each; the rest are hex tokens. */
function leading(tokens: string[], spec: [string, number, number][], fields: string): Parsed<number[]> {
  if (tokens.length <= spec.length) return problem('invalid_format', null, `must have ${spec.length + 1} fields: ${fields}`);
  const out: number[] = [];
  for (const [i, [subject, min, max]] of spec.entries()) {
    const n = parseUint(tokens[i]!, subject, min, max);
    if (!n.ok) return n;
    out.push(n.value);
  }
  return ok(out);
}

const TLSA_HASH_OCTETS: Record<number, number> = { 1: 32, 2: 64 };

function parseTlsa(tokens: string[]): Parsed<string> {
  const nums = leading(
    tokens,
    [
      ['certificate usage', 0, 3],
      ['selector', 0, 1],
      ['matching type', 0, 2],
    ],
    'certificate usage, selector, matching type and certificate data',
  );
  if (!nums.ok) return nums;
  const [usage, selector, matching] = nums.value as [number, number, number];
  const hex = parseHex(tokens.slice(3), 'certificate data');
  if (!hex.ok) return hex;
  const sized = checkLength(hex.value, TLSA_HASH_OCTETS[matching], 'certificate data', `matching type ${matching} (${matching === 1 ? 'SHA-256' : 'SHA-512'})`);
  if (!sized.ok) return sized;
  return ok(`${usage} ${selector} ${matching} ${sized.value}`);
}

const SSHFP_ALGORITHMS = new Set([1, 2, 3, 4, 6]); // RSA, DSA, ECDSA, Ed25519 (RFC 7479), Ed448 (RFC 8709)
const SSHFP_HASH_OCTETS: Record<number, number> = { 1: 20, 2: 32 };

function parseSshfp(tokens: string[]): Parsed<string> {
  const nums = leading(
    tokens,
    [
      ['algorithm', 0, 255],
      ['fingerprint type', 1, 2],
    ],
    'algorithm, fingerprint type and fingerprint',
  );
  if (!nums.ok) return nums;
  const [alg, fpType] = nums.value as [number, number];
  if (!SSHFP_ALGORITHMS.has(alg)) return problem('invalid_value', 'algorithm', 'must be 1 (RSA), 2 (DSA), 3 (ECDSA), 4 (Ed25519) or 6 (Ed448)');
  const hex = parseHex(tokens.slice(2), 'fingerprint');
  if (!hex.ok) return hex;
  const sized = checkLength(hex.value, SSHFP_HASH_OCTETS[fpType], 'fingerprint', `fingerprint type ${fpType} (${fpType === 1 ? 'SHA-1' : 'SHA-256'})`);
  if (!sized.ok) return sized;
  return ok(`${alg} ${fpType} ${sized.value}`);
}

/** DNSSEC algorithm mnemonics (RFC 4034 A.1 and the IANA registry), accepted in place of numbers. */
const DNSSEC_ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
};
const DS_DIGEST_OCTETS: Record<number, [number, string]> = { 1: [20, 'SHA-1'], 2: [32, 'SHA-256'], 4: [48, 'SHA-384'] };

function parseDs(tokens: string[]): Parsed<string> {
  const fields = 'key tag, algorithm, digest type and digest';
  if (tokens.length < 4) return problem('invalid_format', null, `must have 4 fields: ${fields}`);
  const keyTag = parseUint(tokens[0]!, 'key tag', 0, 65535);
  if (!keyTag.ok) return keyTag;
  const mnemonic = DNSSEC_ALGORITHMS[tokens[1]!.toUpperCase()];
  const alg = mnemonic !== undefined ? ok(mnemonic) : parseUint(tokens[1]!, 'algorithm', 1, 255);
  if (!alg.ok) return alg;
  const digestType = parseUint(tokens[2]!, 'digest type', 0, 255);
  if (!digestType.ok) return digestType;
  const digestSpec = DS_DIGEST_OCTETS[digestType.value];
  if (digestSpec === undefined) return problem('invalid_value', 'digest type', 'must be 1 (SHA-1), 2 (SHA-256) or 4 (SHA-384)');
  const hex = parseHex(tokens.slice(3), 'digest');
  if (!hex.ok) return hex;
  const sized = checkLength(hex.value, digestSpec[0], 'digest', `digest type ${digestType.value} (${digestSpec[1]})`);
  if (!sized.ok) return sized;
  return ok(`${keyTag.value} ${alg.value} ${digestType.value} ${sized.value}`);
}

export const TLSA: RecordTypeDescriptor = { type: 'TLSA', code: 52, api: true, parse: parseTlsa };
export const SSHFP: RecordTypeDescriptor = { type: 'SSHFP', code: 44, api: true, parse: parseSshfp };
export const DS: RecordTypeDescriptor = { type: 'DS', code: 43, api: true, parse: parseDs };
