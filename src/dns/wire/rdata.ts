// RDATA of every supported type, driven by ONE descriptor table: each type is a list of field
// kinds, and the same list drives presentation text → wire (`rdataFromText`), wire → text
// (`rdataToText`), reading and validating RDATA from a packet (`readRdata`) and the canonical form
// for DNSSEC (`canonicalRdata`). Any other type uses RFC 3597 (`\# <len> <hex>`).
//
// Text forms are the store's canonical RDATA (core/records/*-type.ts) for the types the store
// keeps: names absolute with the trailing dot, hex uppercase, character-strings always quoted,
// SvcParams sorted by key. For the other types: the RFC presentation formats (RFC 4034 for RRSIG,
// NSEC, DNSKEY with times as YYYYMMDDHHmmSS; RFC 5155 for NSEC3 with the hash in lowercase
// base32hex and salt in uppercase hex or `-`); TSIG as `alg. time fudge macsize [mac] origid error
// otherlen [other]` (binary fields in base64, left out when their length is 0); OPT as one token
// `code:HEX` per option.
import { formatIPv6, parseIPv4, parseIPv6 } from '../../core/records/ip.js';
import { RCODE, TYPE, typeCode, typeName } from './constants.js';
import { WireError } from './errors.js';
import { absoluteName, LOWER, nameToWire } from './name.js';
import { WireReader } from './reader.js';
import { decodeCharString, lexTokens, quoteOctets } from '../../core/records/presentation.js';

/**
 * Field kinds. The kinds marked "rest" take everything up to the end of the RDATA and must be last.
 * - u8 u16 u32 u48: unsigned decimal numbers
 * - ipv4 ipv6: addresses (RFC 5952 text for IPv6)
 * - name: a domain name (compressed in a packet only where the type allows it)
 * - strings (rest): one or more <character-string>s, always quoted in text (TXT)
 * - hex (rest): uppercase hex, may be split into tokens in text; may be empty
 * - base64 (rest): base64, may be split into tokens in text; may be empty
 * - salt: 8-bit length + octets; hex or `-` for none (NSEC3, NSEC3PARAM)
 * - hash: 8-bit length + octets (1 or more); base32hex without padding (NSEC3)
 * - bitmap (rest): RFC 4034 4.1.2 type bit maps; type mnemonics in text
 * - type: a 16-bit RR type, mnemonic in text (RRSIG type covered)
 * - time: 32-bit seconds; YYYYMMDDHHmmSS in text (a plain number is accepted too)
 * - alg: 8-bit DNSSEC algorithm; a number in text (mnemonics accepted)
 * - tag: 8-bit length + 1 or more letters and digits (CAA tag)
 * - value (rest): octets, one quoted string in text (CAA value)
 * - params (rest): SVCB/HTTPS SvcParams (RFC 9460)
 * - data16: 16-bit length + octets; `len [base64]` in text (TSIG)
 * - rcode: 16-bit; a number in text (mnemonics accepted) (TSIG error)
 * - options (rest): EDNS options (OPT), `code:HEX` tokens in text
 */
export type FieldKind =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u48'
  | 'ipv4'
  | 'ipv6'
  | 'name'
  | 'strings'
  | 'hex'
  | 'base64'
  | 'salt'
  | 'hash'
  | 'bitmap'
  | 'type'
  | 'time'
  | 'alg'
  | 'tag'
  | 'value'
  | 'params'
  | 'data16'
  | 'rcode'
  | 'options';

export interface RdataDescriptor {
  readonly type: number;
  readonly mnemonic: string;
  readonly fields: readonly FieldKind[];
  /** Names may be compressed when sending (RFC 3597 4: only the RFC 1035 types). */
  readonly compress: boolean;
  /** Compressed names are accepted when reading (RFC 3597 4: RFC 1035 types, and SRV, DNAME). */
  readonly decompress: boolean;
  /** Names are lowercased in the canonical form (RFC 4034 6.2; not NSEC since RFC 6840 5.1). */
  readonly lower: boolean;
  /** True when a field is a name (reading may then need to rebuild the RDATA). */
  readonly hasName: boolean;
}

function d(type: number, mnemonic: string, fields: FieldKind[], flags: { compress?: boolean; decompress?: boolean; lower?: boolean } = {}): RdataDescriptor {
  const compress = flags.compress ?? false;
  return Object.freeze({
    type,
    mnemonic,
    fields: Object.freeze(fields),
    compress,
    decompress: flags.decompress ?? compress,
    lower: flags.lower ?? false,
    hasName: fields.includes('name'),
  });
}

const RFC1035 = { compress: true, lower: true } as const;
const DS_FIELDS: FieldKind[] = ['u16', 'alg', 'u8', 'hex'];
const DNSKEY_FIELDS: FieldKind[] = ['u16', 'u8', 'alg', 'base64'];
const SVCB_FIELDS: FieldKind[] = ['u16', 'name', 'params'];

