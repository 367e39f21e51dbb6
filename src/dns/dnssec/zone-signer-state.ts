// A signed zone's DNSSEC records, kept next to its data and updated per change (docs/dnssec.md):
// RRSIGs per RRset and key, the NSEC chain in canonical order. `load` signs everything; `change`
// re-signs only the RRsets a journal entry touches (the SOA among them), and rewrites the NSEC
// records of the names it adds or removes, of names whose types change, and of their
// predecessors in the chain. A change of a zone cut (NS below the apex) or of the negative TTL
// re-signs everything and hands over the difference. Output: store-form RRs (presentation RDATA).
import type { RR } from '../../core/model.js';
import type { SigningKey } from '../../core/dnssec/keys.js';
import { compareNames } from '../wire/canonical.js';
import { TYPE, typeCode } from '../wire/constants.js';
import { lowerName, nameToWire } from '../wire/name.js';
import { rdataFromText, rdataToText } from '../wire/rdata.js';
import { nsecRdata } from './nsec.js';
import { ZONE_ALIAS_TYPE, ZONE_SCRIPT_TYPE } from '../zone/zone.js';

const EMPTY = new Uint8Array(0);
import { signRRset, type SignatureTimes } from './sign.js';

/** Stored types that are not DNS data (answered at query time). */
export const NOT_DNS: ReadonlySet<string> = new Set(['ALIAS', 'REDIRECT', 'PULLZONE', 'SCRIPT']);

/**
 * Names with a Flatten/ALIAS or a Script answer per query (signed then: online-signer.ts) but own
 * no RRset to sign: they are in the NSEC chain, with the types their answers can have in the
 * bitmap, so NODATA for another type is proven like anywhere else.
 */
const VIRTUAL_TYPES: Readonly<Record<number, readonly number[]>> = {
  [ZONE_ALIAS_TYPE]: [TYPE.A, TYPE.AAAA],
  [ZONE_SCRIPT_TYPE]: [TYPE.A, TYPE.AAAA, TYPE.TXT],
};
/** Types this signer makes: any in the data are ignored. */
const MADE_HERE = new Set<number>([TYPE.RRSIG, TYPE.NSEC, TYPE.NSEC3, TYPE.NSEC3PARAM]);

/** Signatures are valid from an hour before signing (clock skew) for this long. */
export const SIGNATURE_VALIDITY_S = 14 * 86400;
export const SIGNATURE_BACKDATE_S = 3600;
/** Everything is signed afresh once the oldest signatures are this old (half their validity). */
export const RESIGN_AFTER_S = 7 * 86400;

interface RRsetData {
  ttl: number;
  /** RDATA wire form, by its presentation text (the identity RRs are removed by). */
  rdatas: Map<string, Uint8Array>;
}

interface NameData {
  wire: Uint8Array;
  sets: Map<number, RRsetData>;
}

export interface SignedDelta {
  removed: RR[];
  added: RR[];
}

