// Bounds-checked reading of a DNS message (or of uncompressed RDATA). Every read that would pass
// the end throws WireError; names are returned uncompressed (RFC 1035 4.1.4).
import { WireError } from './errors.js';
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './name.js';

const nameBuf = new Uint8Array(MAX_NAME_LENGTH);

export class WireReader {
  readonly buf: Uint8Array;
  /** Position of the next read; callers may set it (e.g. to skip or re-read). */
  offset: number;
  readonly length: number;

  constructor(buf: Uint8Array, offset = 0) {
    this.buf = buf;
    this.offset = offset;
    this.length = buf.length;
  }

  remaining(): number {
    return this.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.length) throw new WireError(`truncated: ${what} needs ${n} octet${n === 1 ? '' : 's'} at offset ${this.offset}, ${this.length - this.offset} left`);
  }

  u8(): number {
    this.need(1, 'an 8-bit field');
    return this.buf[this.offset++]!;
  }

  u16(): number {
    this.need(2, 'a 16-bit field');
    const o = this.offset;
    this.offset = o + 2;
    return (this.buf[o]! << 8) | this.buf[o + 1]!;
  }

  u32(): number {
    this.need(4, 'a 32-bit field');
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 4;
    return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  }

  /** The next n octets, sharing the buffer (no copy). */
  bytes(n: number): Uint8Array {
    if (n < 0) throw new WireError('negative length');
    this.need(n, 'a field');
    const o = this.offset;
    this.offset = o + n;
    return this.buf.subarray(o, o + n);
  }

  /**
   * A possibly compressed name, returned uncompressed (a new array, case preserved). A pointer
   * must point strictly before the start of the labels it continues (so every jump goes
   * backwards and loops are impossible); label types 0x40 and 0x80 are refused, as are names
   * over 255 octets. The offset ends after the first pointer, or after the root label.
   */
  name(): Uint8Array {
    const buf = this.buf;
    const end = this.length;
    let pos = this.offset;
    let limit = pos; // pointers must go strictly below this
    let out = 0;
    let after = -1;
    for (;;) {
      if (pos >= end) throw new WireError(`truncated: name at offset ${this.offset} runs past the end`);
      const len = buf[pos]!;
      if (len === 0) {
        nameBuf[out++] = 0;
        pos++;
        break;
      }
      if (len <= MAX_LABEL_LENGTH) {
        const next = pos + 1 + len;
        if (next > end) throw new WireError(`truncated: name label at offset ${pos} runs past the end`);
        if (out + len + 2 > MAX_NAME_LENGTH) throw new WireError(`name at offset ${this.offset} is longer than ${MAX_NAME_LENGTH} octets`);
        nameBuf[out++] = len;
        for (let i = pos + 1; i < next; i++) nameBuf[out++] = buf[i]!;
        pos = next;
        continue;
      }
      if ((len & 0xc0) !== 0xc0) throw new WireError(`name at offset ${this.offset} uses a reserved label type (0x${(len & 0xc0).toString(16)})`);
      if (pos + 1 >= end) throw new WireError(`truncated: compression pointer at offset ${pos}`);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (after < 0) after = pos + 2;
      if (target >= limit) throw new WireError(`compression pointer at offset ${pos} does not point backwards (to ${target})`);
      limit = target;
      pos = target;
    }
    this.offset = after < 0 ? pos : after;
    return nameBuf.slice(0, out);
  }

  /** An uncompressed name (RDATA of types where compression is not allowed): a pointer is an error. */
  plainName(): Uint8Array {
    const buf = this.buf;
    const start = this.offset;
    let pos = start;
    for (;;) {
      if (pos >= this.length) throw new WireError(`truncated: name at offset ${start} runs past the end`);
      const len = buf[pos]!;
      if (len > MAX_LABEL_LENGTH) {
        throw new WireError((len & 0xc0) === 0xc0 ? `compression pointer at offset ${pos} where names may not be compressed` : `name at offset ${start} uses a reserved label type`);
      }
      pos += len + 1;
      if (pos - start > MAX_NAME_LENGTH) throw new WireError(`name at offset ${start} is longer than ${MAX_NAME_LENGTH} octets`);
      if (len === 0) break;
      if (pos > this.length) throw new WireError(`truncated: name label runs past the end`);
    }
    this.offset = pos;
    const out = new Uint8Array(pos - start);
    out.set(buf.subarray(start, pos));
    return out;
  }

  /** Skip n octets (bounds-checked). */
  skip(n: number): void {
    this.need(n, 'skipped data');
    this.offset += n;
  }
}
