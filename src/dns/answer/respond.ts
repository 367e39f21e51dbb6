// One reply per query packet (docs/dns.md "dns/answer"): parse the header, the question and the
// OPT record, pick the zone, look the name up and write the reply section by section into one
// reused WireWriter. Replies built only from our zones are kept in a small cache keyed by the zone
// set's generation.
//
// Choices (where the RFCs leave one; the differential suite against Knot lists the differences in
// docs/dns.md):
// - Dropped (null): packets shorter than a header, and responses (QR=1).
// - Opcode other than QUERY: NOTIMP (the question echoed when it parses), before anything else.
// - QDCOUNT != 1, a question or any RR that does not parse, trailing octets after the last RR, two
//   OPT RRs, an OPT not owned by the root, or OPT options overrunning its RDATA: FORMERR. The
//   question is echoed only when QDCOUNT is 1 and it parsed; our OPT only when the query's OPT
//   parsed. RD and CD are copied into every reply, the opcode too.
// - EDNS (RFC 6891): version > 0 → BADVERS (extended RCODE 16 in our OPT, the question, nothing
//   else). Our OPT: UDP size 1232, version 0, DO echoed, no options; query options are ignored.
// - Size limit: UDP without EDNS 512; with EDNS max(512, min(client size, 1232)) (a client
//   advertising less than 512 is treated as 512, RFC 6891 6.2.5); TCP 65535. The OPT record's 11
//   octets are always reserved, so it is never cut.
// - Class: IN only; every other class (CH `version.bind`, ANY, HS, …) → REFUSED.
// - QTYPE: AXFR/IXFR → REFUSED (zone transfers are a later issue); MAILA/MAILB → NOTIMP; other meta
//   types (OPT, TSIG, TKEY, 128-248) cannot be asked for (RFC 6895 3.1) → FORMERR. ANY (RFC 8482
//   4.1): one RRset, the first of the name in type order (CNAME at a CNAME name), over UDP and TCP.
// - A name in none of our zones → REFUSED without AA. DS for the apex of a zone whose parent zone
//   we also serve is answered from the parent (RFC 4035 3.1.4.1).
// - Answers: AA set except on pure referrals. CNAMEs are followed inside the zone (at most 16
//   links; a loop or a target outside the zone ends the chain, which is answered as far as it
//   got); the RCODE follows the last name (RFC 6604). A chain ending at a cut adds the referral (AA
//   stays set for the CNAMEs). Wildcard answers use the query name as owner.
// - Authority: SOA for NXDOMAIN/NODATA with TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 3); NS of the
//   cut for referrals; nothing on positive answers (`NS_IN_POSITIVE_AUTHORITY`).
// - Additional: A/AAAA of targets of NS, MX, SRV, SVCB and HTTPS answers (ANY answers too) that
//   are authoritative names of the same zone (exact names, not wildcards, not below a cut; never
//   for CNAME targets). SVCB/HTTPS (RFC 9460 4.1, both modes): per TargetName its A, AAAA and its
//   RRset of the answer's type (one level, as Knot; not the answered RRset itself again). A
//   TargetName "." (AliasMode: no service; ServiceMode: the owner, i.e. the answer's own name)
//   adds nothing, as with Knot. Referrals (RFC 9471): the A/AAAA of NS targets inside the zone,
//   in-domain glue (at or below the cut) first, then sibling glue (below another cut of the zone:
//   occluded data, reached through `zone.node`) and authoritative addresses, in NS order.
// - Sizes: whole RRsets only. An answer or authority RRset that does not fit ends the reply with
//   TC=1. An additional RRset that does not fit is left out without TC, except in-domain glue of a
//   referral, which RFC 9471 3.1 requires (TC=1 when it does not fit; `GLUE_REQUIRES_TC`); sibling
//   glue is a SHOULD (RFC 9471 3.2): left out without TC.
// - ALIAS: A/AAAA (and ANY) at a name with ALIAS and no RRset of that type is answered with the
//   target's addresses under the query name, TTL min(ALIAS TTL, target TTL). A target inside our
//   zones is resolved there (CNAMEs and nested ALIAS followed, 16 links at most); others through
//   `ctx.alias` (AliasResolver): a cached answer is used at once, otherwise respond() returns a
//   Promise. No resolver configured, an upstream failure or timeout → SERVFAIL. A target without
//   addresses → NODATA (SOA in authority). Such replies are not put in the reply cache.
// - Smart records (docs/smart-records.md): an A/AAAA RRset with a policy (weights, offline records)
//   is written with the records `chooseRecords` picks; a name with a Script is answered with what
//   the script returns for this query (ctx.scripts: a cached result at once, otherwise a Promise;
//   a failure, or no runner, is SERVFAIL). Neither is put in the reply cache.
import { CLASS, EDNS_DO, EDNS_UDP_SIZE, CLASSIC_UDP_SIZE, FLAG, MAX_MESSAGE_SIZE, OPCODE, RCODE, TYPE, typeName } from '../wire/constants.js';
import { lowerName, nameKey, nameToWire } from '../wire/name.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
import { NO_WEIGHT, rdataStringToBytes, type RRset, type SetPolicy, type Zone, type ZoneNode } from '../zone/zone.js';
import type { ZoneSet } from '../zone/zone-set.js';
import type { AliasAnswer, AliasResolver, AliasResult } from './alias-resolver.js';
import type { ScriptResult, ScriptRR, ScriptRunner } from './script-runner.js';
import { nsecRdata } from '../dnssec/nsec.js';

export interface RespondContext {
  transport: 'udp' | 'tcp';
  /** Resolver for ALIAS targets outside our zones; absent → SERVFAIL for those. */
  alias?: AliasResolver;
  /** Runs Script records; absent → SERVFAIL for names with a Script. */
  scripts?: ScriptRunner;
  /** The client's address (Script records see it), read only when a script runs. */
  client?: () => string;
  /** Use the reply cache (default true). */
  cache?: boolean;
}

/** Longest CNAME chain followed (links), also the ALIAS resolution depth. */
export const MAX_CNAME_LINKS = 16;
/** Add the apex NS RRset to the authority section of positive answers (Knot: no). */
export const NS_IN_POSITIVE_AUTHORITY = false;
/** RFC 9471: in-domain glue that does not fit sets TC (other additional data is just left out). */
export const GLUE_REQUIRES_TC = true;
/** Names in the reply cache (two generations of half this, each name up to 8 variants). */
export const REPLY_CACHE_SIZE = 16384;

