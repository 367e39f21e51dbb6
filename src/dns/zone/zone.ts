// One authoritative zone in memory: a node per owner name and per empty non-terminal, indexed by
// the lowercase owner name (docs/dns.md "dns/zone"). RDATA is pre-encoded to uncompressed wire once,
// when the record arrives; the hot path (lookup) does hash lookups and label stripping only.
//
// Memory layout (measured: a 1,000,000-record zone must stay well under 550 MB RSS):
// - one `ZoneNode` per name (name, parent, RRsets, child count); no Map and no closure per node;
// - a node with one RRset holds the `RRset` itself, several RRsets are a small array sorted by type;
// - an RRset holds its TTL and its RDATA, and only while its records' TTLs differ a parallel array
//   of per-record TTLs;
// - RDATA wire bytes are kept as one-byte ("latin1") strings, one character per octet: V8 stores
//   such a string in 16 bytes + its length, while every `Uint8Array` costs ~230 bytes of RSS (~80 as a
//   view into a shared buffer). One record's RDATA is the string itself, 2+ records an array of
//   strings. Equal RDATA is equal strings, so duplicate and removal checks are `===`.
//   `RRset.rdata(i)` / `rdatas()` give Uint8Array copies; the answer module copies the characters
//   straight into scratch bytes.
//
// RRset TTL: RFC 2181 5.2 forbids different TTLs inside one RRset; when the data has them anyway,
// the RRset is served with the minimum of its records' TTLs (what RFC 2181 says a resolver should
// do with such data, and what Knot does when loading).
//
// ALIAS (zonekeeper's type with no number on the wire) is kept as an RRset of the internal type
// code `ZONE_ALIAS_TYPE` (0x10000, outside the 16-bit type space, so no query type ever matches it —
// not constants.ts's ALIAS_TYPE 65401, which a client could ask for as TYPE65401); its RDATA is the
// target name in wire form. `lookup` reports it as kind `alias` for A/AAAA (and ANY) queries at a
// name that has no RRset of the asked type (the answer module then answers with the target's
// addresses), at the apex and at any other name alike.
import type { RR } from '../../core/model.js';
import { splitPresentation } from '../../core/names.js';
import { TYPE, typeCode } from '../wire/constants.js';
import { WireError } from '../wire/errors.js';
import { nameToWire } from '../wire/name.js';
import { rdataFromText } from '../wire/rdata.js';

/** Internal type code of ALIAS: above 0xffff so it never collides with a real or queried type. */
export const ZONE_ALIAS_TYPE = 0x10000;
/**
 * Internal type code of Script records (organization API type 11; docs/smart-records.md): its
 * RDATA is the script source as UTF-8 octets. A name with a Script answers every query by running
 * it (`lookup` kind `script`); the record rules keep it alone at its name.
 */
export const ZONE_SCRIPT_TYPE = 0x10001;

/** Type code of a store mnemonic (`ALIAS` included); undefined for an unknown mnemonic. */
export function zoneTypeCode(mnemonic: string): number | undefined {
  switch (mnemonic) {
    case 'A':
      return TYPE.A;
    case 'AAAA':
      return TYPE.AAAA;
    case 'CNAME':
      return TYPE.CNAME;
    case 'TXT':
      return TYPE.TXT;
    case 'MX':
      return TYPE.MX;
    case 'NS':
      return TYPE.NS;
    case 'ALIAS':
    case 'alias':
      return ZONE_ALIAS_TYPE;
    case 'SCRIPT':
      return ZONE_SCRIPT_TYPE;
    default:
      return typeCode(mnemonic);
  }
}

