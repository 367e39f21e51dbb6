// RFC 5734 §4 data units: the length header counts itself, frames survive any chunking, bad lengths stop the stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EppFramingError, EppProtocolError } from '../../../src/registry/epp/errors.js';
import { DEFAULT_MAX_FRAME_BYTES, EppFrameDecoder, encodeEppFrame } from '../../../src/registry/epp/framing.js';

const utf8 = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

function header(total: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, total, false);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function framingError(run: () => unknown): EppFramingError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EppFramingError);
    expect(error).toBeInstanceOf(EppProtocolError);
    return error as EppFramingError;
  }
  throw new Error('expected an EppFramingError');
}

describe('encodeEppFrame', () => {
  it('writes the total length, its own 4 octets included, big-endian', () => {
    const frame = encodeEppFrame('<hello/>');
    expect([...frame.subarray(0, 4)]).toStrictEqual([0, 0, 0, 12]);
    expect(text(frame.subarray(4))).toBe('<hello/>');
  });

  it('counts octets, not characters, for multi-byte UTF-8', () => {
    const xml = '<msg>é€𝄞</msg>'; // 2 + 3 + 4 octets for three characters
    const frame = encodeEppFrame(xml);
    expect(frame.length).toBe(4 + 11 + 9);
    expect(new DataView(frame.buffer).getUint32(0)).toBe(24);
    expect(text(frame.subarray(4))).toBe(xml);
  });

  it('uses all four octets of the header', () => {
    const frame = encodeEppFrame(new Uint8Array(0x01_02_03 - 4).fill(0x20), { maxFrameBytes: 0x01_02_03 });
    expect([...frame.subarray(0, 4)]).toStrictEqual([0x00, 0x01, 0x02, 0x03]);
  });

  it('refuses an empty payload and one over the limit', () => {
    expect(framingError(() => encodeEppFrame('')).length).toBe(4);
    expect(framingError(() => encodeEppFrame('x'.repeat(DEFAULT_MAX_FRAME_BYTES - 3))).length).toBe(DEFAULT_MAX_FRAME_BYTES + 1);
    expect(encodeEppFrame('x'.repeat(DEFAULT_MAX_FRAME_BYTES - 4)).length).toBe(DEFAULT_MAX_FRAME_BYTES);
  });

  it('refuses a limit the header cannot express or a frame cannot fit', () => {
    expect(() => encodeEppFrame('x', { maxFrameBytes: 4 })).toThrow(RangeError);
    expect(() => new EppFrameDecoder({ maxFrameBytes: 2 ** 32 })).toThrow(RangeError);
  });
});

describe('EppFrameDecoder', () => {
  const a = encodeEppFrame('<epp>first</epp>');
  const b = encodeEppFrame('<epp>ünïcödé 𝄞</epp>');
  const c = encodeEppFrame('<epp>third</epp>');
  const stream = concat(a, b, c);
  const expected = ['<epp>first</epp>', '<epp>ünïcödé 𝄞</epp>', '<epp>third</epp>'];

  it('returns a whole frame pushed at once', () => {
    const decoder = new EppFrameDecoder();
    expect(decoder.push(a).map(text)).toStrictEqual([expected[0]]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('returns every frame of merged chunks and keeps the remainder', () => {
    const decoder = new EppFrameDecoder();
    const cut = a.length + b.length + 6;
    expect(decoder.push(stream.subarray(0, cut)).map(text)).toStrictEqual(expected.slice(0, 2));
    expect(decoder.bufferedBytes).toBe(6);
    expect(decoder.push(stream.subarray(cut)).map(text)).toStrictEqual(expected.slice(2));
    decoder.end();
  });

  it('reassembles a header split across chunks', () => {
    const decoder = new EppFrameDecoder();
    expect(decoder.push(a.subarray(0, 2))).toStrictEqual([]);
    expect(decoder.push(a.subarray(2, 3))).toStrictEqual([]);
    expect(decoder.push(a.subarray(3)).map(text)).toStrictEqual([expected[0]]);
  });

  it('works byte at a time, multi-byte characters split across chunks included', () => {
    const decoder = new EppFrameDecoder();
    const frames: string[] = [];
    for (const byte of stream) frames.push(...decoder.push(Uint8Array.of(byte)).map(text));
    expect(frames).toStrictEqual(expected);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('yields the same frames for any chunking of the stream', () => {
    fc.assert(fc.property(fc.array(fc.nat(stream.length), { maxLength: 12 }), (cuts) => {
      const points = [0, ...[...cuts].sort((x, y) => x - y), stream.length];
      const decoder = new EppFrameDecoder();
      const frames = points.slice(1).flatMap((end, i) => decoder.push(stream.subarray(points[i], end)).map(text));
      expect(frames).toStrictEqual(expected);
    }));
  });

  it('ignores empty chunks', () => {
    const decoder = new EppFrameDecoder();
    expect(decoder.push(new Uint8Array(0))).toStrictEqual([]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('hands out copies: reusing the chunk afterwards does not change a frame', () => {
    const decoder = new EppFrameDecoder();
    const chunk = Uint8Array.from(a);
    const [frame] = decoder.push(chunk);
    chunk.fill(0);
    expect(text(frame!)).toBe(expected[0]);
  });

  it.each([0, 1, 4])('rejects a total length of %i (below header plus one octet)', (total) => {
    const decoder = new EppFrameDecoder();
    expect(framingError(() => decoder.push(header(total))).length).toBe(total);
  });

  it('accepts the smallest frame, one octet of payload', () => {
    expect(new EppFrameDecoder().push(concat(header(5), utf8.encode('x'))).map(text)).toStrictEqual(['x']);
  });

  it('rejects an oversize length as soon as the header is in, before any body', () => {
    const decoder = new EppFrameDecoder();
    expect(framingError(() => decoder.push(header(DEFAULT_MAX_FRAME_BYTES + 1))).length).toBe(DEFAULT_MAX_FRAME_BYTES + 1);
    expect(decoder.bufferedBytes).toBe(0);
    expect(framingError(() => new EppFrameDecoder().push(header(0xffff_ffff))).length).toBe(0xffff_ffff);
  });

  it('honours a custom limit', () => {
    const decoder = new EppFrameDecoder({ maxFrameBytes: 16 });
    expect(decoder.push(encodeEppFrame('x'.repeat(12))).length).toBe(1);
    expect(framingError(() => decoder.push(header(17))).length).toBe(17);
  });

  it('stays failed after a bad header: the stream has lost its boundaries', () => {
    const decoder = new EppFrameDecoder();
    const first = framingError(() => decoder.push(header(2)));
    expect(framingError(() => decoder.push(a))).toBe(first);
    expect(framingError(() => decoder.end())).toBe(first);
  });

  it('end() reports a stream cut inside a frame or a header', () => {
    const inFrame = new EppFrameDecoder();
    inFrame.push(a.subarray(0, 10));
    expect(framingError(() => inFrame.end()).message).toMatch(/after 10 of 20 octets/);
    const inHeader = new EppFrameDecoder();
    inHeader.push(a.subarray(0, 3));
    expect(framingError(() => inHeader.end()).message).toMatch(/header/);
  });
});