const OPT_RR_SIZE = 11;
const QR_OPCODE_MASK = 0x7800;

/** What respond() needs of a parsed query. */
interface Query {
  id: number;
  /** The query's RD and CD bits, copied into the reply. */
  copyFlags: number;
  opcode: number;
  /** The question name as the client sent it (uncompressed, case kept). */
  qname: Uint8Array;
  qtype: number;
  qclass: number;
  /** EDNS state: -1 no OPT, otherwise the DO bit (0 or EDNS_DO). */
  edns: number;
  /** Size limit of the reply. */
  limit: number;
}

interface ParsedEdns {
  udpSize: number;
  version: number;
  do: boolean;
}

const writer = new WireWriter(MAX_MESSAGE_SIZE);

// --- reply cache --------------------------------------------------------------------------------

// Keyed by the lowercase qname key itself (V8 keeps a string's hash in the string, and the same
// string is then hashed no more for the zone lookups), each name holding its variants: query type,
// size limit and EDNS state (none / EDNS / EDNS+DO) → reply. Two generations of at most
// REPLY_CACHE_SIZE / 2 names each: new names go to `young`; when it is full it becomes `old` (the
// previous `old` is dropped) and a hit in `old` moves the name back to `young` — O(1) per
// operation (evicting the oldest entry of one Map would make V8 skip over deleted slots), bounded,
// close to LRU. A reply is stored as a one-byte string (one object, no Buffer pool slab kept
// alive). A "doorkeeper" admits a variant only the second time it misses within a window (see
// admit), so one-off names (random subdomains, NXDOMAIN floods) and sweeps over more names than
// the cache holds cost a hash instead of insertions that would only churn the cache and the
// garbage collector.
interface CacheVariant {
  qtype: number;
  limit: number;
  edns: number;
  reply: string;
}

/** Variants kept per name (the oldest is replaced beyond that). */
const VARIANTS_PER_NAME = 8;

let cacheZones: ZoneSet | null = null;
let cacheGeneration = -1;
let young = new Map<string, CacheVariant[]>();
let old = new Map<string, CacheVariant[]>();
const DOORKEEPER_SLOTS = 1 << 16;
const doorkeeper = new Int32Array(DOORKEEPER_SLOTS);
const DOORKEEPER_WINDOW = REPLY_CACHE_SIZE * 2;
let doorkeeperOffers = 0;

/** Forget every cached reply (tests; the cache also resets itself when the zone set changes). */
export function clearReplyCache(): void {
  young = new Map();
  old = new Map();
  doorkeeper.fill(0);
  doorkeeperOffers = 0;
  cacheZones = null;
  cacheGeneration = -1;
}

/** Number of cached replies (tests, metrics). */
export function replyCacheSize(): number {
  let n = 0;
  for (const v of young.values()) n += v.length;
  for (const [k, v] of old) if (!young.has(k)) n += v.length;
  return n;
}

function findVariant(list: CacheVariant[] | undefined, q: Query): CacheVariant | undefined {
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (v.qtype === q.qtype && v.limit === q.limit && v.edns === q.edns) return v;
  }
  return undefined;
}

function cacheGet(zones: ZoneSet, key: string, q: Query): string | undefined {
  if (cacheZones !== zones || cacheGeneration !== zones.generation) {
    clearReplyCache();
    cacheZones = zones;
    cacheGeneration = zones.generation;
    return undefined;
  }
  const list = young.get(key);
  const hit = findVariant(list, q);
  if (hit !== undefined) return hit.reply;
  if (list !== undefined) return undefined;
  const aged = old.get(key);
  const agedHit = findVariant(aged, q);
  if (aged !== undefined) {
    old.delete(key);
    putList(key, aged);
  }
  return agedHit?.reply;
}

function putList(key: string, list: CacheVariant[]): void {
  if (young.size >= REPLY_CACHE_SIZE / 2) {
    old = young;
    young = new Map();
  }
  young.set(key, list);
}

function cachePut(key: string, q: Query, reply: string): void {
  const variant: CacheVariant = { qtype: q.qtype, limit: q.limit, edns: q.edns, reply };
  const list = young.get(key);
  if (list === undefined) {
    putList(key, [variant]);
  } else {
    if (list.length >= VARIANTS_PER_NAME) list.shift();
    list.push(variant);
  }
}

/**
 * True the second time a variant is offered within the doorkeeper's window (FNV-1a hash slot; 0 is
 * "empty", so hashes are made odd). The doorkeeper forgets everything every DOORKEEPER_WINDOW
 * offers, so a name must come back within that many misses to be cached: with a working set larger
 * than the cache (a uniform sweep over a big zone) nothing is admitted and nothing churns, while
 * popular names still get in.
 */
function admit(key: string, q: Query): boolean {
  if (++doorkeeperOffers >= DOORKEEPER_WINDOW) {
    doorkeeper.fill(0);
    doorkeeperOffers = 0;
  }
  let h = Math.imul(0x811c9dc5 ^ q.qtype, 0x01000193);
  h = Math.imul(h ^ q.limit, 0x01000193);
  h = Math.imul(h ^ (q.edns & 0xffff), 0x01000193);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h |= 1;
  const slot = (h >>> 1) & (DOORKEEPER_SLOTS - 1);
  if (doorkeeper[slot] === h) return true;
  doorkeeper[slot] = h;
  return false;
}

function fromCache(entry: string, q: Query): Buffer {
  const out = Buffer.from(entry, 'latin1');
  out[0] = q.id >>> 8;
  out[1] = q.id & 0xff;
  const f = (((out[2]! << 8) | out[3]!) & ~(FLAG.RD | FLAG.CD)) | q.copyFlags;
  out[2] = f >>> 8;
  out[3] = f & 0xff;
  out.set(q.qname, 12);
  return out;
}

// --- entry point ---------------------------------------------------------------------------------

/**
 * The reply to one query packet: bytes, null to drop it, or a Promise of those when an ALIAS
 * target outside our zones is not cached yet.
 */
