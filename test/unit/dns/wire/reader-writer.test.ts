// WireReader bounds and decompression rules; WireWriter compression, limits, rollback and reuse.
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TYPE } from '../../../../src/dns/wire/constants.js';
import { WireError } from '../../../../src/dns/wire/errors.js';
import { nameEquals, nameToWire, wireToName } from '../../../../src/dns/wire/name.js';
import { canonicalRdata, rdataFromText, readRdata } from '../../../../src/dns/wire/rdata.js';
import { WireReader } from '../../../../src/dns/wire/reader.js';
import { isCompressibleType, WireWriter } from '../../../../src/dns/wire/writer.js';

const bytes = (...parts: (number | string)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...Buffer.from(p, 'latin1')])));
const header = (): number[] => new Array<number>(12).fill(0);

/** Every compression pointer in a sequence of names written back to back from `start`. */
function pointersIn(buf: Uint8Array, start: number, count: number): { at: number; to: number }[] {
  const out: { at: number; to: number }[] = [];
  let pos = start;
  for (let i = 0; i < count; i++) {
    for (;;) {
      const len = buf[pos]!;
      if (len === 0) {
        pos++;
        break;
      }
      if (len >= 0xc0) {
        out.push({ at: pos, to: ((len & 0x3f) << 8) | buf[pos + 1]! });
        pos += 2;
        break;
      }
      pos += len + 1;
    }
  }
  return out;
}

describe('WireReader', () => {
  it('reads unsigned integers and checks every bound', () => {
    const r = new WireReader(bytes(0xff, 0xff, 0xff, 0xff, 0x12, 0x34, 0x56));
    expect(r.length).toBe(7);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.u16()).toBe(0x1234);
    expect(r.remaining()).toBe(1);
    expect(() => r.u16()).toThrow(WireError);
    expect(r.offset).toBe(6);
    expect(r.u8()).toBe(0x56);
    expect(() => r.u8()).toThrow(/truncated/);
    expect(() => r.u32()).toThrow(WireError);
    expect(() => r.bytes(1)).toThrow(WireError);
    expect(r.bytes(0)).toEqual(new Uint8Array(0));
  });

  it('starts at a given offset; bytes() shares the buffer', () => {
    const buf = bytes(1, 2, 3, 4);
    const r = new WireReader(buf, 1);
    const b = r.bytes(2);
    expect(b).toEqual(bytes(2, 3));
    expect(b.buffer).toBe(buf.buffer);
    expect(r.offset).toBe(3);
    expect(() => new WireReader(buf, 3).bytes(2)).toThrow(WireError);
  });

  it('reads a plain name and ends after its root label', () => {
    const r = new WireReader(bytes(3, 'www', 7, 'Example', 4, 'test', 0, 0xab));
    expect(wireToName(r.name())).toBe('www.Example.test');
    expect(r.offset).toBe(18);
    expect(r.u8()).toBe(0xab);
  });

  it('follows backward pointers, ends after the first pointer, returns uncompressed bytes', () => {
    // 12: example.test  26: www -> 12   32: mail -> 26 (a chain)
    const buf = bytes(...header(), 7, 'example', 4, 'test', 0, 3, 'www', 0xc0, 12, 4, 'mail', 0xc0, 26, 0x99);
    const r = new WireReader(buf, 26);
    expect(r.name()).toEqual(nameToWire('www.example.test'));
    expect(r.offset).toBe(32);
    expect(r.name()).toEqual(nameToWire('mail.www.example.test'));
    expect(r.offset).toBe(39);
    expect(r.u8()).toBe(0x99);
  });

  it.each([
    ['a forward pointer', bytes(...header(), 0xc0, 14, 1, 'a', 0), 12, /does not point backwards/],
    ['a pointer to itself', bytes(...header(), 0xc0, 12), 12, /does not point backwards/],
    ['a pointer to the start of its own name', bytes(...header(), 1, 'a', 0xc0, 12), 12, /does not point backwards/],
    ['a pointer into its own name', bytes(...header(), 1, 'a', 1, 'b', 0xc0, 14), 12, /does not point backwards/],
    ['a two-pointer loop', bytes(...header(), 0xc0, 14, 0xc0, 12), 14, /does not point backwards/],
    ['a loop through labels', bytes(...header(), 1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12), 16, /does not point backwards/],
    ['label type 0x40', bytes(...header(), 0x41, 0), 12, /reserved label type/],
    ['label type 0x80', bytes(...header(), 0x81, 0), 12, /reserved label type/],
    ['a truncated label', bytes(...header(), 5, 'ab'), 12, /truncated/],
    ['a missing root label', bytes(...header(), 2, 'ab'), 12, /truncated/],
    ['a truncated pointer', bytes(...header(), 1, 'a', 0xc0), 12, /truncated/],
    ['an empty buffer', bytes(), 0, /truncated/],
  ])('refuses %s', (_what, buf, at, re) => {
    const r = new WireReader(buf, at);
    expect(() => r.name()).toThrow(WireError);
    expect(() => new WireReader(buf, at).name()).toThrow(re);
  });

  it('refuses names longer than 255 octets, also when built from pointers', () => {
    const l = (c: string): string => c.repeat(63);
    // 12: a63 . root (65)  77: b63 -> 12  143: c63 -> 77 (193 octets)  209: d63 -> 143 (257)
    const buf = bytes(...header(), 63, l('a'), 0, 63, l('b'), 0xc0, 12, 63, l('c'), 0xc0, 77, 63, l('d'), 0xc0, 143);
    expect(new WireReader(buf, 143).name().length).toBe(193);
    expect(() => new WireReader(buf, 209).name()).toThrow(/longer than 255/);
    const plain = bytes(...[...'abcd'].flatMap((c) => [63, l(c)]), 0);
    expect(() => new WireReader(plain).name()).toThrow(/longer than 255/);
    expect(() => new WireReader(plain).plainName()).toThrow(/longer than 255/);
  });

  it('accepts a 255-octet name exactly', () => {
    const text = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    const wire = nameToWire(text);
    expect(new WireReader(wire).name()).toEqual(wire);
    expect(new WireReader(wire).plainName()).toEqual(wire);
  });

  it('plainName refuses compression pointers', () => {
    const buf = bytes(...header(), 1, 'a', 0, 1, 'b', 0xc0, 12);
    expect(() => new WireReader(buf, 15).plainName()).toThrow(/may not be compressed/);
    expect(new WireReader(buf, 15).name()).toEqual(nameToWire('b.a'));
  });
});

