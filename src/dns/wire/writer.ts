// Writing a DNS message into one reusable buffer, with name compression (RFC 1035 4.1.4) and a
// size limit. Nothing is allocated per write: names are matched against the labels already in the
// buffer through a table of label offsets.
//
// Compression: every label written (at an offset < 0x4000) becomes a target, recorded with the
// offset of the label that follows it (-1 for the root). A new name's suffixes are matched from the
// root side: its last label against targets followed by the root, the label before that against
// targets followed by the match so far, and so on; matching is ASCII case-insensitive, so answers
// point at the question name and keep the client's case.
import { TYPE } from './constants.js';
import { LOWER } from './name.js';

const POINTER_LIMIT = 0x4000;

/** RR types whose RDATA names may be compressed when sending (RFC 3597 4: the RFC 1035 types we serve). */
export function isCompressibleType(type: number): boolean {
  return type === TYPE.NS || type === TYPE.CNAME || type === TYPE.SOA || type === TYPE.PTR || type === TYPE.MX;
}

/** Length of the uncompressed wire name at `pos` (its bytes must be well-formed). */
function nameLength(wire: Uint8Array, pos: number): number {
  let p = pos;
  for (;;) {
    const len = wire[p];
    if (len === undefined) return p - pos;
    p += len + 1;
    if (len === 0) return p - pos;
  }
}

export class WireWriter {
  private buf: Buffer;
  /** Maximum message size in octets; a write that would pass it sets `overflow`. */
  limit: number;
  /** Octets written so far (= the position of the next write). */
  offset = 0;
  /** Set once a write did not fit; later writes are ignored until rollback or reset. */
  overflow = false;

