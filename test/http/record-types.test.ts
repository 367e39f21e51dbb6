// Every record type through the API on both stores: valid inputs give exactly the canonical HostUp
// view (value, priority, weight, port) in the 201, in GET and after a PUT of that view; invalid
// inputs give 400 with the pointer and code of each fault. The full per-type tables live in
// test/unit/record-types.test.ts; this pins that the API carries them through.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, describeEachDialect, expectProblem, getZone, pgFor, type Call } from './support.js';

const pgOk = await pgFor('http record types');

const hex = (octets: number, pair = 'ab') => pair.repeat(octets);
const HEX = (octets: number, pair = 'ab') => pair.toUpperCase().repeat(octets);

interface View {
  value: string;
  priority?: number | null;
  weight?: number | null;
  port?: number | null;
}
/** [owner (relative), input fields beyond type, expected view] */
type Valid = [string, Record<string, unknown>, View];
/** [owner, input fields beyond type, [pointer, code][]] */
type Invalid = [string, Record<string, unknown>, [string, string][]];

const VALID: Record<string, Valid[]> = {
  A: [
    ['a1', { value: '192.0.2.1' }, { value: '192.0.2.1' }],
    ['a2', { value: '  198.51.100.7 ' }, { value: '198.51.100.7' }],
    ['a3', { value: '203.0.113.255', priority: null, weight: null, port: null }, { value: '203.0.113.255' }],
  ],
  AAAA: [
    ['v1', { value: '2001:DB8::1' }, { value: '2001:db8::1' }],
    ['v2', { value: '2001:0db8:0000:0000:0000:0000:0000:0001' }, { value: '2001:db8::1' }],
    ['v3', { value: '2001:db8::192.0.2.1' }, { value: '2001:db8::c000:201' }],
  ],
  CNAME: [
    ['c1', { value: 'target.example.org' }, { value: 'target.example.org' }],
    ['c2', { value: 'Target.Example.ORG.' }, { value: 'target.example.org' }],
    ['c3', { value: 'bücher.example' }, { value: 'xn--bcher-kva.example' }],
  ],
  ALIAS: [
    ['@', { value: 'lb.example.net.' }, { value: 'lb.example.net' }],
    ['edge', { value: 'CDN.Example.NET' }, { value: 'cdn.example.net' }],
  ],
  MX: [
    ['@', { value: 'mail.example.org', priority: 10 }, { value: 'mail.example.org', priority: 10 }],
    ['m2', { value: '20 MX2.example.org.' }, { value: 'mx2.example.org', priority: 20 }],
    ['m3', { value: '10 mail.example.org', priority: 10 }, { value: 'mail.example.org', priority: 10 }],
    ['nullmx', { value: '.', priority: 0 }, { value: '.', priority: 0 }],
  ],
  TXT: [
    ['t1', { value: 'v=spf1 include:_spf.example.org -all' }, { value: 'v=spf1 include:_spf.example.org -all' }],
    ['t2', { value: 'say "hi"' }, { value: 'say "hi"' }],
    ['t3', { value: 'naïve ünïcode' }, { value: 'naïve ünïcode' }],
    ['t4', { value: '"v=DKIM1; k=rsa; " "p=MIGf"' }, { value: '"v=DKIM1; k=rsa; " "p=MIGf"' }],
    ['t5', { value: 'x'.repeat(300) }, { value: 'x'.repeat(300) }],
  ],
  SRV: [
    ['_sip._tcp', { value: 'sip.example.org', priority: 10, weight: 60, port: 5060 }, { value: 'sip.example.org', priority: 10, weight: 60, port: 5060 }],
    ['_sips._tcp', { value: '10 60 5061 SIP.example.org.' }, { value: 'sip.example.org', priority: 10, weight: 60, port: 5061 }],
    ['_xmpp._tcp', { value: '.', priority: 0, weight: 0, port: 0 }, { value: '.', priority: 0, weight: 0, port: 0 }],
  ],
  CAA: [
    ['@', { value: '0 issue "letsencrypt.org"' }, { value: '0 issue "letsencrypt.org"' }],
    ['ca2', { value: '0 issue letsencrypt.org' }, { value: '0 issue "letsencrypt.org"' }],
    ['ca3', { value: '128 ISSUE "ca.example.net; account=230123"' }, { value: '128 issue "ca.example.net; account=230123"' }],
    ['ca4', { value: '0 iodef "mailto:security@example.org"' }, { value: '0 iodef "mailto:security@example.org"' }],
  ],
  NS: [
    ['sub', { value: 'ns1.example.org' }, { value: 'ns1.example.org' }],
    ['sub', { value: 'NS2.Example.NET.' }, { value: 'ns2.example.net' }],
  ],
  PTR: [
    ['1', { value: 'host-1.example.org' }, { value: 'host-1.example.org' }],
    ['2', { value: 'Host-2.Example.org.' }, { value: 'host-2.example.org' }],
  ],
  TLSA: [
    ['_443._tcp.www', { value: `3 1 1 ${hex(32)}` }, { value: `3 1 1 ${HEX(32)}` }],
    ['_25._tcp.mail', { value: `3 1 1 ${hex(16)} ${hex(16)}` }, { value: `3 1 1 ${HEX(32)}` }],
    ['_993._tcp.imap', { value: '0 0 0 abcdef01' }, { value: '0 0 0 ABCDEF01' }],
  ],
  SSHFP: [
    ['host', { value: `4 2 ${hex(32)}` }, { value: `4 2 ${HEX(32)}` }],
    ['host', { value: `1 1 ${hex(20, '0f')}` }, { value: `1 1 ${HEX(20, '0f')}` }],
  ],
  SVCB: [
    ['_dns', { value: 'svc.example.org port=53 mandatory=port ipv4hint=192.0.2.1,192.0.2.2', priority: 1 }, { value: 'svc.example.org mandatory=port port=53 ipv4hint=192.0.2.1,192.0.2.2', priority: 1 }],
    ['s2', { value: '1 svc.example.org ipv6hint=2001:DB8:0:0:0:0:0:1,2001:db8::2' }, { value: 'svc.example.org ipv6hint=2001:db8::1,2001:db8::2', priority: 1 }],
    ['s3', { value: '0 svc.example.net' }, { value: 'svc.example.net', priority: 0 }],
  ],
  HTTPS: [
    ['@', { value: '. alpn=h2,h3', priority: 1 }, { value: '. alpn=h2,h3', priority: 1 }],
    ['h2', { value: '1 . port=8443 ALPN="h3,h2"' }, { value: '. alpn=h3,h2 port=8443', priority: 1 }],
    ['h3', { value: 'cdn.example.net', priority: 0 }, { value: 'cdn.example.net', priority: 0 }],
  ],
  DS: [
    ['child', { value: `12345 13 2 ${hex(32)}` }, { value: `12345 13 2 ${HEX(32)}` }],
    ['child', { value: `12346 ecdsap256sha256 2 ${hex(16)} ${hex(16)}` }, { value: `12346 13 2 ${HEX(32)}` }],
  ],
};

