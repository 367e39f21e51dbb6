// Property tests (fast-check): the decoder throws nothing but WireError on any input, encoding
// and decoding are inverse on valid messages, and random RDATA of every type round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASS, TYPE } from '../../../../src/dns/wire/constants.js';
import { WireError } from '../../../../src/dns/wire/errors.js';
import { decodeMessage, encodeMessage, type Edns, type Message, type WireRR } from '../../../../src/dns/wire/message.js';
import { lowerName } from '../../../../src/dns/wire/name.js';
import { canonicalRdata, checkRdata, rdataFromText, rdataToText, readRdata, RDATA_TYPES } from '../../../../src/dns/wire/rdata.js';
import { WireReader } from '../../../../src/dns/wire/reader.js';
import { isCompressibleType, WireWriter } from '../../../../src/dns/wire/writer.js';

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 65535 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const be16 = (v: number): number[] => [v >> 8, v & 0xff];
const octets = (max: number, min = 0): fc.Arbitrary<number[]> => fc.array(u8, { minLength: min, maxLength: max });

/** Wire names from a small label pool (so compression has something to find), any case. */
const LABELS = ['www', 'WWW', 'mail', 'example', 'Example', 'test', 'org', 'a', 'b', '*', '_tcp', 'x\u0000y', 'dot.ted', 'sp ace'];
const name = (lowercase = false): fc.Arbitrary<number[]> =>
  fc.array(fc.constantFrom(...(lowercase ? LABELS.filter((l) => l === l.toLowerCase()) : LABELS)), { maxLength: 5 }).map((ls) => [
    ...ls.flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]),
    0,
  ]);
const rawLabelName = fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 4 }).map((ls) => [...ls.flatMap((l) => [l.length, ...l]), 0]);

function bitmap(types: number[]): number[] {
  const sorted = [...new Set(types)].sort((a, b) => a - b);
  const out: number[] = [];
  for (let win = 0; win < 256; win++) {
    const inWin = sorted.filter((t) => t >> 8 === win).map((t) => t & 0xff);
    if (inWin.length === 0) continue;
    const bytes = new Array<number>((Math.max(...inWin) >> 3) + 1).fill(0);
    for (const low of inWin) bytes[low >> 3]! |= 0x80 >> (low & 7);
    out.push(win, bytes.length, ...bytes);
  }
  return out;
}
const typeBitmap = fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), u16), { maxLength: 8 }).map(bitmap);
const salt = octets(20).map((s) => [s.length, ...s]);
const data16 = octets(40).map((s) => [...be16(s.length), ...s]);
const alnum = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')), { minLength: 1, maxLength: 15 }).map((cs) => Buffer.from(cs.join('')));

/** SvcParams: strictly increasing keys, each value valid for its key. */
function svcValue(key: number): fc.Arbitrary<number[]> {
  switch (key) {
    case 0:
      return fc.uniqueArray(fc.integer({ min: 1, max: 65534 }), { minLength: 1, maxLength: 4 }).map((ks) => ks.sort((a, b) => a - b).flatMap(be16));
    case 1:
      return fc.array(octets(12, 1), { minLength: 1, maxLength: 3 }).map((ids) => ids.flatMap((id) => [id.length, ...id]));
    case 2:
      return fc.constant([]);
    case 3:
      return u16.map(be16);
    case 4:
      return fc.array(octets(4, 4), { minLength: 1, maxLength: 3 }).map((a) => a.flat());
    case 6:
      return fc.array(octets(16, 16), { minLength: 1, maxLength: 2 }).map((a) => a.flat());
    case 5:
    case 7:
      return octets(30, 1);
    default:
      return octets(30);
  }
}
const svcParams = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 9, max: 65534 })), { maxLength: 5 })
  .chain((keys) => fc.tuple(...keys.sort((a, b) => a - b).map((k) => svcValue(k).map((v) => [...be16(k), ...be16(v.length), ...v]))))
  .map((ps) => ps.flat());

const seq = (...parts: fc.Arbitrary<number[]>[]): fc.Arbitrary<Uint8Array> => fc.tuple(...parts).map((ps) => Uint8Array.from(ps.flat()));
const fixed = (n: number): fc.Arbitrary<number[]> => octets(n, n);

