// Zone-file codec: the parser's RFC 1035 5 features one by one, error lines, the writer's exact
// output, and the write → parse round trip (fixed cases and a fast-check property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Soa } from '../../src/core/model.js';
import { formatLabel } from '../../src/core/names.js';
import { buildRdata, type RecordInput } from '../../src/core/records/record-types.js';
import { parseZoneFile, type ZoneFileParseResult } from '../../src/core/zonefile/zonefile.parse.js';
import { writeZoneFile } from '../../src/core/zonefile/zonefile.write.js';

const ORIGIN = 'example.org';
const SOA_LINE = '@ 3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300';

function parse(text: string, opts: { defaultTtl?: number; maxRecords?: number } = {}): ZoneFileParseResult {
  return parseZoneFile(text, { origin: ORIGIN, ...opts });
}

/** Records as [name, ttl, type, rdata] for compact expectations. */
function rows(r: ZoneFileParseResult): [string, number, string, string][] {
  return r.records.map((x) => [x.name, x.ttl, x.type, x.rdata]);
}

function ok(text: string, opts: { defaultTtl?: number } = {}): [string, number, string, string][] {
  const r = parse(text, opts);
  expect(r.errors).toEqual([]);
  return rows(r);
}

describe('parseZoneFile: features', () => {
  it('reads the SOA into `soa`, not into records', () => {
    const r = parse(`${SOA_LINE}\nwww 300 IN A 192.0.2.1\n`);
    expect(r.errors).toEqual([]);
    expect(r.soa).toEqual({
      name: 'example.org', ttl: 3600, mname: 'ns1.example.org', rname: 'hostmaster.example.org',
      serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300,
    });
    expect(rows(r)).toEqual([['www.example.org', 300, 'A', '192.0.2.1']]);
    expect(r.records[0]!.line).toBe(2);
  });

  it('accepts an origin with a trailing dot and in upper case', () => {
    const r = parseZoneFile('www 60 A 192.0.2.1', { origin: 'EXAMPLE.org.' });
    expect(rows(r)).toEqual([['www.example.org', 60, 'A', '192.0.2.1']]);
  });

  it('resolves @, relative and absolute names, lowercasing them', () => {
    expect(ok('@ 60 A 192.0.2.1\nWWW 60 A 192.0.2.2\nMail.Example.ORG. 60 A 192.0.2.3\n@ 60 MX 10 mx\n@ 60 CNAME @')).toEqual([
      ['example.org', 60, 'A', '192.0.2.1'],
      ['www.example.org', 60, 'A', '192.0.2.2'],
      ['mail.example.org', 60, 'A', '192.0.2.3'],
      ['example.org', 60, 'MX', '10 mx.example.org.'],
      ['example.org', 60, 'CNAME', 'example.org.'],
    ]);
  });

  it('$ORIGIN changes the origin, absolute or relative to the current one', () => {
    expect(ok('$ORIGIN sub.example.org.\nwww 60 A 192.0.2.1\n$ORIGIN deeper\n@ 60 A 192.0.2.2\nx 60 CNAME y')).toEqual([
      ['www.sub.example.org', 60, 'A', '192.0.2.1'],
      ['deeper.sub.example.org', 60, 'A', '192.0.2.2'],
      ['x.deeper.sub.example.org', 60, 'CNAME', 'y.deeper.sub.example.org.'],
    ]);
  });

  it('$TTL applies to records without a TTL, with BIND units', () => {
    expect(ok('$TTL 1h\na A 192.0.2.1\n$ttl 1h30m\nb A 192.0.2.2\n$TTL 1W\nc A 192.0.2.3\n$TTL 2d\nd 45 A 192.0.2.4\ne A 192.0.2.5')).toEqual([
      ['a.example.org', 3600, 'A', '192.0.2.1'],
      ['b.example.org', 5400, 'A', '192.0.2.2'],
      ['c.example.org', 604800, 'A', '192.0.2.3'],
      ['d.example.org', 45, 'A', '192.0.2.4'],
      ['e.example.org', 172800, 'A', '192.0.2.5'],
    ]);
  });

  it('without $TTL an omitted TTL is the last explicit one (RFC 1035 5.1), else defaultTtl, else 3600', () => {
    expect(ok('a A 192.0.2.1\nb 120 A 192.0.2.2\nc A 192.0.2.3', { defaultTtl: 900 })).toEqual([
      ['a.example.org', 900, 'A', '192.0.2.1'],
      ['b.example.org', 120, 'A', '192.0.2.2'],
      ['c.example.org', 120, 'A', '192.0.2.3'],
    ]);
    expect(ok('a A 192.0.2.1')).toEqual([['a.example.org', 3600, 'A', '192.0.2.1']]);
  });

  it('TTL and class may come in either order, and both are optional', () => {
    expect(ok('a 60 IN A 192.0.2.1\nb IN 60 A 192.0.2.2\nc in A 192.0.2.3\nd 1m A 192.0.2.4')).toEqual([
      ['a.example.org', 60, 'A', '192.0.2.1'],
      ['b.example.org', 60, 'A', '192.0.2.2'],
      ['c.example.org', 60, 'A', '192.0.2.3'],
      ['d.example.org', 60, 'A', '192.0.2.4'],
    ]);
  });

  it('a line starting with a blank reuses the previous owner, also after a directive', () => {
    expect(ok('www 60 A 192.0.2.1\n  60 AAAA 2001:db8::1\n\t60 TXT "x"\n$TTL 30\n   A 192.0.2.2')).toEqual([
      ['www.example.org', 60, 'A', '192.0.2.1'],
      ['www.example.org', 60, 'AAAA', '2001:db8::1'],
      ['www.example.org', 60, 'TXT', '"x"'],
      ['www.example.org', 30, 'A', '192.0.2.2'],
    ]);
  });

  it('parentheses join lines; comments inside them are dropped; the line is the first one', () => {
    const r = parse(`@ IN SOA ns1.example.org. hostmaster.example.org. ( ; comment
        2024010101 ; serial
        2h         ; refresh
        1h 2w
        5m )
www 60 TXT ( "part one"
             "part two" )`);
    expect(r.errors).toEqual([]);
    expect(r.soa).toMatchObject({ serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300, ttl: 3600 });
    expect(r.records).toEqual([{ name: 'www.example.org', ttl: 60, type: 'TXT', rdata: '"part one" "part two"', line: 6 }]);
  });

  it('`;` starts a comment outside quotes only', () => {
    expect(ok('; a whole-line comment\ntxt 60 TXT "a;b" ; trailing comment\n   ; an indented comment\nx 60 A 192.0.2.1;no blank needed')).toEqual([
      ['txt.example.org', 60, 'TXT', '"a;b"'],
      ['x.example.org', 60, 'A', '192.0.2.1'],
    ]);
  });

  it('quoted strings keep blanks and escapes', () => {
    expect(ok('t 60 TXT "say \\"hi\\"" "back\\\\slash" "\\065\\066" plain\\ word "caf\\195\\169"')).toEqual([
      ['t.example.org', 60, 'TXT', '"say \\"hi\\"" "back\\\\slash" "AB" "plain word" "caf\\195\\169"'],
    ]);
  });

  it('names take \\DDD and \\X escapes', () => {
    expect(ok('\\065bc 60 A 192.0.2.1\na\\.b 60 A 192.0.2.2\nsp\\032ace 60 A 192.0.2.3\n\\@home 60 A 192.0.2.4\n*.wild 60 A 192.0.2.5')).toEqual([
      ['abc.example.org', 60, 'A', '192.0.2.1'],
      ['a\\046b.example.org', 60, 'A', '192.0.2.2'],
      ['sp\\032ace.example.org', 60, 'A', '192.0.2.3'],
      ['\\064home.example.org', 60, 'A', '192.0.2.4'],
      ['*.wild.example.org', 60, 'A', '192.0.2.5'],
    ]);
  });

  it('accepts CRLF line ends, blank lines and an empty file', () => {
    expect(ok('a 60 A 192.0.2.1\r\n\r\n\r\nb 60 A 192.0.2.2\r\n')).toEqual([
      ['a.example.org', 60, 'A', '192.0.2.1'],
      ['b.example.org', 60, 'A', '192.0.2.2'],
    ]);
    expect(parse('')).toEqual({ records: [], soa: null, errors: [] });
    expect(parse('\n; only a comment\n\n')).toEqual({ records: [], soa: null, errors: [] });
  });

  it('parses every supported type, with canonical RDATA', () => {
    const text = [
      'a 60 A 192.0.2.1', 'a 60 AAAA 2001:DB8:0:0::1', 'c 60 CNAME a', '@ 60 ALIAS lb.example.net.', '@ 60 MX 10 mx',
      '@ 60 TXT "v=spf1 -all"', '_sip._tcp 60 SRV 10 60 5060 sip', '@ 60 CAA 0 issue letsencrypt.org', '@ 60 NS ns1',
      '1.2 60 PTR host', `_443._tcp 60 TLSA 3 1 1 ${'ab'.repeat(32)}`, `a 60 SSHFP 4 2 ${'cd'.repeat(32)}`,
      '_dns 60 SVCB 1 doh alpn=h2 dohpath=/q{?dns}', '@ 60 HTTPS 1 . alpn="h3,h2"', `sub 60 DS 1 13 2 ${'ef'.repeat(32)}`,
    ].join('\n');
    expect(ok(text).map((r) => `${r[2]} ${r[3]}`)).toEqual([
      'A 192.0.2.1', 'AAAA 2001:db8::1', 'CNAME a.example.org.', 'ALIAS lb.example.net.', 'MX 10 mx.example.org.',
      'TXT "v=spf1 -all"', 'SRV 10 60 5060 sip.example.org.', 'CAA 0 issue "letsencrypt.org"', 'NS ns1.example.org.',
      'PTR host.example.org.', `TLSA 3 1 1 ${'AB'.repeat(32)}`, `SSHFP 4 2 ${'CD'.repeat(32)}`,
      'SVCB 1 doh.example.org. alpn=h2 dohpath=/q{?dns}', 'HTTPS 1 . alpn=h3,h2', `DS 1 13 2 ${'EF'.repeat(32)}`,
    ]);
  });
});