const INVALID: Record<string, Invalid[]> = {
  A: [
    ['x', { value: '192.0.2.01' }, [['/value', 'invalid_format']]],
    ['x', { value: '2001:db8::1' }, [['/value', 'invalid_value']]],
    ['x', { value: '' }, [['/value', 'required']]],
    ['x', { value: '192.0.2.1', weight: 0, port: 80 }, [['/weight', 'not_allowed'], ['/port', 'not_allowed']]],
  ],
  AAAA: [
    ['x', { value: '2001:db8:::1' }, [['/value', 'invalid_format']]],
    ['x', { value: '192.0.2.1' }, [['/value', 'invalid_value']]],
  ],
  CNAME: [
    ['x', { value: '192.0.2.1' }, [['/value', 'invalid_value']]],
    ['x', { value: '2001:db8::1' }, [['/value', 'invalid_value']]],
    ['x', { value: 'bad..example.org' }, [['/value', 'invalid_format']]],
    ['x', { value: 'target.example.org', priority: 0 }, [['/priority', 'not_allowed']]],
  ],
  ALIAS: [['x', { value: '203.0.113.5' }, [['/value', 'invalid_value']]]],
  MX: [
    ['x', { value: 'mail.example.org' }, [['/priority', 'required']]],
    ['x', { value: '10 mail.example.org', priority: 20 }, [['/priority', 'conflict']]],
    ['x', { value: 'mail.example.org', priority: 65536 }, [['/priority', 'out_of_range']]],
    ['x', { value: 'mail.example.org', priority: '10' }, [['/priority', 'invalid_type']]],
    ['x', { value: '192.0.2.25', priority: 10 }, [['/value', 'invalid_value']]],
  ],
  TXT: [
    ['x', { value: '"a" "b' }, [['/value', 'invalid_format']]],
    ['x', { value: `"${'x'.repeat(256)}"` }, [['/value', 'too_long']]],
    ['x', { value: 'v=spf1 -all', priority: 1 }, [['/priority', 'not_allowed']]],
  ],
  SRV: [
    ['_sip._tcp', { value: 'sip.example.org', priority: 10 }, [['/weight', 'required'], ['/port', 'required']]],
    ['_sip._tcp', { value: '10 60 5060 sip.example.org', port: 5061 }, [['/port', 'conflict']]],
    ['_sip._tcp', { value: '192.0.2.10', priority: 10, weight: 60, port: 5060 }, [['/value', 'invalid_value']]],
    ['_sip._tcp', { value: 'sip.example.org', priority: 10, weight: 60, port: 70000 }, [['/port', 'out_of_range']]],
  ],
  CAA: [
    ['x', { value: '256 issue "ca.example.net"' }, [['/value', 'out_of_range']]],
    ['x', { value: '0 iodef "ftp://example.org/"' }, [['/value', 'invalid_value']]],
    ['x', { value: '0 issue "unclosed' }, [['/value', 'invalid_format']]],
  ],
  NS: [
    ['sub', { value: '192.0.2.53' }, [['/value', 'invalid_value']]],
    ['sub', { value: 'ns1.example.org', port: 53 }, [['/port', 'not_allowed']]],
  ],
  PTR: [['1', { value: '2001:db8::1' }, [['/value', 'invalid_value']]]],
  TLSA: [
    ['_443._tcp', { value: `4 1 1 ${hex(32)}` }, [['/value', 'out_of_range']]],
    ['_443._tcp', { value: '3 1 1 abcd' }, [['/value', 'invalid_value']]],
  ],
  SSHFP: [
    ['host', { value: `5 2 ${hex(32)}` }, [['/value', 'invalid_value']]],
    ['host', { value: '4 2' }, [['/value', 'invalid_format']]],
  ],
  SVCB: [
    ['x', { value: '0 . alpn=h2' }, [['/value', 'invalid_value']]],
    ['x', { value: '1 . port=70000' }, [['/value', 'out_of_range']]],
    ['x', { value: 'svc.example.org alpn=h2' }, [['/priority', 'required']]],
  ],
  HTTPS: [
    ['x', { value: '1 . no-default-alpn' }, [['/value', 'invalid_value']]],
    ['x', { value: '1 . alpn=h2', weight: 1 }, [['/weight', 'not_allowed']]],
  ],
  DS: [
    ['child', { value: `1 13 2 ${hex(20)}` }, [['/value', 'invalid_value']]],
    ['child', { value: '1 13 2' }, [['/value', 'invalid_format']]],
  ],
  // Not API types at all.
  SPF: [['x', { value: 'v=spf1 -all' }, [['/type', 'invalid_value']]]],
  SOA: [['x', { value: 'ns1.example.net. hostmaster.example.org. 1 2 3 4 5' }, [['/type', 'invalid_value']]]],
};