export function respond(packet: Uint8Array, zones: ZoneSet, ctx: RespondContext): Uint8Array | null | Promise<Uint8Array | null> {
  if (packet.length < 12) return null;
  const flags = (packet[2]! << 8) | packet[3]!;
  if ((flags & FLAG.QR) !== 0) return null;
  const id = (packet[0]! << 8) | packet[1]!;
  const opcode = (flags >>> 11) & 0xf;
  const copyFlags = flags & (FLAG.RD | FLAG.CD);
  const qdcount = (packet[4]! << 8) | packet[5]!;
  const ancount = (packet[6]! << 8) | packet[7]!;
  const nscount = (packet[8]! << 8) | packet[9]!;
  const arcount = (packet[10]! << 8) | packet[11]!;

  const r = new WireReader(packet, 12);
  let qname: Uint8Array | null = null;
  let qtype = 0;
  let qclass = 0;
  let edns: ParsedEdns | null = null;
  let wellFormed = true;
  try {
    for (let i = 0; i < qdcount; i++) {
      const n = r.name();
      const t = r.u16();
      const c = r.u16();
      if (i === 0) {
        qname = n;
        qtype = t;
        qclass = c;
      }
    }
  } catch {
    wellFormed = false;
    qname = null;
  }
  if (wellFormed) {
    try {
      edns = readRest(r, ancount + nscount, arcount);
    } catch {
      wellFormed = false;
      edns = null;
    }
  }
  const question = qdcount === 1 ? qname : null;
  const base: Query = {
    id,
    copyFlags,
    opcode,
    qname: question ?? EMPTY,
    qtype,
    qclass,
    edns: edns === null ? -1 : edns.do ? EDNS_DO : 0,
    limit: replyLimit(ctx.transport, edns),
  };
  if (opcode !== OPCODE.QUERY) return simpleReply(base, question !== null, RCODE.NOTIMP);
  if (!wellFormed || qdcount !== 1 || question === null) return simpleReply(base, question !== null, RCODE.FORMERR);
  if (edns !== null && edns.version > 0) return simpleReply(base, true, RCODE.BADVERS);
  if (qclass !== CLASS.IN) return simpleReply(base, true, RCODE.REFUSED);
  if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return simpleReply(base, true, RCODE.REFUSED);
  if (qtype === 253 || qtype === 254) return simpleReply(base, true, RCODE.NOTIMP);
  if (qtype === TYPE.OPT || (qtype >= 128 && qtype <= 250)) return simpleReply(base, true, RCODE.FORMERR);

  const key = nameKey(question);
  const useCache = ctx.cache !== false;
  if (useCache) {
    const hit = cacheGet(zones, key, base);
    if (hit !== undefined) return fromCache(hit, base);
  }
  const built = answer(base, key, zones, ctx, null, null);
  if (built instanceof NeedScript) {
    const need = built;
    return ctx.scripts!.run(need.set, need.origin, need.owner, need.name, need.type, need.clientIp).then(
      (result) => {
        const again = answer(base, key, zones, ctx, null, { set: need.set, result, clientIp: need.clientIp });
        return again instanceof NeedAlias || again instanceof NeedScript ? simpleReply(base, true, RCODE.SERVFAIL) : again.bytes;
      },
      () => simpleReply(base, true, RCODE.SERVFAIL),
    );
  }
  if (built instanceof NeedAlias) {
    const resolver = ctx.alias;
    if (resolver === undefined) return simpleReply(base, true, RCODE.SERVFAIL);
    const need = built;
    return resolver.resolve(need.key, need.type, need.ttl).then(
      (result: AliasResult) => {
        const again = answer(base, key, zones, ctx, { key: need.key, type: need.type, result }, null);
        return again instanceof NeedAlias || again instanceof NeedScript ? simpleReply(base, true, RCODE.SERVFAIL) : again.bytes;
      },
      () => simpleReply(base, true, RCODE.SERVFAIL),
    );
  }
  if (useCache && built.cacheable && cacheZones === zones && cacheGeneration === zones.generation && admit(key, base)) {
    cachePut(key, base, built.bytes.toString('latin1'));
  }
  return built.bytes;
}

const EMPTY = new Uint8Array(0);

/**
 * Skip the answer and authority RRs, read the additional section for the OPT RR and check that
 * nothing follows. Throws on anything malformed (→ FORMERR).
 */
function readRest(r: WireReader, skipCount: number, arcount: number): ParsedEdns | null {
  for (let i = 0; i < skipCount; i++) {
    r.name();
    r.skip(8);
    r.skip(r.u16());
  }
  let edns: ParsedEdns | null = null;
  for (let i = 0; i < arcount; i++) {
    const owner = r.name();
    const type = r.u16();
    const klass = r.u16();
    const ttl = r.u32();
    const rdlen = r.u16();
    if (type !== TYPE.OPT) {
      r.skip(rdlen);
      continue;
    }
    if (edns !== null) throw new Error('more than one OPT RR');
    if (owner.length !== 1) throw new Error('OPT owner is not the root');
    const end = r.offset + rdlen;
    while (r.offset < end) {
      r.u16();
      r.skip(r.u16());
    }
    if (r.offset !== end) throw new Error('OPT options overrun the RDATA');
    edns = { udpSize: klass, version: (ttl >>> 16) & 0xff, do: (ttl & EDNS_DO) !== 0 };
  }
  if (r.remaining() !== 0) throw new Error('octets after the last RR');
  return edns;
}

function replyLimit(transport: 'udp' | 'tcp', edns: ParsedEdns | null): number {
  if (transport === 'tcp') return MAX_MESSAGE_SIZE;
  if (edns === null) return CLASSIC_UDP_SIZE;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(edns.udpSize, EDNS_UDP_SIZE));
}

// --- writing -------------------------------------------------------------------------------------

