// Signs a whole zone (docs/dnssec.md): DNSKEY (and CDS/CDNSKEY) at the apex, a complete NSEC chain
// over the authoritative names, and an RRSIG per key over every authoritative RRset. Input and
// output are store-form RRs (lowercase owners without the final dot, presentation RDATA), so the
// result can be written as a zone file, checked by ldns-verify-zone and dnssec-verify, and served.
//
// - Authoritative names: the apex and every name not below a zone cut (a non-apex name with NS).
//   At a cut only DS and NSEC are signed (the NS set belongs to the child); names below a cut are
//   glue or occluded data: neither signed nor in the chain. Empty non-terminals get no NSEC
//   (RFC 4035 2.3: resolvers accept an NSEC whose next name is below the empty name).
// - An RRset's TTL is the lowest of its records' (as the zone serves it); NSEC TTL is
//   min(SOA TTL, SOA MINIMUM) (RFC 9077).
// - zonekeeper's own types (ALIAS/Flatten, Redirect, PullZone, Script) are not DNS data: they are
//   left out here (their answers are computed at query time and signed then).
import type { RR } from '../../core/model.js';
import { compareNames } from '../wire/canonical.js';
import { TYPE, typeCode, typeName } from '../wire/constants.js';
import { lowerName, nameToWire } from '../wire/name.js';
import { rdataFromText, rdataToText } from '../wire/rdata.js';
import { DIGEST, dsRdata, type SigningKey } from './keys.js';
import { nsecRdata } from './nsec.js';
import { signRRset, type SignatureTimes } from './sign.js';

/** Stored types that are not DNS data. */
const NOT_DNS = new Set(['ALIAS', 'REDIRECT', 'PULLZONE', 'SCRIPT']);
/** Types the signer makes itself: any in the input are replaced. */
const MADE_HERE = new Set<number>([TYPE.RRSIG, TYPE.NSEC, TYPE.DNSKEY, TYPE.CDS, TYPE.CDNSKEY, TYPE.NSEC3, TYPE.NSEC3PARAM]);

export interface SignZoneOptions {
  keys: readonly SigningKey[];
  times: SignatureTimes;
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

interface RRsetData {
  ttl: number;
  rdatas: Uint8Array[];
}

interface NameData {
  wire: Uint8Array;
  sets: Map<number, RRsetData>;
}

/** Parent of a store-form name key (the text after the first `.`; dots inside labels are `\046`). */
function parentKey(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

function rr(name: string, type: number, ttl: number, rdata: Uint8Array): RR {
  return { name, type: typeName(type), ttl, rdata: rdataToText(type, rdata) };
}

export function signZone(origin: string, input: readonly RR[], opts: SignZoneOptions): SignedZone {
  if (opts.keys.length === 0) throw new Error('signZone: no keys');
  const apexWire = lowerName(nameToWire(origin));
  const names = new Map<string, NameData>();
  const add = (name: string, type: number, ttl: number, rdata: Uint8Array): void => {
    let n = names.get(name);
    if (n === undefined) names.set(name, (n = { wire: lowerName(nameToWire(name)), sets: new Map() }));
    const set = n.sets.get(type);
    if (set === undefined) n.sets.set(type, { ttl, rdatas: [rdata] });
    else {
      if (!set.rdatas.some((r) => Buffer.compare(r, rdata) === 0)) set.rdatas.push(rdata);
      if (ttl < set.ttl) set.ttl = ttl;
    }
  };
  for (const r of input) {
    if (NOT_DNS.has(r.type)) continue;
    const type = typeCode(r.type);
    if (type === undefined || MADE_HERE.has(type)) continue;
    add(r.name, type, r.ttl, rdataFromText(type, r.rdata));
  }
  const apex = names.get(origin);
  const soa = apex?.sets.get(TYPE.SOA);
  if (soa === undefined || soa.rdatas.length !== 1) throw new Error(`signZone: ${origin} needs exactly one SOA at the apex`);
  const soaFields = rdataToText(TYPE.SOA, soa.rdatas[0]!).split(' ');
  const negativeTtl = Math.min(soa.ttl, Number(soaFields[soaFields.length - 1]));

  const keyTtl = opts.keyTtl ?? 3600;
  for (const k of opts.keys) add(origin, TYPE.DNSKEY, keyTtl, k.dnskey);
  if (opts.cds !== false) {
    for (const k of opts.keys) {
      if ((k.flags & 1) === 0) continue; // SEP keys only
      add(origin, TYPE.CDNSKEY, keyTtl, k.dnskey);
      add(origin, TYPE.CDS, keyTtl, dsRdata(apexWire, k.dnskey, DIGEST.SHA256));
    }
  }

  // Zone cuts, and the names below them (glue, occluded data).
  const isCut = (name: string): boolean => name !== origin && names.get(name)?.sets.has(TYPE.NS) === true;
  const belowCut = (name: string): boolean => {
    for (let p = parentKey(name); p !== origin && p.length >= origin.length && p !== ''; p = parentKey(p)) if (isCut(p)) return true;
    return false;
  };
  const chain = [...names.entries()].filter(([name]) => !belowCut(name)).sort((a, b) => compareNames(a[1].wire, b[1].wire));

  for (let i = 0; i < chain.length; i++) {
    const data = chain[i]![1];
    const next = chain[(i + 1) % chain.length]![1].wire;
    const types = [...data.sets.keys(), TYPE.NSEC, TYPE.RRSIG];
    const rdata = nsecRdata(next, types);
    data.sets.set(TYPE.NSEC, { ttl: negativeTtl, rdatas: [rdata] });
  }

  const out: RR[] = [];
  let signatures = 0;
  for (const [name, data] of names) {
    const authoritative = !belowCut(name);
    const cut = isCut(name);
    for (const [type, set] of data.sets) {
      for (const r of set.rdatas) out.push(rr(name, type, set.ttl, r));
      if (!authoritative || (cut && type === TYPE.NS)) continue;
      for (const key of opts.keys) {
        out.push(rr(name, TYPE.RRSIG, set.ttl, signRRset(data.wire, type, set.ttl, set.rdatas, key, apexWire, opts.times)));
        signatures++;
      }
    }
  }
  return { rrs: out, signatures, chain: chain.length };
}
