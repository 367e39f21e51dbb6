// Whole messages: header, sections, EDNS, strictness, and dns-packet as an oracle both ways.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { CLASS, FLAG, OPCODE, RCODE, TYPE } from '../../../../src/dns/wire/constants.js';
import { WireError } from '../../../../src/dns/wire/errors.js';
import { decodeMessage, encodeMessage, type Message, type WireRR } from '../../../../src/dns/wire/message.js';
import { nameToWire, wireToName } from '../../../../src/dns/wire/name.js';
import { rdataFromText, rdataToText } from '../../../../src/dns/wire/rdata.js';

const N = nameToWire;
const H = (octets: number, pair = 'AB'): string => pair.repeat(octets);

function rr(name: string, type: number, text: string, ttl = 3600, klass: number = CLASS.IN): WireRR {
  return { name: N(name), type, class: klass, ttl, rdata: rdataFromText(type, text) };
}

function message(over: Partial<Message> = {}): Message {
  return {
    id: 0x1234,
    flags: FLAG.QR | FLAG.AA | FLAG.RD,
    opcode: OPCODE.QUERY,
    rcode: RCODE.NOERROR,
    questions: [{ name: N('www.example.test'), type: TYPE.A, class: CLASS.IN }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    ...over,
  };
}

/** A query by hand: header, one question, optional trailing sections. */
function query(qname: string, qtype: number, counts: [number, number, number] = [0, 0, 0], ...rest: number[]): Uint8Array {
  return Uint8Array.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, counts[0], 0, counts[1], 0, counts[2], ...N(qname), qtype >> 8, qtype & 0xff, 0, 1, ...rest]);
}

const OPT = (udp = 1232, ttl: [number, number, number, number] = [0, 0, 0x80, 0], rdata: number[] = [], owner: number[] = [0]): number[] => [
  ...owner, 0, 41, udp >> 8, udp & 0xff, ...ttl, rdata.length >> 8, rdata.length & 0xff, ...rdata,
];

describe('decodeMessage', () => {
  it('decodes a query with EDNS', () => {
    const m = decodeMessage(query('WWW.Example.test', TYPE.AAAA, [0, 0, 1], ...OPT(1232, [0, 0, 0x80, 0], [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])));
    expect(m.id).toBe(0xabcd);
    expect(m.flags).toBe(0x0100);
    expect(m.opcode).toBe(0);
    expect(m.rcode).toBe(0);
    expect(m.questions).toHaveLength(1);
    expect(wireToName(m.questions[0]!.name)).toBe('WWW.Example.test');
    expect(m.questions[0]!.type).toBe(TYPE.AAAA);
    expect(m.additionals).toEqual([]);
    expect(m.edns).toEqual({ udpSize: 1232, extendedRcode: 0, version: 0, do: true, flags: 0x8000, options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }] });
  });

  it('combines the extended RCODE and reads opcode and version', () => {
    const buf = query('example.test', TYPE.SOA, [0, 0, 1], ...OPT(512, [1, 2, 0, 0]));
    buf[2] = 0x80 | (OPCODE.NOTIFY << 3); // QR, opcode NOTIFY
    buf[3] = 0x00;
    const m = decodeMessage(buf);
    expect(m.opcode).toBe(OPCODE.NOTIFY);
    expect(m.rcode).toBe(16); // BADVERS = 1 << 4 | 0
    expect(m.edns).toMatchObject({ udpSize: 512, extendedRcode: 1, version: 2, do: false, flags: 0 });
  });

  it('decodes a message without questions and without EDNS', () => {
    const m = decodeMessage(Uint8Array.from([0, 1, 0x80, 0x05, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(m).toMatchObject({ id: 1, opcode: 0, rcode: RCODE.REFUSED, questions: [], edns: null });
  });

  it.each([
    ['a short header', Uint8Array.from([0, 1, 0, 0, 0, 1]), /shorter than a header/],
    ['a missing question', Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), /truncated/],
    ['a question without class', query('example.test', 1).subarray(0, -2), /truncated/],
    ['trailing bytes', Uint8Array.from([...query('example.test', 1), 0]), /after the last record/],
    ['an answer count with no answer', query('example.test', 1, [1, 0, 0]), /truncated/],
    ['an OPT in the answer section', query('example.test', 1, [1, 0, 0], ...OPT()), /outside the additional/],
    ['an OPT in the authority section', query('example.test', 1, [0, 1, 0], ...OPT()), /outside the additional/],
    ['two OPT RRs', query('example.test', 1, [0, 0, 2], ...OPT(), ...OPT()), /more than one OPT/],
    ['an OPT with a non-root owner', query('example.test', 1, [0, 0, 1], ...OPT(1232, [0, 0, 0, 0], [], [1, 0x61, 0])), /owner is not the root/],
    ['an OPT with a truncated option', query('example.test', 1, [0, 0, 1], ...OPT(1232, [0, 0, 0, 0], [0, 10, 0, 9, 1])), /past the end|truncated/],
    ['an RDLENGTH past the end', query('example.test', 1, [1, 0, 0], 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 192, 0, 2, 1), /RDLENGTH/],
    ['an A of 3 octets', query('example.test', 1, [1, 0, 0], 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 192, 0, 2), /truncated/],
    ['a forward pointer in the question', Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]), /backwards/],
    ['a pointer loop', Uint8Array.from([0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1]), /backwards/],
  ])('refuses %s', (_what, buf, re) => {
    expect(() => decodeMessage(buf)).toThrow(WireError);
    expect(() => decodeMessage(buf)).toThrow(re);
  });

  it('refuses a TSIG RR that is not the last record', () => {
    const tsig = rr('key.example.test', TYPE.TSIG, 'hmac-sha256. 1700000000 300 0 4660 0 0', 0, CLASS.ANY);
    const a = rr('www.example.test', TYPE.A, '192.0.2.1');
    const ok = encodeMessage(message({ additionals: [a, tsig] }));
    expect(decodeMessage(ok).additionals.map((x) => x.type)).toEqual([TYPE.A, TYPE.TSIG]);
    const bad = encodeMessage(message({ additionals: [tsig, a] }));
    expect(() => decodeMessage(bad)).toThrow(/TSIG/);
    const inAnswer = encodeMessage(message({ answers: [tsig] }));
    expect(() => decodeMessage(inAnswer)).toThrow(/TSIG/);
  });
});