/** Header with zero counts, then the question when there is one; the writer is reset to `q.limit`. */
function begin(q: Query, withQuestion: boolean): void {
  const w = writer;
  w.reset(q.edns >= 0 ? q.limit - OPT_RR_SIZE : q.limit);
  w.u16(q.id);
  w.u16(0);
  w.u16(withQuestion ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  if (withQuestion) {
    w.name(q.qname);
    w.u16(q.qtype);
    w.u16(q.qclass);
  }
}

/** Our OPT RR (when the query had one), the flags and the counts; returns a copy of the message. */
function end(q: Query, rcode: number, flagBits: number, an: number, ns: number, ar: number): Buffer {
  const w = writer;
  if (q.edns >= 0) {
    w.limit = q.limit;
    w.u8(0);
    w.u16(TYPE.OPT);
    w.u16(EDNS_UDP_SIZE);
    w.u32((((rcode >>> 4) & 0xff) << 24) | q.edns);
    w.u16(0);
    ar++;
  }
  const flags = FLAG.QR | ((q.opcode << 11) & QR_OPCODE_MASK) | flagBits | q.copyFlags | (rcode & 0xf);
  w.setU16(2, flags);
  w.setU16(6, an);
  w.setU16(8, ns);
  w.setU16(10, ar);
  return w.finish();
}

/** A reply with no records: errors, REFUSED, SERVFAIL, BADVERS. */
function simpleReply(q: Query, withQuestion: boolean, rcode: number): Buffer {
  begin(q, withQuestion);
  return end(q, rcode, 0, 0, 0, 0);
}

/** Reusable byte arrays by length (≤ 512) for copying RDATA strings out of the zone. */
const scratchByLength: (Uint8Array | undefined)[] = [];
const bigScratch = Buffer.allocUnsafe(65535);

/** The bytes of an RDATA string in scratch memory, valid until the next call. */
function scratchBytes(str: string): Uint8Array {
  const n = str.length;
  if (n > 512) {
    bigScratch.write(str, 0, n, 'latin1');
    return bigScratch.subarray(0, n);
  }
  let b = scratchByLength[n];
  if (b === undefined) {
    b = new Uint8Array(n);
    scratchByLength[n] = b;
  }
  for (let i = 0; i < n; i++) b[i] = str.charCodeAt(i);
  return b;
}

/**
 * Write every record of an RRset (owner compressed, the given type and TTL); all or nothing.
 * Returns the number of records written, or -1 when the RRset did not fit (rolled back).
 */
function writeSet(owner: Uint8Array, type: number, ttl: number, set: RRset): number {
  if (set.policy !== null && !wholeSets) return writeChosen(owner, type, ttl, set, set.policy);
  const w = writer;
  const m = w.mark();
  const rd = set.rd;
  if (typeof rd === 'string') {
    w.name(owner);
    w.u16(type);
    w.u16(CLASS.IN);
    w.u32(ttl);
    w.rdata(type, scratchBytes(rd));
  } else {
    for (let i = 0; i < rd.length; i++) {
      w.name(owner);
      w.u16(type);
      w.u16(CLASS.IN);
      w.u32(ttl);
      w.rdata(type, scratchBytes(rd[i]!));
    }
  }
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  return typeof rd === 'string' ? 1 : rd.length;
}

/** Set when a reply carries records chosen per query (weights, health): such replies are not cached. */
let chosenPerQuery = false;
/**
 * Set for DNSSEC answers (DO=1, signed zone) when this process cannot sign per answer: RRsets go
 * out whole, as they are signed (weights and health choices need signatures made per answer).
 */
let wholeSets = false;
/** The zone's signer for per-answer signatures (DNSSEC answers where this process holds the keys). */
let onlineSigner: Zone['signer'] = null;

/** RRSIG RDATA (one-byte strings) under `owner` with `ttl`; -1 when they did not fit (nothing written). */
function writeRrsigs(owner: Uint8Array, ttl: number, sigs: readonly string[]): number {
  const w = writer;
  const m = w.mark();
  for (const rd of sigs) {
    w.name(owner);
    w.u16(TYPE.RRSIG);
    w.u16(CLASS.IN);
    w.u32(ttl);
    w.rdata(TYPE.RRSIG, scratchBytes(rd));
  }
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  return sigs.length;
}

/**
 * The RRSIGs at `node` covering `covered`, under `owner` with `ttl` (the covered RRset's); all or
 * nothing. Returns the number written (0 when there are none), or -1 when they did not fit.
 */
function writeSigs(owner: Uint8Array, node: ZoneNode, covered: number, ttl: number): number {
  const sigs = node.rrset(TYPE.RRSIG);
  if (sigs === undefined) return 0;
  const w = writer;
  const m = w.mark();
  let n = 0;
  for (let i = 0; i < sigs.count; i++) {
    const rd = sigs.rdataString(i);
    if (((rd.charCodeAt(0) << 8) | rd.charCodeAt(1)) !== covered) continue;
    w.name(owner);
    w.u16(TYPE.RRSIG);
    w.u16(CLASS.IN);
    w.u32(ttl);
    w.rdata(TYPE.RRSIG, scratchBytes(rd));
    n++;
  }
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  return n;
}

/** An RRset and its RRSIGs; returns the records written, or -1 when they did not fit (nothing written). */
function writeSignedSet(owner: Uint8Array, node: ZoneNode, type: number, ttl: number, set: RRset): number {
  const m = writer.mark();
  const n = writeSet(owner, type, ttl, set);
  if (n < 0) return -1;
  // Records picked for this answer (weights, health): signed as the set they make.
  const s =
    set.policy !== null && !wholeSets && onlineSigner !== null
      ? writeRrsigs(owner, ttl, onlineSigner.sign(owner, type, ttl, picks.slice(0, n).map((i) => set.rdata(i))))
      : writeSigs(owner, node, type, ttl);
  if (s < 0) {
    writer.rollback(m);
    return -1;
  }
  return n + s;
}

/** The NSEC records (with RRSIGs) proving what `proofs` hold, each owner once; -1 when they did not fit. */
function writeProofs(proofs: readonly (ZoneNode | undefined)[]): number {
  let total = 0;
  const done: ZoneNode[] = [];
  for (const node of proofs) {
    if (node === undefined || done.includes(node)) continue;
    done.push(node);
    const nsec = node.rrset(TYPE.NSEC);
    if (nsec === undefined) continue;
    const n = writeSignedSet(nameToWire(node.name), node, TYPE.NSEC, nsec.ttl, nsec);
    if (n < 0) return -1;
    total += n;
  }
  return total;
}

/**
 * NODATA at a name whose answers are computed per query (Flatten, Script): its NSEC in the chain
 * lists the types those answers can have, so the proof is made for this answer — an NSEC of the
 * name to its immediate successor (`\000.<name>`) listing only the types the name really has
 * (RFC 4470 style), signed now. Returns the records written, or -1 when they did not fit.
 */
function writeAnswerNsec(signer: NonNullable<Zone['signer']>, owner: Uint8Array, node: ZoneNode, ttl: number): number {
  const lower = lowerName(owner);
  const next = new Uint8Array(lower.length + 2);
  next[0] = 1;
  next[1] = 0;
  next.set(lower, 2);
  const types: number[] = [TYPE.NSEC, TYPE.RRSIG];
  for (const set of node.rrsets()) if (set.type <= 0xffff && set.type !== TYPE.NSEC && set.type !== TYPE.RRSIG) types.push(set.type);
  const rdata = nsecRdata(next, types);
  const m = writer.mark();
  const w = writer;
  w.name(owner);
  w.u16(TYPE.NSEC);
  w.u16(CLASS.IN);
  w.u32(ttl);
  w.rdata(TYPE.NSEC, rdata);
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  const s = writeRrsigs(owner, ttl, signer.sign(owner, TYPE.NSEC, ttl, [rdata]));
  if (s < 0) {
    w.rollback(m);
    return -1;
  }
  return 1 + s;
}

/** The wildcard name at a closest encloser (`*.<encloser>`), as a zone key. */
function wildcardAt(encloser: ZoneNode): string {
  return encloser.name === '' ? '*' : `*.${encloser.name}`;
}

/** Largest number of records an equal-weight answer carries. */
export const EQUAL_WEIGHT_PICK = 3;

/** Scratch list of record indexes for chooseRecords. */
const picks: number[] = [];

/**
 * The records of a policed A/AAAA RRset this answer carries (docs/smart-records.md), as indexes into
 * `picks`; returns how many:
 * - health: offline records are left out while any record of the set is not offline (when all are,
 *   all stay: nothing better exists);
 * - no weights among the remaining records: all of them;
 * - equal weights: up to EQUAL_WEIGHT_PICK of them at random (a partial Fisher-Yates shuffle);
 * - unequal weights: one, by smooth weighted round robin (each record's current weight grows by
 *   its weight, the largest is chosen and lowered by the total: over any run of `total` answers each
 *   record is chosen exactly `weight` times, evenly spread). A record without a weight counts as 0.
 */
export function chooseRecords(policy: SetPolicy, count: number, random: () => number = Math.random): number {
  picks.length = 0;
  const off = policy.offline;
  for (let i = 0; i < count; i++) if (!off[i]) picks.push(i);
  if (picks.length === 0) for (let i = 0; i < count; i++) picks.push(i);
  const weights = policy.weights;
  let weighted = false;
  let equal = true;
  const first = Math.max(0, weights[picks[0]!]!);
  for (const i of picks) {
    const w = weights[i]!;
    if (w !== NO_WEIGHT) weighted = true;
    if (Math.max(0, w) !== first) equal = false;
  }
  if (!weighted) return picks.length;
  if (equal) {
    const n = Math.min(EQUAL_WEIGHT_PICK, picks.length);
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(random() * (picks.length - k));
      const t = picks[k]!;
      picks[k] = picks[j]!;
      picks[j] = t;
    }
    return n;
  }
  const current = policy.current;
  let total = 0;
  let best = -1;
  for (const i of picks) {
    const w = Math.max(0, weights[i]!);
    total += w;
    current[i]! += w;
    // Ties go to the heavier record (never to a weight-0 one while another has weight).
    if (best < 0 || current[i]! > current[best]! || (current[i] === current[best] && w > Math.max(0, weights[best]!))) best = i;
  }
  current[best]! -= total;
  picks[0] = best;
  return 1;
}

