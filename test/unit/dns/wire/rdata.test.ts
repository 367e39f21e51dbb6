// RDATA per type: presentation text ↔ wire (the store's canonical forms read back exactly),
// validation of RDATA read from packets, RFC 3597 generic form, canonical form (RFC 4034 6.2).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRdata, parseRdataText } from '../../../../src/core/records/record-types.js';
import { ALIAS_TYPE, TYPE, typeCode } from '../../../../src/dns/wire/constants.js';
import { WireError } from '../../../../src/dns/wire/errors.js';
import { nameToWire } from '../../../../src/dns/wire/name.js';
import { canonicalRdata, checkRdata, compareRdata, rdataFromText, rdataNameOffsets, rdataToText, RDATA_TYPES, readRdata } from '../../../../src/dns/wire/rdata.js';
import { WireReader } from '../../../../src/dns/wire/reader.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const t = (mnemonic: string): number => typeCode(mnemonic)!;
const H = (octets: number, pair = 'AB'): string => pair.repeat(octets);

/** Read RDATA as from a packet: the bytes after a 12-octet header. */
function read(type: number, rdata: Uint8Array, prefix: Uint8Array = new Uint8Array(12)): Uint8Array {
  const buf = new Uint8Array(prefix.length + rdata.length);
  buf.set(prefix);
  buf.set(rdata, prefix.length);
  const r = new WireReader(buf, prefix.length);
  const out = readRdata(r, type, rdata.length);
  expect(r.offset).toBe(buf.length);
  return out;
}

