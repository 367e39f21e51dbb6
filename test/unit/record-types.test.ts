// Table-driven tests of the record-type layer: for every API type, HostUp input → canonical RDATA →
// HostUp view (and back), and invalid input → [pointer, code]. Zone-file RDATA: record-rdata.test.ts.
import { describe, expect, it } from 'vitest';
import { API_RECORD_TYPES, buildRdata, isApiRecordType, parseRdataText, recordTypeCode, splitRdata, type RecordInput } from '../../src/core/records/record-types.js';

type Extra = Omit<Partial<RecordInput>, 'type' | 'value'>;
interface View {
  value: string;
  priority: number | null;
  weight: number | null;
  port: number | null;
}
/** [value, extra fields, expected canonical RDATA, expected view (default: value = rdata, no numbers)] */
type Valid = [string, Extra, string, Partial<View>?];
/** [value, extra fields, expected [pointer, code][]] */
type Invalid = [string, Extra, [string, string][]];

const hex = (octets: number, pair = 'ab'): string => pair.repeat(octets);
const HEX = (octets: number, pair = 'ab'): string => pair.toUpperCase().repeat(octets);
const V = (value: string, priority: number | null = null, weight: number | null = null, port: number | null = null): View => ({ value, priority, weight, port });

const VALID: Record<string, Valid[]> = {
  A: [
    ['192.0.2.1', {}, '192.0.2.1'],
    ['  198.51.100.7 ', {}, '198.51.100.7'],
    ['203.0.113.255', {}, '203.0.113.255'],
    ['0.0.0.0', {}, '0.0.0.0'],
    ['192.0.2.10', { priority: null, weight: null, port: null }, '192.0.2.10'],
  ],
  AAAA: [
    ['2001:DB8::1', {}, '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', {}, '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', {}, '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', {}, '2001:db8::1:0:0:1'],
    ['2001:db8:1:2:3:4:5:0', {}, '2001:db8:1:2:3:4:5:0'],
    ['2001:db8:0:1:2:3:4:5', {}, '2001:db8:0:1:2:3:4:5'],
    ['2001:db8::192.0.2.1', {}, '2001:db8::c000:201'],
    ['::FFFF:C000:0201', {}, '::ffff:192.0.2.1'],
    ['::1', {}, '::1'],
    ['::', {}, '::'],
  ],
  CNAME: [
    ['target.example.org', {}, 'target.example.org.', V('target.example.org')],
    ['Target.Example.ORG.', {}, 'target.example.org.', V('target.example.org')],
    ['_dmarc.example.net', {}, '_dmarc.example.net.', V('_dmarc.example.net')],
    ['bücher.example', {}, 'xn--bcher-kva.example.', V('xn--bcher-kva.example')],
  ],
  ALIAS: [['lb.example.net.', {}, 'lb.example.net.', V('lb.example.net')]],
  NS: [['ns1.example.org', {}, 'ns1.example.org.', V('ns1.example.org')]],
  PTR: [['host-1.example.org', {}, 'host-1.example.org.', V('host-1.example.org')]],
  MX: [
    ['mail.example.org', { priority: 10 }, '10 mail.example.org.', V('mail.example.org', 10)],
    ['10 mail.example.org', {}, '10 mail.example.org.', V('mail.example.org', 10)],
    ['10 MAIL.example.org.', { priority: 10 }, '10 mail.example.org.', V('mail.example.org', 10)],
    ['mail.example.org', { priority: 0 }, '0 mail.example.org.', V('mail.example.org', 0)],
    ['mail.example.org', { priority: 65535 }, '65535 mail.example.org.', V('mail.example.org', 65535)],
    ['mail.example.org', { priority: '20' as unknown as number }, '20 mail.example.org.', V('mail.example.org', 20)],
    ['.', { priority: 0 }, '0 .', V('.', 0)],
    ['0 .', {}, '0 .', V('.', 0)],
  ],
  TXT: [
    ['v=spf1 include:_spf.example.org -all', {}, '"v=spf1 include:_spf.example.org -all"', V('v=spf1 include:_spf.example.org -all')],
    ['', {}, '""', V('')],
    ['say "hi"', {}, '"say \\"hi\\""', V('say "hi"')],
    ['back\\slash', {}, '"back\\\\slash"', V('back\\slash')],
    ['semi;colon (paren)', {}, '"semi;colon (paren)"', V('semi;colon (paren)')],
    ['naïve', {}, '"na\\195\\175ve"', V('naïve')],
    ['line\nbreak', {}, '"line\\010break"', V('line\nbreak')],
    ['x'.repeat(255), {}, `"${'x'.repeat(255)}"`, V('x'.repeat(255))],
    ['x'.repeat(256), {}, `"${'x'.repeat(255)}" "x"`, V('x'.repeat(256))],
    // 128 two-octet characters: the first string stops at 254 octets, not inside a character.
    ['é'.repeat(128), {}, `"${'\\195\\169'.repeat(127)}" "\\195\\169"`, V('é'.repeat(128))],
    ['"one string"', {}, '"one string"', V('one string')],
    // Strings split otherwise than by the 255-octet rule: the view is the presentation form.
    ['"a" "b"', {}, '"a" "b"', V('"a" "b"')],
    ['"v=DKIM1; k=rsa; " "p=MIGf"', {}, '"v=DKIM1; k=rsa; " "p=MIGf"', V('"v=DKIM1; k=rsa; " "p=MIGf"')],
    ['"abc"def', {}, '"abc" "def"', V('"abc" "def"')],
    ['"a\\032b" "\\"c"', {}, '"a b" "\\"c"', V('"a b" "\\"c"')],
    [`"${'x'.repeat(255)}" "x"`, {}, `"${'x'.repeat(255)}" "x"`, V('x'.repeat(256))],
    ['""', {}, '""', V('')],
    // The view of text starting with a quote is the presentation form, which reads back the same.
    ['"\\"quoted\\""', {}, '"\\"quoted\\""', V('"\\"quoted\\""')],
    ['"\\255"', {}, '"\\255"', V('"\\255"')],
  ],
  SRV: [
    ['sip.example.org', { priority: 10, weight: 60, port: 5060 }, '10 60 5060 sip.example.org.', V('sip.example.org', 10, 60, 5060)],
    ['10 60 5060 sip.example.org', {}, '10 60 5060 sip.example.org.', V('sip.example.org', 10, 60, 5060)],
    ['10 60 5060 sip.example.org', { priority: 10, weight: 60, port: 5060 }, '10 60 5060 sip.example.org.', V('sip.example.org', 10, 60, 5060)],
    ['10 60 5060 sip.example.org', { port: 5060 }, '10 60 5060 sip.example.org.', V('sip.example.org', 10, 60, 5060)],
    ['.', { priority: 0, weight: 0, port: 0 }, '0 0 0 .', V('.', 0, 0, 0)],
  ],
  CAA: [
    ['0 issue "letsencrypt.org"', {}, '0 issue "letsencrypt.org"'],
    ['0 issue letsencrypt.org', {}, '0 issue "letsencrypt.org"'],
    ['128 ISSUE "ca.example.net; account=230123"', {}, '128 issue "ca.example.net; account=230123"'],
    ['0 issuewild ";"', {}, '0 issuewild ";"'],
    ['0 issue ""', {}, '0 issue ""'],
    ['0 iodef "mailto:security@example.org"', {}, '0 iodef "mailto:security@example.org"'],
    ['0 iodef "https://iodef.example.org/report"', {}, '0 iodef "https://iodef.example.org/report"'],
    ['0 contactemail "security@example.org"', {}, '0 contactemail "security@example.org"'],
    ['0 issuemail "ca.example.net"', {}, '0 issuemail "ca.example.net"'],
    ['0 tbs "Unknown \\"tag\\""', {}, '0 tbs "Unknown \\"tag\\""'],
  ],
  TLSA: [
    [`3 1 1 ${hex(32)}`, {}, `3 1 1 ${HEX(32)}`],
    [`3 1 1 ${hex(16)} ${hex(16)}`, {}, `3 1 1 ${HEX(32)}`],
    [`2 0 2 ${hex(64, 'c0')}`, {}, `2 0 2 ${HEX(64, 'c0')}`],
    ['0 0 0 abcdef01', {}, '0 0 0 ABCDEF01'],
  ],
  SSHFP: [
    [`4 2 ${hex(32)}`, {}, `4 2 ${HEX(32)}`],
    [`1 1 ${hex(20, '0f')}`, {}, `1 1 ${HEX(20, '0f')}`],
    [`6 2 ${hex(32)}`, {}, `6 2 ${HEX(32)}`],
  ],
  DS: [
    [`12345 13 2 ${hex(32)}`, {}, `12345 13 2 ${HEX(32)}`],
    [`12345 ecdsap256sha256 2 ${hex(16)} ${hex(16)}`, {}, `12345 13 2 ${HEX(32)}`],
    [`0 8 1 ${hex(20)}`, {}, `0 8 1 ${HEX(20)}`],
    [`65535 15 4 ${hex(48)}`, {}, `65535 15 4 ${HEX(48)}`],
  ],
  SVCB: [
    ['svc.example.org port=53 mandatory=port ipv4hint=192.0.2.1,192.0.2.2', { priority: 1 }, '1 svc.example.org. mandatory=port port=53 ipv4hint=192.0.2.1,192.0.2.2', V('svc.example.org mandatory=port port=53 ipv4hint=192.0.2.1,192.0.2.2', 1)],
    ['1 svc.example.org ipv6hint=2001:DB8:0:0:0:0:0:1,2001:db8::2', {}, '1 svc.example.org. ipv6hint=2001:db8::1,2001:db8::2', V('svc.example.org ipv6hint=2001:db8::1,2001:db8::2', 1)],
    ['0 svc.example.net', {}, '0 svc.example.net.', V('svc.example.net', 0)],
    ['2 . key667=hello', {}, '2 . key667=hello', V('. key667=hello', 2)],
    ['2 . key667="hello world"', {}, '2 . key667="hello world"', V('. key667="hello world"', 2)],
    ['2 . key667', {}, '2 . key667', V('. key667', 2)],
    ['2 . key667=""', {}, '2 . key667', V('. key667', 2)],
    ['svc.example.org alpn="a\\\\,b"', { priority: 1 }, '1 svc.example.org. alpn="a\\\\,b"', V('svc.example.org alpn="a\\\\,b"', 1)],
    ['1 doh.example.org alpn=h2 dohpath=/dns-query{?dns}', {}, '1 doh.example.org. alpn=h2 dohpath=/dns-query{?dns}', V('doh.example.org alpn=h2 dohpath=/dns-query{?dns}', 1)],
  ],
  HTTPS: [
    ['. alpn=h2,h3', { priority: 1 }, '1 . alpn=h2,h3', V('. alpn=h2,h3', 1)],
    ['1 . port=8443 ALPN="h3,h2"', {}, '1 . alpn=h3,h2 port=8443', V('. alpn=h3,h2 port=8443', 1)],
    ['1 . no-default-alpn alpn=h2', {}, '1 . alpn=h2 no-default-alpn', V('. alpn=h2 no-default-alpn', 1)],
    ['1 . mandatory=port,alpn alpn=h2 port=443', {}, '1 . mandatory=alpn,port alpn=h2 port=443', V('. mandatory=alpn,port alpn=h2 port=443', 1)],
    ['1 . ech=AEn+DQBF', {}, '1 . ech=AEn+DQBF', V('. ech=AEn+DQBF', 1)],
    ['cdn.example.net', { priority: 0 }, '0 cdn.example.net.', V('cdn.example.net', 0)],
  ],
};