/** writeSet for an RRset with an answer policy: the records chooseRecords picks. */
function writeChosen(owner: Uint8Array, type: number, ttl: number, set: RRset, policy: SetPolicy): number {
  chosenPerQuery = true;
  const n = chooseRecords(policy, set.count);
  const w = writer;
  const m = w.mark();
  for (let k = 0; k < n; k++) {
    w.name(owner);
    w.u16(type);
    w.u16(CLASS.IN);
    w.u32(ttl);
    w.rdata(type, scratchBytes(set.rdataString(picks[k]!)));
  }
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  return n;
}

/**
 * A script's answers for a query of `qtype`: those of that type (ANY: those of the first answer's
 * type); when there are none, its CNAME answer (the resolver follows it). Returns the number of
 * records written (0: NODATA), or -1 when they did not fit.
 */
/** What writeScriptAnswers wrote last: type, TTL (the lowest) and RDATA, for signing. */
const scriptWritten: { type: number; ttl: number; rdatas: Uint8Array[] } = { type: 0, ttl: 0, rdatas: [] };

function writeScriptAnswers(owner: Uint8Array, qtype: number, answers: readonly ScriptRR[]): number {
  let want = qtype === TYPE.ANY && answers.length > 0 ? answers[0]!.type : qtype;
  if (!answers.some((a) => a.type === want)) {
    if (!answers.some((a) => a.type === TYPE.CNAME)) return 0;
    want = TYPE.CNAME;
  }
  const w = writer;
  const m = w.mark();
  let n = 0;
  // One RRset: one TTL, the lowest of the answers' (RFC 2181 5.2; a signature covers one TTL).
  let ttl = Infinity;
  for (const a of answers) if (a.type === want) ttl = Math.min(ttl, a.ttl);
  scriptWritten.type = want;
  scriptWritten.ttl = ttl;
  scriptWritten.rdatas = [];
  for (const a of answers) {
    if (a.type !== want) continue;
    w.name(owner);
    w.u16(a.type);
    w.u16(CLASS.IN);
    w.u32(ttl);
    w.rdata(a.type, scratchBytes(a.rd));
    scriptWritten.rdatas.push(rdataStringToBytes(a.rd));
    n++;
    if (want === TYPE.CNAME) break; // one CNAME per name
  }
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  return n;
}

/** Like writeSet, for RDATA bytes (upstream ALIAS answers). */
function writeRdatas(owner: Uint8Array, type: number, ttl: number, rdatas: readonly Uint8Array[]): number {
  const w = writer;
  const m = w.mark();
  for (let i = 0; i < rdatas.length; i++) {
    w.name(owner);
    w.u16(type);
    w.u16(CLASS.IN);
    w.u32(ttl);
    w.rdata(type, rdatas[i]!);
  }
  if (w.overflow) {
    w.rollback(m);
    return -1;
  }
  return rdatas.length;
}

// --- answering -----------------------------------------------------------------------------------