/** The descriptor table: one entry per supported type. */
export const RDATA_TYPES: ReadonlyMap<number, RdataDescriptor> = new Map(
  [
    d(TYPE.A, 'A', ['ipv4']),
    d(TYPE.NS, 'NS', ['name'], RFC1035),
    d(TYPE.CNAME, 'CNAME', ['name'], RFC1035),
    d(TYPE.SOA, 'SOA', ['name', 'name', 'u32', 'u32', 'u32', 'u32', 'u32'], RFC1035),
    d(TYPE.PTR, 'PTR', ['name'], RFC1035),
    d(TYPE.MX, 'MX', ['u16', 'name'], RFC1035),
    d(TYPE.TXT, 'TXT', ['strings']),
    d(TYPE.AAAA, 'AAAA', ['ipv6']),
    d(TYPE.SRV, 'SRV', ['u16', 'u16', 'u16', 'name'], { decompress: true, lower: true }),
    d(TYPE.DNAME, 'DNAME', ['name'], { decompress: true, lower: true }),
    d(TYPE.OPT, 'OPT', ['options']),
    d(TYPE.DS, 'DS', DS_FIELDS),
    d(TYPE.SSHFP, 'SSHFP', ['u8', 'u8', 'hex']),
    d(TYPE.RRSIG, 'RRSIG', ['type', 'alg', 'u8', 'u32', 'time', 'time', 'u16', 'name', 'base64'], { lower: true }),
    d(TYPE.NSEC, 'NSEC', ['name', 'bitmap']),
    d(TYPE.DNSKEY, 'DNSKEY', DNSKEY_FIELDS),
    d(TYPE.NSEC3, 'NSEC3', ['u8', 'u8', 'u16', 'salt', 'hash', 'bitmap']),
    d(TYPE.NSEC3PARAM, 'NSEC3PARAM', ['u8', 'u8', 'u16', 'salt']),
    d(TYPE.TLSA, 'TLSA', ['u8', 'u8', 'u8', 'hex']),
    d(TYPE.CDS, 'CDS', DS_FIELDS),
    d(TYPE.CDNSKEY, 'CDNSKEY', DNSKEY_FIELDS),
    d(TYPE.SVCB, 'SVCB', SVCB_FIELDS),
    d(TYPE.HTTPS, 'HTTPS', SVCB_FIELDS),
    d(TYPE.TSIG, 'TSIG', ['name', 'u48', 'u16', 'data16', 'u16', 'rcode', 'data16']),
    d(TYPE.CAA, 'CAA', ['u8', 'tag', 'value']),
  ].map((x) => [x.type, x]),
);

export function rdataDescriptor(type: number): RdataDescriptor | undefined {
  return RDATA_TYPES.get(type);
}

// ---------------------------------------------------------------------------------------------
// Wire scanning: validate one field of RDATA that ends at `end`, advancing the reader.

function need(r: WireReader, n: number, end: number, what: string): void {
  if (r.offset + n > end) throw new WireError(`RDATA truncated: ${what} needs ${n} octet${n === 1 ? '' : 's'}, ${Math.max(0, end - r.offset)} left`);
}

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function scanBitmap(r: WireReader, end: number): void {
  let lastWindow = -1;
  while (r.offset < end) {
    need(r, 2, end, 'a type bit map window');
    const win = r.u8();
    const len = r.u8();
    if (win <= lastWindow) throw new WireError('type bit map windows are not in increasing order');
    if (len < 1 || len > 32) throw new WireError(`type bit map window ${win} has length ${len} (must be 1-32)`);
    need(r, len, end, 'a type bit map');
    r.offset += len;
    if (r.buf[r.offset - 1] === 0) throw new WireError(`type bit map window ${win} ends with a zero octet`);
    lastWindow = win;
  }
}

const SVC_KEY_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath'];

function scanParam(key: number, r: WireReader, len: number): void {
  const b = r.buf;
  const start = r.offset;
  const bad = (why: string): never => {
    throw new WireError(`SvcParam ${svcKeyName(key)} ${why}`);
  };
  switch (key) {
    case 0: {
      if (len === 0 || len % 2 !== 0) bad('must be a non-empty list of 16-bit keys');
      let prev = -1;
      for (let i = start; i < start + len; i += 2) {
        const k = (b[i]! << 8) | b[i + 1]!;
        if (k === 0) bad('must not list mandatory itself');
        if (k <= prev) bad('keys must be in strictly increasing order');
        prev = k;
      }
      break;
    }
    case 1: {
      if (len === 0) bad('must list at least one protocol id');
      let i = start;
      while (i < start + len) {
        const n = b[i]!;
        if (n === 0) bad('has an empty protocol id');
        i += 1 + n;
      }
      if (i !== start + len) bad('has a protocol id running past the value');
      break;
    }
    case 2:
      if (len !== 0) bad('takes no value');
      break;
    case 3:
      if (len !== 2) bad('must be 2 octets');
      break;
    case 4:
      if (len === 0 || len % 4 !== 0) bad('must be a non-empty list of IPv4 addresses');
      break;
    case 6:
      if (len === 0 || len % 16 !== 0) bad('must be a non-empty list of IPv6 addresses');
      break;
    case 5:
    case 7:
      if (len === 0) bad('needs a value');
      break;
    case 65535:
      bad('is reserved');
      break;
    default:
      break;
  }
  r.offset = start + len;
}