// [type, canonical text, wire hex (optional)]
const ROUND_TRIPS: [string, string, string?][] = [
  ['A', '192.0.2.1', 'c0000201'],
  ['A', '0.0.0.0', '00000000'],
  ['NS', 'ns1.example.test.', '036e7331076578616d706c650474657374 00'],
  ['CNAME', 'hosting.example.net.'],
  ['CNAME', 'Mixed.Case.example.test.'],
  ['CNAME', 'weird\\032name\\046dot.example.org.'],
  ['SOA', 'ns1.example.org. john\\046doe.example.org. 2024010101 7200 3600 1209600 3600'],
  ['SOA', 'ns1.example.org. hostmaster.example.org. 4294967295 0 0 0 0'],
  ['PTR', 'www.example.org.'],
  ['MX', '10 mail.example.org.', '000a046d61696c076578616d706c65036f726700'],
  ['MX', '0 .', '000000'],
  ['TXT', '"v=spf1 include:_spf.example.net \\"quoted\\" -all"'],
  ['TXT', '""', '00'],
  ['TXT', '"a" "" "b c"', '016100 03622063'],
  ['TXT', '"semi;colon" "back\\\\slash" "\\000\\255\\127"'],
  ['TXT', `"${'x'.repeat(255)}" "${'y'.repeat(45)}"`],
  ['AAAA', '2001:db8::1', '20010db8000000000000000000000001'],
  ['AAAA', '::ffff:192.0.2.1'],
  ['AAAA', '2001:db8:0:1:1:1:1:1'],
  ['SRV', '10 60 5060 sip.example.org.', '000a003c13c4 03736970076578616d706c65036f726700'],
  ['SRV', '0 0 0 .'],
  ['DNAME', 'example.net.'],
  ['DS', `12345 13 2 ${H(32, '2B')}`],
  ['CDS', '0 0 0 00', '0000000000'],
  ['SSHFP', `4 2 ${H(32, '9F')}`],
  ['SSHFP', `1 1 ${H(20)}`],
  ['TLSA', `3 1 1 ${H(32, '0D')}`],
  ['TLSA', '3 0 0 308201'],
  ['RRSIG', 'A 13 2 3600 20240102030405 20231201000000 12345 example.org. dGVzdCBzaWduYXR1cmU='],
  ['RRSIG', 'TYPE65000 8 0 0 19700101000000 21060207062815 0 . AA=='],
  ['NSEC', 'host.example.org. A MX RRSIG NSEC TYPE1234'],
  ['NSEC', 'Host.Example.org. A'],
  ['NSEC', 'example.org.'],
  ['DNSKEY', '257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=='],
  ['CDNSKEY', '0 3 0 AA=='],
  ['NSEC3', '1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG'],
  ['NSEC3', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s'],
  ['NSEC3PARAM', '1 0 10 D399EAAB'],
  ['NSEC3PARAM', '1 0 0 -', '0100000000'],
  ['CAA', '0 issue "letsencrypt.org"', '000569737375656c657473656e63727970742e6f7267'],
  ['CAA', '128 issue "ca.example.net; account=230123"'],
  ['CAA', '0 iodef "mailto:security@example.org"'],
  ['CAA', '0 issue ""'],
  ['CAA', '0 tbs "\\000\\255 quote\\" x"'],
  ['SVCB', '1 dns.example.org. alpn=h2 dohpath=/dns-query{?dns}'],
  ['SVCB', '1 dns.example.org. alpn="a\\\\,b,h2"'],
  ['SVCB', '0 cdn.example.net.', '0000 0363646e076578616d706c65036e657400'],
  ['HTTPS', '1 . alpn=h3,h2 port=443 ipv4hint=192.0.2.10'],
  ['HTTPS', '1 . mandatory=alpn,ipv4hint alpn=h2 no-default-alpn ipv4hint=192.0.2.1,192.0.2.2 ech=AEP+DQA= ipv6hint=2001:db8::1,2001:db8::2 key65000 key65001=opaque key65002="with space"'],
  ['HTTPS', '1 svc.example.test. port=0'],
  ['TSIG', 'hmac-sha256. 1700000000 300 32 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA= 4660 0 0'],
  ['TSIG', 'hmac-sha256. 281474976710655 0 0 65535 18 6 AAECAwQF'],
  ['OPT', ''],
  ['OPT', '10:0011223344556677 12:'],
];

describe('rdataFromText / rdataToText round trips', () => {
  it.each(ROUND_TRIPS)('%s %s', (type, text, wireHex) => {
    const code = t(type);
    const wire = rdataFromText(code, text);
    if (wireHex !== undefined) expect(hex(wire)).toBe(wireHex.replace(/\s+/g, ''));
    expect(rdataToText(code, wire)).toBe(text);
    checkRdata(code, wire);
    expect(read(code, wire)).toEqual(wire);
  });

  it('covers every type of the descriptor table', () => {
    const covered = new Set(ROUND_TRIPS.map(([type]) => t(type)));
    for (const code of RDATA_TYPES.keys()) expect(covered.has(code)).toBe(true);
  });

  it.each([
    ['AAAA', '2001:DB8:0:0::10', '2001:db8::10'],
    ['CNAME', 'www.example.org', 'www.example.org.'],
    ['MX', '10   mail.example.org.', '10 mail.example.org.'],
    ['TXT', 'unquoted\\032text', '"unquoted text"'],
    ['TXT', '( "a"\n  "b" ) ; comment', '"a" "b"'],
    ['DS', `1 ED25519 2 ${H(16, 'ab')} ${H(16, 'ab')}`, `1 15 2 ${H(32)}`],
    ['DNSKEY', '256 3 ECDSAP256SHA256 AAAA AAAA', '256 3 13 AAAAAAAA'],
    ['DNSKEY', '256 3 13 AAB=', '256 3 13 AAA='],
    ['RRSIG', 'a 13 2 3600 1704164645 1701388800 12345 Example.ORG. AAAA', 'A 13 2 3600 20240102030405 20231201000000 12345 Example.ORG. AAAA'],
    ['NSEC', 'a.example. RRSIG A a', 'a.example. A RRSIG'],
    ['NSEC3', '1 1 12 aabbccdd 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR', '1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
    ['CAA', '0 ISSUE letsencrypt.org', '0 ISSUE "letsencrypt.org"'],
    ['HTTPS', '1 . IPV4HINT=192.0.2.1 Alpn="h2" key3=443', '1 . alpn=h2 port=443 ipv4hint=192.0.2.1'],
    ['HTTPS', '1 . mandatory=port,alpn alpn=h2 port=1', '1 . mandatory=alpn,port alpn=h2 port=1'],
    ['HTTPS', '1 . alpn=a\\\\,b', '1 . alpn="a\\\\,b"'],
    ['TSIG', 'hmac-md5.sig-alg.reg.int. 1 300 0 1 BADSIG 0', 'hmac-md5.sig-alg.reg.int. 1 300 0 1 16 0'],
    ['SRV', '0 5 5060 \\083IP.example.org.', '0 5 5060 SIP.example.org.'],
  ])('%s %j reads as %j', (type, input, output) => {
    expect(rdataToText(t(type), rdataFromText(t(type), input))).toBe(output);
  });

  it('writes the NSEC3 hash in base32hex (RFC 4648 test vectors, lowercase, no padding)', () => {
    const vectors: [string, string][] = [['f', 'co'], ['fo', 'cpng'], ['foo', 'cpnmu'], ['foob', 'cpnmuog'], ['fooba', 'cpnmuoj1'], ['foobar', 'cpnmuoj1e8']];
    for (const [plain, b32] of vectors) {
      const raw = Buffer.from(plain);
      const wire = Uint8Array.from([1, 0, 0, 0, 0, raw.length, ...raw]);
      expect(rdataToText(TYPE.NSEC3, wire)).toBe(`1 0 0 - ${b32}`);
      expect(rdataFromText(TYPE.NSEC3, `1 0 0 - ${b32.toUpperCase()}`)).toEqual(wire);
    }
  });

  it('treats 65401 (zonekeeper ALIAS, private use) as an unknown type on the wire', () => {
    expect(rdataToText(ALIAS_TYPE, Uint8Array.of(1, 2))).toBe('\\# 2 0102');
    expect(() => rdataFromText(ALIAS_TYPE, 'lb.example.net.')).toThrow(/RFC 3597/);
  });
});

describe('the store canonical RDATA reads back exactly', () => {
  // Zone-file RDATA parsed by core (relative names, units, mnemonics) → canonical text.
  const ZONE: [string, string][] = [
    ['A', '192.0.2.10'],
    ['AAAA', '2001:DB8:0:0::10'],
    ['AAAA', '::FFFF:192.0.2.1'],
    ['CNAME', 'Weird\\ Name'],
    ['CNAME', '*.wild'],
    ['NS', 'ns1.example.org.'],
    ['PTR', 'host'],
    ['MX', '10 mail'],
    ['MX', '0 .'],
    ['SRV', '0 5 5060 sip'],
    ['TXT', '"a b" c'],
    ['TXT', '"" "x\\"y" "\\195\\164"'],
    ['TXT', `"${'z'.repeat(255)}"`],
    ['CAA', '0 issue letsencrypt.org'],
    ['CAA', '128 ISSUE "ca.example.net; account=230123"'],
    ['CAA', '0 iodef "mailto:security@example.org"'],
    ['CAA', '0 contactphone "+1 (555) 123-4567"'],
    ['SVCB', '1 svc port=53'],
    ['SVCB', '1 dns alpn=h2 dohpath=/dns-query{?dns}'],
    ['HTTPS', '1 . alpn=h3,h2 ipv4hint=192.0.2.10 port=443'],
    ['HTTPS', '1 . alpn="a\\\\,b,h2" ech="AEP+DQA="'],
    ['HTTPS', '1 . mandatory=ipv6hint,alpn alpn=h2 ipv6hint=2001:DB8::1 no-default-alpn'],
    ['HTTPS', '0 cdn.example.net.'],
    ['HTTPS', '2 . key65000="x y" key9'],
    ['DS', `1 ED25519 2 ( ${H(16, 'ab')}\n ${H(16, 'ab')} )`],
    ['TLSA', `3 1 1 ${H(32, '0d')}`],
    ['TLSA', '3 1 0 30820122'],
    ['SSHFP', `4 2 ${H(32, '9f')}`],
    ['SOA', 'ns1 hostmaster 1 2h 1h 1w 300'],
    ['SOA', 'ns1.example.org. john\\.doe.example.org. ( 2024010101 7200 3600 1209600 3600 )'],
  ];

  it.each(ZONE)('%s %s', (type, text) => {
    const parsed = parseRdataText(type, text, 'example.org');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const wire = rdataFromText(t(type), parsed.rdata);
    expect(rdataToText(t(type), wire)).toBe(parsed.rdata);
  });

  it('HostUp API input (TXT split at 255 octets, UTF-8, quotes)', () => {
    const values = ['plain', '', 'v=spf1 include:_spf.example.net "quoted" -all', 'x'.repeat(300), 'ä'.repeat(200), 'back\\slash;semi(paren)', '"a" "b"'];
    for (const value of values) {
      const built = buildRdata({ type: 'TXT', value });
      expect(built.ok).toBe(true);
      if (!built.ok) continue;
      expect(rdataToText(TYPE.TXT, rdataFromText(TYPE.TXT, built.rdata))).toBe(built.rdata);
    }
  });

  it('random TXT values round trip through the store form (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 700 }), (value) => {
        const built = buildRdata({ type: 'TXT', value });
        fc.pre(built.ok);
        if (!built.ok) return;
        const wire = rdataFromText(TYPE.TXT, built.rdata);
        expect(rdataToText(TYPE.TXT, wire)).toBe(built.rdata);
        expect(read(TYPE.TXT, wire)).toEqual(wire);
      }),
      { numRuns: 200 },
    );
  });

  it('random CAA values round trip through the store form (property)', () => {
    const tag = fc.stringMatching(/^[a-z0-9]{1,15}$/).filter((s) => !['issue', 'issuewild', 'issuemail', 'iodef'].includes(s));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), tag, fc.uint8Array({ maxLength: 300 }), (flags, tg, value) => {
        const quoted = `"${[...value].map((b) => `\\${String(b).padStart(3, '0')}`).join('')}"`;
        const parsed = parseRdataText('CAA', `${flags} ${tg} ${quoted}`, 'example.org');
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const wire = rdataFromText(TYPE.CAA, parsed.rdata);
        expect(rdataToText(TYPE.CAA, wire)).toBe(parsed.rdata);
      }),
      { numRuns: 200 },
    );
  });
});

