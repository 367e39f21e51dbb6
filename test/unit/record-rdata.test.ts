// Zone-file RDATA (relative names, errors), the names records point at, and properties of the
// canonical form (TXT splitting, RFC 5952 IPv6, uppercase hex).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv6, parseIPv6 } from '../../src/core/records/ip.js';
import { buildRdata, parseRdataText, rdataTargets, splitRdata } from '../../src/core/records/record-types.js';

const hex = (octets: number, pair = 'ab'): string => pair.repeat(octets);
const HEX = (octets: number, pair = 'ab'): string => pair.toUpperCase().repeat(octets);

describe('parseRdataText (zone-file RDATA, relative names against the origin)', () => {
  it.each([
    ['MX', '10 mail', '10 mail.example.org.'],
    ['MX', '10 @', '10 example.org.'],
    ['mx', '0 .', '0 .'],
    ['CNAME', 'www', 'www.example.org.'],
    ['CNAME', 'other.example.net.', 'other.example.net.'],
    ['CNAME', 'Weird\\ Name', 'weird\\032name.example.org.'],
    ['CNAME', '*.wild', '*.wild.example.org.'],
    ['ALIAS', '@', 'example.org.'],
    ['NS', 'ns1.example.org.', 'ns1.example.org.'],
    ['PTR', 'host', 'host.example.org.'],
    ['SRV', '0 5 5060 sip', '0 5 5060 sip.example.org.'],
    ['TXT', '"a b" c', '"a b" "c"'],
    ['TXT', 'unquoted\\032text', '"unquoted text"'],
    ['TXT', '( "a"\n  "b" )', '"a" "b"'],
    ['TXT', '"a" ; a comment', '"a"'],
    ['TXT', '"semi;colon"', '"semi;colon"'],
    ['AAAA', '2001:DB8::1', '2001:db8::1'],
    ['CAA', '0 issue letsencrypt.org', '0 issue "letsencrypt.org"'],
    ['SVCB', '1 svc port=53', '1 svc.example.org. port=53'],
    ['HTTPS', '1 . alpn=h2', '1 . alpn=h2'],
    ['DS', `1 ED25519 2 ( ${hex(16)}\n ${hex(16)} )`, `1 15 2 ${HEX(32)}`],
    ['SOA', 'ns1 hostmaster 1 2h 1h 1w 300', 'ns1.example.org. hostmaster.example.org. 1 7200 3600 604800 300'],
    ['SOA', 'ns1.example.org. john\\.doe.example.org. ( 2024010101 7200 3600 1209600 3600 )', 'ns1.example.org. john\\046doe.example.org. 2024010101 7200 3600 1209600 3600'],
  ])('%s %j → %j', (type, text, rdata) => {
    expect(parseRdataText(type, text, 'example.org')).toEqual({ ok: true, rdata });
    expect(parseRdataText(type, text, 'example.org.')).toEqual({ ok: true, rdata });
  });

  it.each([
    ['A', '192.0.2.256', 'The A record data must be an IPv4 address in dotted-quad form without leading zeros.'],
    ['TLSA', `5 1 1 ${hex(32)}`, 'The TLSA certificate usage must be between 0 and 3.'],
    ['MX', '10 192.0.2.1.', 'The MX mail server must be a host name, not an IP address.'],
    ['SOA', 'ns1 hostmaster 1 2 3', 'The SOA record data must have 7 fields: primary server, responsible mailbox, serial, refresh, retry, expire and minimum.'],
    ['SOA', 'ns1 hostmaster 4294967296 1 1 1 1', 'The SOA serial must be between 0 and 4294967295.'],
    ['TXT', '"abc', 'The TXT record data is malformed: a quoted string is not closed.'],
    ['TXT', '', 'The TXT record data must contain at least one character-string.'],
    ['FOO', 'x', 'Unknown record type `FOO`.'],
    ['TYPE65280', '\\# 0', 'Record type TYPE65280 is not supported.'],
    ['A', '\\# 4 c0000201', 'The RFC 3597 generic form (`\\#`) is not supported for A records.'],
  ])('%s %j → %j', (type, text, detail) => {
    expect(parseRdataText(type, text, 'example.org')).toEqual({ ok: false, detail });
  });
});

describe('rdataTargets', () => {
  it.each([
    ['CNAME', 'target.example.org.', ['target.example.org']],
    ['ALIAS', 'lb.example.net.', ['lb.example.net']],
    ['NS', 'ns1.example.org.', ['ns1.example.org']],
    ['PTR', 'host.example.org.', ['host.example.org']],
    ['MX', '10 mail.example.org.', ['mail.example.org']],
    ['mx', '10 mail.example.org.', ['mail.example.org']],
    ['MX', '0 .', []],
    ['SRV', '0 5 5060 sip.example.org.', ['sip.example.org']],
    ['SRV', '0 0 0 .', []],
    ['HTTPS', '1 cdn.example.net. alpn=h2', ['cdn.example.net']],
    ['SVCB', '1 . alpn=h2', []],
    ['A', '192.0.2.1', []],
    ['TXT', '"mail.example.org."', []],
    ['SOA', 'ns1.example.org. hostmaster.example.org. 1 2 3 4 5', []],
    ['FOO', 'x', []],
  ])('%s %j → %j', (type, rdata, targets) => {
    expect(rdataTargets(type, rdata)).toEqual(targets);
  });
});

describe('properties of the canonical form', () => {
  it('any text sent as an unquoted TXT value reads back the same and is a fixed point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 700 }), (text) => {
        fc.pre(!text.startsWith('"')); // a leading quote selects the presentation form
        const r = buildRdata({ type: 'TXT', value: text });
        if (!r.ok) throw new Error(JSON.stringify(r.errors));
        expect(parseRdataText('TXT', r.rdata, 'example.org')).toEqual({ ok: true, rdata: r.rdata });
        const view = splitRdata('TXT', r.rdata).value;
        expect(view).toBe(text);
        expect(buildRdata({ type: 'TXT', value: view })).toEqual(r);
        // Every string holds at most 255 octets and never starts inside a UTF-8 sequence.
        for (const s of r.rdata.match(/"(?:[^"\\]|\\.)*"/g) ?? []) {
          const octets = s.slice(1, -1).replace(/\\[0-9]{3}|\\./g, 'x').length;
          expect(octets).toBeLessThanOrEqual(255);
        }
      }),
    );
  });

  it('IPv6 text round-trips through RFC 5952 form', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (groups) => {
        const text = formatIPv6(groups);
        expect(parseIPv6(text)).toEqual(groups);
        expect(text).toBe(text.toLowerCase());
        expect(text.split('::').length).toBeLessThanOrEqual(2);
        expect(buildRdata({ type: 'AAAA', value: text.toUpperCase() })).toEqual({ ok: true, rdata: text });
      }),
    );
  });

  it('TLSA, DS and SSHFP canonical hex is uppercase whatever the input case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const h = Buffer.from(bytes).toString('hex');
        const r = buildRdata({ type: 'TLSA', value: `3 1 1 ${h}` });
        expect(r).toEqual({ ok: true, rdata: `3 1 1 ${h.toUpperCase()}` });
      }),
    );
  });
});