function scanParams(r: WireReader, end: number): void {
  let prev = -1;
  while (r.offset < end) {
    need(r, 4, end, 'a SvcParam key and length');
    const key = r.u16();
    const len = r.u16();
    if (key <= prev) throw new WireError('SvcParam keys are not in strictly increasing order');
    need(r, len, end, `SvcParam ${svcKeyName(key)}`);
    scanParam(key, r, len);
    prev = key;
  }
}

function scanOptions(r: WireReader, end: number): void {
  while (r.offset < end) {
    need(r, 4, end, 'an EDNS option code and length');
    r.offset += 2;
    const len = r.u16();
    need(r, len, end, 'EDNS option data');
    r.offset += len;
  }
}

/** Validate one non-name field; names are read by the caller. */
function scanField(kind: FieldKind, r: WireReader, end: number): void {
  switch (kind) {
    case 'u8':
    case 'alg':
      need(r, 1, end, 'an 8-bit field');
      r.offset += 1;
      return;
    case 'u16':
    case 'type':
    case 'rcode':
      need(r, 2, end, 'a 16-bit field');
      r.offset += 2;
      return;
    case 'u32':
    case 'time':
    case 'ipv4':
      need(r, 4, end, kind === 'ipv4' ? 'an IPv4 address' : 'a 32-bit field');
      r.offset += 4;
      return;
    case 'u48':
      need(r, 6, end, 'a 48-bit field');
      r.offset += 6;
      return;
    case 'ipv6':
      need(r, 16, end, 'an IPv6 address');
      r.offset += 16;
      return;
    case 'strings': {
      if (r.offset >= end) throw new WireError('RDATA needs at least one character-string');
      while (r.offset < end) {
        const len = r.buf[r.offset]!;
        need(r, 1 + len, end, 'a character-string');
        r.offset += 1 + len;
      }
      return;
    }
    case 'hex':
    case 'base64':
    case 'value':
      r.offset = end;
      return;
    case 'salt':
    case 'hash': {
      need(r, 1, end, 'a length octet');
      const len = r.buf[r.offset]!;
      if (kind === 'hash' && len === 0) throw new WireError('the NSEC3 next hashed owner name is empty');
      need(r, 1 + len, end, kind);
      r.offset += 1 + len;
      return;
    }
    case 'data16': {
      need(r, 2, end, 'a 16-bit length');
      const len = (r.buf[r.offset]! << 8) | r.buf[r.offset + 1]!;
      need(r, 2 + len, end, 'length-prefixed data');
      r.offset += 2 + len;
      return;
    }
    case 'tag': {
      need(r, 1, end, 'a CAA tag length');
      const len = r.buf[r.offset]!;
      if (len === 0) throw new WireError('the CAA tag is empty');
      need(r, 1 + len, end, 'a CAA tag');
      for (let i = r.offset + 1; i <= r.offset + len; i++) {
        if (!isAlnum(r.buf[i]!)) throw new WireError('the CAA tag may contain only letters and digits');
      }
      r.offset += 1 + len;
      return;
    }
    case 'bitmap':
      scanBitmap(r, end);
      return;
    case 'params':
      scanParams(r, end);
      return;
    case 'options':
      scanOptions(r, end);
      return;
    case 'name':
      throw new Error('names are read by the caller');
  }
}

/** A plain Uint8Array copy (Buffer#slice would share memory). */
function copyOf(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}

function checkNameEnd(r: WireReader, end: number): void {
  if (r.offset > end) throw new WireError('a name runs past the end of the RDATA');
}

/** Validate uncompressed RDATA against its type's descriptor (unknown types: anything goes). */
export function checkRdata(type: number, rdata: Uint8Array): void {
  const desc = RDATA_TYPES.get(type);
  if (desc === undefined) return;
  if (rdata.length > 65535) throw new WireError('RDATA is longer than 65535 octets');
  const r = new WireReader(rdata);
  const end = rdata.length;
  for (const kind of desc.fields) {
    if (kind === 'name') {
      r.plainName();
      checkNameEnd(r, end);
    } else scanField(kind, r, end);
  }
  if (r.offset !== end) throw new WireError(`${desc.mnemonic} RDATA has ${end - r.offset} octets after its last field`);
}

/**
 * RDATA from a packet: `rdlength` octets at the reader's offset, validated against the type's
 * descriptor, names decompressed where the type allows compression (elsewhere a pointer is an
 * error). Returns a new array of uncompressed wire RDATA; the reader ends after the RDATA.
 */