describe('parseZoneFile: errors', () => {
  it.each([
    ['$INCLUDE other.zone', '`$INCLUDE` is not supported; put the included records into this file.'],
    ['$GENERATE 1-10 host$ A 192.0.2.$', 'Unknown directive `$GENERATE`.'],
    ['$TTL', '`$TTL` takes exactly one argument.'],
    ['$TTL 1x', '`$TTL` must be a number of seconds (or BIND units such as `1h`) up to 2147483647.'],
    ['$ORIGIN bad..name.', '`$ORIGIN` is not a valid name: `bad..name.` a name may not contain an empty label.'],
    ['www 2147483648 A 192.0.2.1', 'The TTL `2147483648` must be a number of seconds (or BIND units such as `1h`) up to 2147483647.'],
    ['www 60 CH A 192.0.2.1', 'Only class IN is supported, not CH.'],
    ['www 60 HS TXT "x"', 'Only class IN is supported, not HS.'],
    ['   60 A 192.0.2.1', 'The first record needs an owner name.'],
    ['www 60 IN', 'The record has no type.'],
    ['www 60 SPF "v=spf1 -all"', 'Unknown record type `SPF`.'],
    ['www 60 TYPE65280 \\# 2 abcd', 'Record type TYPE65280 is not supported.'],
    ['www 60 A \\# 4 c0000201', 'The RFC 3597 generic form (`\\#`) is not supported for A records.'],
    ['www 60 A 192.0.2.1 192.0.2.2', 'The A record data must be a single IPv4 address.'],
    ['other.example.test. 60 A 192.0.2.1', 'The owner other.example.test is outside the zone example.org.'],
    ['example.org.evil.example. 60 A 192.0.2.1', 'The owner example.org.evil.example is outside the zone example.org.'],
    ['$ORIGIN example.net.\nwww 60 A 192.0.2.1', 'The owner www.example.net is outside the zone example.org.'],
    ['www 60 TXT "unclosed', 'A quoted string is not closed.'],
    ['www 60 TXT "unclosed\n', 'A quoted string is not closed on its line.'],
    ['www 60 TXT "a" )', 'A closing parenthesis has no opening one.'],
    ['www 60 TXT ( "a"', 'An opening parenthesis is never closed.'],
    ['www 60 TXT ( ( "a" ) )', 'Parentheses may not be nested.'],
    ['"quoted" 60 A 192.0.2.1', 'The owner name is not valid: a name cannot be a quoted string.'],
    ['www 60 MX 10 192.0.2.25.', 'The MX mail server must be a host name, not an IP address.'],
    ['www.example.org. 60 SOA ns1 hostmaster 1 2 3 4 5', 'The SOA record must be at the zone apex example.org, not www.example.org.'],
  ])('%j → %j', (text, detail) => {
    const r = parse(text);
    expect(r.records).toEqual([]);
    expect(r.errors.map((e) => e.detail)).toEqual([detail]);
  });

  it('reports a second SOA', () => {
    const r = parse(`${SOA_LINE}\n${SOA_LINE}`);
    expect(r.errors).toEqual([{ line: 2, detail: 'A zone has only one SOA record.' }]);
    expect(r.soa?.serial).toBe(2024010101);
  });

  it('keeps going after errors, reporting each line, and keeps the good records', () => {
    const text = ['a 60 A 192.0.2.1', 'b 60 A 192.0.2.300', 'c 60 A 192.0.2.3', '$INCLUDE x', 'd 60 TXT ( "multi', '  line" )', 'e 60 FOO x', 'f 60 A 192.0.2.6'].join('\n');
    const r = parse(text);
    expect(rows(r).map((x) => x[0])).toEqual(['a.example.org', 'c.example.org', 'f.example.org']);
    expect(r.records.map((x) => x.line)).toEqual([1, 3, 8]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 4, 5, 6, 7]);
  });

  it(`stops after 100 errors with a final note`, () => {
    const r = parse(Array.from({ length: 150 }, (_, i) => `h${i} 60 A bad`).join('\n'));
    expect(r.errors).toHaveLength(101);
    expect(r.errors[100]).toEqual({ line: 100, detail: 'Stopped after 100 errors.' });
  });

  it('stops with an error past maxRecords (the SOA not counted)', () => {
    const r = parse(`${SOA_LINE}\n${Array.from({ length: 5 }, (_, i) => `h${i} 60 A 192.0.2.${i + 1}`).join('\n')}`, { maxRecords: 3 });
    expect(r.records).toHaveLength(3);
    expect(r.soa).not.toBeNull();
    expect(r.errors).toEqual([{ line: 5, detail: 'The zone file has more than 3 records.' }]);
  });

  it('returns everything it parsed: apex NS and SOA are the caller’s policy', () => {
    const r = parse(`${SOA_LINE}\n@ 60 NS ns1.example.net.\n@ 60 NS ns2.example.net.`);
    expect(r.errors).toEqual([]);
    expect(rows(r).map((x) => x[2])).toEqual(['NS', 'NS']);
  });
});

