// The differential suite's own DNS wire code: building queries byte by byte and a strict reply
// parser. Deliberately independent of src/dns (it is the oracle's side): it shares no code with
// the server under test, and dns-packet is used beside it as a second, unrelated decoder.
//
// The parser is strict: every read is bounds-checked, compression pointers must point backwards
// (RFC 1035 4.1.4 "a prior occurrence") and may not loop, labels are at most 63 octets and names
// at most 255, RDLENGTH must be consumed exactly by the RDATA of the types we know, and nothing
// may follow the last record. Names inside RDATA are decompressed only for the types RFC 3597 4
// lets a server compress (NS, CNAME, SOA, PTR, MX); in any other type a pointer is an error.

export const T = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, NULL: 10, HINFO: 13, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41,
  DS: 43, SSHFP: 44, RRSIG: 46, NSEC: 47, DNSKEY: 48, TLSA: 52, SVCB: 64, HTTPS: 65, TKEY: 249, TSIG: 250,
  IXFR: 251, AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255, CAA: 257,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(T).map(([k, v]) => [v, k]));

export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}

export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

export function rcodeName(rcode: number): string {
  if (rcode === 16) return 'BADVERS';
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

export class ParseError extends Error {}

// ---------------------------------------------------------------- names

/** Presentation text (`\X`, `\DDD` escapes; trailing dot optional; `.` or `` = root) → wire. */
export function nameToWire(text: string): Uint8Array {
  if (text === '.' || text === '') return Uint8Array.of(0);
  const out: number[] = [];
  let label: number[] = [];
  const flush = () => {
    if (label.length === 0 || label.length > 63) throw new Error(`bad label in ${text}`);
    out.push(label.length, ...label);
    label = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const d = text.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        label.push(Number(d));
        i += 3;
      } else {
        label.push(text.charCodeAt(i + 1));
        i += 1;
      }
    } else if (c === '.') {
      flush();
    } else {
      label.push(text.charCodeAt(i));
    }
  }
  if (label.length > 0) flush();
  out.push(0);
  if (out.length > 255) throw new Error(`name too long: ${text}`);
  return Uint8Array.from(out);
}

/** Labels of an uncompressed wire name (without the root label). */
export function wireLabels(wire: Uint8Array): Uint8Array[] {
  const labels: Uint8Array[] = [];
  let i = 0;
  while (wire[i] !== 0) {
    const n = wire[i]!;
    labels.push(wire.subarray(i + 1, i + 1 + n));
    i += n + 1;
  }
  return labels;
}

export function labelsToWire(labels: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const l of labels) out.push(l.length, ...l);
  out.push(0);
  return Uint8Array.from(out);
}

/** Presentation form (absolute, trailing dot) of an uncompressed wire name; escapes as RFC 1035 5.1. */
export function wireToText(wire: Uint8Array): string {
  const labels = wireLabels(wire);
  if (labels.length === 0) return '.';
  return labels
    .map((l) => {
      let s = '';
      for (const b of l) {
        if (b === 0x2e || b === 0x5c || b === 0x22 || b === 0x28 || b === 0x29 || b === 0x3b || b === 0x40 || b === 0x24) s += '\\' + String.fromCharCode(b);
        else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
        else s += '\\' + String(b).padStart(3, '0');
      }
      return s;
    })
    .join('.') + '.';
}

/** ASCII-lowercased copy (RFC 4343: only A-Z fold). */
export function lowerWire(wire: Uint8Array): Uint8Array {
  const out = Uint8Array.from(wire);
  // Length octets are < 64, so they are never in A-Z (65-90): folding every octet is safe.
  for (let i = 0; i < out.length; i++) if (out[i]! >= 0x41 && out[i]! <= 0x5a) out[i]! += 32;
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

// ---------------------------------------------------------------- queries

export interface EdnsSpec {
  udpSize: number;
  version?: number;
  do?: boolean;
  /** Extended RCODE bits (the OPT TTL's top octet): non-zero in a query is odd but legal. */
  extRcode?: number;
  /** Raw options: code + data. */
  options?: { code: number; data: Uint8Array }[];
}

export interface QuerySpec {
  id: number;
  qname: Uint8Array;
  qtype: number;
  qclass?: number;
  opcode?: number;
  rd?: boolean;
  cd?: boolean;
  ad?: boolean;
  /** Header flag bits OR-ed in as given (for odd flags: QR, AA, TC, RA, Z). */
  extraFlags?: number;
  edns?: EdnsSpec | null;
}

/** Builds a query message (one question, optional OPT) byte by byte. */
export function buildQuery(q: QuerySpec): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number) => parts.push((v >> 8) & 0xff, v & 0xff);
  let flags = ((q.opcode ?? 0) & 0xf) << 11;
  if (q.rd) flags |= 0x0100;
  if (q.ad) flags |= 0x0020;
  if (q.cd) flags |= 0x0010;
  flags |= q.extraFlags ?? 0;
  u16(q.id);
  u16(flags);
  u16(1);
  u16(0);
  u16(0);
  u16(q.edns ? 1 : 0);
  parts.push(...q.qname);
  u16(q.qtype);
  u16(q.qclass ?? 1);
  if (q.edns) {
    parts.push(0);
    u16(T.OPT);
    u16(q.edns.udpSize);
    parts.push(q.edns.extRcode ?? 0, q.edns.version ?? 0);
    u16(q.edns.do ? 0x8000 : 0);
    const opts = q.edns.options ?? [];
    u16(opts.reduce((n, o) => n + 4 + o.data.length, 0));
    for (const o of opts) {
      u16(o.code);
      u16(o.data.length);
      parts.push(...o.data);
    }
  }
  return Uint8Array.from(parts);
}