export function readRdata(r: WireReader, type: number, rdlength: number): Uint8Array {
  const start = r.offset;
  const end = start + rdlength;
  if (end > r.length) throw new WireError(`truncated: RDLENGTH ${rdlength} at offset ${start} runs past the end of the message`);
  const desc = RDATA_TYPES.get(type);
  if (desc === undefined) {
    r.offset = end;
    return copyOf(r.buf, start, end);
  }
  let out: Uint8Array;
  if (!desc.hasName || !desc.decompress) {
    for (const kind of desc.fields) {
      if (kind === 'name') {
        r.plainName();
        checkNameEnd(r, end);
      } else scanField(kind, r, end);
    }
    out = copyOf(r.buf, start, r.offset);
  } else {
    // Rebuild with the names expanded: fixed fields are copied between them.
    const parts: Uint8Array[] = [];
    let size = 0;
    let copyFrom = start;
    for (const kind of desc.fields) {
      if (kind === 'name') {
        if (r.offset > copyFrom) {
          parts.push(r.buf.subarray(copyFrom, r.offset));
          size += r.offset - copyFrom;
        }
        const n = r.name();
        checkNameEnd(r, end);
        parts.push(n);
        size += n.length;
        copyFrom = r.offset;
      } else scanField(kind, r, end);
    }
    if (r.offset > copyFrom) {
      parts.push(r.buf.subarray(copyFrom, r.offset));
      size += r.offset - copyFrom;
    }
    if (parts.length === 1) out = parts[0]!;
    else {
      out = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
    }
    if (size > 65535) throw new WireError('decompressed RDATA is longer than 65535 octets');
  }
  if (r.offset !== end) throw new WireError(`${desc.mnemonic} RDATA has ${end - r.offset} octets after its last field`);
  return out;
}

/**
 * RFC 4034 6.2 canonical RDATA (as updated by RFC 6840 5.1: NSEC's next name keeps its case):
 * names lowercased for NS, CNAME, SOA, PTR, MX, SRV, DNAME, RRSIG. Returns the input itself when
 * nothing changes.
 */
export function canonicalRdata(type: number, rdata: Uint8Array): Uint8Array {
  const desc = RDATA_TYPES.get(type);
  if (desc === undefined || !desc.lower) return rdata;
  const out = copyOf(rdata, 0, rdata.length);
  const r = new WireReader(out);
  const end = out.length;
  for (const kind of desc.fields) {
    if (kind === 'name') {
      let pos = r.offset;
      r.plainName();
      checkNameEnd(r, end);
      while (pos < r.offset) {
        const len = out[pos]!;
        for (let i = pos + 1; i <= pos + len; i++) out[i] = LOWER[out[i]!]!;
        pos += len + 1;
      }
    } else scanField(kind, r, end);
  }
  return out;
}

/** Offsets of the names inside uncompressed RDATA (e.g. MX exchange at 2, SRV target at 6). */
export function rdataNameOffsets(type: number, rdata: Uint8Array): number[] {
  const desc = RDATA_TYPES.get(type);
  if (desc === undefined || !desc.hasName) return [];
  const offs: number[] = [];
  const r = new WireReader(rdata);
  for (const kind of desc.fields) {
    if (kind === 'name') {
      offs.push(r.offset);
      r.plainName();
    } else scanField(kind, r, rdata.length);
  }
  return offs;
}

/** RFC 4034 6.3 order of RDATA within an RRset: canonical RDATA compared as unsigned octets. */
export function compareRdata(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

function parseV4(text: string): Uint8Array | null {
  const o = parseIPv4(text);
  return o === null ? null : Uint8Array.from(o);
}

function parseV6(text: string): Uint8Array | null {
  const g = parseIPv6(text);
  if (g === null) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = g[i]! >> 8;
    out[2 * i + 1] = g[i]! & 0xff;
  }
  return out;
}

/** RFC 5952 text of 16 octets (as the store writes AAAA). */
export function ipv6Text(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  return formatIPv6(g);
}

const HEX_DIGITS = '0123456789ABCDEF';
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

function hexText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_DIGITS[b[i]! >> 4]! + HEX_DIGITS[b[i]! & 15]!;
  return s;
}

function hexBytes(text: string, what: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new WireError(`${what} must be an even number of hex digits`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

function base64Text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
}

function base64Bytes(text: string, what: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new WireError(`${what} must be base64 (RFC 4648, with padding)`);
  // Unused bits in the last group are ignored (the text written back is the canonical encoding).
  return Uint8Array.from(Buffer.from(text, 'base64'));
}

function base32Text(b: Uint8Array): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < b.length; i++) {
    acc = (acc << 8) | b[i]!;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      s += BASE32HEX[(acc >> bits) & 31]!;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) s += BASE32HEX[(acc << (5 - bits)) & 31]!;
  return s;
}

function base32Bytes(text: string, what: string): Uint8Array {
  const rem = text.length % 8;
  if (text.length === 0 || rem === 1 || rem === 3 || rem === 6) throw new WireError(`${what} must be base32hex without padding`);
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = BASE32HEX.indexOf(text[i]!.toLowerCase());
    if (v < 0) throw new WireError(`${what} must be base32hex (0-9, A-V)`);
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new WireError(`${what} has non-zero padding bits`);
  return out;
}