describe('rdataFromText refuses malformed text', () => {
  it.each([
    ['A', '192.0.2', /IPv4/],
    ['A', '192.0.2.01', /IPv4/],
    ['A', '192.0.2.1 192.0.2.2', /unexpected field/],
    ['A', '', /IPv4/],
    ['AAAA', '2001:db8::g', /IPv6/],
    ['AAAA', '192.0.2.1', /IPv6/],
    ['NS', '"ns1.example.org."', /quoted/],
    ['NS', '@', /origin/],
    ['NS', 'a..example.org.', /empty label/],
    ['CNAME', `${'a'.repeat(64)}.example.org.`, /longer than 63/],
    ['MX', '65536 mail.example.org.', /at most 65535/],
    ['MX', '-1 mail.example.org.', /decimal/],
    ['MX', '10', /missing/],
    ['SOA', 'ns1.example.org. hostmaster.example.org. 4294967296 1 1 1 1', /at most/],
    ['SOA', 'ns1.example.org. hostmaster.example.org. 1 2h 1 1 1', /decimal/],
    ['TXT', '', /at least one/],
    ['TXT', `"${'x'.repeat(256)}"`, /longer than 255/],
    ['TXT', '"unclosed', /malformed/],
    ['TXT', 'a"b', /quote/],
    ['SRV', '1 2 3', /missing/],
    ['DS', '1 13 2 ABC', /even number of hex/],
    ['DS', '1 13 2 XY', /hex/],
    ['DS', '1 NOPE 2 AB', /algorithm/],
    ['DNSKEY', '257 3 13 AAA', /base64/],
    ['DNSKEY', '257 3 13 AA=A', /base64/],
    ['RRSIG', 'NOTATYPE 13 2 3600 20240102030405 20231201000000 1 example.org. AA==', /not an RR type/],
    ['RRSIG', 'A 13 2 3600 20241302030405 20231201000000 1 example.org. AA==', /not a valid/],
    ['RRSIG', 'A 13 2 3600 20240230000000 20231201000000 1 example.org. AA==', /not a valid/],
    ['RRSIG', 'A 13 2 3600 21060207062816 20231201000000 1 example.org. AA==', /not a valid/],
    ['NSEC', 'a.example. A BOGUS', /not an RR type/],
    ['NSEC3', '1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bo A', /base32hex/],
    ['NSEC3', '1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojw A', /base32hex/],
    ['NSEC3', '1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22boj A', /padding bits/],
    ['NSEC3PARAM', '1 0 10', /salt is missing/],
    ['NSEC3PARAM', `1 0 10 ${H(256)}`, /longer than 255/],
    ['CAA', '0 is-sue "x"', /letters and digits/],
    ['CAA', '256 issue "x"', /at most 255/],
    ['CAA', '0 issue', /missing/],
    ['SVCB', '1 svc.example.org. bogus=1', /not known/],
    ['SVCB', '1 svc.example.org. key65535=1', /reserved/],
    ['SVCB', '1 svc.example.org. port=1 port=2', /twice/],
    ['SVCB', '1 svc.example.org. port=65536', /at most 65535/],
    ['SVCB', '1 svc.example.org. port', /needs a value/],
    ['SVCB', '1 svc.example.org. alpn=h2,,h3', /protocol ids/],
    ['SVCB', '1 svc.example.org. no-default-alpn=x', /no value/],
    ['SVCB', '1 svc.example.org. mandatory=mandatory', /itself/],
    ['SVCB', '1 svc.example.org. mandatory=port,port', /twice/],
    ['SVCB', '1 svc.example.org. ipv4hint=192.0.2.1,2001:db8::1', /IPv4/],
    ['SVCB', '1 svc.example.org. ipv6hint=192.0.2.1', /IPv6/],
    ['SVCB', '1 svc.example.org. ech=***', /base64/],
    ['TSIG', 'hmac-sha256. 281474976710656 300 0 1 0 0', /at most/],
    ['TSIG', 'hmac-sha256. 1 300 4 AAAAAAAA 1 0 0', /length says 4/],
    ['OPT', '10', /code:HEX/],
    ['OPT', '10:0', /even number/],
  ])('%s %j', (type, text, re) => {
    expect(() => rdataFromText(t(type), text)).toThrow(WireError);
    expect(() => rdataFromText(t(type), text)).toThrow(re);
  });

  it('refuses RDATA over 65535 octets', () => {
    const strings = Array.from({ length: 260 }, () => `"${'x'.repeat(255)}"`).join(' ');
    expect(() => rdataFromText(TYPE.TXT, strings)).toThrow(/65535/);
  });
});