// ---------------------------------------------------------------- replies

export interface RR {
  /** Uncompressed wire owner, case as received. */
  name: Uint8Array;
  type: number;
  klass: number;
  ttl: number;
  /** RDATA with names in NS/CNAME/SOA/PTR/MX decompressed (uncompressed wire). */
  rdata: Uint8Array;
}

export interface Opt {
  udpSize: number;
  extRcode: number;
  version: number;
  do: boolean;
  /** The remaining 15 flag bits (Z). */
  z: number;
  options: { code: number; data: Uint8Array }[];
  /** OPT owner must be the root; recorded for checks. */
  ownerIsRoot: boolean;
}

export interface Message {
  id: number;
  flags: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: boolean;
  ad: boolean;
  cd: boolean;
  /** Header RCODE (4 bits). */
  rcode: number;
  /** Header RCODE combined with the OPT extended bits (RFC 6891 6.1.3). */
  fullRcode: number;
  question: { name: Uint8Array; type: number; klass: number }[];
  answer: RR[];
  authority: RR[];
  /** Additional section without the OPT record. */
  additional: RR[];
  opt: Opt | null;
  /** Number of OPT records seen (more than one is invalid). */
  optCount: number;
  size: number;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ParseError(`truncated at ${this.pos} (need ${n} of ${this.buf.length - this.pos})`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(): number {
    return this.u16() * 65536 + this.u16();
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** A name at the current position, decompressing (when allowed) with backward pointers only. */
  name(allowCompression = true): Uint8Array {
    const out: number[] = [];
    let pos = this.pos;
    let jumped = false;
    let minPointer = pos; // every pointer must go strictly before the lowest position read so far
    for (;;) {
      if (pos >= this.buf.length) throw new ParseError('name runs past the end');
      const len = this.buf[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (!allowCompression) throw new ParseError('compression pointer where none is allowed');
        if (pos + 1 >= this.buf.length) throw new ParseError('truncated pointer');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1]!;
        if (target >= minPointer) throw new ParseError(`pointer at ${pos} to ${target} is not backwards`);
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        minPointer = target;
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new ParseError(`reserved label type 0x${len.toString(16)}`);
      if (pos + 1 + len > this.buf.length) throw new ParseError('label runs past the end');
      out.push(len);
      for (let i = 0; i < len; i++) out.push(this.buf[pos + 1 + i]!);
      if (out.length > 255) throw new ParseError('name longer than 255 octets');
      pos += 1 + len;
      if (len === 0) break;
    }
    if (!jumped) this.pos = pos;
    return Uint8Array.from(out);
  }
}

const COMPRESSIBLE = new Set<number>([T.NS, T.CNAME, T.SOA, T.PTR, T.MX]);

/** Reads and validates one RDATA; returns it with compressed names expanded. */
function readRdata(r: Reader, type: number, rdlength: number): Uint8Array {
  r.need(rdlength);
  const end = r.pos + rdlength;
  const start = r.pos;
  const sub = new Reader(r.buf.subarray(0, end));
  sub.pos = start;
  const parts: Uint8Array[] = [];
  const name = (compressOk: boolean) => parts.push(sub.name(compressOk && COMPRESSIBLE.has(type)));
  const fixed = (n: number) => parts.push(sub.bytes(n));
  const rest = () => parts.push(sub.bytes(end - sub.pos));
  switch (type) {
    case T.A:
      if (rdlength !== 4) throw new ParseError(`A RDLENGTH ${rdlength}`);
      rest();
      break;
    case T.AAAA:
      if (rdlength !== 16) throw new ParseError(`AAAA RDLENGTH ${rdlength}`);
      rest();
      break;
    case T.NS:
    case T.CNAME:
    case T.PTR:
      name(true);
      break;
    case T.MX:
      fixed(2);
      name(true);
      break;
    case T.SOA:
      name(true);
      name(true);
      fixed(20);
      break;
    case T.SRV:
      fixed(6);
      name(false);
      break;
    case T.TXT: {
      if (rdlength === 0) throw new ParseError('empty TXT RDATA');
      while (sub.pos < end) fixed(1 + sub.buf[sub.pos]!);
      break;
    }
    case T.SVCB:
    case T.HTTPS: {
      fixed(2);
      name(false);
      let last = -1;
      while (sub.pos < end) {
        const key = sub.u16();
        const len = sub.u16();
        if (key <= last) throw new ParseError('SvcParams not in strictly increasing key order');
        last = key;
        const v = sub.bytes(len);
        parts.push(Uint8Array.of(key >> 8, key & 0xff, len >> 8, len & 0xff), v);
      }
      break;
    }
    case T.CAA: {
      fixed(1);
      const tagLen = sub.buf[sub.pos];
      if (tagLen === undefined || tagLen === 0) throw new ParseError('CAA tag length 0');
      fixed(1 + tagLen);
      rest();
      break;
    }
    case T.DS:
      if (rdlength < 4) throw new ParseError('short DS');
      rest();
      break;
    case T.SSHFP:
    case T.TLSA:
      if (rdlength < (type === T.TLSA ? 3 : 2)) throw new ParseError('short RDATA');
      rest();
      break;
    default:
      rest();
  }
  if (sub.pos !== end) throw new ParseError(`${typeName(type)} RDATA is ${rdlength} octets but its fields took ${sub.pos - start}`);
  r.pos = end;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parses a whole DNS message strictly; throws ParseError on anything malformed. */
export function parseMessage(buf: Uint8Array): Message {
  const r = new Reader(buf);
  if (buf.length < 12) throw new ParseError(`message of ${buf.length} octets has no full header`);
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  const question: Message['question'] = [];
  for (let i = 0; i < qd; i++) question.push({ name: r.name(), type: r.u16(), klass: r.u16() });
  const section = (count: number): RR[] => {
    const out: RR[] = [];
    for (let i = 0; i < count; i++) {
      const name = r.name();
      const type = r.u16();
      const klass = r.u16();
      const ttl = r.u32();
      const rdlength = r.u16();
      const rdata = readRdata(r, type, rdlength);
      out.push({ name, type, klass, ttl, rdata });
    }
    return out;
  };
  const answer = section(an);
  const authority = section(ns);
  const addAll = section(ar);
  if (r.pos !== buf.length) throw new ParseError(`${buf.length - r.pos} octets after the last record`);
  let opt: Opt | null = null;
  let optCount = 0;
  const additional: RR[] = [];
  for (const rr of addAll) {
    if (rr.type !== T.OPT) {
      additional.push(rr);
      continue;
    }
    optCount++;
    const options: Opt['options'] = [];
    const or = new Reader(rr.rdata);
    while (or.pos < rr.rdata.length) {
      const code = or.u16();
      const len = or.u16();
      options.push({ code, data: or.bytes(len) });
    }
    opt = {
      udpSize: rr.klass,
      extRcode: rr.ttl >>> 24,
      version: (rr.ttl >>> 16) & 0xff,
      do: (rr.ttl & 0x8000) !== 0,
      z: rr.ttl & 0x7fff,
      options,
      ownerIsRoot: rr.name.length === 1,
    };
  }
  const rcode = flags & 0xf;
  return {
    id,
    flags,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode,
    fullRcode: ((opt?.extRcode ?? 0) << 4) | rcode,
    question,
    answer,
    authority,
    additional,
    opt,
    optCount,
    size: buf.length,
  };
}

// ---------------------------------------------------------------- RDATA normalization and text

/** Lowercases the uncompressed wire name starting at `pos` in place; returns the end. */
function lowerNameAt(b: Uint8Array, pos: number): number {
  while (pos < b.length && b[pos] !== 0) {
    const n = b[pos]!;
    for (let i = pos + 1; i <= pos + n && i < b.length; i++) if (b[i]! >= 0x41 && b[i]! <= 0x5a) b[i]! += 32;
    pos += n + 1;
  }
  return pos + 1;
}

/**
 * RDATA for comparison: names inside RDATA (NS, CNAME, PTR, MX, SOA, SRV, SVCB/HTTPS targets)
 * lowercased, and the CAA tag lowercased (RFC 8659 4.1: tags match case-insensitively). See the
 * "Accepted differences" section of docs/dns.md for why.
 */
export function normalizedRdata(type: number, rdata: Uint8Array): Uint8Array {
  const b = Uint8Array.from(rdata);
  switch (type) {
    case T.NS:
    case T.CNAME:
    case T.PTR:
      lowerNameAt(b, 0);
      break;
    case T.MX:
      lowerNameAt(b, 2);
      break;
    case T.SOA:
      lowerNameAt(b, lowerNameAt(b, 0));
      break;
    case T.SRV:
      lowerNameAt(b, 6);
      break;
    case T.SVCB:
    case T.HTTPS:
      lowerNameAt(b, 2);
      break;
    case T.CAA: {
      const n = b[1] ?? 0;
      for (let i = 2; i < 2 + n && i < b.length; i++) if (b[i]! >= 0x41 && b[i]! <= 0x5a) b[i]! += 32;
      break;
    }
  }
  return b;
}

function readName(b: Uint8Array, pos: number): [string, number] {
  let end = pos;
  while (end < b.length && b[end] !== 0) end += b[end]! + 1;
  return [wireToText(b.subarray(pos, end + 1)), end + 1];
}

function u16at(b: Uint8Array, p: number): number {
  return ((b[p] ?? 0) << 8) | (b[p + 1] ?? 0);
}

function charStrings(b: Uint8Array, pos: number, end: number): string {
  const out: string[] = [];
  while (pos < end) {
    const n = b[pos]!;
    let s = '';
    for (const c of b.subarray(pos + 1, pos + 1 + n)) {
      if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
      else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
      else s += '\\' + String(c).padStart(3, '0');
    }
    out.push(`"${s.length > 40 ? s.slice(0, 37) + '...' : s}"`);
    pos += n + 1;
  }
  return out.join(' ');
}

/** Short presentation text of an RDATA, for reports only (never compared). */
export function rdataText(type: number, b: Uint8Array): string {
  try {
    switch (type) {
      case T.A:
        return Array.from(b).join('.');
      case T.AAAA:
        return Array.from({ length: 8 }, (_, i) => u16at(b, i * 2).toString(16)).join(':');
      case T.NS:
      case T.CNAME:
      case T.PTR:
        return readName(b, 0)[0];
      case T.MX:
        return `${u16at(b, 0)} ${readName(b, 2)[0]}`;
      case T.SOA: {
        const [m, p] = readName(b, 0);
        const [rn, q] = readName(b, p);
        const nums = Array.from({ length: 5 }, (_, i) => (u16at(b, q + i * 4) * 65536 + u16at(b, q + i * 4 + 2)).toString());
        return `${m} ${rn} ${nums.join(' ')}`;
      }
      case T.SRV:
        return `${u16at(b, 0)} ${u16at(b, 2)} ${u16at(b, 4)} ${readName(b, 6)[0]}`;
      case T.TXT:
        return charStrings(b, 0, b.length);
      case T.SVCB:
      case T.HTTPS: {
        const [target, p] = readName(b, 2);
        return `${u16at(b, 0)} ${target} params=${hex(b.subarray(p))}`;
      }
      case T.CAA: {
        const n = b[1]!;
        return `${b[0]} ${Buffer.from(b.subarray(2, 2 + n)).toString('latin1')} ${charStrings(Uint8Array.of(b.length - 2 - n, ...b.subarray(2 + n)), 0, b.length - 1 - n)}`;
      }
      default:
        return `\\# ${b.length} ${hex(b).toUpperCase()}`;
    }
  } catch {
    return `\\# ${b.length} ${hex(b)}`;
  }
}

export function rrText(rr: RR): string {
  return `${wireToText(rr.name)} ${rr.ttl} ${rr.klass === 1 ? 'IN' : `CLASS${rr.klass}`} ${typeName(rr.type)} ${rdataText(rr.type, rr.rdata)}`;
}

/** A dig-like multi-line rendering of a reply, for failure reports. */
export function messageText(m: Message): string {
  const flags = ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'].filter((f) => m[f as 'qr']).join(' ');
  const lines = [`${rcodeName(m.fullRcode)} id=${m.id} opcode=${m.opcode} flags=[${flags}] size=${m.size}`];
  if (m.opt) lines.push(`  OPT udp=${m.opt.udpSize} v=${m.opt.version} do=${m.opt.do ? 1 : 0} ext=${m.opt.extRcode} opts=${m.opt.options.map((o) => o.code).join(',') || '-'}`);
  for (const q of m.question) lines.push(`  Q ${wireToText(q.name)} ${q.klass} ${typeName(q.type)}`);
  for (const [label, rrs] of [['AN', m.answer], ['NS', m.authority], ['AR', m.additional]] as const) for (const rr of rrs) lines.push(`  ${label} ${rrText(rr)}`);
  return lines.join('\n');
}