function decimal(text: string | undefined, max: number, what: string): number {
  if (text === undefined) throw new WireError(`${what} is missing`);
  if (text.length === 0 || text.length > 15) throw new WireError(`${what} must be a decimal number 0-${max}`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) throw new WireError(`${what} must be a decimal number 0-${max}, not "${text}"`);
  }
  const v = Number(text);
  if (v > max) throw new WireError(`${what} must be at most ${max}, not ${text}`);
  return v;
}

/** DNSSEC algorithm mnemonics (RFC 4034 A.1, IANA registry). */
const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

function timeText(secs: number): string {
  const iso = new Date(secs * 1000).toISOString(); // 2024-01-02T03:04:05.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

function parseTime(text: string | undefined): number {
  if (text === undefined) throw new WireError('a signature time is missing');
  if (/^[0-9]{14}$/.test(text)) {
    const y = Number(text.slice(0, 4));
    const mo = Number(text.slice(4, 6));
    const da = Number(text.slice(6, 8));
    const h = Number(text.slice(8, 10));
    const mi = Number(text.slice(10, 12));
    const s = Number(text.slice(12, 14));
    const ms = Date.UTC(y, mo - 1, da, h, mi, s);
    const secs = ms / 1000;
    if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 || timeText(secs) !== text || secs < 0 || secs > 0xffffffff) {
      throw new WireError(`signature time "${text}" is not a valid YYYYMMDDHHmmSS time between 1970 and 2106`);
    }
    return secs;
  }
  return decimal(text, 0xffffffff, 'a signature time');
}

function svcKeyName(key: number): string {
  return SVC_KEY_NAMES[key] ?? `key${key}`;
}

function parseSvcKey(text: string): number {
  const lower = text.toLowerCase();
  const i = SVC_KEY_NAMES.indexOf(lower);
  if (i >= 0) return i;
  const m = /^key([0-9]{1,5})$/.exec(lower);
  if (m === null) throw new WireError(`SvcParam key "${text}" is not known (use a key name or keyNNNNN)`);
  const n = Number(m[1]);
  if (n > 65534) throw new WireError(`SvcParam key "${text}" is reserved or out of range`);
  return n;
}

/** SvcParam values: unquoted when every octet is safe there, otherwise quoted with escapes. */
function presentValue(b: Uint8Array): string {
  let safe = b.length > 0;
  for (let i = 0; safe && i < b.length; i++) {
    const c = b[i]!;
    safe = c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c && c !== 0x3b && c !== 0x28 && c !== 0x29;
  }
  if (safe) return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  let out = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x22 || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** RFC 9460 A.1 value-list: split at commas, `\,` and `\\` are literal. */
function splitValueList(b: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c && i + 1 < b.length) cur.push(b[++i]!);
    else if (c === 0x2c) {
      items.push(Uint8Array.from(cur));
      cur = [];
    } else cur.push(c);
  }
  items.push(Uint8Array.from(cur));
  return items;
}

// ---------------------------------------------------------------------------------------------
// Wire → text, one field (bytes are the field's exact, validated extent)

function u16At(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

function u32At(b: Uint8Array, i: number): number {
  return b[i]! * 0x1000000 + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}

function bitmapText(b: Uint8Array): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < b.length) {
    const win = b[i]!;
    const len = b[i + 1]!;
    for (let j = 0; j < len; j++) {
      const byte = b[i + 2 + j]!;
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) out.push(typeName(win * 256 + j * 8 + bit));
    }
    i += 2 + len;
  }
  return out;
}

function paramsText(b: Uint8Array): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < b.length) {
    const key = u16At(b, i);
    const len = u16At(b, i + 2);
    const v = b.subarray(i + 4, i + 4 + len);
    i += 4 + len;
    const name = svcKeyName(key);
    switch (key) {
      case 0: {
        const keys: string[] = [];
        for (let j = 0; j < v.length; j += 2) keys.push(svcKeyName(u16At(v, j)));
        out.push(`${name}=${keys.join(',')}`);
        break;
      }
      case 1: {
        const esc: number[] = [];
        let j = 0;
        while (j < v.length) {
          const n = v[j]!;
          if (j > 0) esc.push(0x2c);
          for (let k = j + 1; k <= j + n; k++) {
            const c = v[k]!;
            if (c === 0x2c || c === 0x5c) esc.push(0x5c);
            esc.push(c);
          }
          j += 1 + n;
        }
        out.push(`${name}=${presentValue(Uint8Array.from(esc))}`);
        break;
      }
      case 2:
        out.push(name);
        break;
      case 3:
        out.push(`${name}=${u16At(v, 0)}`);
        break;
      case 4: {
        const a: string[] = [];
        for (let j = 0; j < v.length; j += 4) a.push(`${v[j]}.${v[j + 1]}.${v[j + 2]}.${v[j + 3]}`);
        out.push(`${name}=${a.join(',')}`);
        break;
      }
      case 5:
        out.push(`${name}=${base64Text(v)}`);
        break;
      case 6: {
        const a: string[] = [];
        for (let j = 0; j < v.length; j += 16) a.push(ipv6Text(v.subarray(j, j + 16)));
        out.push(`${name}=${a.join(',')}`);
        break;
      }
      default:
        out.push(v.length === 0 ? name : `${name}=${presentValue(v)}`);
    }
  }
  return out;
}