/** RDATA wire bytes as a one-byte string (one character per octet). */
export function bytesToRdataString(b: Uint8Array): string {
  // Short strings built by concatenation are flat in V8 (below 13 characters); longer ones would be
  // cons strings (extra objects), so those go through Buffer's latin1 decoder, which makes them flat.
  if (b.length <= 12) {
    let t = '';
    for (let i = 0; i < b.length; i++) t += String.fromCharCode(b[i]!);
    return t;
  }
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** The bytes of an RDATA string (a new array). */
export function rdataStringToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The records of one owner and type: TTL (the minimum of the records' TTLs) and RDATA. */
export class RRset {
  readonly type: number;
  /** TTL the RRset is served with: the minimum of its records' TTLs. */
  ttl: number;
  /** @internal RDATA wire bytes as one-byte strings: the string itself for one record, else an array. */
  rd: string | string[];
  /** Per-record TTLs (parallel to the records) only while they differ; null when all equal `ttl`. */
  ttls: number[] | null;
  /** Answer policy (weights, health; A/AAAA only) while any record has one; null otherwise. */
  policy: SetPolicy | null;

  constructor(type: number, ttl: number, rdata: string) {
    this.type = type;
    this.ttl = ttl;
    this.rd = rdata;
    this.ttls = null;
    this.policy = null;
  }

  /** Number of records. */
  get count(): number {
    return typeof this.rd === 'string' ? 1 : this.rd.length;
  }

  /** RDATA of record `i` as a one-byte string (one character per octet). */
  rdataString(i: number): string {
    const rd = this.rd;
    return typeof rd === 'string' ? rd : rd[i]!;
  }

  /** RDATA of record `i` as uncompressed wire bytes (a copy). */
  rdata(i: number): Uint8Array {
    return rdataStringToBytes(this.rdataString(i));
  }

  /** Every record's RDATA as uncompressed wire bytes (copies, arrival order). */
  rdatas(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.rdata(i));
    return out;
  }

  /** TTL of record `i` as stored (not the RRset TTL). */
  recordTtl(i: number): number {
    return this.ttls === null ? this.ttl : this.ttls[i]!;
  }
}

/** No weight: the record is not part of a weighted choice (counts as weight 0 in a weighted set). */
export const NO_WEIGHT = -1;

/**
 * Weights and health of an A/AAAA RRset's records (parallel to them; docs/smart-records.md), and the
 * smooth weighted round-robin state. Exists only while some record has a weight or is offline.
 */
export class SetPolicy {
  /** Weight per record, NO_WEIGHT when it has none. */
  readonly weights: number[];
  /** True while the record's health monitor reports it offline. */
  readonly offline: boolean[];
  /** Smooth weighted round robin: each record's current weight (answering state, not data). */
  readonly current: number[];

  constructor(n: number) {
    this.weights = new Array<number>(n).fill(NO_WEIGHT);
    this.offline = new Array<boolean>(n).fill(false);
    this.current = new Array<number>(n).fill(0);
  }

  push(weight: number, offline: boolean): void {
    this.weights.push(weight);
    this.offline.push(offline);
    this.current.push(0);
    this.current.fill(0); // a new set starts its round robin afresh (keeps its exact proportions)
  }

  removeAt(i: number): void {
    this.weights.splice(i, 1);
    this.offline.splice(i, 1);
    this.current.splice(i, 1);
    this.current.fill(0);
  }

  /** True when no record has a weight or is offline (the policy can go). */
  get inert(): boolean {
    return this.weights.every((w) => w === NO_WEIGHT) && !this.offline.includes(true);
  }
}

/** One name of the zone: an owner of RRsets, an empty non-terminal, or both ancestors and data. */
export class ZoneNode {
  /** Lowercase owner name without trailing dot (the index key). */
  readonly name: string;
  /** The node one label up; null for the apex. */
  readonly parent: ZoneNode | null;
  /** @internal Nothing, one RRset, or 2+ RRsets sorted by type. Read through `rrset()`/`rrsets()`. */
  sets: RRset | RRset[] | null = null;
  /** Number of nodes whose parent is this node (empty non-terminals exist while it is > 0). */
  children = 0;

  constructor(name: string, parent: ZoneNode | null) {
    this.name = name;
    this.parent = parent;
  }

  /** The RRset of one type, or undefined. */
  rrset(type: number): RRset | undefined {
    const s = this.sets;
    if (s === null) return undefined;
    if (!Array.isArray(s)) return s.type === type ? s : undefined;
    for (let i = 0; i < s.length; i++) {
      const r = s[i]!;
      if (r.type === type) return r;
      if (r.type > type) return undefined;
    }
    return undefined;
  }

  /** Every RRset, sorted by type (ALIAS last). */
  rrsets(): readonly RRset[] {
    const s = this.sets;
    if (s === null) return [];
    return Array.isArray(s) ? s : [s];
  }

  /** The first RRset in type order that has a wire type (not ALIAS), or undefined. */
  firstWireRRset(): RRset | undefined {
    const s = this.sets;
    if (s === null) return undefined;
    const first = Array.isArray(s) ? s[0] : s;
    return first !== undefined && first.type <= 0xffff ? first : undefined;
  }

  /** True when the node owns no RRset (an empty non-terminal, or about to be removed). */
  get empty(): boolean {
    return this.sets === null;
  }

  /** The ALIAS RRset of this name (its first RDATA is the target as a wire name), or undefined. */
  get alias(): RRset | undefined {
    return this.rrset(ZONE_ALIAS_TYPE);
  }
}

export type LookupResult =
  /** The name (or the wildcard that covers it) has an RRset of the asked type (for ANY: its first RRset). */
  | { kind: 'answer'; node: ZoneNode; rrset: RRset; wildcard: boolean; closestEncloser: ZoneNode }
  /** The name has a CNAME and the query is not for CNAME: restart at the target (RFC 1034 4.3.2). */
  | { kind: 'cname'; node: ZoneNode; rrset: RRset; wildcard: boolean; closestEncloser: ZoneNode }
  /** The name (or the wildcard that covers it) has a Script: the script computes the answer. */
  | { kind: 'script'; node: ZoneNode; rrset: RRset; wildcard: boolean; closestEncloser: ZoneNode }
  /** A/AAAA (or ANY) at a name with ALIAS and no RRset of the asked type: answer from the target. */
  | { kind: 'alias'; node: ZoneNode; rrset: RRset; wildcard: boolean; closestEncloser: ZoneNode }
  /** The name exists (or is covered by a wildcard) but has no data of that type (empty non-terminals too). */
  | { kind: 'nodata'; node: ZoneNode; wildcard: boolean; closestEncloser: ZoneNode }
  /** The name does not exist and no wildcard covers it. */
  | { kind: 'nxdomain'; closestEncloser: ZoneNode }
  /** The name is at or below a zone cut: refer to the NS RRset of `node` (the topmost cut). */
  | { kind: 'delegation'; node: ZoneNode; rrset: RRset; closestEncloser: ZoneNode };

/** A record converted for the zone: owner, type code, TTL, RDATA wire. */
interface Prepared {
  name: string;
  type: number;
  ttl: number;
  rdata: string;
  /** Answer policy (A/AAAA): the weight (NO_WEIGHT: none) and health. */
  weight: number;
  offline: boolean;
}

/** An RR's weight for the zone: an integer 0-65535, or NO_WEIGHT. */
function rrWeight(rr: RR): number {
  const w = rr.weight;
  return typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 65535 ? w : NO_WEIGHT;
}

/** Parent of a canonical name key: the text after the first `.` (keys escape a dot inside a label as `\046`). */
function parentKey(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

export class Zone {
  /** Lowercase zone name without trailing dot ("" for the root zone). */
  readonly origin: string;
  /** The origin as an uncompressed wire name (lowercase). */
  readonly originWire: Uint8Array;
  /** The SOA serial; `apply` sets it to the entry's `toSerial`. */
  serial = 0;
  /**
   * Signs answers computed per query (Flatten, Script, weighted picks) in a signed zone; set by the
   * DNS engine's signing sink where this process holds the keys (docs/dnssec.md). Null otherwise.
   */
  signer: { sign(owner: Uint8Array, type: number, ttl: number, rdatas: readonly Uint8Array[]): string[] } | null = null;
  /** The apex node (always present). */
  readonly apex: ZoneNode;
  private readonly nodes = new Map<string, ZoneNode>();
  /** Non-apex nodes that own an NS RRset (zone cuts); 0 lets lookup skip the cut walk. */
  private cuts = 0;
  /** Number of records (RRs) held, ALIAS and SOA included. */
  private records = 0;
  /**
   * Owners of NSEC records in canonical order (signed zones, docs/dnssec.md): `nsecKeys` are their
   * canonical sort keys, for the binary search of `coveringNsec`. Kept as NSEC RRsets come and go.
   */
  private nsecKeys: string[] = [];
  private nsecNodes: ZoneNode[] = [];

  private constructor(origin: string) {
    this.origin = origin;
    this.originWire = nameToWire(origin);
    this.apex = new ZoneNode(origin, null);
    this.nodes.set(origin, this.apex);
  }

  /**
   * Build a zone from its records (store form: lowercase owner names without trailing dot, type
   * mnemonics, canonical presentation RDATA). The zone must have exactly one SOA, at the apex.
   * Throws on a record outside the zone, an unknown type or RDATA that does not encode.
   */
  static fromRRs(origin: string, rrs: Iterable<RR>): Zone {
    const zone = Zone.loading(origin);
    for (const rr of rrs) zone.load(rr);
    zone.sealLoad();
    return zone;
  }

  /**
   * An empty zone to fill with `load` (e.g. batch by batch while a big zone streams in, so no array
   * of every RR is ever held), then `sealLoad`. Not usable for lookups before `sealLoad`.
   */
  static loading(origin: string): Zone {
    return new Zone(normalizeOrigin(origin));
  }

  /**
   * Adds one record while loading (store form, as for `fromRRs`). Throws on a record outside the
   * zone, an unknown type or RDATA that does not encode; the zone is unchanged then.
   */
  load(rr: RR): void {
    const type = this.checkRR(rr);
    const ttl = rr.ttl >>> 0;
    this.addRecord(rr.name, type, ttl > 0x7fffffff ? 0 : ttl, encodeRdata(type, rr.rdata), rrWeight(rr), rr.offline === true);
  }

  /** Ends loading: the zone must have exactly one SOA, at the apex; sets the serial from it. */
  sealLoad(): void {
    const soa = this.apex.rrset(TYPE.SOA);
    if (soa === undefined || soa.count !== 1) {
      throw new Error(`zone ${this.origin}: needs exactly one SOA record at the apex, has ${soa?.count ?? 0}`);
    }
    this.serial = soaSerial(soa.rdataString(0));
  }

  /**
   * Apply one journal entry (IXFR order: removed first, then added), RR by RR: O(changed RRs).
   * Accepts either `(removed, added, toSerial)` or the entry itself. Every RR is validated and
   * encoded before the zone is touched, so an error (thrown) leaves the zone unchanged; once the
   * changes start nothing throws, and the whole entry is applied within this synchronous call.
   * Removing an RR that is not present is ignored; adding one already present is ignored.
   */
  apply(removed: readonly RR[], added: readonly RR[], toSerial: number): void;
  apply(entry: { removed: readonly RR[]; added: readonly RR[]; toSerial: number }): void;
  apply(
    a: readonly RR[] | { removed: readonly RR[]; added: readonly RR[]; toSerial: number },
    b?: readonly RR[],
    c?: number,
  ): void {
    let removed: readonly RR[];
    let added: readonly RR[];
    let toSerial: number;
    if (Array.isArray(a)) {
      removed = a as readonly RR[];
      added = b ?? [];
      toSerial = c ?? this.serial;
    } else {
      const e = a as { removed: readonly RR[]; added: readonly RR[]; toSerial: number };
      removed = e.removed;
      added = e.added;
      toSerial = e.toSerial;
    }
    const rem = removed.map((rr) => this.prepare(rr));
    const add = added.map((rr) => this.prepare(rr));
    for (const p of rem) this.removePrepared(p);
    for (const p of add) this.addRecord(p.name, p.type, p.ttl, p.rdata, p.weight, p.offline);
    this.serial = toSerial >>> 0;
  }

  /** The node of an exact lowercase name (data, empty non-terminal or apex), ignoring cuts. */
  node(name: string): ZoneNode | undefined {
    return this.nodes.get(name);
  }

  /** True when a node lies strictly below a zone cut (its data is glue or occluded, not authoritative). */
  belowCut(node: ZoneNode): boolean {
    if (this.cuts === 0) return false;
    for (let n = node.parent; n !== null && n.parent !== null; n = n.parent) {
      if (n.rrset(TYPE.NS) !== undefined) return true;
    }
    return false;
  }

  /** True when `name` (a lowercase key) is the origin or below it. */
  contains(name: string): boolean {
    const o = this.origin;
    if (o === '') return true;
    if (name.length === o.length) return name === o;
    return name.length > o.length && name.endsWith(o) && name.charCodeAt(name.length - o.length - 1) === 0x2e;
  }

  /** Number of nodes (names with data and empty non-terminals, apex included). */
  get nodeCount(): number {
    return this.nodes.size;
  }

  /** Number of records held (every RDATA of every RRset, SOA and ALIAS included). */
  get recordCount(): number {
    return this.records;
  }

  /** The SOA RRset (present after `fromRRs`; a journal entry replaces it). */
  get soa(): RRset | undefined {
    return this.apex.rrset(TYPE.SOA);
  }

  /** TTL of the SOA in negative answers: min(SOA TTL, SOA MINIMUM) (RFC 2308 3). */
  get negativeTtl(): number {
    const soa = this.soa;
    if (soa === undefined) return 0;
    const rd = soa.rdataString(0);
    const n = rd.length;
    if (n < 4) return 0;
    const minimum = rd.charCodeAt(n - 4) * 0x1000000 + ((rd.charCodeAt(n - 3) << 16) | (rd.charCodeAt(n - 2) << 8) | rd.charCodeAt(n - 1));
    return Math.min(soa.ttl, minimum);
  }

  /** Every node, in no particular order. */
  allNodes(): IterableIterator<ZoneNode> {
    return this.nodes.values();
  }

  /**
   * Names in RFC 4034 6.1 canonical order. By default only names that own RRsets; with
   * `includeEmpty` the empty non-terminals too. Cold path (transfers, NSEC): sorts every call.
   */
  names(includeEmpty = false): string[] {
    const decorated: { key: string; name: string }[] = [];
    for (const node of this.nodes.values()) {
      if (!includeEmpty && node.sets === null) continue;
      decorated.push({ key: canonicalSortKey(node.name), name: node.name });
    }
    decorated.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    return decorated.map((d) => d.name);
  }

  /**
   * RFC 1034 4.3.2 / RFC 4592 lookup of a lowercase name key (as `nameKey` makes it) in this zone.
   * The name must be in the zone (`contains`); a name outside is reported as nxdomain at the apex.
   * - Names at or below a non-apex node with NS are referrals to the topmost such cut, except a DS
   *   query for the cut name itself, which the parent side answers (RFC 4035 3.1.4.1).
   * - A wildcard `*.<closest encloser>` is used only when the name does not exist; an empty
   *   non-terminal exists, so it blocks the wildcard (RFC 4592 2.2.2).
   * - ANY (RFC 8482): the first RRset in type order.
   */
  lookup(qname: string, qtype: number): LookupResult {
    if (!this.contains(qname)) return { kind: 'nxdomain', closestEncloser: this.apex };
    let node = this.nodes.get(qname);
    let exact = true;
    if (node === undefined) {
      exact = false;
      let name = qname;
      do {
        name = parentKey(name);
        node = this.nodes.get(name);
      } while (node === undefined);
    }
    const encloser = node;
    if (this.cuts > 0) {
      let cut: ZoneNode | undefined;
      for (let n: ZoneNode = node; n.parent !== null; n = n.parent) {
        if (n.rrset(TYPE.NS) !== undefined) cut = n;
      }
      if (cut !== undefined && !(exact && cut === node && qtype === TYPE.DS)) {
        return { kind: 'delegation', node: cut, rrset: cut.rrset(TYPE.NS)!, closestEncloser: encloser };
      }
    }
    if (exact) return this.atNode(node, qtype, false, encloser);
    const star = this.nodes.get(encloser.name === '' ? '*' : '*.' + encloser.name);
    if (star === undefined) return { kind: 'nxdomain', closestEncloser: encloser };
    const ns = star.rrset(TYPE.NS);
    if (ns !== undefined) return { kind: 'delegation', node: star, rrset: ns, closestEncloser: encloser };
    return this.atNode(star, qtype, true, encloser);
  }

  private atNode(node: ZoneNode, qtype: number, wildcard: boolean, closestEncloser: ZoneNode): LookupResult {
    if (node.sets !== null) {
      const script = node.rrset(ZONE_SCRIPT_TYPE);
      if (script !== undefined) return { kind: 'script', node, rrset: script, wildcard, closestEncloser };
      if (qtype === TYPE.ANY) {
        const first = node.firstWireRRset();
        if (first !== undefined) return { kind: 'answer', node, rrset: first, wildcard, closestEncloser };
        const alias = node.alias;
        if (alias !== undefined) return { kind: 'alias', node, rrset: alias, wildcard, closestEncloser };
      } else {
        const set = node.rrset(qtype);
        if (set !== undefined) return { kind: 'answer', node, rrset: set, wildcard, closestEncloser };
        const cname = node.rrset(TYPE.CNAME);
        if (cname !== undefined) return { kind: 'cname', node, rrset: cname, wildcard, closestEncloser };
        if (qtype === TYPE.A || qtype === TYPE.AAAA) {
          const alias = node.alias;
          if (alias !== undefined) return { kind: 'alias', node, rrset: alias, wildcard, closestEncloser };
        }
      }
    }
    return { kind: 'nodata', node, wildcard, closestEncloser };
  }

  // --- building -------------------------------------------------------------------------------

  /** Validates an RR's owner and type for this zone; returns the type code. */
  private checkRR(rr: RR): number {
    const name = rr.name;
    if (!this.contains(name)) throw new Error(`zone ${this.origin}: record owner ${name} is outside the zone`);
    const type = zoneTypeCode(rr.type);
    if (type === undefined || type === TYPE.OPT || type === TYPE.ANY || type === TYPE.AXFR || type === TYPE.IXFR) {
      throw new Error(`zone ${this.origin}: record type ${rr.type} cannot be served`);
    }
    if (type === TYPE.SOA && name !== this.origin) throw new Error(`zone ${this.origin}: SOA at ${name}, not at the apex`);
    return type;
  }

  private prepare(rr: RR): Prepared {
    const type = this.checkRR(rr);
    const ttl = rr.ttl >>> 0;
    return { name: rr.name, type, ttl: ttl > 0x7fffffff ? 0 : ttl, rdata: encodeRdata(type, rr.rdata), weight: rrWeight(rr), offline: rr.offline === true };
  }

  /** The node most recently added to (records usually arrive grouped by owner). */
  private lastNode: ZoneNode | null = null;

  private addRecord(name: string, type: number, ttl: number, rdata: string, weight: number, offline: boolean): void {
    let node = this.lastNode;
    if (node === null || node.name !== name) {
      node = this.nodes.get(name) ?? this.createNode(name);
      this.lastNode = node;
    }
    const policed = (weight !== NO_WEIGHT || offline) && (type === TYPE.A || type === TYPE.AAAA);
    const s = node.sets;
    if (s === null) {
      node.sets = new RRset(type, ttl, rdata);
      if (policed) startPolicy(node.sets, weight, offline);
      this.rrsetAdded(node, type);
      this.records++;
      return;
    }
    const set = node.rrset(type);
    if (set === undefined) {
      const fresh = new RRset(type, ttl, rdata);
      if (policed) startPolicy(fresh, weight, offline);
      if (!Array.isArray(s)) {
        node.sets = s.type < type ? [s, fresh] : [fresh, s];
      } else {
        let i = 0;
        while (i < s.length && s[i]!.type < type) i++;
        s.splice(i, 0, fresh);
      }
      this.rrsetAdded(node, type);
      this.records++;
      return;
    }
    const rd = set.rd;
    if (typeof rd === 'string') {
      if (rd === rdata) return;
      set.rd = [rd, rdata];
    } else {
      if (rd.includes(rdata)) return;
      rd.push(rdata);
    }
    const n = set.count;
    if (set.policy !== null) set.policy.push(weight, offline);
    else if (policed) {
      set.policy = new SetPolicy(n - 1);
      set.policy.push(weight, offline);
    }
    if (set.ttls === null && ttl !== set.ttl) {
      set.ttls = new Array<number>(n - 1).fill(set.ttl);
      set.ttls.push(ttl);
    } else if (set.ttls !== null) {
      set.ttls.push(ttl);
    }
    if (ttl < set.ttl) set.ttl = ttl;
    this.records++;
  }

  private removePrepared(p: Prepared): void {
    const node = this.nodes.get(p.name);
    if (node === undefined) return;
    const set = node.rrset(p.type);
    if (set === undefined) return;
    const rd = set.rd;
    if (typeof rd !== 'string') {
      const i = rd.indexOf(p.rdata);
      if (i < 0) return;
      this.records--;
      rd.splice(i, 1);
      if (set.policy !== null) {
        set.policy.removeAt(i);
        if (set.policy.inert) set.policy = null;
      }
      const ttls = set.ttls;
      if (ttls !== null) {
        ttls.splice(i, 1);
        let min = ttls[0]!;
        let same = true;
        for (const t of ttls) {
          if (t < min) min = t;
          if (t !== ttls[0]) same = false;
        }
        set.ttl = min;
        if (same) set.ttls = null;
      }
      if (rd.length === 1) set.rd = rd[0]!;
      return;
    }
    if (rd !== p.rdata) return;
    this.records--;
    // The last record of the RRset: remove the RRset.
    const s = node.sets!;
    if (!Array.isArray(s)) {
      node.sets = null;
    } else {
      s.splice(s.indexOf(set), 1);
      node.sets = s.length === 1 ? s[0]! : s;
    }
    this.rrsetRemoved(node, p.type);
    this.pruneFrom(node);
  }

  private rrsetAdded(node: ZoneNode, type: number): void {
    if (type === TYPE.NS && node.parent !== null) this.cuts++;
    if (type === TYPE.NSEC) {
      const key = canonicalSortKey(node.name);
      const i = this.nsecIndex(key);
      if (this.nsecKeys[i] !== key) {
        this.nsecKeys.splice(i, 0, key);
        this.nsecNodes.splice(i, 0, node);
      }
    }
  }

  private rrsetRemoved(node: ZoneNode, type: number): void {
    if (type === TYPE.NS && node.parent !== null) this.cuts--;
    if (type === TYPE.NSEC) {
      const key = canonicalSortKey(node.name);
      const i = this.nsecIndex(key);
      if (this.nsecKeys[i] === key) {
        this.nsecKeys.splice(i, 1);
        this.nsecNodes.splice(i, 1);
      }
    }
  }

  /** First index whose key is >= `key`. */
  private nsecIndex(key: string): number {
    let lo = 0;
    let hi = this.nsecKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.nsecKeys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** True when the zone is signed (its apex has RRSIGs). */
  get signed(): boolean {
    return this.apex.rrset(TYPE.RRSIG) !== undefined;
  }

  /**
   * The node whose NSEC covers or matches `name` (a lowercase key in the zone): the last NSEC
   * owner at or before it in canonical order (the chain starts at the apex). Undefined when the
   * zone has no NSEC chain.
   */
  coveringNsec(name: string): ZoneNode | undefined {
    if (this.nsecNodes.length === 0) return undefined;
    const key = canonicalSortKey(name);
    const i = this.nsecIndex(key);
    if (i < this.nsecKeys.length && this.nsecKeys[i] === key) return this.nsecNodes[i];
    return this.nsecNodes[(i - 1 + this.nsecNodes.length) % this.nsecNodes.length];
  }

  /** Create a node and every missing ancestor (empty non-terminals), counting children. */
  private createNode(name: string): ZoneNode {
    const parentName = parentKey(name);
    let parent = this.lastParent;
    if (parent === null || parent.name !== parentName) {
      parent = this.nodes.get(parentName) ?? this.createNode(parentName);
      this.lastParent = parent;
    }
    const node = new ZoneNode(name, parent);
    this.nodes.set(name, node);
    parent.children++;
    return node;
  }

  /** The parent most recently looked up by createNode (siblings usually arrive together). */
  private lastParent: ZoneNode | null = null;

  /** Delete a node that has no RRsets and no children, then its ancestors that became empty. */
  private pruneFrom(start: ZoneNode): void {
    let node: ZoneNode | null = start;
    while (node !== null && node.parent !== null && node.sets === null && node.children === 0) {
      this.nodes.delete(node.name);
      if (this.lastNode === node) this.lastNode = null;
      if (this.lastParent === node) this.lastParent = null;
      node.parent.children--;
      node = node.parent;
    }
  }
}

function startPolicy(set: RRset, weight: number, offline: boolean): void {
  set.policy = new SetPolicy(0);
  set.policy.push(weight, offline);
}

function normalizeOrigin(origin: string): string {
  let o = origin.toLowerCase();
  if (o.endsWith('.') && !o.endsWith('\\.')) o = o.slice(0, -1);
  return o;
}

/** The serial of SOA RDATA (a one-byte string of the wire form): the 32-bit field after the two names. */
export function soaSerial(rdata: string): number {
  let pos = 0;
  for (let names = 0; names < 2; names++) {
    for (;;) {
      const len = rdata.charCodeAt(pos) || 0;
      pos += len + 1;
      if (len === 0) break;
    }
  }
  return rdata.charCodeAt(pos) * 0x1000000 + ((rdata.charCodeAt(pos + 1) << 16) | (rdata.charCodeAt(pos + 2) << 8) | rdata.charCodeAt(pos + 3));
}

/** Types whose RDATA is exactly one name: encoded with nameToWire directly (the common, fast case). */
function isNameOnly(type: number): boolean {
  return type === TYPE.CNAME || type === TYPE.NS || type === TYPE.PTR || type === ZONE_ALIAS_TYPE || type === TYPE.DNAME;
}

/**
 * Canonical presentation RDATA → wire bytes as a one-byte string. The types most records of big
 * zones have (A, AAAA, one-name types, MX, a single TXT string) are encoded here directly when their
 * text is simple (rdataFromText's general tokenizer costs ~3 µs a record, and its Uint8Array
 * result another string copy); anything unusual and every other type go through rdataFromText.
 * The fast paths build the string in one step (no concatenation: cons strings cost extra objects).
 */
export function encodeRdata(type: number, text: string): string {
  switch (type) {
    case TYPE.A: {
      const fast = ipv4String(text);
      if (fast !== null) return fast;
      break;
    }
    case TYPE.AAAA: {
      const n = ipv6Into(text, encBuf);
      if (n === 16) return encBuf.latin1Slice(0, 16);
      break;
    }
    case TYPE.MX: {
      const n = mxInto(text, encBuf);
      if (n > 0) return encBuf.latin1Slice(0, n);
      break;
    }
    case TYPE.TXT: {
      const n = txtInto(text, encBuf);
      if (n > 0) return encBuf.latin1Slice(0, n);
      break;
    }
    case ZONE_SCRIPT_TYPE:
      return Buffer.from(text, 'utf8').toString('latin1');
    default:
      if (isNameOnly(type)) {
        const n = simpleNameInto(text, 0, encBuf, 0);
        if (n > 0) return encBuf.latin1Slice(0, n);
        if (type === ZONE_ALIAS_TYPE) {
          if (!(text.length > 1 && text.endsWith('.') && !text.includes(' '))) throw new WireError(`ALIAS RDATA must be one absolute name: "${text}"`);
          return bytesToRdataString(nameToWire(text));
        }
      }
  }
  return bytesToRdataString(rdataFromText(type, text));
}

/** Scratch bytes of the fast encoders (RDATA of the fast-path types is at most ~260 bytes). */
const encBuf: Buffer & { latin1Slice(start: number, end: number): string } = Buffer.alloc(1024) as never;

/**
 * Writes the wire form of an absolute name `text.slice(from)` (ending with a dot, labels of
 * printable ASCII without escapes) at `buf[at]`; returns the position after it, or -1 when the
 * text is not that simple (the general encoder then decides).
 */
function simpleNameInto(text: string, from: number, buf: Uint8Array, at: number): number {
  const n = text.length;
  if (n - from < 2 || text.charCodeAt(n - 1) !== 0x2e) return -1;
  let out = at + 1;
  let labelStart = at;
  for (let i = from; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x2e) {
      const len = out - labelStart - 1;
      if (len === 0 || len > 63) return -1;
      buf[labelStart] = len;
      labelStart = out;
      out++;
      continue;
    }
    if (ch < 0x21 || ch > 0x7e || ch === 0x5c) return -1;
    buf[out++] = ch;
  }
  // The text ends with a dot: the slot just opened is the root label.
  buf[labelStart] = 0;
  return out - at > 255 ? -1 : out;
}

/** MX `<preference> <absolute name>` (canonical: decimal without leading zeros, one space). */
function mxInto(text: string, buf: Uint8Array): number {
  let v = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) break;
    if (c < 0x30 || c > 0x39 || i > 4 || (i > 0 && v === 0)) return -1;
    v = v * 10 + (c - 0x30);
  }
  if (i === 0 || i >= text.length || v > 0xffff) return -1;
  buf[0] = v >>> 8;
  buf[1] = v & 0xff;
  return simpleNameInto(text, i + 1, buf, 2);
}

