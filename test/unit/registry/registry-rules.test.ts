// Registrar-side rules, table-driven: nameserver sets (2-13, host names, duplicates, in-bailiwick
// glue from nsips or an existing host object, none for external ones), glue host objects (seed 000)
// and DNSSEC material (DS digest types and lengths, KEY protocol 3, assigned algorithms).
import { describe, expect, it } from 'vitest';
import { checkDnssecInput, checkGlueInput, checkNameserverSet } from '../../../src/core/registry/registry-rules.js';

const D = 'example.test';
const codes = (r: { errors: { pointer: string; code: string }[] }) => r.errors.map((e) => [e.pointer, e.code]);

describe('nameserver sets', () => {
  const none = new Map<string, string[]>();

  it('accepts 2-13 external host names, canonical and in order', () => {
    const r = checkNameserverSet(D, { nameservers: ['NS1.Example.NET.', 'ns2.example.net'] }, none);
    expect(r.errors).toEqual([]);
    expect(r.entries).toEqual([
      { name: 'ns1.example.net', inBailiwick: false, addresses: null },
      { name: 'ns2.example.net', inBailiwick: false, addresses: null },
    ]);
    const thirteen = Array.from({ length: 13 }, (_, i) => `ns${i}.example.net`);
    expect(checkNameserverSet(D, { nameservers: thirteen }, none).errors).toEqual([]);
  });

  it.each([
    [{ nameservers: ['ns1.example.net'] }, [['/nameservers', 'too_short']]],
    [{ nameservers: Array.from({ length: 14 }, (_, i) => `ns${i}.example.net`) }, [['/nameservers', 'too_long']]],
    [{}, [['/nameservers', 'required']]],
    [{ nameservers: 'ns1.example.net' }, [['/nameservers', 'invalid_type']]],
    [{ nameservers: ['ns1.example.net', 'NS1.example.net'] }, [['/nameservers/1', 'duplicate']]],
    [{ nameservers: ['ns1.example.net', 'localhost'] }, [['/nameservers/1', 'invalid_value']]],
    [{ nameservers: ['ns1.example.net', 'bad..name'] }, [['/nameservers/1', 'invalid_format']]],
    [{ nameservers: ['ns1.example.net', 42] }, [['/nameservers/1', 'invalid_type']]],
    [{ nameservers: ['ns1.example.net', '192.0.2.1'] }, [['/nameservers/1', 'invalid_value']]],
    [{ nameservers: ['ns1.example.net', 'ns2.example.net'], nsips: ['192.0.2.1'] }, [['/nsips/0', 'not_allowed']]],
    [{ nameservers: ['ns1.example.test', 'ns2.example.net'] }, [['/nsips/0', 'required']]],
    [{ nameservers: ['ns1.example.test', 'ns2.example.net'], nsips: [['10.0.0.1']] }, [['/nsips/0/0', 'invalid_value']]],
    [{ nameservers: ['ns1.example.net', 'ns2.example.net'], nsips: 'x' }, [['/nsips', 'invalid_value']]],
    [{ nameservers: ['ns1.example.net', 'ns2.example.net'], nsips: [[], [], []] }, [['/nsips', 'invalid_value']]],
  ])('refuses %j', (body, expected) => {
    expect(codes(checkNameserverSet(D, body as never, none))).toEqual(expected);
  });

  it('in-bailiwick names take addresses from nsips (a list or a comma string) or an existing host object', () => {
    const hosts = new Map([['ns2.example.test', ['198.51.100.2']]]);
    const r = checkNameserverSet(D, { nameservers: ['ns1.example.test', 'ns2.example.test', 'ns3.example.net'], nsips: [['203.0.113.10', '2001:DB8::10', '203.0.113.10']] }, hosts);
    expect(r.errors).toEqual([]);
    expect(r.entries).toEqual([
      { name: 'ns1.example.test', inBailiwick: true, addresses: ['203.0.113.10', '2001:db8::10'] },
      { name: 'ns2.example.test', inBailiwick: true, addresses: null },
      { name: 'ns3.example.net', inBailiwick: false, addresses: null },
    ]);
    expect(checkNameserverSet(D, { nameservers: ['ns1.example.test', 'ns2.example.net'], nsips: ['203.0.113.10, 2001:db8::10', ''] }, hosts).entries![0]!.addresses).toEqual(['203.0.113.10', '2001:db8::10']);
  });
});