function fieldText(kind: FieldKind, b: Uint8Array, out: string[]): void {
  switch (kind) {
    case 'u8':
    case 'alg':
      out.push(String(b[0]));
      return;
    case 'u16':
    case 'rcode':
      out.push(String(u16At(b, 0)));
      return;
    case 'u32':
      out.push(String(u32At(b, 0)));
      return;
    case 'u48':
      out.push(String(u16At(b, 0) * 0x100000000 + u32At(b, 2)));
      return;
    case 'type':
      out.push(typeName(u16At(b, 0)));
      return;
    case 'time':
      out.push(timeText(u32At(b, 0)));
      return;
    case 'ipv4':
      out.push(`${b[0]}.${b[1]}.${b[2]}.${b[3]}`);
      return;
    case 'ipv6':
      out.push(ipv6Text(b));
      return;
    case 'name':
      out.push(absoluteName(b));
      return;
    case 'strings': {
      let i = 0;
      while (i < b.length) {
        const n = b[i]!;
        out.push(quoteOctets(b.subarray(i + 1, i + 1 + n)));
        i += 1 + n;
      }
      return;
    }
    case 'hex':
      if (b.length > 0) out.push(hexText(b));
      return;
    case 'base64':
      if (b.length > 0) out.push(base64Text(b));
      return;
    case 'salt':
      out.push(b.length === 1 ? '-' : hexText(b.subarray(1)));
      return;
    case 'hash':
      out.push(base32Text(b.subarray(1)));
      return;
    case 'bitmap':
      for (const t of bitmapText(b)) out.push(t);
      return;
    case 'tag':
      out.push(latin1(b.subarray(1)));
      return;
    case 'value':
      out.push(quoteOctets(b));
      return;
    case 'params':
      for (const p of paramsText(b)) out.push(p);
      return;
    case 'data16': {
      const len = u16At(b, 0);
      out.push(String(len));
      if (len > 0) out.push(base64Text(b.subarray(2)));
      return;
    }
    case 'options': {
      let i = 0;
      while (i < b.length) {
        const len = u16At(b, i + 2);
        out.push(`${u16At(b, i)}:${hexText(b.subarray(i + 4, i + 4 + len))}`);
        i += 4 + len;
      }
      return;
    }
  }
}