describeEachDialect(pgOk, 'record types', (dialect) => {
  let srv: TestServer;
  let api: Call;
  beforeAll(async () => {
    srv = await startTestServer({ dialect });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  it('covers every API type', () => {
    expect(Object.keys(VALID).sort()).toEqual(['A', 'AAAA', 'ALIAS', 'CAA', 'CNAME', 'DS', 'HTTPS', 'MX', 'NS', 'PTR', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'TXT']);
  });

  it.each(Object.entries(VALID))('%s: valid inputs → exact views, stable through GET and PUT', async (type, cases) => {
    const z = await createZone(api);
    // DS belongs at a delegation: the NS records come first.
    if (type === 'DS') await createRecord(api, z.id, { type: 'NS', name: 'child', value: 'ns.child.example.net' });
    for (const [owner, fields, view] of cases) {
      const body = { type: type.toLowerCase(), name: owner, ...fields };
      const res = await api('POST', `/api/v2/dns-zones/${z.id}/records`, body);
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(201);
      const expected = { type, name: owner === '@' ? z.name : `${owner}.${z.name}`, value: view.value, priority: view.priority ?? null, weight: view.weight ?? null, port: view.port ?? null, ttl: 3600 };
      expect(res.body).toMatchObject(expected);
      const listed = (await getZone(api, z.id, `?type=${type}&name=${encodeURIComponent(owner)}`)).records.find((r) => r.id === res.body.id);
      expect(listed).toEqual(res.body);
      // The view sent back unchanged (a PUT of a GET) is accepted and changes nothing.
      const { value, priority, weight, port, ttl } = listed;
      const put = await api('PUT', `/api/v2/dns-zones/${z.id}/records/${res.body.id}`, { type, name: listed.name, value, priority, weight, port, ttl });
      expect(put.status, put.text).toBe(200);
      expect(put.body).toMatchObject(expected);
    }
    const after = await getZone(api, z.id);
    expect(after.zone.recordCount).toBe(2 + cases.length + (type === 'DS' ? 1 : 0));
  });

  it.each(Object.entries(INVALID))('%s: invalid inputs → 400 with pointer and code', async (type, cases) => {
    const z = await createZone(api);
    for (const [owner, fields, errors] of cases) {
      const res = await api('POST', `/api/v2/dns-zones/${z.id}/records`, { type, name: owner, ...fields });
      expectProblem(res, 400, 'invalid_request', errors);
      for (const e of res.body.errors) expect(e.detail).toMatch(/^[A-Z`].*\.$/s);
    }
    expect((await getZone(api, z.id)).zone.recordCount).toBe(2);
  });

  it('a TXT value over 255 bytes is stored as several strings (zone-file export) and read back whole', async () => {
    const z = await createZone(api);
    const text = 'k=' + 'abcdefghij'.repeat(60); // 602 bytes
    const r = await createRecord(api, z.id, { type: 'TXT', name: 'long', value: text });
    expect(r.value).toBe(text);
    const exp = await api('GET', `/api/v2/dns-zones/${z.id}/export`);
    const line = exp.text.split('\n').find((l) => l.startsWith('long'))!;
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(strings.map((s) => s.length)).toEqual([255, 255, 92]);
    expect(strings.join('')).toBe(text);
  });
});