/** TXT of one quoted string of printable ASCII without escapes or quotes inside (up to 255 octets). */
function txtInto(text: string, buf: Uint8Array): number {
  const n = text.length;
  if (n < 2 || n > 257 || text.charCodeAt(0) !== 0x22 || text.charCodeAt(n - 1) !== 0x22) return -1;
  buf[0] = n - 2;
  for (let i = 1; i < n - 1; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1;
    buf[i] = c;
  }
  return n - 1;
}

/**
 * An IPv6 address (hex groups, at most one `::`, no embedded IPv4) as 16 bytes at buf[0]; returns
 * 16, or -1 for anything else (the general parser then decides).
 */
function ipv6Into(text: string, buf: Uint8Array): number {
  const n = text.length;
  if (n < 2 || n > 39) return -1;
  let groups = 0;
  let gap = -1; // group index where `::` stands
  let v = 0;
  let digits = 0;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return -1;
    gap = 0;
    i = 2;
    if (i === n) {
      buf.fill(0, 0, 16);
      return 16;
    }
  }
  for (; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x3a;
    if (c === 0x3a) {
      if (digits === 0) return -1;
      if (groups >= 8) return -1;
      buf[groups * 2] = v >>> 8;
      buf[groups * 2 + 1] = v & 0xff;
      groups++;
      v = 0;
      digits = 0;
      if (i < n - 1 && text.charCodeAt(i + 1) === 0x3a) {
        if (gap >= 0) return -1;
        gap = groups;
        i++;
        if (i === n - 1) break; // trailing `::`
      } else if (i === n - 1) {
        return -1; // a single trailing `:`
      }
      continue;
    }
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    if (++digits > 4) return -1;
    v = (v << 4) | d;
  }
  if (gap < 0) return groups === 8 ? 16 : -1;
  if (groups > 7) return -1;
  // Move the groups after the gap to the end, zero the gap.
  const tail = groups - gap;
  for (let k = tail - 1; k >= 0; k--) {
    buf[(8 - tail + k) * 2] = buf[(gap + k) * 2]!;
    buf[(8 - tail + k) * 2 + 1] = buf[(gap + k) * 2 + 1]!;
  }
  buf.fill(0, gap * 2, (8 - tail) * 2);
  return 16;
}