class NeedAlias {
  constructor(
    readonly key: string,
    readonly type: 1 | 28,
    readonly ttl: number,
  ) {}
}

/** A Script must run for this answer (its result is not cached yet). */
class NeedScript {
  constructor(
    readonly set: RRset,
    readonly origin: string,
    readonly owner: string,
    readonly name: string,
    readonly type: string,
    readonly clientIp: string,
  ) {}
}

/** The result of a script just run, for the RRset it belongs to, and the client it ran for. */
interface ScriptOverride {
  set: RRset;
  result: ScriptResult;
  clientIp: string;
}

interface Built {
  bytes: Buffer;
  cacheable: boolean;
}

interface AliasOverride {
  key: string;
  type: number;
  result: AliasAnswer | 'negative' | 'servfail';
}

/** Addresses of an ALIAS target: from one of our zones (`set`) or the upstream (`rdatas`). */
interface AliasAddresses {
  ttl: number;
  set?: RRset;
  rdatas: readonly Uint8Array[];
}

/** Resolved addresses of an ALIAS target, negative, a failure, or the upstream must be asked. */
type AliasOutcome = AliasAddresses | 'negative' | 'servfail' | NeedAlias;

/** The owner wire name of `node` when it is `cur` or an ancestor of `cur` (a suffix: no copy). */
function ownerOf(node: ZoneNode, cur: Uint8Array, curKey: string): Uint8Array {
  const name = node.name;
  if (name === curKey) return cur;
  if (name === '') return cur.subarray(cur.length - 1);
  if (curKey.endsWith(name) && curKey.charCodeAt(curKey.length - name.length - 1) === 0x2e) {
    let drop = 1; // labels of curKey not in name
    for (let i = curKey.indexOf('.'); i >= 0 && i < curKey.length - name.length - 1; i = curKey.indexOf('.', i + 1)) drop++;
    let pos = 0;
    for (let k = 0; k < drop; k++) pos += cur[pos]! + 1;
    return cur.subarray(pos);
  }
  return nameToWire(name);
}

/** True for the types whose answers carry additional data for their target names. */
function hasTargets(type: number): boolean {
  return type === TYPE.NS || type === TYPE.MX || type === TYPE.SRV || type === TYPE.SVCB || type === TYPE.HTTPS;
}

/**
 * The target name in the RDATA (one-byte string) of an NS, MX, SRV, SVCB or HTTPS record, as new
 * wire bytes; null for the root name (null MX/SRV, SVCB "."), whose target is nothing to look up,
 * and for malformed RDATA. MX: after the preference; SRV: after priority, weight and port;
 * SVCB/HTTPS: after SvcPriority, followed by the SvcParams.
 */
function targetName(type: number, rd: string): Uint8Array | null {
  const start = type === TYPE.SRV ? 6 : type === TYPE.NS ? 0 : 2;
  let end = start;
  for (;;) {
    if (end >= rd.length) return null;
    const len = rd.charCodeAt(end);
    if (len === 0) break;
    if (len > 63) return null;
    end += len + 1;
  }
  if (end === start) return null;
  end++;
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = rd.charCodeAt(i);
  return out;
}