describe('RFC 3597 generic form', () => {
  it('is the text of unknown types, both ways', () => {
    expect(rdataToText(65280, unhex('0102ff'))).toBe('\\# 3 0102FF');
    expect(rdataToText(65280, new Uint8Array(0))).toBe('\\# 0');
    expect(rdataFromText(65280, '\\# 3 01 02ff')).toEqual(unhex('0102ff'));
    expect(rdataFromText(65280, '\\# 0')).toEqual(new Uint8Array(0));
    expect(rdataFromText(13, '\\# 4 ( 0102\n 0304 )')).toEqual(unhex('01020304'));
  });

  it('is accepted for known types and validated against their layout', () => {
    expect(rdataFromText(TYPE.A, '\\# 4 C0000201')).toEqual(unhex('c0000201'));
    expect(rdataToText(TYPE.MX, rdataFromText(TYPE.MX, '\\# 3 000A00'))).toBe('10 .');
    expect(() => rdataFromText(TYPE.A, '\\# 3 C00002')).toThrow(WireError);
    expect(() => rdataFromText(TYPE.TXT, '\\# 2 0561')).toThrow(WireError);
  });

  it.each([
    ['\\# 2 0102FF', /length says 2/],
    ['\\# 1', /length says 1/],
    ['\\# x 01', /decimal/],
    ['\\# 1 0', /even number/],
    ['01 02', /RFC 3597/],
  ])('refuses %j', (text, re) => {
    expect(() => rdataFromText(65280, text)).toThrow(re);
  });
});