describe('glue host objects (seed 000)', () => {
  it("accepts the seed's own example", () => {
    expect(checkGlueInput(D, { hostname: 'ns1.example.test', ips: ['203.0.113.10', '2001:db8::10'] })).toEqual({ hostname: 'ns1.example.test', ips: ['203.0.113.10', '2001:db8::10'], errors: [] });
  });

  it.each([
    [{ ips: ['203.0.113.10'] }, [['/hostname', 'required']]],
    [{ hostname: 'ns1.example.test' }, [['/ips', 'required']]],
    [{ hostname: 'ns1.example.org', ips: ['203.0.113.10'] }, [['/hostname', 'invalid_value']]],
    [{ hostname: 'example.test', ips: ['203.0.113.10'] }, [['/hostname', 'invalid_value']]],
    [{ hostname: 'a.', ips: ['203.0.113.10'] }, [['/hostname', 'out_of_range']]],
    [{ hostname: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(52)}.example.test`, ips: ['203.0.113.10'] }, [['/hostname', 'out_of_range']]],
    [{ hostname: 'ns_1.example.test', ips: ['203.0.113.10'] }, [['/hostname', 'invalid_format']]],
    [{ hostname: 'ns1.example.test', ips: [] }, [['/ips', 'required']]],
    [{ hostname: 'ns1.example.test', ips: '203.0.113.10' }, [['/ips', 'invalid_type']]],
    [{ hostname: 'ns1.example.test', ips: Array.from({ length: 11 }, (_, i) => `203.0.113.${i + 1}`) }, [['/ips', 'too_long']]],
    [{ hostname: 'ns1.example.test', ips: ['192.168.1.1', '127.0.0.1', '169.254.0.1', '100.64.0.1', '0.0.0.0', '::', 'fe80::1', 'ff02::1', '255.255.255.255', 'x'] }, Array.from({ length: 10 }, (_, i) => [`/ips/${i}`, 'invalid_value'])],
    [{ hostname: 'ns1.example.test', ips: [7] }, [['/ips/0', 'invalid_type']]],
  ])('refuses %j', (body, expected) => {
    expect(codes(checkGlueInput(D, body as never))).toEqual(expected);
  });

  it('drops duplicate addresses after canonicalization', () => {
    expect(checkGlueInput(D, { hostname: 'ns1.example.test', ips: ['2001:db8::10', '2001:DB8:0::10'] }).ips).toEqual(['2001:db8::10']);
  });
});

describe('DNSSEC material at the registry', () => {
  const sha256 = 'E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766';
  it('accepts a DS with numbers or digit strings (as HostUp sends them), digest in lowercase hex', () => {
    expect(checkDnssecInput({ type: 'DS', keyTag: '60485', algorithm: '13', digestType: '2', digest: sha256 })).toEqual({
      material: { type: 'DS', keyTag: 60485, algorithm: 13, digestType: 2, digest: sha256.toLowerCase() },
      errors: [],
    });
    expect(checkDnssecInput({ type: 'ds', keyTag: 1, algorithm: 8, digestType: 1, digest: 'a'.repeat(40) }).material).toMatchObject({ digestType: 1 });
    expect(checkDnssecInput({ type: 'DS', keyTag: 1, algorithm: 14, digestType: 4, digest: 'b'.repeat(96) }).material).toMatchObject({ digestType: 4 });
  });

  it.each([
    [{ type: 'DS', keyTag: 65536, algorithm: 13, digestType: 2, digest: sha256 }, [['/keyTag', 'out_of_range']]],
    [{ type: 'DS', keyTag: 1, algorithm: 1, digestType: 2, digest: sha256 }, [['/algorithm', 'invalid_value']]],
    [{ type: 'DS', keyTag: 1, algorithm: 9, digestType: 2, digest: sha256 }, [['/algorithm', 'invalid_value']]],
    [{ type: 'DS', keyTag: 1, algorithm: 13, digestType: 3, digest: sha256 }, [['/digestType', 'invalid_value']]],
    [{ type: 'DS', keyTag: 1, algorithm: 13, digestType: 2, digest: 'abcd' }, [['/digest', 'invalid_value']]],
    [{ type: 'DS', keyTag: 1, algorithm: 13, digestType: 1, digest: sha256 }, [['/digest', 'invalid_value']]],
    [{ type: 'DS', keyTag: 1, algorithm: 13, digestType: 2, digest: 'zz'.repeat(32) }, [['/digest', 'invalid_format']]],
    [{ type: 'DS', keyTag: 1.5, algorithm: 13, digestType: 2 }, [['/keyTag', 'invalid_type'], ['/digest', 'required']]],
    [{ type: 'KEY', flags: 257, protocol: 4, algorithm: 13, publicKey: 'AAAA' }, [['/protocol', 'invalid_value']]],
    [{ type: 'KEY', flags: 1, protocol: 3, algorithm: 13, publicKey: 'AAAA' }, [['/flags', 'invalid_value']]],
    [{ type: 'KEY', flags: 257, protocol: 3, algorithm: 13, publicKey: 'not base64!' }, [['/publicKey', 'invalid_format']]],
    [{ type: 'CDS' }, [['/type', 'invalid_value']]],
    [{}, [['/type', 'required']]],
  ])('refuses %j', (body, expected) => {
    expect(codes(checkDnssecInput(body as never))).toEqual(expected);
  });

  it('accepts a KEY (DNSKEY data) with protocol 3 and the zone-key flag', () => {
    const key = 'mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==';
    expect(checkDnssecInput({ type: 'KEY', flags: '257', protocol: '3', algorithm: '13', publicKey: key }).material).toEqual({ type: 'KEY', flags: 257, protocol: 3, algorithm: 13, publicKey: key });
  });
});