function answer(q: Query, qkey: string, zones: ZoneSet, ctx: RespondContext, override: AliasOverride | null, scriptOverride: ScriptOverride | null): Built | NeedAlias | NeedScript {
  let zone = zones.find(qkey);
  if (zone !== undefined && q.qtype === TYPE.DS && zone.origin === qkey && qkey !== '') {
    const dot = qkey.indexOf('.');
    const parent = zones.find(dot < 0 ? '' : qkey.slice(dot + 1));
    if (parent !== undefined) zone = parent;
  }
  if (zone === undefined) return { bytes: simpleReply(q, true, RCODE.REFUSED), cacheable: false };

  const qtype = q.qtype;
  chosenPerQuery = false;
  // DNSSEC (RFC 4035 3.1): RRSIGs with every RRset, NSEC proofs for what does not exist.
  const dnssec = q.edns === EDNS_DO && zone.signed;
  onlineSigner = dnssec ? zone.signer : null;
  wholeSets = dnssec && onlineSigner === null;
  const proofs: (ZoneNode | undefined)[] = [];
  /** NODATA at a per-query name in a signed zone: its proof is made for this answer. */
  let answerNsec: { owner: Uint8Array; node: ZoneNode } | null = null;
  begin(q, true);
  let cur = q.qname;
  let curKey = qkey;
  let rcode: number = RCODE.NOERROR;
  let aa = true;
  let tc = false;
  let an = 0;
  let ns = 0;
  let ar = 0;
  let cacheable = true;
  let negative = false;
  let referral: { node: ZoneNode; rrset: RRset; owner: Uint8Array } | null = null;
  let additionalFrom: RRset | null = null;
  let additionalOwner = '';
  let seen: string[] | null = null;

  for (let links = 0; ; ) {
    const res = zone.lookup(curKey, qtype);
    if (res.kind === 'answer') {
      const n = dnssec ? writeSignedSet(cur, res.node, res.rrset.type, res.rrset.ttl, res.rrset) : writeSet(cur, res.rrset.type, res.rrset.ttl, res.rrset);
      if (n < 0) tc = true;
      else {
        an += n;
        // A wildcard expansion: prove the name itself does not exist (RFC 4035 3.1.3.3).
        if (dnssec && res.wildcard) proofs.push(zone.coveringNsec(curKey));
        if (hasTargets(res.rrset.type)) {
          additionalFrom = res.rrset;
          additionalOwner = curKey;
        }
      }
      break;
    }
    if (res.kind === 'cname') {
      const n = dnssec ? writeSignedSet(cur, res.node, TYPE.CNAME, res.rrset.ttl, res.rrset) : writeSet(cur, TYPE.CNAME, res.rrset.ttl, res.rrset);
      if (n < 0) {
        tc = true;
        break;
      }
      an += n;
      if (dnssec && res.wildcard) proofs.push(zone.coveringNsec(curKey));
      links++;
      const target = res.rrset.rdata(0);
      const tkey = nameKey(target);
      if (links >= MAX_CNAME_LINKS || !zone.contains(tkey)) break;
      if (seen === null) seen = [curKey];
      else seen.push(curKey);
      if (seen.includes(tkey)) break;
      cur = target;
      curKey = tkey;
      continue;
    }
    if (res.kind === 'script') {
      // Computed per query (the client address counts): never in the reply cache.
      cacheable = false;
      const scripts = ctx.scripts;
      if (scripts === undefined) return { bytes: simpleReply(q, true, RCODE.SERVFAIL), cacheable: false };
      const type = typeName(qtype);
      let result: ScriptResult | undefined;
      if (scriptOverride !== null && scriptOverride.set === res.rrset) result = scriptOverride.result;
      else {
        // After a script ran, the client is the one it ran for (a batched transport's `client`
        // has moved on by then).
        const clientIp = scriptOverride !== null ? scriptOverride.clientIp : (ctx.client?.() ?? '');
        result = scripts.cached(res.rrset, curKey, type, clientIp);
        if (result === undefined) return new NeedScript(res.rrset, zone.origin, res.node.name, curKey, type, clientIp);
      }
      if ('error' in result) return { bytes: simpleReply(q, true, RCODE.SERVFAIL), cacheable: false };
      const n = writeScriptAnswers(cur, qtype, result.answers);
      if (n < 0) tc = true;
      else if (n === 0) {
        negative = true;
        if (onlineSigner !== null) answerNsec = { owner: cur, node: res.node };
        else if (dnssec) proofs.push(res.node.rrset(TYPE.NSEC) !== undefined ? res.node : zone.coveringNsec(curKey));
      } else {
        an += n;
        if (onlineSigner !== null) {
          const s = writeRrsigs(cur, scriptWritten.ttl, onlineSigner.sign(cur, scriptWritten.type, scriptWritten.ttl, scriptWritten.rdatas));
          if (s < 0) tc = true;
          else an += s;
        }
      }
      break;
    }
    if (res.kind === 'alias') {
      const type: 1 | 28 = qtype === TYPE.AAAA ? TYPE.AAAA : TYPE.A;
      aliasUpstream = false;
      const outcome = resolveAlias(zones, nameKey(res.rrset.rdata(0)), type, res.rrset.ttl, ctx, override);
      if (outcome instanceof NeedAlias) return outcome;
      if (outcome === 'servfail') return { bytes: simpleReply(q, true, RCODE.SERVFAIL), cacheable: false };
      if (aliasUpstream) cacheable = false;
      if (outcome === 'negative') {
        negative = true;
        if (onlineSigner !== null) answerNsec = { owner: cur, node: res.node };
        else if (dnssec) proofs.push(res.node.rrset(TYPE.NSEC) !== undefined ? res.node : zone.coveringNsec(curKey));
      } else {
        const ttl = Math.min(res.rrset.ttl, outcome.ttl);
        const n = outcome.set !== undefined ? writeSet(cur, type, ttl, outcome.set) : writeRdatas(cur, type, ttl, outcome.rdatas);
        if (n < 0) tc = true;
        else {
          an += n;
          if (onlineSigner !== null && n > 0) {
            // The addresses as answered (a policed set: the records picked) signed under the query name.
            const rdatas = outcome.set === undefined ? outcome.rdatas : outcome.set.policy !== null && !wholeSets ? picks.slice(0, n).map((i) => outcome.set!.rdata(i)) : outcome.set.rdatas();
            const s = writeRrsigs(cur, ttl, onlineSigner.sign(cur, type, ttl, rdatas));
            if (s < 0) tc = true;
            else an += s;
          }
        }
      }
      break;
    }
    if (res.kind === 'nodata') {
      negative = true;
      if (dnssec) {
        if (res.wildcard) {
          // RFC 4035 3.1.3.4: the wildcard's NSEC (no such type) and the one covering the name.
          proofs.push(res.node, zone.coveringNsec(curKey));
        } else {
          // The name's own NSEC; an empty non-terminal has none: the NSEC whose span covers it.
          proofs.push(res.node.rrset(TYPE.NSEC) !== undefined ? res.node : zone.coveringNsec(curKey));
        }
      }
      break;
    }
    if (res.kind === 'nxdomain') {
      negative = true;
      rcode = RCODE.NXDOMAIN;
      // RFC 4035 3.1.3.2: no such name, and no wildcard at the closest encloser.
      if (dnssec) proofs.push(zone.coveringNsec(curKey), zone.coveringNsec(wildcardAt(res.closestEncloser)));
      break;
    }
    // delegation
    referral = { node: res.node, rrset: res.rrset, owner: ownerOf(res.node, cur, curKey) };
    if (an === 0) aa = false;
    break;
  }

  // Authority.
  if (!tc) {
    if (negative) {
      const soa = zone.soa;
      if (soa !== undefined) {
        const n = dnssec ? writeSignedSet(zone.originWire, zone.apex, TYPE.SOA, zone.negativeTtl, soa) : writeSet(zone.originWire, TYPE.SOA, zone.negativeTtl, soa);
        if (n < 0) tc = true;
        else ns += n;
      }
    } else if (referral !== null) {
      const n = writeSet(referral.owner, TYPE.NS, referral.rrset.ttl, referral.rrset);
      if (n < 0) tc = true;
      else {
        ns += n;
        if (dnssec) {
          // The DS of a secure delegation, or the NSEC proving there is none (RFC 4035 3.1.4).
          const ds = referral.node.rrset(TYPE.DS);
          const d = ds !== undefined ? writeSignedSet(referral.owner, referral.node, TYPE.DS, ds.ttl, ds) : writeProofs([referral.node]);
          if (d < 0) tc = true;
          else ns += d;
        }
      }
    } else if (NS_IN_POSITIVE_AUTHORITY && an > 0) {
      const apexNs = zone.apex.rrset(TYPE.NS);
      if (apexNs !== undefined) {
        const n = writeSet(zone.originWire, TYPE.NS, apexNs.ttl, apexNs);
        if (n > 0) ns += n;
      }
    }
  }

  if (!tc && answerNsec !== null && onlineSigner !== null) {
    const n = writeAnswerNsec(onlineSigner, answerNsec.owner, answerNsec.node, zone.negativeTtl);
    if (n < 0) tc = true;
    else ns += n;
  }
  if (!tc && proofs.length > 0) {
    const n = writeProofs(proofs);
    if (n < 0) tc = true;
    else ns += n;
  }

  // Additional.
  if (!tc) {
    if (referral !== null) {
      ar += glue(zone, referral.node, referral.rrset);
      if (glueTruncated) tc = true;
    } else if (additionalFrom !== null) {
      ar += additional(zone, additionalFrom, ANSWER_TARGETS, null, additionalOwner);
    }
  }

  const bytes = end(q, rcode, (aa ? FLAG.AA : 0) | (tc ? FLAG.TC : 0), an, ns, ar);
  return { bytes, cacheable: cacheable && !chosenPerQuery };
}