/** RFC 3597 generic text: `\# <len> <HEX>` (`\# 0` when empty). */
export function genericRdataText(rdata: Uint8Array): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${hexText(rdata)}`;
}

/** Uncompressed wire RDATA → presentation text (see the header for the forms). */
export function rdataToText(type: number, rdata: Uint8Array): string {
  const desc = RDATA_TYPES.get(type);
  if (desc === undefined) return genericRdataText(rdata);
  const out: string[] = [];
  const r = new WireReader(rdata);
  const end = rdata.length;
  for (const kind of desc.fields) {
    const start = r.offset;
    if (kind === 'name') {
      r.plainName();
      checkNameEnd(r, end);
    } else scanField(kind, r, end);
    fieldText(kind, rdata.subarray(start, r.offset), out);
  }
  if (r.offset !== end) throw new WireError(`${desc.mnemonic} RDATA has ${end - r.offset} octets after its last field`);
  return out.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Text → wire

class Builder {
  buf = new Uint8Array(256);
  len = 0;

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  u8(v: number): void {
    this.grow(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.grow(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number): void {
    this.u16(Math.floor(v / 0x10000));
    this.u16(v % 0x10000);
  }

  bytes(b: Uint8Array | readonly number[]): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function parseName(tok: string | undefined): Uint8Array {
  if (tok === undefined) throw new WireError('a domain name is missing');
  if (tok.startsWith('"')) throw new WireError(`a domain name may not be quoted: ${tok}`);
  if (tok === '@') throw new WireError('"@" needs an origin; RDATA names must be absolute');
  return nameToWire(tok);
}

function charString(tok: string, what: string): Uint8Array {
  const b = decodeCharString(tok);
  if (typeof b === 'string') throw new WireError(`${what} is malformed: ${b}`);
  return b;
}

function parseBitmap(tokens: string[]): Uint8Array {
  const types: number[] = [];
  for (const t of tokens) {
    const code = typeCode(t);
    if (code === undefined) throw new WireError(`"${t}" is not an RR type`);
    types.push(code);
  }
  types.sort((a, b) => a - b);
  const out: number[] = [];
  let i = 0;
  while (i < types.length) {
    const win = types[i]! >> 8;
    const bits = new Uint8Array(32);
    let maxByte = 0;
    while (i < types.length && types[i]! >> 8 === win) {
      const low = types[i]! & 0xff;
      bits[low >> 3]! |= 0x80 >> (low & 7);
      maxByte = Math.max(maxByte, low >> 3);
      i++;
    }
    out.push(win, maxByte + 1, ...bits.subarray(0, maxByte + 1));
  }
  return Uint8Array.from(out);
}

function parseParamValue(key: number, v: Uint8Array | null, w: Builder): void {
  const name = svcKeyName(key);
  if (key === 2) {
    if (v !== null && v.length > 0) throw new WireError('SvcParam no-default-alpn takes no value');
    return;
  }
  if (key > 7) {
    if (v !== null) w.bytes(v);
    return;
  }
  if (v === null || v.length === 0) throw new WireError(`SvcParam ${name} needs a value`);
  switch (key) {
    case 0: {
      const keys = latin1(v).split(',').map(parseSvcKey);
      keys.sort((a, b) => a - b);
      for (let i = 0; i < keys.length; i++) {
        if (keys[i] === 0) throw new WireError('SvcParam mandatory must not list mandatory itself');
        if (i > 0 && keys[i] === keys[i - 1]) throw new WireError(`SvcParam mandatory lists ${svcKeyName(keys[i]!)} twice`);
        w.u16(keys[i]!);
      }
      return;
    }
    case 1:
      for (const id of splitValueList(v)) {
        if (id.length === 0 || id.length > 255) throw new WireError('SvcParam alpn must list protocol ids of 1 to 255 octets');
        w.u8(id.length);
        w.bytes(id);
      }
      return;
    case 3:
      w.u16(decimal(latin1(v), 65535, 'SvcParam port'));
      return;
    case 4:
      for (const a of latin1(v).split(',')) {
        const o = parseV4(a);
        if (o === null) throw new WireError(`SvcParam ipv4hint has an invalid IPv4 address "${a}"`);
        w.bytes(o);
      }
      return;
    case 6:
      for (const a of latin1(v).split(',')) {
        const o = parseV6(a);
        if (o === null) throw new WireError(`SvcParam ipv6hint has an invalid IPv6 address "${a}"`);
        w.bytes(o);
      }
      return;
    case 5:
      w.bytes(base64Bytes(latin1(v), 'SvcParam ech'));
      return;
    default:
      w.bytes(v);
  }
}

function parseParams(tokens: string[], w: Builder): void {
  const params: { key: number; value: Uint8Array }[] = [];
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    const key = parseSvcKey(eq < 0 ? tok : tok.slice(0, eq));
    const raw = eq < 0 ? null : charString(tok.slice(eq + 1), `SvcParam ${svcKeyName(key)}`);
    const b = new Builder();
    parseParamValue(key, raw, b);
    if (params.some((p) => p.key === key)) throw new WireError(`SvcParam ${svcKeyName(key)} appears twice`);
    params.push({ key, value: b.result() });
  }
  params.sort((a, b) => a.key - b.key);
  for (const p of params) {
    if (p.value.length > 65535) throw new WireError(`SvcParam ${svcKeyName(p.key)} is too long`);
    w.u16(p.key);
    w.u16(p.value.length);
    w.bytes(p.value);
  }
}

const RCODES = RCODE as Readonly<Record<string, number>>;

/** Parse fields from tokens[i...]; returns the index after the tokens used. */
function parseField(kind: FieldKind, tokens: string[], i: number, w: Builder): number {
  const tok = tokens[i];
  switch (kind) {
    case 'u8':
      w.u8(decimal(tok, 255, 'an 8-bit field'));
      return i + 1;
    case 'u16':
      w.u16(decimal(tok, 65535, 'a 16-bit field'));
      return i + 1;
    case 'u32':
      w.u32(decimal(tok, 0xffffffff, 'a 32-bit field'));
      return i + 1;
    case 'u48': {
      const v = decimal(tok, 2 ** 48 - 1, 'a 48-bit field');
      w.u16(Math.floor(v / 0x100000000));
      w.u32(v % 0x100000000);
      return i + 1;
    }
    case 'alg': {
      const m = tok === undefined ? undefined : ALGORITHMS[tok.toUpperCase()];
      w.u8(m ?? decimal(tok, 255, 'the algorithm'));
      return i + 1;
    }
    case 'rcode': {
      const m = tok !== undefined && Object.hasOwn(RCODES, tok.toUpperCase()) ? RCODES[tok.toUpperCase()] : undefined;
      w.u16(m ?? decimal(tok, 65535, 'the error code'));
      return i + 1;
    }
    case 'type': {
      if (tok === undefined) throw new WireError('an RR type is missing');
      const code = typeCode(tok);
      if (code === undefined) throw new WireError(`"${tok}" is not an RR type`);
      w.u16(code);
      return i + 1;
    }
    case 'time':
      w.u32(parseTime(tok));
      return i + 1;
    case 'ipv4': {
      const o = tok === undefined ? null : parseV4(tok);
      if (o === null) throw new WireError(`"${tok ?? ''}" is not an IPv4 address`);
      w.bytes(o);
      return i + 1;
    }
    case 'ipv6': {
      const o = tok === undefined ? null : parseV6(tok);
      if (o === null) throw new WireError(`"${tok ?? ''}" is not an IPv6 address`);
      w.bytes(o);
      return i + 1;
    }
    case 'name':
      w.bytes(parseName(tok));
      return i + 1;
    case 'strings': {
      if (i >= tokens.length) throw new WireError('at least one character-string is needed');
      for (let j = i; j < tokens.length; j++) {
        const s = charString(tokens[j]!, `string ${j - i + 1}`);
        if (s.length > 255) throw new WireError(`string ${j - i + 1} is longer than 255 octets (${s.length})`);
        w.u8(s.length);
        w.bytes(s);
      }
      return tokens.length;
    }
    case 'hex':
      w.bytes(hexBytes(tokens.slice(i).join(''), 'the hex data'));
      return tokens.length;
    case 'base64':
      w.bytes(base64Bytes(tokens.slice(i).join(''), 'the base64 data'));
      return tokens.length;
    case 'salt': {
      if (tok === undefined) throw new WireError('the salt is missing');
      const b = tok === '-' ? new Uint8Array(0) : hexBytes(tok, 'the salt');
      if (b.length > 255) throw new WireError('the salt is longer than 255 octets');
      w.u8(b.length);
      w.bytes(b);
      return i + 1;
    }
    case 'hash': {
      if (tok === undefined) throw new WireError('the next hashed owner name is missing');
      const b = base32Bytes(tok, 'the next hashed owner name');
      if (b.length > 255) throw new WireError('the next hashed owner name is longer than 255 octets');
      w.u8(b.length);
      w.bytes(b);
      return i + 1;
    }
    case 'bitmap':
      w.bytes(parseBitmap(tokens.slice(i)));
      return tokens.length;
    case 'tag': {
      if (tok === undefined || !/^[A-Za-z0-9]{1,255}$/.test(tok)) throw new WireError(`the CAA tag must be 1 or more letters and digits, not "${tok ?? ''}"`);
      w.u8(tok.length);
      for (let j = 0; j < tok.length; j++) w.u8(tok.charCodeAt(j));
      return i + 1;
    }
    case 'value': {
      if (tok === undefined) throw new WireError('the CAA value is missing');
      w.bytes(charString(tok, 'the CAA value'));
      return i + 1;
    }
    case 'params':
      parseParams(tokens.slice(i), w);
      return tokens.length;
    case 'data16': {
      const len = decimal(tok, 65535, 'a data length');
      w.u16(len);
      if (len === 0) return i + 1;
      const b = base64Bytes(tokens[i + 1] ?? '', 'the data');
      if (b.length !== len) throw new WireError(`the data has ${b.length} octets, but its length says ${len}`);
      w.bytes(b);
      return i + 2;
    }
    case 'options':
      for (let j = i; j < tokens.length; j++) {
        const t = tokens[j]!;
        const colon = t.indexOf(':');
        if (colon < 0) throw new WireError(`EDNS option "${t}" must be written code:HEX`);
        const data = hexBytes(t.slice(colon + 1), 'EDNS option data');
        w.u16(decimal(t.slice(0, colon), 65535, 'an EDNS option code'));
        w.u16(data.length);
        w.bytes(data);
      }
      return tokens.length;
  }
}

/**
 * Presentation RDATA (the store's canonical text, or any RFC presentation form of the type; RFC 3597
 * `\# len hex` for every type) → uncompressed wire RDATA. Throws WireError with the reason.
 */