/** Structurally valid uncompressed RDATA for a type. */
function rdataOf(type: number, lowercase = false): fc.Arbitrary<Uint8Array> {
  const nm = name(lowercase);
  switch (type) {
    case TYPE.A:
      return seq(fixed(4));
    case TYPE.AAAA:
      return seq(fixed(16));
    case TYPE.NS:
    case TYPE.CNAME:
    case TYPE.PTR:
    case TYPE.DNAME:
      return seq(nm);
    case TYPE.SOA:
      return seq(nm, nm, fixed(20));
    case TYPE.MX:
      return seq(fixed(2), nm);
    case TYPE.TXT:
      return seq(fc.array(fc.oneof(octets(20), octets(255, 255)), { minLength: 1, maxLength: 4 }).map((ss) => ss.flatMap((s) => [s.length, ...s])));
    case TYPE.SRV:
      return seq(fixed(6), nm);
    case TYPE.DS:
    case TYPE.CDS:
      return seq(fixed(4), octets(48));
    case TYPE.SSHFP:
      return seq(fixed(2), octets(32));
    case TYPE.TLSA:
      return seq(fixed(3), octets(64));
    case TYPE.RRSIG:
      return seq(fixed(18), nm, octets(64));
    case TYPE.NSEC:
      return seq(rawLabelName, typeBitmap);
    case TYPE.DNSKEY:
    case TYPE.CDNSKEY:
      return seq(fixed(4), octets(64));
    case TYPE.NSEC3:
      return seq(fixed(4), salt, octets(32, 1).map((h) => [h.length, ...h]), typeBitmap);
    case TYPE.NSEC3PARAM:
      return seq(fixed(4), salt);
    case TYPE.SVCB:
    case TYPE.HTTPS:
      return seq(fixed(2), nm, svcParams);
    case TYPE.CAA:
      return seq(fixed(1), alnum.map((t) => [t.length, ...t]), octets(40));
    case TYPE.TSIG:
      return seq(nm, fixed(8), data16, fixed(4), data16);
    case TYPE.OPT:
      return seq(fc.array(octets(10), { maxLength: 3 }).chain((opts) => fc.tuple(...opts.map((o) => u16.map((code) => [...be16(code), ...be16(o.length), ...o])))).map((os) => os.flat()));
    default:
      return seq(octets(40));
  }
}

const ALL_TYPES = [...RDATA_TYPES.keys(), 99, 65280, 65401];
const RR_TYPES = ALL_TYPES.filter((t) => t !== TYPE.OPT && t !== TYPE.TSIG);

const rrArb = (lowercase = false): fc.Arbitrary<WireRR> =>
  fc.constantFrom(...RR_TYPES).chain((type) =>
    fc.record({
      name: name(lowercase).map((n) => Uint8Array.from(n)),
      type: fc.constant(type),
      class: fc.constantFrom(CLASS.IN, CLASS.CH, CLASS.ANY),
      ttl: u32,
      rdata: rdataOf(type, lowercase),
    }),
  );

const ednsArb: fc.Arbitrary<Edns | null> = fc.option(
  fc.record({
    udpSize: u16,
    extendedRcode: fc.constant(0),
    version: u8,
    do: fc.boolean(),
    flags: u16.map((f) => f & 0x7fff),
    options: fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 12 }) }), { maxLength: 3 }),
  }),
);

const messageArb = (lowercase = false): fc.Arbitrary<Message> =>
  fc
    .record({
      id: u16,
      flags: u16.map((f) => f & 0x87f0),
      opcode: fc.integer({ min: 0, max: 15 }),
      rcode: fc.integer({ min: 0, max: 0xfff }),
      questions: fc.array(fc.record({ name: name(lowercase).map((n) => Uint8Array.from(n)), type: u16, class: u16 }), { maxLength: 2 }),
      answers: fc.array(rrArb(lowercase), { maxLength: 6 }),
      authorities: fc.array(rrArb(lowercase), { maxLength: 3 }),
      additionals: fc.array(rrArb(lowercase), { maxLength: 3 }),
      edns: ednsArb,
    })
    .map((m) => {
      const rcode = m.edns === null ? m.rcode & 0xf : m.rcode;
      const edns = m.edns === null ? null : { ...m.edns, extendedRcode: rcode >> 4, flags: m.edns.flags | (m.edns.do ? 0x8000 : 0) };
      return { ...m, rcode, edns, flags: m.flags | (m.opcode << 11) | (rcode & 0xf) };
    });

/** Names case-folded and compressible RDATA canonicalized: what compression may change. */
function normalize(m: Message): Message {
  const rrs = (list: WireRR[]): WireRR[] => list.map((r) => ({ ...r, name: lowerName(r.name), rdata: isCompressibleType(r.type) ? canonicalRdata(r.type, r.rdata) : r.rdata }));
  return {
    ...m,
    questions: m.questions.map((q) => ({ ...q, name: lowerName(q.name) })),
    answers: rrs(m.answers),
    authorities: rrs(m.authorities),
    additionals: rrs(m.additionals),
  };
}