describe('encodeMessage', () => {
  it('builds the header from flags, opcode and rcode and compresses names', () => {
    const m = message({
      flags: 0xffff, // every flag; opcode and rcode bits come from their fields
      opcode: OPCODE.QUERY,
      rcode: RCODE.NXDOMAIN,
      answers: [rr('www.example.test', TYPE.CNAME, 'web.example.test.')],
      authorities: [rr('example.test', TYPE.SOA, 'ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300')],
    });
    const buf = encodeMessage(m);
    expect(buf[2]).toBe(0x87);
    expect(buf[3]).toBe(0xf3);
    const d = decodeMessage(buf);
    expect(d.opcode).toBe(0);
    expect(d.rcode).toBe(RCODE.NXDOMAIN);
    expect(d.flags).toBe(0x87f3);
    expect(rdataToText(TYPE.SOA, d.authorities[0]!.rdata)).toBe('ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300');
    // question 18+4, answer: pointer owner (2) + 10 + "web" + pointer (6), SOA: pointer owner + 10 + 6 + 13 + 20
    expect(buf.length).toBe(12 + 22 + 18 + 2 + 10 + 6 + 13 + 20);
  });

  it('splits an extended RCODE into the header and the OPT', () => {
    const m = message({ rcode: RCODE.BADVERS, edns: { udpSize: 1232, extendedRcode: 0, version: 0, do: true, flags: 0, options: [] } });
    const buf = encodeMessage(m);
    expect(buf[3]! & 0xf).toBe(0);
    const d = decodeMessage(buf);
    expect(d.rcode).toBe(16);
    expect(d.edns).toEqual({ udpSize: 1232, extendedRcode: 1, version: 0, do: true, flags: 0x8000, options: [] });
    expect(() => encodeMessage(message({ rcode: 16 }))).toThrow(/needs EDNS/);
  });

  it('writes the OPT last, but before a final TSIG', () => {
    const tsig = rr('key.example.test', TYPE.TSIG, 'hmac-sha256. 1700000000 300 0 4660 0 0', 0, CLASS.ANY);
    const edns = { udpSize: 4096, extendedRcode: 0, version: 0, do: false, flags: 0, options: [{ code: 12, data: new Uint8Array(3) }] };
    const buf = encodeMessage(message({ additionals: [rr('ns1.example.test', TYPE.A, '192.0.2.53'), tsig], edns }));
    const dp = dnsPacket.decode(Buffer.from(buf));
    expect(dp.additionals!.map((a) => a.type)).toEqual(['A', 'OPT', 'TSIG']);
    const d = decodeMessage(buf);
    expect(d.additionals.map((a) => a.type)).toEqual([TYPE.A, TYPE.TSIG]);
    expect(d.edns!.options).toEqual([{ code: 12, data: new Uint8Array(3) }]);
  });

  it('throws when the message does not fit the limit', () => {
    const answers = Array.from({ length: 40 }, (_, i) => rr('www.example.test', TYPE.A, `192.0.2.${i}`));
    expect(() => encodeMessage(message({ answers }), 512)).toThrow(/does not fit in 512/);
    expect(encodeMessage(message({ answers })).length).toBe(34 + 40 * 16);
  });
});