/** A canonical dotted quad (no leading zeros) as a 4-character string, or null for anything else. */
function ipv4String(text: string): string | null {
  let a = 0;
  let b = 0;
  let c = 0;
  let v = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (ch === 0x2e) {
      if (digits === 0 || v > 255) return null;
      if (parts === 0) a = v;
      else if (parts === 1) b = v;
      else if (parts === 2) c = v;
      else if (parts === 3) return i === text.length ? String.fromCharCode(a, b, c, v) : null;
      parts++;
      v = 0;
      digits = 0;
      continue;
    }
    if (ch < 0x30 || ch > 0x39) return null;
    if (digits > 0 && v === 0) return null; // leading zero
    v = v * 10 + (ch - 0x30);
    digits++;
    if (digits > 3) return null;
  }
  return null;
}

/**
 * A string whose code-unit order is the RFC 4034 6.1 order of names: labels from the rightmost,
 * each octet (lowercase) as code unit octet+1, a label ended by code unit 0.
 */
function canonicalSortKey(name: string): string {
  const labels = splitPresentation(name);
  if (typeof labels === 'string') return name;
  let key = '';
  for (let i = labels.length - 1; i >= 0; i--) {
    const label = labels[i]!;
    for (const b of label) key += String.fromCharCode((b >= 0x41 && b <= 0x5a ? b + 32 : b) + 1);
    key += '\u0000';
  }
  return key;
}