describe('readRdata (RDATA from a packet)', () => {
  const base = nameToWire('example.org'); // written at offset 12 in these packets
  const packet = (...after: number[]): Uint8Array => Uint8Array.from([...new Array<number>(12).fill(0), ...base, ...after]);

  it('decompresses names in MX, SOA, NS, CNAME, PTR, SRV and DNAME', () => {
    // MX 10 mail.<ptr to example.org>
    const mx = packet(0, 10, 4, ...Buffer.from('mail'), 0xc0, 12);
    const r = new WireReader(mx, 25);
    expect(rdataToText(TYPE.MX, readRdata(r, TYPE.MX, 9))).toBe('10 mail.example.org.');
    // SOA with both names compressed, the second against the first's label.
    const soa = packet(3, ...Buffer.from('ns1'), 0xc0, 12, 0xc0, 12, ...new Array<number>(20).fill(0));
    expect(rdataToText(TYPE.SOA, readRdata(new WireReader(soa, 25), TYPE.SOA, 28))).toBe('ns1.example.org. example.org. 0 0 0 0 0');
    for (const type of [TYPE.NS, TYPE.CNAME, TYPE.PTR, TYPE.DNAME]) {
      expect(rdataToText(type, readRdata(new WireReader(packet(0xc0, 12), 25), type, 2))).toBe('example.org.');
    }
    const srv = packet(0, 1, 0, 2, 0, 3, 0xc0, 12);
    expect(rdataToText(TYPE.SRV, readRdata(new WireReader(srv, 25), TYPE.SRV, 8))).toBe('1 2 3 example.org.');
  });

  it('refuses compression where RFC 3597 forbids it', () => {
    for (const [type, pre] of [
      [TYPE.NSEC, []],
      [TYPE.SVCB, [0, 1]],
      [TYPE.HTTPS, [0, 1]],
      [TYPE.RRSIG, [0, 1, 13, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
      [TYPE.TSIG, []],
    ] as [number, number[]][]) {
      const buf = packet(...pre, 0xc0, 12);
      expect(() => readRdata(new WireReader(buf, 25), type, pre.length + 2)).toThrow(/may not be compressed/);
    }
  });

  it('keeps the case of names and returns a copy', () => {
    const wire = rdataFromText(TYPE.MX, '10 Mail.EXAMPLE.org.');
    const buf = Uint8Array.from([...new Array<number>(12).fill(0), ...wire]);
    const got = readRdata(new WireReader(buf, 12), TYPE.MX, wire.length);
    expect(got).toEqual(wire);
    buf[12] = 0xff;
    expect(got[0]).toBe(0);
  });

  it.each([
    ['A of 3 octets', 'A', 'c00002'],
    ['A of 5 octets', 'A', 'c000020101'],
    ['AAAA of 15 octets', 'AAAA', '20010db800000000000000000000000'.padEnd(30, '0')],
    ['empty TXT', 'TXT', ''],
    ['a TXT string past the end', 'TXT', '0561626364'],
    ['MX without a name', 'MX', '000a'],
    ['MX with a truncated name', 'MX', '000a046d61696c'],
    ['MX with octets after the name', 'MX', '000a0000'],
    ['NS with a name past RDLENGTH', 'NS', '0161'],
    ['SOA without timers', 'SOA', '0000 00000001000000020000000300000004'],
    ['SRV too short', 'SRV', '000100020003'],
    ['CAA with an empty tag', 'CAA', '0000'],
    ['CAA with a tag past the end', 'CAA', '000569737375'],
    ['CAA with a non-alphanumeric tag', 'CAA', '00026a2d'],
    ['DS without a digest type', 'DS', '00010d'],
    ['NSEC with windows out of order', 'NSEC', '00 0101 40 0001 40'],
    ['NSEC with a repeated window', 'NSEC', '00 0001 40 0001 40'],
    ['NSEC with an empty window', 'NSEC', '00 0000'],
    ['NSEC with a 33-octet window', 'NSEC', `00 0021 ${'40'.repeat(33)}`],
    ['NSEC with a trailing zero octet', 'NSEC', '00 000240 00'],
    ['NSEC with a window past the end', 'NSEC', '00 000340 00'],
    ['NSEC3 with an empty hash', 'NSEC3', '01000000 00 00'],
    ['NSEC3 with a salt past the end', 'NSEC3', '01000000 05 00'],
    ['NSEC3PARAM with trailing octets', 'NSEC3PARAM', '01000000 00 00'],
    ['SVCB with keys out of order', 'SVCB', '0001 00 0003 0002 0035 0001 0002 0268 32'],
    ['SVCB with a repeated key', 'SVCB', '0001 00 0003 0002 0035 0003 0002 0035'],
    ['SVCB with a value past the end', 'SVCB', '0001 00 0003 0004 0035'],
    ['SVCB port of 1 octet', 'SVCB', '0001 00 0003 0001 35'],
    ['SVCB mandatory listing itself', 'SVCB', '0001 00 0000 0002 0000'],
    ['SVCB mandatory out of order', 'SVCB', '0001 00 0000 0004 0003 0001'],
    ['SVCB mandatory of odd length', 'SVCB', '0001 00 0000 0001 00'],
    ['SVCB alpn with an empty id', 'SVCB', '0001 00 0001 0001 00'],
    ['SVCB alpn with an id past the value', 'SVCB', '0001 00 0001 0002 0268'],
    ['SVCB no-default-alpn with a value', 'SVCB', '0001 00 0002 0001 00'],
    ['SVCB ipv4hint of 5 octets', 'SVCB', '0001 00 0004 0005 c000020100'],
    ['SVCB empty ipv6hint', 'SVCB', '0001 00 0006 0000'],
    ['SVCB empty ech', 'SVCB', '0001 00 0005 0000'],
    ['SVCB key65535', 'SVCB', '0001 00 ffff 0000'],
    ['SVCB with half a param header', 'SVCB', '0001 00 0003'],
    ['TSIG with a MAC past the end', 'TSIG', '00 000000000001 012c 0010 00'],
    ['OPT with an option past the end', 'OPT', '000a 0008 0011'],
    ['OPT with half an option header', 'OPT', '000a00'],
    ['RRSIG without a signer', 'RRSIG', '0001 0d 02 00000e10 00000000 00000000 3039'],
  ])('refuses %s', (_what, type, h) => {
    const wire = unhex(h);
    expect(() => read(t(type), wire)).toThrow(WireError);
    expect(() => checkRdata(t(type), wire)).toThrow(WireError);
    expect(() => rdataToText(t(type), wire)).toThrow(WireError);
  });

  it('accepts empty hex and base64 fields and writes them without a token', () => {
    const ds = unhex('00010d02');
    expect(rdataToText(TYPE.DS, read(TYPE.DS, ds))).toBe('1 13 2');
    expect(rdataFromText(TYPE.DS, '1 13 2')).toEqual(ds);
    expect(rdataToText(TYPE.SVCB, read(TYPE.SVCB, unhex('0001 00 fde8 0000')))).toBe('1 . key65000');
  });

  it('refuses an RDLENGTH past the end of the message', () => {
    const r = new WireReader(unhex('c0000201'));
    expect(() => readRdata(r, TYPE.A, 5)).toThrow(/RDLENGTH/);
    expect(() => readRdata(new WireReader(unhex('c00002')), 65280, 4)).toThrow(/RDLENGTH/);
  });

  it('reads unknown types as opaque octets', () => {
    expect(read(65280, unhex('00ff00'))).toEqual(unhex('00ff00'));
    expect(read(65280, new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('random octets never throw anything but WireError (property)', () => {
    const types = [...RDATA_TYPES.keys(), 65280];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 80 }), (type, data) => {
        let wire: Uint8Array;
        try {
          wire = read(type, data);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
          return;
        }
        // What reads fine converts to text and back to the same octets.
        expect(rdataFromText(type, rdataToText(type, wire))).toEqual(wire);
        expect(canonicalRdata(type, wire).length).toBe(wire.length);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('canonical form (RFC 4034 6.2, RFC 6840 5.1)', () => {
  const canon = (type: string, text: string): string => rdataToText(t(type), canonicalRdata(t(type), rdataFromText(t(type), text)));

  it('lowercases names in NS, CNAME, SOA, PTR, MX, SRV, DNAME and RRSIG', () => {
    expect(canon('NS', 'NS1.Example.ORG.')).toBe('ns1.example.org.');
    expect(canon('CNAME', 'WWW.Example.ORG.')).toBe('www.example.org.');
    expect(canon('SOA', 'NS1.Example.ORG. Host\\.Master.Example.ORG. 1 2 3 4 5')).toBe('ns1.example.org. host\\046master.example.org. 1 2 3 4 5');
    expect(canon('PTR', 'Host.Example.ORG.')).toBe('host.example.org.');
    expect(canon('MX', '10 MAIL.Example.ORG.')).toBe('10 mail.example.org.');
    expect(canon('SRV', '1 2 3 SIP.Example.ORG.')).toBe('1 2 3 sip.example.org.');
    expect(canon('DNAME', 'Example.NET.')).toBe('example.net.');
    expect(canon('RRSIG', 'A 13 2 3600 20240102030405 20231201000000 1 Example.ORG. QUJD')).toBe('A 13 2 3600 20240102030405 20231201000000 1 example.org. QUJD');
  });

  it('keeps the case of the NSEC next name, SVCB targets and other data', () => {
    expect(canon('NSEC', 'Host.Example.ORG. A')).toBe('Host.Example.ORG. A');
    expect(canon('SVCB', '1 SVC.Example.ORG. alpn=H2')).toBe('1 SVC.Example.ORG. alpn=H2');
    expect(canon('TXT', '"ABC"')).toBe('"ABC"');
    expect(canon('CAA', '0 ISSUE "CA.Example"')).toBe('0 ISSUE "CA.Example"');
    // Octets that are not ASCII letters are untouched (only A-Z fold).
    expect(canon('CNAME', '\\196\\214.Example.')).toBe('\\196\\214.example.');
  });

  it('returns the input itself when the type has nothing to lowercase, a copy otherwise', () => {
    const txt = rdataFromText(TYPE.TXT, '"A"');
    expect(canonicalRdata(TYPE.TXT, txt)).toBe(txt);
    const mx = rdataFromText(TYPE.MX, '10 MAIL.example.');
    const c = canonicalRdata(TYPE.MX, mx);
    expect(c).not.toBe(mx);
    expect(rdataToText(TYPE.MX, mx)).toBe('10 MAIL.example.');
  });

  it('orders RDATA as unsigned octet strings (RFC 4034 6.3)', () => {
    const rd = ['192.0.2.10', '192.0.2.2', '192.0.2.1'].map((a) => rdataFromText(TYPE.A, a));
    expect(rd.sort(compareRdata).map((r) => rdataToText(TYPE.A, r))).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.10']);
    expect(compareRdata(unhex('00'), unhex('0000'))).toBeLessThan(0);
  });

  it('rdataNameOffsets finds the embedded names', () => {
    expect(rdataNameOffsets(TYPE.MX, rdataFromText(TYPE.MX, '10 mail.example.'))).toEqual([2]);
    expect(rdataNameOffsets(TYPE.SRV, rdataFromText(TYPE.SRV, '1 2 3 sip.example.'))).toEqual([6]);
    expect(rdataNameOffsets(TYPE.SOA, rdataFromText(TYPE.SOA, 'a. b. 1 2 3 4 5'))).toEqual([0, 3]);
    expect(rdataNameOffsets(TYPE.A, rdataFromText(TYPE.A, '192.0.2.1'))).toEqual([]);
  });
});