export function rdataFromText(type: number, text: string): Uint8Array {
  const lexed = lexTokens(text, 'rdata');
  if (!lexed.ok) throw new WireError(`${typeName(type)} RDATA is malformed: ${lexed.detail}`);
  const tokens = lexed.tokens;
  const desc = RDATA_TYPES.get(type);
  if (tokens[0] === '\\#') {
    const len = decimal(tokens[1], 65535, 'the RFC 3597 length');
    const data = hexBytes(tokens.slice(2).join(''), 'the RFC 3597 data');
    if (data.length !== len) throw new WireError(`RFC 3597 data has ${data.length} octets, but its length says ${len}`);
    if (desc !== undefined) checkRdata(type, data);
    return data;
  }
  if (desc === undefined) throw new WireError(`${typeName(type)} has no presentation format here; use the RFC 3597 form \\# <length> <hex>`);
  const w = new Builder();
  let i = 0;
  try {
    for (const kind of desc.fields) i = parseField(kind, tokens, i, w);
  } catch (e) {
    if (e instanceof WireError) throw new WireError(`${desc.mnemonic} RDATA: ${e.reason}`);
    throw e;
  }
  if (i < tokens.length) throw new WireError(`${desc.mnemonic} RDATA has ${tokens.length - i} unexpected field(s) at the end: ${tokens.slice(i).join(' ')}`);
  if (w.len > 65535) throw new WireError(`${desc.mnemonic} RDATA is longer than 65535 octets`);
  return w.result();
}