const INVALID: Record<string, Invalid[]> = {
  A: [
    ['192.0.2.01', {}, [['/value', 'invalid_format']]],
    ['192.0.2', {}, [['/value', 'invalid_format']]],
    ['256.1.1.1', {}, [['/value', 'invalid_format']]],
    ['2001:db8::1', {}, [['/value', 'invalid_value']]],
    ['192.0.2.1 192.0.2.2', {}, [['/value', 'invalid_format']]],
    ['example.org', {}, [['/value', 'invalid_format']]],
    ['', {}, [['/value', 'required']]],
    ['192.0.2.1', { priority: 10 }, [['/priority', 'not_allowed']]],
    ['192.0.2.1', { weight: 0, port: 80 }, [['/weight', 'not_allowed'], ['/port', 'not_allowed']]],
    ['bad', { priority: 1 }, [['/priority', 'not_allowed'], ['/value', 'invalid_format']]],
  ],
  AAAA: [
    ['2001:db8:::1', {}, [['/value', 'invalid_format']]],
    ['2001:db8::1::2', {}, [['/value', 'invalid_format']]],
    ['2001:db8::g', {}, [['/value', 'invalid_format']]],
    ['2001:db8:0:0:0:0:0:0:1', {}, [['/value', 'invalid_format']]],
    ['1:2:3:4:5:6:7::8', {}, [['/value', 'invalid_format']]],
    ['fe80::1%eth0', {}, [['/value', 'invalid_format']]],
    ['2001:db8::192.0.2.01', {}, [['/value', 'invalid_format']]],
    ['192.0.2.1', {}, [['/value', 'invalid_value']]],
  ],
  CNAME: [
    ['192.0.2.1', {}, [['/value', 'invalid_value']]],
    ['192.0.2.1.', {}, [['/value', 'invalid_value']]],
    ['2001:db8::1', {}, [['/value', 'invalid_value']]],
    ['a.example.org b.example.org', {}, [['/value', 'invalid_format']]],
    ['bad..example.org', {}, [['/value', 'invalid_format']]],
    ['-bad.example.org', {}, [['/value', 'invalid_format']]],
    ['*.example.org', {}, [['/value', 'invalid_format']]],
    ['"quoted.example.org"', {}, [['/value', 'invalid_format']]],
    [`${'a'.repeat(64)}.example.org`, {}, [['/value', 'invalid_format']]],
    ['.', {}, [['/value', 'invalid_value']]],
    ['target.example.org', { priority: 0 }, [['/priority', 'not_allowed']]],
  ],
  ALIAS: [['203.0.113.5', {}, [['/value', 'invalid_value']]]],
  NS: [['192.0.2.53', {}, [['/value', 'invalid_value']]], ['ns1.example.org', { port: 53 }, [['/port', 'not_allowed']]]],
  PTR: [['2001:db8::1', {}, [['/value', 'invalid_value']]]],
  MX: [
    ['mail.example.org', {}, [['/priority', 'required']]],
    ['10 mail.example.org', { priority: 20 }, [['/priority', 'conflict']]],
    ['mail.example.org', { priority: 65536 }, [['/priority', 'out_of_range']]],
    ['mail.example.org', { priority: -1 }, [['/priority', 'out_of_range']]],
    ['mail.example.org', { priority: 1.5 }, [['/priority', 'invalid_type']]],
    ['mail.example.org', { priority: 'ten' as unknown as number }, [['/priority', 'invalid_type']]],
    ['192.0.2.25', { priority: 10 }, [['/value', 'invalid_value']]],
    ['.', { priority: 10 }, [['/value', 'invalid_value']]],
    ['mail.example.org', { priority: 10, weight: 5 }, [['/weight', 'not_allowed']]],
    ['mail.example.org', { priority: 10, port: 25 }, [['/port', 'not_allowed']]],
    ['10 20 mail.example.org', {}, [['/value', 'invalid_format']]],
    ['70000 mail.example.org', {}, [['/value', 'out_of_range']]],
    ['', { priority: 10 }, [['/value', 'required']]],
  ],
  TXT: [
    ['"a" "b', {}, [['/value', 'invalid_format']]],
    ['"unclosed', {}, [['/value', 'invalid_format']]],
    ['"a\\', {}, [['/value', 'invalid_format']]],
    [`"${'x'.repeat(256)}"`, {}, [['/value', 'too_long']]],
    ['x'.repeat(65536), {}, [['/value', 'too_long']]],
    ['v=spf1 -all', { priority: 1 }, [['/priority', 'not_allowed']]],
  ],
  SRV: [
    ['sip.example.org', { priority: 10 }, [['/weight', 'required'], ['/port', 'required']]],
    ['sip.example.org', {}, [['/priority', 'required'], ['/weight', 'required'], ['/port', 'required']]],
    ['10 60 5060 sip.example.org', { port: 5061 }, [['/port', 'conflict']]],
    ['sip.example.org', { priority: 10, weight: 60, port: 70000 }, [['/port', 'out_of_range']]],
    ['10 60 sip.example.org', {}, [['/value', 'invalid_format']]],
    ['192.0.2.10', { priority: 10, weight: 60, port: 5060 }, [['/value', 'invalid_value']]],
    ['10 60 99999 sip.example.org', {}, [['/value', 'out_of_range']]],
  ],
  CAA: [
    ['256 issue "ca.example.net"', {}, [['/value', 'out_of_range']]],
    ['0 iss-ue "ca.example.net"', {}, [['/value', 'invalid_format']]],
    ['0 abcdefghijklmnop "x"', {}, [['/value', 'invalid_format']]],
    ['0 issue "bad_domain!.example"', {}, [['/value', 'invalid_value']]],
    ['0 issue "ca.example.net; bad param"', {}, [['/value', 'invalid_value']]],
    ['0 iodef "ftp://example.org/"', {}, [['/value', 'invalid_value']]],
    ['0 iodef "security@example.org"', {}, [['/value', 'invalid_value']]],
    ['0 issue', {}, [['/value', 'invalid_format']]],
    ['0 issue letsencrypt.org extra', {}, [['/value', 'invalid_format']]],
    ['0 issue "unclosed', {}, [['/value', 'invalid_format']]],
    ['0 issue "ca.example.net"', { priority: 0 }, [['/priority', 'not_allowed']]],
    [`0 tbs "${'x'.repeat(65534)}"`, {}, [['/value', 'too_long']]],
  ],
  TLSA: [
    [`4 1 1 ${hex(32)}`, {}, [['/value', 'out_of_range']]],
    [`3 2 1 ${hex(32)}`, {}, [['/value', 'out_of_range']]],
    [`3 1 3 ${hex(32)}`, {}, [['/value', 'out_of_range']]],
    ['3 1 1 abcd', {}, [['/value', 'invalid_value']]],
    [`3 1 2 ${hex(32)}`, {}, [['/value', 'invalid_value']]],
    ['3 1 1 xyz0', {}, [['/value', 'invalid_format']]],
    ['3 1 0 abc', {}, [['/value', 'invalid_format']]],
    ['3 1 1', {}, [['/value', 'invalid_format']]],
    [`0 0 0 ${hex(65533)}`, {}, [['/value', 'too_long']]],
  ],
  SSHFP: [
    [`5 2 ${hex(32)}`, {}, [['/value', 'invalid_value']]],
    [`4 3 ${hex(32)}`, {}, [['/value', 'out_of_range']]],
    [`4 2 ${hex(20)}`, {}, [['/value', 'invalid_value']]],
    [`4 1 ${hex(32)}`, {}, [['/value', 'invalid_value']]],
    ['4 2', {}, [['/value', 'invalid_format']]],
  ],
  DS: [
    [`65536 13 2 ${hex(32)}`, {}, [['/value', 'out_of_range']]],
    [`1 0 2 ${hex(32)}`, {}, [['/value', 'out_of_range']]],
    [`1 FOO 2 ${hex(32)}`, {}, [['/value', 'invalid_format']]],
    [`1 13 3 ${hex(32)}`, {}, [['/value', 'invalid_value']]],
    [`1 13 2 ${hex(20)}`, {}, [['/value', 'invalid_value']]],
    ['1 13 2', {}, [['/value', 'invalid_format']]],
  ],
  SVCB: [
    ['0 . alpn=h2', {}, [['/value', 'invalid_value']]],
    ['1 . alpn=h2 alpn=h3', {}, [['/value', 'invalid_value']]],
    ['1 . foo=bar', {}, [['/value', 'invalid_value']]],
    ['1 . key65535=x', {}, [['/value', 'out_of_range']]],
    ['1 . key1=h2', {}, [['/value', 'invalid_value']]],
    ['1 . mandatory=alpn', {}, [['/value', 'invalid_value']]],
    ['1 . mandatory=mandatory alpn=h2', {}, [['/value', 'invalid_value']]],
    ['1 . port=70000', {}, [['/value', 'out_of_range']]],
    ['1 . port=http', {}, [['/value', 'invalid_format']]],
    ['1 . ipv4hint=192.0.2.1,2001:db8::1', {}, [['/value', 'invalid_value']]],
    ['1 . ipv6hint=192.0.2.1', {}, [['/value', 'invalid_value']]],
    ['1 . ech=abc', {}, [['/value', 'invalid_format']]],
    ['1 . alpn', {}, [['/value', 'required']]],
    ['1 . alpn=', {}, [['/value', 'required']]],
    ['1 . alpn=h2,,h3', {}, [['/value', 'invalid_value']]],
    ['1 . dohpath=https://doh.example/{?dns}', {}, [['/value', 'invalid_value']]],
    [`1 . ech=${'AAAA'.repeat(22000)}`, {}, [['/value', 'too_long']]],
    [`1 . key9=${'x'.repeat(200000)}`, {}, [['/value', 'too_long']]],
    ['1 . 192.0.2.1', {}, [['/value', 'invalid_value']]],
    ['1 192.0.2.1', {}, [['/value', 'invalid_value']]],
    ['1 . alpn=h2', { priority: 2 }, [['/priority', 'conflict']]],
    ['svc.example.org alpn=h2', {}, [['/priority', 'required']]],
    ['1 . alpn=h2', { weight: 1 }, [['/weight', 'not_allowed']]],
    ['1', {}, [['/value', 'invalid_format']]],
  ],
  HTTPS: [
    ['1 . no-default-alpn', {}, [['/value', 'invalid_value']]],
    ['1 . no-default-alpn=x alpn=h2', {}, [['/value', 'invalid_value']]],
    ['1 . alpn="h2', {}, [['/value', 'invalid_format']]],
  ],
};