const ZONE_SOA: Soa = { mname: 'ns1.example.org', rname: 'hostmaster.example.org', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300, ttl: 3600 };

describe('writeZoneFile', () => {
  const records = [
    { name: 'www.example.org', type: 'AAAA', ttl: 300, rdata: '2001:db8::1' },
    { name: 'www.example.org', type: 'A', ttl: 300, rdata: '192.0.2.2' },
    { name: 'www.example.org', type: 'A', ttl: 300, rdata: '192.0.2.10' },
    { name: 'example.org', type: 'TXT', ttl: 3600, rdata: '"v=spf1 -all"' },
    { name: 'example.org', type: 'MX', ttl: 3600, rdata: '10 mail.example.org.' },
    { name: 'example.org', type: 'NS', ttl: 3600, rdata: 'ns1.example.org.' },
    { name: '*.example.org', type: 'A', ttl: 60, rdata: '192.0.2.9' },
    { name: 'a.example.org', type: 'CAA', ttl: 60, rdata: '0 issue "letsencrypt.org"' },
    { name: 'z.a.example.org', type: 'A', ttl: 60, rdata: '192.0.2.7' },
  ];
  const expected = [
    '$ORIGIN example.org.',
    'example.org.\t3600\tIN\tSOA\tns1.example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 300',
    'example.org.\t3600\tIN\tNS\tns1.example.org.',
    'example.org.\t3600\tIN\tMX\t10 mail.example.org.',
    'example.org.\t3600\tIN\tTXT\t"v=spf1 -all"',
    '*.example.org.\t60\tIN\tA\t192.0.2.9',
    'a.example.org.\t60\tIN\tCAA\t0 issue "letsencrypt.org"',
    'z.a.example.org.\t60\tIN\tA\t192.0.2.7',
    'www.example.org.\t300\tIN\tA\t192.0.2.10',
    'www.example.org.\t300\tIN\tA\t192.0.2.2',
    'www.example.org.\t300\tIN\tAAAA\t2001:db8::1',
    '',
  ].join('\n');

  it('writes $ORIGIN, the SOA, then records in canonical order (name, type number, RDATA)', () => {
    expect(writeZoneFile({ name: 'example.org', soa: ZONE_SOA }, records)).toBe(expected);
  });

  it('round-trips through parseZoneFile', () => {
    const r = parse(writeZoneFile({ name: 'example.org', soa: ZONE_SOA }, records));
    expect(r.errors).toEqual([]);
    expect(r.soa).toEqual({ name: 'example.org', ...ZONE_SOA });
    const strip = (x: { name: string; type: string; ttl: number; rdata: string }) => ({ name: x.name, type: x.type, ttl: x.ttl, rdata: x.rdata });
    expect(r.records.map(strip)).toEqual(r.records.map(strip).sort(() => 0));
    expect(new Set(r.records.map((x) => JSON.stringify(strip(x))))).toEqual(new Set(records.map((x) => JSON.stringify(x))));
  });

  it('round-trips names and RDATA that need escapes', () => {
    const odd = [
      { name: 'a\\032b\\046c.example.org', type: 'TXT', ttl: 1, rdata: '"semi;colon" "(paren)" "\\"q\\"" "\\\\" "\\000\\255"' },
      { name: '\\064.example.org', type: 'CNAME', ttl: 0, rdata: 'x\\036y.example.org.' },
      { name: '\\036dollar.example.org', type: 'HTTPS', ttl: 2147483647, rdata: '1 . alpn="a\\\\,b,h2" key999="x y"' },
      { name: '\\059.example.org', type: 'CAA', ttl: 5, rdata: '0 tbs "a;b(c)"' },
    ];
    const r = parse(writeZoneFile({ name: 'example.org', soa: ZONE_SOA }, odd));
    expect(r.errors).toEqual([]);
    expect(r.records.map(({ line: _line, ...x }) => x)).toEqual(expect.arrayContaining(odd));
    expect(r.records).toHaveLength(odd.length);
  });
});