describe('WireWriter', () => {
  it('compresses suffixes case-insensitively against earlier names', () => {
    const w = new WireWriter(512);
    w.bytes(new Uint8Array(12));
    w.name(nameToWire('WWW.Example.TEST'));
    expect(w.offset).toBe(12 + 18);
    w.name(nameToWire('www.example.test'));
    w.name(nameToWire('mail.EXAMPLE.test'));
    w.name(nameToWire('test'));
    w.name(nameToWire('other.test'));
    w.name(nameToWire('.'));
    const out = w.finish();
    expect([...out.subarray(30)]).toEqual([0xc0, 12, 4, ...Buffer.from('mail'), 0xc0, 16, 0xc0, 24, 5, ...Buffer.from('other'), 0xc0, 24, 0]);
    const r = new WireReader(out, 30);
    // Decompressed names take the case of what they point at.
    expect(wireToName(r.name())).toBe('WWW.Example.TEST');
    expect(wireToName(r.name())).toBe('mail.Example.TEST');
    expect(wireToName(r.name())).toBe('TEST');
    expect(wireToName(r.name())).toBe('other.TEST');
    expect(wireToName(r.name())).toBe('.');
    expect(r.remaining()).toBe(0);
  });

  it('writes names uncompressed when asked, and they still become targets', () => {
    const w = new WireWriter(512);
    w.bytes(new Uint8Array(12));
    w.name(nameToWire('example.test'));
    w.name(nameToWire('example.test'), false);
    expect(w.offset).toBe(12 + 14 + 14);
    w.name(nameToWire('a.example.test'));
    const ptrs = pointersIn(w.view(), 40, 1);
    expect(ptrs).toHaveLength(1);
    expect(ptrs[0]!.to).toBeLessThan(40);
  });

  it('never points at offsets of 0x4000 or more', () => {
    const w = new WireWriter(65535);
    w.bytes(new Uint8Array(0x3ff0));
    w.name(nameToWire('example.test')); // labels at 0x3ff0 and 0x3ff8
    w.bytes(new Uint8Array(0x100));
    const a = w.offset;
    w.name(nameToWire('www.example.test'));
    expect(pointersIn(w.view(), a, 1)).toEqual([{ at: a + 4, to: 0x3ff0 }]);
    const b = w.offset;
    w.name(nameToWire('other.zone.test'));
    expect(pointersIn(w.view(), b, 1)).toEqual([{ at: b + 11, to: 0x3ff8 }]);
    const c = w.offset;
    w.name(nameToWire('other.zone.test')); // its first copy lies above 0x3fff
    expect(pointersIn(w.view(), c, 1)).toEqual([{ at: c + 11, to: 0x3ff8 }]);
    const r = new WireReader(w.finish(), a);
    expect(wireToName(r.name())).toBe('www.example.test');
    expect(wireToName(r.name())).toBe('other.zone.test');
    expect(wireToName(r.name())).toBe('other.zone.test');
  });

  it('sets overflow instead of passing the limit and ignores later writes', () => {
    const w = new WireWriter(20);
    w.bytes(new Uint8Array(12));
    const m = w.mark();
    w.name(nameToWire('example.test'));
    expect(w.overflow).toBe(true);
    expect(w.offset).toBe(12);
    w.u8(1);
    expect(w.offset).toBe(12);
    w.rollback(m);
    expect(w.overflow).toBe(false);
    w.u32(0xdeadbeef);
    w.u32(0x01020304);
    expect(w.offset).toBe(20);
    w.u8(0);
    expect(w.overflow).toBe(true);
    expect([...w.finish().subarray(12)]).toEqual([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
  });

  it('rollback forgets compression targets written after the mark', () => {
    const w = new WireWriter(512);
    w.bytes(new Uint8Array(12));
    w.name(nameToWire('example.test'));
    const m = w.mark();
    w.name(nameToWire('gone.example.test'));
    w.rollback(m);
    w.u16(0x4141); // overwrite where "gone" was
    w.u16(0x4141);
    w.name(nameToWire('gone.example.test'));
    const r = new WireReader(w.finish(), m + 4);
    expect(wireToName(r.name())).toBe('gone.example.test');
    expect(() => w.rollback(w.offset + 1)).toThrow(RangeError);
  });

  it('patches counts with setU16, only inside what was written', () => {
    const w = new WireWriter(512);
    w.bytes(new Uint8Array(12));
    w.setU16(6, 0x1234);
    expect(w.view()[6]).toBe(0x12);
    expect(() => w.setU16(11, 1)).toThrow(RangeError);
  });

  it('is reusable: reset gives the same output without old targets', () => {
    const w = new WireWriter(512);
    const write = (): Buffer => {
      w.bytes(new Uint8Array(12));
      w.name(nameToWire('www.example.test'));
      w.name(nameToWire('mail.example.test'));
      return w.finish();
    };
    const first = write();
    w.reset();
    expect(write()).toEqual(first);
    w.reset(1232);
    expect(w.limit).toBe(1232);
    expect(w.offset).toBe(0);
    expect(write()).toEqual(first);
    w.reset(20);
    w.bytes(new Uint8Array(21));
    expect(w.overflow).toBe(true);
  });

  it('compresses RDATA names only for NS, CNAME, SOA, PTR and MX', () => {
    const owner = nameToWire('example.test');
    const cases: [number, string, boolean][] = [
      [TYPE.NS, 'ns1.example.test.', true],
      [TYPE.CNAME, 'www.EXAMPLE.test.', true],
      [TYPE.PTR, 'host.example.test.', true],
      [TYPE.MX, '10 mail.example.test.', true],
      [TYPE.SOA, 'ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300', true],
      [TYPE.SRV, '0 5 5060 sip.example.test.', false],
      [TYPE.SVCB, '1 svc.example.test. alpn=h2', false],
      [TYPE.HTTPS, '1 svc.example.test.', false],
      [TYPE.RRSIG, 'A 13 2 3600 20240102030405 20231201000000 12345 example.test. AAAA', false],
      [TYPE.NSEC, 'a.example.test. A RRSIG NSEC', false],
      [TYPE.DNAME, 'example.test.', false],
    ];
    for (const [type, text, compressed] of cases) {
      expect(isCompressibleType(type)).toBe(compressed);
      const rdata = rdataFromText(type, text);
      const w = new WireWriter(512);
      w.bytes(new Uint8Array(12));
      w.name(owner);
      const at = w.offset;
      w.rdata(type, rdata);
      const rdlength = (w.view()[at]! << 8) | w.view()[at + 1]!;
      expect(rdlength < rdata.length).toBe(compressed);
      expect(rdlength).toBe(w.offset - at - 2);
      // Reading back decompresses; names pointing at the owner take its case.
      const r = new WireReader(w.finish(), at + 2);
      expect(canonicalRdata(type, readRdata(r, type, rdlength))).toEqual(canonicalRdata(type, rdata));
      // compress = false writes the RDATA as it is.
      const w2 = new WireWriter(512);
      w2.bytes(new Uint8Array(12));
      w2.name(owner);
      w2.rdata(type, rdata, false);
      expect(w2.offset).toBe(at + 2 + rdata.length);
    }
  });

  it('rr() writes a whole record whose owner points at the question', () => {
    const w = new WireWriter(512);
    w.bytes(new Uint8Array(12));
    w.name(nameToWire('WWW.example.test'));
    w.u16(TYPE.A);
    w.u16(1);
    w.rr(nameToWire('www.example.test'), TYPE.A, 1, 300, rdataFromText(TYPE.A, '192.0.2.1'));
    expect([...w.view().subarray(34)]).toEqual([0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 1]);
  });

  it('an RDATA that does not fit leaves overflow set and can be rolled back', () => {
    const w = new WireWriter(40);
    w.bytes(new Uint8Array(12));
    w.name(nameToWire('example.test'));
    const m = w.mark();
    w.rdata(TYPE.MX, rdataFromText(TYPE.MX, '10 a-long-mail-server-name.example.net.'));
    expect(w.overflow).toBe(true);
    w.rollback(m);
    expect(w.offset).toBe(26);
  });

  it('random name lists: pointers go backwards, decode to the same names, match dns-packet (property)', () => {
    const label = fc.constantFrom('a', 'B', 'b', 'www', 'WWW', 'mail', 'example', 'EXAMPLE', 'test', 'net');
    const name = fc.array(label, { minLength: 0, maxLength: 5 }).map((ls) => ls.join('.'));
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 0x4100 }), (names, pad) => {
        const w = new WireWriter(65535);
        w.bytes(new Uint8Array(12 + pad));
        const start = w.offset;
        const wires = names.map(nameToWire);
        for (const n of wires) w.name(n);
        const out = w.finish();
        for (const p of pointersIn(out, start, names.length)) {
          expect(p.to).toBeLessThan(p.at);
          expect(p.to).toBeLessThan(0x4000);
          expect(p.to).toBeGreaterThanOrEqual(12);
        }
        const r = new WireReader(out, start);
        let off = start;
        for (const n of wires) {
          const got = r.name();
          expect(nameEquals(got, n)).toBe(true);
          expect((dnsPacket as unknown as { name: { decode(b: Buffer, o: number): string } }).name.decode(out, off).toLowerCase()).toBe(n.length === 1 ? '.' : wireToName(n).toLowerCase());
          off = r.offset;
        }
        expect(r.remaining()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