describe('record type registry', () => {
  it('lists the 15 API types, each with a table of valid and invalid inputs', () => {
    expect([...API_RECORD_TYPES]).toEqual(['A', 'AAAA', 'CNAME', 'ALIAS', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'PTR', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS', 'DS']);
    for (const t of API_RECORD_TYPES) {
      expect(VALID[t]?.length, t).toBeGreaterThan(0);
      expect(INVALID[t]?.length, t).toBeGreaterThan(0);
    }
  });

  it.each([
    ['A', true],
    ['a', true],
    ['Https', true],
    ['SOA', false],
    ['SPF', false],
    ['constructor', false],
    ['', false],
  ])('isApiRecordType(%j) is %s', (t, expected) => {
    expect(isApiRecordType(t)).toBe(expected);
  });

  it('gives RR type numbers for ordering', () => {
    expect(recordTypeCode('A')).toBe(1);
    expect(recordTypeCode('caa')).toBe(257);
    expect(recordTypeCode('HTTPS')).toBe(65);
    expect(recordTypeCode('SPF')).toBeUndefined();
  });

  it('refuses types the API does not accept at /type', () => {
    for (const type of ['SOA', 'SPF', 'TYPE65']) {
      const r = buildRdata({ type, value: 'x' });
      expect(r.ok ? [] : r.errors.map((e) => [e.pointer, e.code])).toEqual([['/type', 'invalid_value']]);
    }
  });
});

for (const [type, cases] of Object.entries(VALID)) {
  describe(`${type}: valid input`, () => {
    it.each(cases.map((c, i) => [JSON.stringify(c[0]).slice(0, 60), JSON.stringify(c[1]), c[2], c[3] ?? null, i] as const))(
      'value %s %s → %j',
      (_v, _e, rdata, view, i) => {
        const [value, extra] = cases[i]!;
        const r = buildRdata({ type, value, ...extra });
        expect(r).toEqual({ ok: true, rdata });
        const expectedView = { ...V(rdata), ...(view ?? {}) };
        const got = splitRdata(type, rdata);
        expect(got).toEqual(expectedView);
        // The view sent back as input gives the same RDATA (PUT of a GET).
        expect(buildRdata({ type, value: got.value, priority: got.priority, weight: got.weight, port: got.port })).toEqual({ ok: true, rdata });
        // Canonical RDATA is a fixed point of the zone-file parser.
        expect(parseRdataText(type, rdata, 'example.org')).toEqual({ ok: true, rdata });
      },
    );
  });
}

for (const [type, cases] of Object.entries(INVALID)) {
  describe(`${type}: invalid input`, () => {
    it.each(cases.map((c, i) => [JSON.stringify(c[0]).slice(0, 60), JSON.stringify(c[1]), c[2], i] as const))('value %s %s → %j', (_v, _e, expected, i) => {
      const [value, extra] = cases[i]!;
      const r = buildRdata({ type, value, ...extra });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.errors.map((e) => [e.pointer, e.code])).toEqual(expected);
      for (const e of r.errors) {
        // Human sentences naming the field.
        expect(e.detail).toMatch(new RegExp(`\`${e.pointer.slice(1)}\``));
        expect(e.detail).toMatch(/^[A-Z`].*\.$/s);
      }
    });
  });
}

describe('error sentences', () => {
  it.each([
    [{ type: 'A', value: '2001:db8::1' }, '`value` must be an IPv4 address (use an AAAA record for IPv6).'],
    [{ type: 'CNAME', value: '192.0.2.1' }, '`value` must be a host name, not an IP address.'],
    [{ type: 'TLSA', value: `4 1 1 ${hex(32)}` }, 'The certificate usage in `value` must be between 0 and 3.'],
    [{ type: 'MX', value: 'mail.example.org' }, '`priority` is required for MX records.'],
    [{ type: 'MX', value: '10 mail.example.org', priority: 20 }, '`priority` (20) does not match the priority given in `value` (10).'],
    [{ type: 'A', value: '192.0.2.1', priority: 10 }, '`priority` is not used by A records; send null or leave it out.'],
    [{ type: 'DS', value: `1 13 2 ${hex(20)}` }, 'The digest in `value` must be 32 octets (64 hex digits) for digest type 2 (SHA-256), not 20.'],
  ])('%j', (input, detail) => {
    const r = buildRdata(input);
    expect(r.ok ? null : r.errors[0]!.detail).toBe(detail);
  });
});