  // Compression targets, ascending by offset.
  private tOff: Int32Array;
  private tNext: Int32Array;
  private tCount = 0;
  private readonly lab = new Int32Array(128);

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0 || limit > 65535) throw new RangeError('limit must be an integer 0-65535');
    this.limit = limit;
    this.buf = Buffer.allocUnsafe(Math.max(limit, 512));
    this.tOff = new Int32Array(256);
    this.tNext = new Int32Array(256);
  }

  /** Start a new message, optionally with another limit; the buffer is kept. */
  reset(limit: number = this.limit): void {
    if (!Number.isInteger(limit) || limit < 0 || limit > 65535) throw new RangeError('limit must be an integer 0-65535');
    this.limit = limit;
    if (this.buf.length < limit) this.buf = Buffer.allocUnsafe(limit);
    this.offset = 0;
    this.overflow = false;
    this.tCount = 0;
  }

  private room(n: number): boolean {
    if (this.overflow) return false;
    if (this.offset + n > this.limit) {
      this.overflow = true;
      return false;
    }
    return true;
  }

  u8(v: number): void {
    if (!this.room(1)) return;
    this.buf[this.offset++] = v & 0xff;
  }

  u16(v: number): void {
    if (!this.room(2)) return;
    const o = this.offset;
    this.buf[o] = (v >>> 8) & 0xff;
    this.buf[o + 1] = v & 0xff;
    this.offset = o + 2;
  }

  u32(v: number): void {
    if (!this.room(4)) return;
    const o = this.offset;
    const b = this.buf;
    b[o] = (v >>> 24) & 0xff;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
    this.offset = o + 4;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (!this.room(n)) return;
    if (n <= 32) {
      const buf = this.buf;
      let o = this.offset;
      for (let i = 0; i < n; i++) buf[o++] = b[i]!;
      this.offset = o;
      return;
    }
    this.buf.set(b, this.offset);
    this.offset += n;
  }

  /** Overwrite 16 bits already written (header counts, RDLENGTH). Not subject to the limit. */
  setU16(offset: number, v: number): void {
    if (offset < 0 || offset + 2 > this.offset) throw new RangeError(`setU16 at ${offset} is outside the ${this.offset} octets written`);
    this.buf[offset] = (v >>> 8) & 0xff;
    this.buf[offset + 1] = v & 0xff;
  }

  /** A target whose label equals the label of `wire` at `pos` and which is followed by `next`. */
  private findTarget(wire: Uint8Array, pos: number, next: number): number {
    const len = wire[pos]!;
    const buf = this.buf;
    const tOff = this.tOff;
    const tNext = this.tNext;
    outer: for (let k = 0; k < this.tCount; k++) {
      if (tNext[k] !== next) continue;
      const o = tOff[k]!;
      if (buf[o] !== len) continue;
      for (let i = 1; i <= len; i++) {
        const x = buf[o + i]!;
        const y = wire[pos + i]!;
        if (x !== y && LOWER[x] !== LOWER[y]) continue outer;
      }
      return o;
    }
    return -1;
  }

  private addTarget(off: number, next: number): void {
    if (off >= POINTER_LIMIT) return;
    if (this.tCount === this.tOff.length) {
      const n = this.tCount * 2;
      const a = new Int32Array(n);
      a.set(this.tOff);
      this.tOff = a;
      const b = new Int32Array(n);
      b.set(this.tNext);
      this.tNext = b;
    }
    this.tOff[this.tCount] = off;
    this.tNext[this.tCount] = next;
    this.tCount++;
  }

  /**
   * An uncompressed wire name (well-formed, e.g. from name.ts or the reader), compressed against
   * the names written before when `compress`. Its labels become compression targets either way.
   */
  name(wire: Uint8Array, compress = true): void {
    this.nameAt(wire, 0, compress);
  }

  /** `name` for the wire name that starts at `from` inside `wire` (e.g. inside RDATA). */
  private nameAt(wire: Uint8Array, from: number, compress: boolean): void {
    if (this.overflow) return;
    const lab = this.lab;
    let n = 0;
    let pos = from;
    for (;;) {
      const len = wire[pos] ?? 0;
      if (len === 0) break;
      lab[n++] = pos;
      pos += len + 1;
    }
    let matchIdx = n;
    let matchOff = -1;
    if (compress && this.tCount > 0) {
      let next = -1;
      for (let j = n - 1; j >= 0; j--) {
        const t = this.findTarget(wire, lab[j]!, next);
        if (t < 0) break;
        next = t;
        matchIdx = j;
        matchOff = t;
      }
    }
    const literalEnd = matchOff >= 0 ? lab[matchIdx]! : pos;
    if (!this.room(literalEnd - from + (matchOff >= 0 ? 2 : 1))) return;
    const start = this.offset;
    const buf = this.buf;
    let o = start;
    for (let i = from; i < literalEnd; i++) buf[o++] = wire[i]!;
    if (matchOff >= 0) {
      buf[o++] = 0xc0 | (matchOff >> 8);
      buf[o++] = matchOff & 0xff;
    } else {
      buf[o++] = 0;
    }
    this.offset = o;
    const shift = start - from;
    for (let i = 0; i < matchIdx; i++) {
      const next = i + 1 < matchIdx ? shift + lab[i + 1]! : matchOff;
      this.addTarget(shift + lab[i]!, next);
    }
  }

  /**
   * RDLENGTH and RDATA (uncompressed wire RDATA, e.g. from rdataFromText or readRdata). Names
   * inside are compressed only for NS, CNAME, SOA, PTR and MX (RFC 3597 4), and only when
   * `compress`; RDLENGTH is fixed up afterwards.
   */
  rdata(type: number, rdata: Uint8Array, compress = true): void {
    if (!compress || !isCompressibleType(type)) {
      if (!this.room(2 + rdata.length)) return;
      this.u16(rdata.length);
      this.bytes(rdata);
      return;
    }
    const lenPos = this.offset;
    this.u16(0);
    if (type === TYPE.MX) {
      this.u8(rdata[0]!);
      this.u8(rdata[1]!);
      this.nameAt(rdata, 2, true);
    } else if (type === TYPE.SOA) {
      const m = nameLength(rdata, 0);
      const r = nameLength(rdata, m);
      this.nameAt(rdata, 0, true);
      this.nameAt(rdata, m, true);
      this.bytes(rdata.subarray(m + r));
    } else {
      this.nameAt(rdata, 0, true);
    }
    if (!this.overflow) this.setU16(lenPos, this.offset - lenPos - 2);
  }

  /** One resource record: owner (compressed), type, class, TTL, RDLENGTH and RDATA. */
  rr(owner: Uint8Array, type: number, klass: number, ttl: number, rdata: Uint8Array): void {
    this.name(owner);
    this.u16(type);
    this.u16(klass);
    this.u32(ttl);
    this.rdata(type, rdata);
  }

  /** The current offset, to roll back to. */
  mark(): number {
    return this.offset;
  }

  /** Drop everything written from `mark` on (and the compression targets there); clears `overflow`. */
  rollback(mark: number): void {
    if (mark < 0 || mark > this.offset) throw new RangeError(`rollback to ${mark} is outside the ${this.offset} octets written`);
    this.offset = mark;
    this.overflow = false;
    while (this.tCount > 0 && this.tOff[this.tCount - 1]! >= mark) this.tCount--;
  }

  /** A copy of the message written so far (the writer can then be reset and reused). */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.offset);
    this.buf.copy(out, 0, 0, this.offset);
    return out;
  }

  /** The message written so far without copying; valid until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}