/** Arbitrary records built through the API layer (so the RDATA is canonical), under example.org. */
const label = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => formatLabel(b));
const owner = fc.array(label, { minLength: 0, maxLength: 3 }).map((ls) => [...ls, 'example', 'org'].join('.'));
const host = fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join('.')}.example.net`);
const u16 = fc.integer({ min: 0, max: 65535 });
const hexOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
const input: fc.Arbitrary<RecordInput> = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }).map((o) => ({ type: 'A', value: o.join('.') })),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => ({ type: 'AAAA', value: g.map((x) => x.toString(16)).join(':') })),
  host.map((h) => ({ type: 'CNAME', value: h })),
  host.map((h) => ({ type: 'NS', value: h })),
  fc.tuple(u16, host).map(([p, h]) => ({ type: 'MX', value: h, priority: p })),
  fc.tuple(u16, u16, u16, host).map(([p, w, port, h]) => ({ type: 'SRV', value: h, priority: p, weight: w, port })),
  fc.string({ unit: 'binary', maxLength: 600 }).map((t) => ({ type: 'TXT', value: t.startsWith('"') ? `x${t}` : t })),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((t) => ({ type: 'CAA', value: `0 tbs "${t.replace(/[\\"]/g, '\\$&')}"` })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 }), hexOf(32)).map(([u, s, h]) => ({ type: 'TLSA', value: `${u} ${s} 1 ${h}` })),
  fc.tuple(u16, hexOf(32)).map(([k, h]) => ({ type: 'DS', value: `${k} 13 2 ${h}` })),
  fc.tuple(fc.integer({ min: 1, max: 65535 }), host, u16).map(([p, h, port]) => ({ type: 'HTTPS', value: `${h} alpn=h2,h3 port=${port}`, priority: p })),
);
const record = fc.tuple(owner, input, fc.integer({ min: 0, max: 2 ** 31 - 1 })).map(([name, inp, ttl]) => {
  const r = buildRdata(inp);
  if (!r.ok) throw new Error(`generator built an invalid record: ${JSON.stringify([inp, r.errors])}`);
  return { name, type: inp.type, ttl, rdata: r.rdata };
});

describe('write → parse property', () => {
  it('parseZoneFile(writeZoneFile(zone, records)) gives back the same SOA and records', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 25 }), (recs) => {
        const text = writeZoneFile({ name: 'example.org', soa: ZONE_SOA }, recs);
        const r = parse(text);
        expect(r.errors).toEqual([]);
        expect(r.soa).toEqual({ name: 'example.org', ...ZONE_SOA });
        const key = (x: { name: string; type: string; ttl: number; rdata: string }) => JSON.stringify([x.name, x.type, x.ttl, x.rdata]);
        expect(r.records.map(key).sort()).toEqual(recs.map(key).sort());
        // Writing what was read gives the same text (the output is canonical).
        expect(writeZoneFile({ name: 'example.org', soa: ZONE_SOA }, r.records)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