// Records in dns-packet's decoded shape, and our presentation text of the same RDATA.
const ORACLE: { dp: dnsPacket.Answer; type: number; text: string }[] = [
  { dp: { type: 'A', name: 'www.example.test', ttl: 300, class: 'IN', data: '192.0.2.1' }, type: TYPE.A, text: '192.0.2.1' },
  { dp: { type: 'AAAA', name: 'www.example.test', ttl: 300, class: 'IN', data: '2001:db8::1' }, type: TYPE.AAAA, text: '2001:db8::1' },
  { dp: { type: 'NS', name: 'example.test', ttl: 86400, class: 'IN', data: 'ns1.example.test' }, type: TYPE.NS, text: 'ns1.example.test.' },
  { dp: { type: 'CNAME', name: 'alias.example.test', ttl: 60, class: 'IN', data: 'www.example.org' }, type: TYPE.CNAME, text: 'www.example.org.' },
  { dp: { type: 'PTR', name: '1.2.0.192.in-addr.arpa', ttl: 60, class: 'IN', data: 'host.example.test' }, type: TYPE.PTR, text: 'host.example.test.' },
  { dp: { type: 'DNAME', name: 'old.example.test', ttl: 60, class: 'IN', data: 'new.example.test' }, type: TYPE.DNAME, text: 'new.example.test.' },
  { dp: { type: 'MX', name: 'example.test', ttl: 300, class: 'IN', data: { preference: 10, exchange: 'mail.example.test' } }, type: TYPE.MX, text: '10 mail.example.test.' },
  { dp: { type: 'TXT', name: 'example.test', ttl: 300, class: 'IN', data: [Buffer.from('v=spf1 -all'), Buffer.from(''), Buffer.from('x'.repeat(255))] }, type: TYPE.TXT, text: `"v=spf1 -all" "" "${'x'.repeat(255)}"` },
  { dp: { type: 'SRV', name: '_sip._tcp.example.test', ttl: 300, class: 'IN', data: { priority: 10, weight: 60, port: 5060, target: 'sip.example.test' } }, type: TYPE.SRV, text: '10 60 5060 sip.example.test.' },
  {
    dp: { type: 'SOA', name: 'example.test', ttl: 3600, class: 'IN', data: { mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 } },
    type: TYPE.SOA,
    text: 'ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300',
  },
  { dp: { type: 'CAA', name: 'example.test', ttl: 300, class: 'IN', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org', issuerCritical: false } }, type: TYPE.CAA, text: '0 issue "letsencrypt.org"' },
  { dp: { type: 'CAA', name: 'example.test', ttl: 300, class: 'IN', data: { flags: 128, tag: 'iodef', value: 'mailto:security@example.test', issuerCritical: true } }, type: TYPE.CAA, text: '128 iodef "mailto:security@example.test"' },
  { dp: { type: 'DS', name: 'sub.example.test', ttl: 300, class: 'IN', data: { keyTag: 12345, algorithm: 13, digestType: 2, digest: Buffer.from(H(32, '2B'), 'hex') } }, type: TYPE.DS, text: `12345 13 2 ${H(32, '2B')}` },
  { dp: { type: 'DNSKEY', name: 'example.test', ttl: 300, class: 'IN', data: { flags: 257, algorithm: 13, key: Buffer.from('0123456789abcdef0123456789abcdef', 'hex') } }, type: TYPE.DNSKEY, text: '257 3 13 ASNFZ4mrze8BI0VniavN7w==' },
  {
    dp: { type: 'RRSIG', name: 'www.example.test', ttl: 300, class: 'IN', data: { typeCovered: 'A', algorithm: 13, labels: 3, originalTTL: 300, expiration: 1704164645, inception: 1701388800, keyTag: 12345, signersName: 'example.test', signature: Buffer.from('signature!') } },
    type: TYPE.RRSIG,
    text: 'A 13 3 300 20240102030405 20231201000000 12345 example.test. c2lnbmF0dXJlIQ==',
  },
  { dp: { type: 'NSEC', name: 'a.example.test', ttl: 300, class: 'IN', data: { nextDomain: 'c.example.test', rrtypes: ['A', 'MX', 'RRSIG', 'NSEC', 'CAA'] } }, type: TYPE.NSEC, text: 'c.example.test. A MX RRSIG NSEC CAA' },
  {
    dp: { type: 'NSEC3', name: 'h.example.test', ttl: 300, class: 'IN', data: { algorithm: 1, flags: 1, iterations: 0, salt: Buffer.from('aabb', 'hex'), nextDomain: Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex'), rrtypes: ['A', 'RRSIG'] } },
    type: TYPE.NSEC3,
    text: '1 1 0 AABB 04hkaps9lf6uu0938ljojaudts0i6hb7 A RRSIG',
  },
  { dp: { type: 'SSHFP', name: 'host.example.test', ttl: 300, class: 'IN', data: { algorithm: 4, hash: 2, fingerprint: H(32, '9F') } }, type: TYPE.SSHFP, text: `4 2 ${H(32, '9F')}` },
  { dp: { type: 'TLSA', name: '_443._tcp.www.example.test', ttl: 300, class: 'IN', data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.from(H(32, '0D'), 'hex') } }, type: TYPE.TLSA, text: `3 1 1 ${H(32, '0D')}` },
] as never;

describe('dns-packet as oracle', () => {
  const dpPacket = (): dnsPacket.Packet => ({
    id: 4242,
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name: 'www.example.test', class: 'IN' }],
    answers: ORACLE.map((o) => o.dp),
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, options: [{ code: 65001, data: Buffer.from([1, 2, 3]) }] } as never],
  });

  it('decodes what dns-packet encodes', () => {
    const m = decodeMessage(dnsPacket.encode(dpPacket()));
    expect(m.id).toBe(4242);
    expect(m.flags & FLAG.QR).toBe(FLAG.QR);
    expect(m.flags & FLAG.AA).toBe(FLAG.AA);
    expect(m.answers).toHaveLength(ORACLE.length);
    for (const [i, o] of ORACLE.entries()) {
      const a = m.answers[i]!;
      expect(a.type).toBe(o.type);
      expect(wireToName(a.name)).toBe((o.dp as { name: string }).name);
      expect(a.ttl).toBe((o.dp as { ttl: number }).ttl);
      expect(rdataToText(a.type, a.rdata)).toBe(o.text);
    }
    expect(m.edns).toEqual({ udpSize: 1232, extendedRcode: 0, version: 0, do: true, flags: 0x8000, options: [{ code: 65001, data: Uint8Array.from([1, 2, 3]) }] });
  });

  it('encodes what dns-packet decodes the same as its own encoding', () => {
    const theirs = dnsPacket.decode(dnsPacket.encode(dpPacket()));
    const ours = encodeMessage(
      message({
        id: 4242,
        flags: FLAG.QR | FLAG.AA | FLAG.RD,
        answers: ORACLE.map((o) => {
          const dp = o.dp as { name: string; ttl: number };
          return rr(dp.name, o.type, o.text, dp.ttl);
        }),
        edns: { udpSize: 1232, extendedRcode: 0, version: 0, do: true, flags: 0, options: [{ code: 65001, data: Uint8Array.from([1, 2, 3]) }] },
      }),
    );
    const decoded = dnsPacket.decode(ours);
    expect(decoded.id).toBe(theirs.id);
    expect(decoded.flags).toBe(theirs.flags);
    expect(decoded.questions).toEqual(theirs.questions);
    expect(decoded.answers).toEqual(theirs.answers);
    expect(decoded.additionals).toEqual(theirs.additionals);
    // Compression makes ours smaller than dns-packet's (which does not compress).
    expect(ours.length).toBeLessThan(dnsPacket.encode(dpPacket()).length);
  });
});