/** Set by glue() (and additional() in IN_DOMAIN_GLUE mode): in-domain glue did not fit. */
let glueTruncated = false;

/** additional() modes. */
const ANSWER_TARGETS = 0;
const IN_DOMAIN_GLUE = 1;
const OTHER_GLUE = 2;

/**
 * Additional data of a referral (RFC 9471), returns the number of records written: first the
 * in-domain glue (A/AAAA of NS targets at or below the cut; when it does not fit, `glueTruncated`
 * is set and nothing more is added), then the A/AAAA of the other NS targets that are names of the
 * zone: sibling glue (below another cut, RFC 9471 3.2) and authoritative addresses; those are left
 * out when they do not fit.
 */
function glue(zone: Zone, cut: ZoneNode, nsSet: RRset): number {
  glueTruncated = false;
  const below = additional(zone, nsSet, IN_DOMAIN_GLUE, cut, '');
  if (glueTruncated && GLUE_REQUIRES_TC) return below;
  glueTruncated = false;
  return below + additional(zone, nsSet, OTHER_GLUE, cut, '');
}

/**
 * Write the additional data for the targets of an NS, MX, SRV, SVCB or HTTPS RRset that are names
 * of `zone` (each target once, in record order): its A then AAAA RRsets, and for SVCB/HTTPS then its
 * RRset of the same type (RFC 9460 4.1) unless the target is `owner`, whose RRset is the answer.
 * Returns the number of records written. Modes:
 * - ANSWER_TARGETS: authoritative names only (not below a cut; `cut` null). RRsets that do not fit
 *   are skipped.
 * - IN_DOMAIN_GLUE: only targets at or below `cut` (nodes below the cut are glue, used as is); sets
 *   `glueTruncated` and stops at the first RRset that does not fit.
 * - OTHER_GLUE: targets not at or below `cut`, below another cut (sibling glue) or not; RRsets that
 *   do not fit are skipped.
 */
function additional(zone: Zone, set: RRset, mode: number, cut: ZoneNode | null, owner: string): number {
  const type = set.type;
  const svcb = type === TYPE.SVCB || type === TYPE.HTTPS;
  let count = 0;
  let done: string[] | null = null;
  for (let i = 0; i < set.count; i++) {
    const target = targetName(type, set.rdataString(i));
    if (target === null) continue;
    const tkey = nameKey(target);
    if (!zone.contains(tkey)) continue;
    if (done === null) done = [tkey];
    else if (done.includes(tkey)) continue;
    else done.push(tkey);
    if (cut !== null && isAtOrBelow(tkey, cut.name) !== (mode === IN_DOMAIN_GLUE)) continue;
    const node = zone.node(tkey);
    if (node === undefined || node.empty) continue;
    if (mode === ANSWER_TARGETS && zone.belowCut(node)) continue;
    for (let k = 0; k < 3; k++) {
      const t = k === 0 ? TYPE.A : k === 1 ? TYPE.AAAA : type;
      if (k === 2 && (!svcb || tkey === owner)) break;
      const rr = node.rrset(t);
      if (rr === undefined) continue;
      const n = writeSet(target, t, rr.ttl, rr);
      if (n >= 0) count += n;
      else if (mode === IN_DOMAIN_GLUE) {
        glueTruncated = true;
        return count;
      }
    }
  }
  return count;
}

function isAtOrBelow(name: string, ancestor: string): boolean {
  if (ancestor === '') return true;
  return name === ancestor || (name.endsWith(ancestor) && name.charCodeAt(name.length - ancestor.length - 1) === 0x2e);
}

/** Set by resolveAlias when the outcome came from (or needs) the upstream resolver. */
let aliasUpstream = false;

/**
 * Addresses of an ALIAS target: from our zones when the target is in one (following CNAMEs and
 * nested ALIAS, at most MAX_CNAME_LINKS steps), otherwise from the resolver's cache (or the
 * override, the result just fetched), or NeedAlias when the resolver must be asked.
 */
function resolveAlias(zones: ZoneSet, targetKey: string, type: 1 | 28, aliasTtl: number, ctx: RespondContext, override: AliasOverride | null): AliasOutcome {
  let key = targetKey;
  let ttl = aliasTtl;
  for (let steps = 0; steps <= MAX_CNAME_LINKS; steps++) {
    const zone = zones.find(key);
    if (zone === undefined) {
      aliasUpstream = true;
      if (override !== null && override.key === key && override.type === type) return capTtl(override.result, ttl);
      const resolver = ctx.alias;
      if (resolver === undefined) return 'servfail';
      const c = resolver.cached(key, type);
      if (c === undefined) return new NeedAlias(key, type, ttl);
      return capTtl(c, ttl);
    }
    const res = zone.lookup(key, type);
    switch (res.kind) {
      case 'answer':
        return { ttl: Math.min(ttl, res.rrset.ttl), set: res.rrset, rdatas: NO_RDATAS };
      case 'cname':
      case 'alias':
        ttl = Math.min(ttl, res.rrset.ttl);
        key = nameKey(res.rrset.rdata(0));
        continue;
      case 'script':
        // A Script's answer depends on the query; Flatten/PullZone targets must have addresses.
        return 'servfail';
      case 'delegation':
        // Data below a cut is not ours: ask the upstream like for any outside name.
        aliasUpstream = true;
        if (override !== null && override.key === key && override.type === type) return capTtl(override.result, ttl);
        if (ctx.alias === undefined) return 'servfail';
        {
          const c = ctx.alias.cached(key, type);
          return c === undefined ? new NeedAlias(key, type, ttl) : capTtl(c, ttl);
        }
      default:
        return 'negative';
    }
  }
  return 'servfail';
}

const NO_RDATAS: readonly Uint8Array[] = [];

function capTtl(r: AliasAnswer | 'negative' | 'servfail', ttl: number): AliasAddresses | 'negative' | 'servfail' {
  if (r === 'negative' || r === 'servfail') return r;
  return { ttl: Math.min(ttl, r.ttl), rdatas: r.rdatas };
}