/** Parent of a store-form name key (the text after the first `.`; dots inside labels are `\046`). */
function parentKey(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

export class ZoneSignerState {
  readonly #names = new Map<string, NameData>();
  /** Per name, per covered type: the RRSIG RRs made. */
  readonly #sigs = new Map<string, Map<number, RR[]>>();
  /** Per name in the chain: its NSEC RR. */
  readonly #nsec = new Map<string, RR>();
  /** The NSEC chain: authoritative names with data, canonical order. */
  #chain: { name: string; wire: Uint8Array }[] = [];
  readonly #apexWire: Uint8Array;
  #negativeTtl = 0;
  /** When everything was last signed (seconds). */
  #fullAt = 0;
  signatures = 0;

  constructor(
    readonly origin: string,
    readonly keys: readonly SigningKey[],
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.#apexWire = lowerName(nameToWire(origin));
  }

  /** Seconds since everything was last signed. */
  get age(): number {
    return this.now() - this.#fullAt;
  }

  #times(): SignatureTimes {
    const t = this.now();
    return { inception: t - SIGNATURE_BACKDATE_S, expiration: t + SIGNATURE_VALIDITY_S };
  }

  // --- data -----------------------------------------------------------------------------------

  /** TTL per record (name, type, RDATA): an RRset is signed and served with its lowest. */
  readonly #ttls = new Map<string, number>();

  /** Applies RRs to the data; returns the (name, type) RRsets touched. */
  #applyData(removed: readonly RR[], added: readonly RR[]): Map<string, Set<number>> {
    const touched = new Map<string, Set<number>>();
    const touch = (name: string, type: number): void => {
      let s = touched.get(name);
      if (s === undefined) touched.set(name, (s = new Set()));
      s.add(type);
    };
    for (const r of removed) {
      const type = this.#type(r);
      if (type === undefined) continue;
      const n = this.#names.get(r.name);
      const set = n?.sets.get(type);
      if (set === undefined || !set.rdatas.delete(r.rdata)) continue;
      this.#ttls.delete(`${r.name}\u0000${type}\u0000${r.rdata}`);
      touch(r.name, type);
      if (set.rdatas.size === 0) n!.sets.delete(type);
      if (n!.sets.size === 0) this.#names.delete(r.name);
    }
    for (const r of added) {
      const type = this.#type(r);
      if (type === undefined) continue;
      let n = this.#names.get(r.name);
      if (n === undefined) this.#names.set(r.name, (n = { wire: lowerName(nameToWire(r.name)), sets: new Map() }));
      let set = n.sets.get(type);
      if (set === undefined) n.sets.set(type, (set = { ttl: r.ttl, rdatas: new Map() }));
      if (set.rdatas.has(r.rdata)) continue;
      set.rdatas.set(r.rdata, type > 0xffff ? EMPTY : rdataFromText(type, r.rdata));
      this.#ttls.set(`${r.name}\u0000${type}\u0000${r.rdata}`, r.ttl);
      touch(r.name, type);
    }
    for (const [name, types] of touched) {
      for (const type of types) {
        const set = this.#names.get(name)?.sets.get(type);
        if (set === undefined) continue;
        let min = Infinity;
        for (const rd of set.rdatas.keys()) min = Math.min(min, this.#ttls.get(`${name}\u0000${type}\u0000${rd}`) ?? Infinity);
        if (min !== Infinity) set.ttl = min;
      }
    }
    return touched;
  }

  /** The TTL an RRset is served and signed with (its records' lowest), or undefined. */
  ttlOf(name: string, type: number): number | undefined {
    return this.#names.get(name)?.sets.get(type)?.ttl;
  }

  #type(r: RR): number | undefined {
    if (r.type === 'ALIAS') return ZONE_ALIAS_TYPE;
    if (r.type === 'SCRIPT') return ZONE_SCRIPT_TYPE;
    if (NOT_DNS.has(r.type)) return undefined;
    const t = typeCode(r.type);
    return t === undefined || MADE_HERE.has(t) ? undefined : t;
  }

  #isCut(name: string): boolean {
    return name !== this.origin && this.#names.get(name)?.sets.has(TYPE.NS) === true;
  }

  #belowCut(name: string): boolean {
    for (let p = parentKey(name); p !== this.origin && p !== ''; p = parentKey(p)) if (this.#isCut(p)) return true;
    return false;
  }

  #computeNegativeTtl(): number {
    const soa = this.#names.get(this.origin)?.sets.get(TYPE.SOA);
    if (soa === undefined) return 0;
    const [text] = soa.rdatas.keys();
    const fields = (text ?? '').split(' ');
    return Math.min(soa.ttl, Number(fields[fields.length - 1]) || 0);
  }

  // --- signing --------------------------------------------------------------------------------

  /** The RRSIGs of one RRset (none at a delegation's NS, below a cut, or when it is gone). */
  #signSet(name: string, type: number, times: SignatureTimes): RR[] {
    const n = this.#names.get(name);
    const set = n?.sets.get(type);
    if (n === undefined || set === undefined || type > 0xffff || this.#belowCut(name) || (type === TYPE.NS && this.#isCut(name))) return [];
    const rdatas = [...set.rdatas.values()];
    const out: RR[] = [];
    for (const key of this.keys) {
      out.push({ name, type: 'RRSIG', ttl: set.ttl, rdata: rdataToText(TYPE.RRSIG, signRRset(n.wire, type, set.ttl, rdatas, key, this.#apexWire, times)) });
      this.signatures++;
    }
    return out;
  }

  #nsecFor(i: number): RR {
    const { name } = this.#chain[i]!;
    const next = this.#chain[(i + 1) % this.#chain.length]!.wire;
    const types = new Set<number>([TYPE.NSEC, TYPE.RRSIG]);
    for (const t of this.#names.get(name)!.sets.keys()) {
      if (t <= 0xffff) types.add(t);
      else for (const v of VIRTUAL_TYPES[t] ?? []) types.add(v);
    }
    return { name, type: 'NSEC', ttl: this.#negativeTtl, rdata: rdataToText(TYPE.NSEC, nsecRdata(next, types)) };
  }

  #nsecSigs(nsec: RR, times: SignatureTimes): RR[] {
    const wire = this.#names.get(nsec.name)!.wire;
    const rd = rdataFromText(TYPE.NSEC, nsec.rdata);
    return this.keys.map((key) => {
      this.signatures++;
      return { name: nsec.name, type: 'RRSIG', ttl: nsec.ttl, rdata: rdataToText(TYPE.RRSIG, signRRset(wire, TYPE.NSEC, nsec.ttl, [rd], key, this.#apexWire, times)) };
    });
  }

  /** Every DNSSEC RR now held. */
  #allExtras(): RR[] {
    const out: RR[] = [];
    for (const byType of this.#sigs.values()) for (const list of byType.values()) for (const r of list) out.push(r);
    for (const r of this.#nsec.values()) out.push(r);
    return out;
  }

  /** Signs everything from scratch; returns every DNSSEC RR (the data itself is the caller's). */
  #signAll(): RR[] {
    const times = this.#times();
    this.#sigs.clear();
    this.#nsec.clear();
    this.#negativeTtl = this.#computeNegativeTtl();
    this.#chain = [...this.#names.entries()]
      .filter(([name]) => !this.#belowCut(name))
      .map(([name, d]) => ({ name, wire: d.wire }))
      .sort((a, b) => compareNames(a.wire, b.wire));
    for (const [name, d] of this.#names) {
      for (const type of d.sets.keys()) {
        const sigs = this.#signSet(name, type, times);
        if (sigs.length > 0) this.#sigsAt(name).set(type, sigs);
      }
    }
    for (let i = 0; i < this.#chain.length; i++) {
      const nsec = this.#nsecFor(i);
      this.#nsec.set(nsec.name, nsec);
      this.#sigsAt(nsec.name).set(TYPE.NSEC, this.#nsecSigs(nsec, times));
    }
    this.#fullAt = this.now();
    return this.#allExtras();
  }

  #sigsAt(name: string): Map<number, RR[]> {
    let m = this.#sigs.get(name);
    if (m === undefined) this.#sigs.set(name, (m = new Map()));
    return m;
  }

  /** The zone's data: every DNSSEC RR to serve with it. */
  load(rrs: readonly RR[]): RR[] {
    this.#names.clear();
    this.#ttls.clear();
    this.#applyData([], rrs);
    return this.#signAll();
  }

  /** Everything signed afresh (key refresh): the DNSSEC RRs to remove and to add. */
  resignAll(): SignedDelta {
    const before = this.#allExtras();
    const after = this.#signAll();
    return { removed: before, added: after };
  }

  /** A journal entry's data change: the DNSSEC RRs to remove and to add with it. */
  change(removed: readonly RR[], added: readonly RR[]): SignedDelta {
    const touched = this.#applyData(removed, added);
    let cutChanged = false;
    for (const [name, types] of touched) if (name !== this.origin && types.has(TYPE.NS)) cutChanged = true;
    if (cutChanged || this.#computeNegativeTtl() !== this.#negativeTtl) return this.resignAll();
    const times = this.#times();
    const out: SignedDelta = { removed: [], added: [] };
    // The touched RRsets.
    for (const [name, types] of touched) {
      for (const type of types) {
        const old = this.#sigs.get(name)?.get(type) ?? [];
        out.removed.push(...old);
        const sigs = this.#signSet(name, type, times);
        if (sigs.length > 0) this.#sigsAt(name).set(type, sigs);
        else this.#sigs.get(name)?.delete(type);
        out.added.push(...sigs);
      }
    }
    // The chain: names that joined or left it, and names whose types changed, and predecessors.
    const redo = new Set<string>();
    for (const name of touched.keys()) {
      const inData = this.#names.has(name) && !this.#belowCut(name);
      const at = this.#chainIndex(name);
      if (inData && at.found === false) {
        this.#chain.splice(at.index, 0, { name, wire: this.#names.get(name)!.wire });
        redo.add(name);
        redo.add(this.#chain[(at.index - 1 + this.#chain.length) % this.#chain.length]!.name);
      } else if (!inData && at.found) {
        this.#chain.splice(at.index, 1);
        const nsec = this.#nsec.get(name);
        if (nsec !== undefined) out.removed.push(nsec, ...(this.#sigs.get(name)?.get(TYPE.NSEC) ?? []));
        this.#nsec.delete(name);
        this.#sigs.get(name)?.delete(TYPE.NSEC);
        if (this.#chain.length > 0) redo.add(this.#chain[(at.index - 1 + this.#chain.length) % this.#chain.length]!.name);
      } else if (inData) redo.add(name);
      if (this.#sigs.get(name)?.size === 0) this.#sigs.delete(name);
    }
    for (const name of redo) {
      const at = this.#chainIndex(name);
      if (!at.found) continue;
      const nsec = this.#nsecFor(at.index);
      const old = this.#nsec.get(name);
      if (old !== undefined && old.rdata === nsec.rdata && old.ttl === nsec.ttl) continue;
      if (old !== undefined) out.removed.push(old, ...(this.#sigs.get(name)?.get(TYPE.NSEC) ?? []));
      const sigs = this.#nsecSigs(nsec, times);
      this.#nsec.set(name, nsec);
      this.#sigsAt(name).set(TYPE.NSEC, sigs);
      out.added.push(nsec, ...sigs);
    }
    return out;
  }

  /** Binary search of the chain (canonical order). */
  #chainIndex(name: string): { found: boolean; index: number } {
    const wire = this.#names.get(name)?.wire ?? lowerName(nameToWire(name));
    let lo = 0;
    let hi = this.#chain.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareNames(this.#chain[mid]!.wire, wire);
      if (c === 0) return { found: true, index: mid };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { found: false, index: lo };
  }

  /** Names in the chain (tests). */
  get chainLength(): number {
    return this.#chain.length;
  }
}

