// Signs a whole zone at once (docs/dnssec.md): DNSKEY (and CDS/CDNSKEY) at the apex from the keys,
// then everything ZoneSignerState signs — the NSEC chain and an RRSIG per key over every
// authoritative RRset. Input and output are store-form RRs (lowercase owners without the final
// dot, presentation RDATA), so the result can be written as a zone file, checked by
// ldns-verify-zone and dnssec-verify, and served. The rules are ZoneSignerState's.
import type { RR } from '../../core/model.js';
import { DIGEST, dsRdata, type SigningKey } from '../../core/dnssec/keys.js';
import { TYPE, typeCode } from '../wire/constants.js';
import { lowerName, nameToWire } from '../wire/name.js';
import { rdataToText } from '../wire/rdata.js';
import { NOT_DNS, ZoneSignerState } from './zone-signer-state.js';

/** Types the signer makes from the keys and the data: any in the input are replaced. */
const MADE_HERE = new Set(['RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'DNSKEY', 'CDS', 'CDNSKEY']);

export interface SignZoneOptions {
  keys: readonly SigningKey[];
  /** The signing time, seconds (default now). */
  now?: number;
  /** TTL of DNSKEY, CDS and CDNSKEY (default 3600). */
  keyTtl?: number;
  /** Publish CDS (SHA-256) and CDNSKEY for the SEP keys (RFC 7344); default true. */
  cds?: boolean;
}

export interface SignedZone {
  rrs: RR[];
  /** RRSIGs made. */
  signatures: number;
  /** Names in the NSEC chain. */
  chain: number;
}

export function signZone(origin: string, input: readonly RR[], opts: SignZoneOptions): SignedZone {
  if (opts.keys.length === 0) throw new Error('signZone: no keys');
  const data: RR[] = input.filter((r) => !NOT_DNS.has(r.type) && !MADE_HERE.has(r.type) && typeCode(r.type) !== undefined);
  const keyTtl = opts.keyTtl ?? 3600;
  const apex = lowerName(nameToWire(origin));
  for (const k of opts.keys) {
    data.push({ name: origin, type: 'DNSKEY', ttl: keyTtl, rdata: rdataToText(TYPE.DNSKEY, k.dnskey) });
    if (opts.cds !== false && (k.flags & 1) === 1) {
      data.push({ name: origin, type: 'CDNSKEY', ttl: keyTtl, rdata: rdataToText(TYPE.CDNSKEY, k.dnskey) });
      data.push({ name: origin, type: 'CDS', ttl: keyTtl, rdata: rdataToText(TYPE.CDS, dsRdata(apex, k.dnskey, DIGEST.SHA256)) });
    }
  }
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const state = new ZoneSignerState(origin, opts.keys, () => now);
  const extras = state.load(data);
  // The data as served: each RRset with its lowest TTL.
  const out = data.map((r) => ({ ...r, ttl: state.ttlOf(r.name, typeCode(r.type)!) ?? r.ttl }));
  for (const r of extras) out.push(r);
  return { rrs: out, signatures: state.signatures, chain: state.chainLength };
}