function decodeOrWireError(buf: Uint8Array): Message | null {
  try {
    return decodeMessage(buf);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return null;
  }
}

describe('decodeMessage never throws anything but WireError', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (buf) => {
        decodeOrWireError(buf);
      }),
      { numRuns: 5000 },
    );
  });

  it('on random bytes behind a plausible header', () => {
    const header = fc.tuple(u16, u16, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 300 }), ([id, flags, qd, an, ns, ar], body) => {
        const buf = Uint8Array.from([...be16(id), ...be16(flags), ...be16(qd), ...be16(an), ...be16(ns), ...be16(ar), ...body]);
        decodeOrWireError(buf);
      }),
      { numRuns: 5000 },
    );
  });

  it('on mutated valid packets; what still decodes re-encodes to the same message', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: u8 }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: u8 }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: u8 }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: u8 }),
    );
    fc.assert(
      fc.property(messageArb(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (msg, mutations) => {
        let bytes = [...encodeMessage(msg)];
        for (const m of mutations) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === 'flip') bytes[at % bytes.length] = m.value;
          else if (m.kind === 'truncate') bytes = bytes.slice(0, at);
          else if (m.kind === 'insert') bytes.splice(at, 0, m.value);
          else bytes.splice(at, 1);
        }
        const decoded = decodeOrWireError(Uint8Array.from(bytes));
        if (decoded === null) return;
        const again = decodeMessage(encodeMessage(decoded));
        expect(normalize(again)).toEqual(normalize(decoded));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encode and decode are inverse', () => {
  it('decode(encode(m)) equals m for lowercase-named messages', () => {
    fc.assert(
      fc.property(messageArb(true), (msg) => {
        expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
      }),
      { numRuns: 500 },
    );
  });

  it('decode(encode(m)) equals m up to name case (compression is case-insensitive)', () => {
    fc.assert(
      fc.property(messageArb(), (msg) => {
        const buf = encodeMessage(msg);
        const d = decodeMessage(buf);
        expect(normalize(d)).toEqual(normalize(msg));
        // Uncompressed RDATA of other types is byte-identical, names in it keep their case.
        for (const [i, rr] of msg.answers.entries()) if (!isCompressibleType(rr.type)) expect(d.answers[i]!.rdata).toEqual(rr.rdata);
        // encode(decode(x)) re-decodes to the same message.
        expect(decodeMessage(encodeMessage(d))).toEqual(d);
      }),
      { numRuns: 500 },
    );
  });

  it('with a size limit: fits or throws WireError', () => {
    fc.assert(
      fc.property(messageArb(), fc.integer({ min: 12, max: 600 }), (msg, limit) => {
        let buf: Buffer;
        try {
          buf = encodeMessage(msg, limit);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
          expect(encodeMessage(msg).length).toBeGreaterThan(limit);
          return;
        }
        expect(buf.length).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 500 },
    );
  });
});

describe('random RDATA of every type round-trips', () => {
  it.each(ALL_TYPES.map((t) => [t]))('type %i: wire → text → wire, and text → wire → text', (type) => {
    fc.assert(
      fc.property(rdataOf(type), (rdata) => {
        checkRdata(type, rdata);
        const text = rdataToText(type, rdata);
        const back = rdataFromText(type, text);
        expect(back).toEqual(rdata);
        expect(rdataToText(type, back)).toBe(text);
        // Read from a packet, the RDATA is the same.
        const buf = Uint8Array.from([...new Array<number>(12).fill(0), ...rdata]);
        expect(readRdata(new WireReader(buf, 12), type, rdata.length)).toEqual(rdata);
      }),
      { numRuns: 150 },
    );
  });

  it('random RRsets survive the writer (with compression) and the reader', () => {
    fc.assert(
      fc.property(fc.array(rrArb(), { minLength: 1, maxLength: 12 }), (rrs) => {
        const w = new WireWriter(65535);
        w.bytes(new Uint8Array(12));
        for (const rr of rrs) w.rr(rr.name, rr.type, rr.class, rr.ttl, rr.rdata);
        const r = new WireReader(w.finish(), 12);
        for (const rr of rrs) {
          const owner = r.name();
          expect(lowerName(owner)).toEqual(lowerName(rr.name));
          expect(r.u16()).toBe(rr.type);
          expect(r.u16()).toBe(rr.class);
          expect(r.u32()).toBe(rr.ttl);
          const rdata = readRdata(r, rr.type, r.u16());
          if (isCompressibleType(rr.type)) expect(canonicalRdata(rr.type, rdata)).toEqual(canonicalRdata(rr.type, rr.rdata));
          else expect(rdata).toEqual(rr.rdata);
        }
        expect(r.remaining()).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
