// Problem documents for everything that can go wrong at the HTTP level (malformed JSON, wrong media
// type, oversized bodies, unknown routes, wrong methods), and a seeded fuzz loop: random JSON sent to
// the record and batch routes never yields a 500 — always a problem document or a success.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, describeEachDialect, expectProblem, getZone, pgFor, type Call } from './support.js';

const pgOk = await pgFor('http problems');

let srv: TestServer;
let api: Call;
let zone: any;

beforeAll(async () => {
  srv = await startTestServer({ settings: { 'body-limit': '2048' } });
  api = client(srv.url, srv.adminToken);
  zone = await createZone(api);
});
afterAll(async () => srv?.close());

const records = () => `/api/v2/dns-zones/${zone.id}/records`;

describe('HTTP-level problems', () => {
  it.each([
    ['truncated JSON', '{"type":"A","name":"x",'],
    ['a trailing comma', '{"type":"A","name":"x","value":"192.0.2.1",}'],
    ['single quotes', "{'type':'A'}"],
    ['bare words', 'hello'],
  ])('malformed JSON (%s) → 400 invalid_request at the whole body', async (_what, body) => {
    const r = await api('POST', records(), body);
    expectProblem(r, 400, 'invalid_request', [['', 'invalid_format']]);
    expect(r.body.instance).toBe(records());
  });

  it('an empty body declared as JSON → 400', async () => {
    expectProblem(await api('POST', records(), '', { 'content-type': 'application/json' }), 400, 'invalid_request');
  });

  it('JSON that is not an object → 400 invalid_type', async () => {
    expectProblem(await api('POST', records(), 'null'), 400, 'invalid_request', [['', 'invalid_type']]);
    expectProblem(await api('POST', records(), '"A 192.0.2.1"'), 400, 'invalid_request', [['', 'invalid_type']]);
  });

  it.each([
    ['text/plain', records],
    ['text/dns', records],
    ['application/x-www-form-urlencoded', records],
    ['application/xml', () => '/api/v2/dns-zones'],
    ['text/plain', () => `/api/v2/dns-zones/${zone.id}/records/batch`],
    ['multipart/form-data; boundary=x', () => '/api/v2/api-keys'],
  ])('a %s body to a JSON route → 415', async (type, path) => {
    const r = await api('POST', path(), 'type=A&name=x', { 'content-type': type });
    expectProblem(r, 415, 'unsupported_media_type');
  });

  it('application/json with a charset is fine', async () => {
    const r = await api('POST', records(), JSON.stringify({ type: 'A', name: 'cs', value: '192.0.2.1' }), { 'content-type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(201);
  });

  it('a body over --body-limit (2048 bytes) → 413, for JSON and for zone files', async () => {
    const big = { type: 'TXT', name: 'big', value: 'x'.repeat(3000) };
    expectProblem(await api('POST', records(), big), 413, 'payload_too_large');
    expectProblem(await api('POST', `/api/v2/dns-zones/${zone.id}/import`, `big IN TXT "${'y'.repeat(3000)}"\n`, { 'content-type': 'text/dns' }), 413, 'payload_too_large');
    // Just under the limit is accepted.
    expect((await api('POST', records(), { type: 'TXT', name: 'small', value: 'x'.repeat(1900) })).status).toBe(201);
  });

  it.each([
    ['GET', '/nope'],
    ['GET', '/api/v2/nope'],
    ['GET', '/api/v3/dns-zones'],
    ['POST', '/api/v2/dns-zones/zone_01m8382ft02wb77pzt3cdqvqyd/records/batch/extra'],
    ['DELETE', '/api/v2'],
  ])('%s %s (unknown route) → 404', async (method, path) => {
    const r = await api(method, path);
    expectProblem(r, 404, 'not_found');
    expect(r.body.instance).toBe(path);
  });

  it.each([
    ['PATCH', '/api/v2/dns-zones', ['GET', 'POST']],
    ['PUT', '/api/v2/dns-zones', ['GET', 'POST']],
    ['POST', '/api/v2/dns-zones/zone_01m8382ft02wb77pzt3cdqvqyd', ['GET', 'DELETE']],
    ['GET', '/api/v2/dns-zones/zone_01m8382ft02wb77pzt3cdqvqyd/records/batch', ['POST']],
    ['GET', '/api/v2/dns-zones/zone_01m8382ft02wb77pzt3cdqvqyd/records/drr_01m8382ft02wb77pzt3cdqvqyd', ['PUT', 'DELETE']],
    ['DELETE', '/api/v2/api-keys', ['GET', 'POST']],
    ['POST', '/healthz', ['GET']],
    ['DELETE', '/api/v2/openapi.json', ['GET']],
  ])('%s %s (wrong method) → 405 with Allow', async (method, path, allowed) => {
    const r = await api(method, path);
    expectProblem(r, 405, 'method_not_allowed');
    const allow = r.headers.get('allow')!.split(/,\s*/);
    for (const m of allowed as string[]) expect(allow).toContain(m);
    expect(allow).not.toContain(method);
  });

  it('path parameters that are not ids → 400 with a pointer to the parameter', async () => {
    expectProblem(await api('GET', '/api/v2/dns-zones/not-an-id'), 400, 'invalid_request', [['/zoneId', 'invalid_format']]);
    expectProblem(await api('DELETE', `/api/v2/dns-zones/${zone.id}/records/zone_01m8382ft02wb77pzt3cdqvqyd`), 400, 'invalid_request', [['/recordId', 'invalid_format']]);
  });

  it('every response, success or problem, carries X-Request-Id; problems repeat it as requestId', async () => {
    const ok = await api('GET', '/api/v2/dns-zones');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_[0-9a-z]{26}$/);
    const a = await api('GET', '/nope');
    const b = await api('GET', '/nope');
    expect(a.body.requestId).not.toBe(b.body.requestId);
    expect(Date.parse(a.body.timestamp)).toBeLessThanOrEqual(Date.parse(b.body.timestamp));
  });
});

describeEachDialect(pgOk, 'NUL characters (PostgreSQL cannot store them in text) are 400 or stored escaped, never 500', (dialect) => {
  let pg: TestServer;
  let call: Call;
  let z: any;
  beforeAll(async () => {
    pg = await startTestServer({ dialect });
    call = client(pg.url, pg.adminToken);
    z = await createZone(call);
  });
  afterAll(async () => pg?.close());
  const cursor = (text: string) => Buffer.from(text).toString('base64url');

  it.each([
    ['a record comment', 'POST', () => `/api/v2/dns-zones/${z.id}/records`, { type: 'TXT', name: 'c', value: 'x', comment: 'a\u0000b' }, [['/comment', 'invalid_value']]],
    ['an API key name', 'POST', () => '/api/v2/api-keys', { name: 'k\u0000', scopes: ['read:dns'] }, [['/name', 'invalid_value']]],
    ['a batch delete id', 'POST', () => `/api/v2/dns-zones/${z.id}/records/batch`, { deletes: ['drr_\u0000'] }, [['/deletes/0', 'invalid_value']]],
    ['a batch put id', 'POST', () => `/api/v2/dns-zones/${z.id}/records/batch`, { puts: [{ id: '\u0000', type: 'A', name: 'a', value: '192.0.2.1' }] }, [['/puts/0/id', 'invalid_value']]],
    ['the records type filter', 'GET', () => `/api/v2/dns-zones/${z.id}/records?type=%00`, undefined, [['/type', 'invalid_value']]],
    ['a records cursor', 'GET', () => `/api/v2/dns-zones/${z.id}/records?cursor=${cursor('drr:\u0000')}`, undefined, [['/cursor', 'invalid_value']]],
    ['a zones cursor', 'GET', () => `/api/v2/dns-zones?cursor=${cursor('zone:\u0000')}`, undefined, [['/cursor', 'invalid_value']]],
    ['a domains cursor', 'GET', () => `/api/v2/domains?cursor=${cursor('dom:\u0000')}`, undefined, [['/cursor', 'invalid_value']]],
    ['an API keys cursor', 'GET', () => `/api/v2/api-keys?cursor=${cursor('key:\u0000')}`, undefined, [['/cursor', 'invalid_value']]],
  ])('in %s → 400', async (_what, method, path, body, errors) => {
    expectProblem(await call(method, path(), body), 400, 'invalid_request', errors as [string, string][]);
  });

  it('a NUL inside TXT data is record data: stored escaped and read back', async () => {
    const r = await createRecord(call, z.id, { type: 'TXT', name: 'nul', value: 'a\u0000b' });
    expect(r.value).toBe('a\u0000b');
    expect((await call('GET', `/api/v2/dns-zones/${z.id}/export`)).text).toContain('"a\\000b"');
    expect((await call('GET', `/api/v2/dns-zones?name=%00`)).body.data).toEqual([]);
  });
});

describe('fuzz: random JSON to the record routes never gives a 500', () => {
  const API_TYPES = ['A', 'AAAA', 'CNAME', 'ALIAS', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'PTR', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS', 'DS'];
  const VALUES = [
    '192.0.2.1', '198.51.100.300', '2001:db8::1', '2001:db8:::1', 'mail.example.org', 'target.example.net.', '.', '@', '',
    '10 mail.example.org', '1 2 3 sip.example.org', '0 issue "ca.example.net"', '3 1 1 abcd', `3 1 1 ${'ab'.repeat(32)}`,
    `12345 13 2 ${'ab'.repeat(32)}`, `4 2 ${'ab'.repeat(32)}`, '1 . alpn=h2,h3 port=443', '0 . alpn=h2', 'svc.example.org mandatory=port',
    '"a" "b', '"quoted"', 'v=spf1 -all', 'bücher.example', '\\# 4 c0000201', 'x'.repeat(300), '"' + 'y'.repeat(256) + '"',
  ];
  const NAMES = ['@', '', 'www', 'WWW', '*', '*.dev', 'a.*', '_acme-challenge', '_sip._tcp', 'bad..name', '-x', 'müller', 'www.example.net.', 'x'.repeat(64), '\\046'];
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(...VALUES, ...NAMES));
  /** Mostly absent (so that some bodies are valid), sometimes null, sometimes any number. */
  const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: arb });
  const u16ish = rarely(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -2, max: 70000 })));
  /** Bodies that pass the JSON schema, so the record rules and the store see them. */
  const wellTyped = fc.record(
    {
      type: fc.oneof(fc.constantFrom(...API_TYPES), fc.constantFrom('a', 'mx', 'SOA', 'SPF', 'TYPE65'), fc.string({ minLength: 1, maxLength: 16 })),
      name: fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 20 })),
      value: fc.oneof(fc.constantFrom(...VALUES), fc.tuple(fc.integer({ min: 0, max: 70000 }), text).map(([n, t]) => `${n} ${t}`), text),
      ttl: rarely(fc.oneof(fc.constantFrom(60, 300, 3600, 86400), fc.integer({ min: -1, max: 100000 }))),
      priority: u16ish,
      weight: u16ish,
      port: u16ish,
      comment: rarely(fc.string({ maxLength: 30 })),
    },
    { requiredKeys: ['type', 'name', 'value'] },
  );
  /** Valid records at random names (some collide: duplicates, CNAME conflicts, DS without NS). */
  const plausible = fc.record({
    rec: fc.constantFrom<Record<string, unknown>>(
      { type: 'A', value: '192.0.2.7' }, { type: 'AAAA', value: '2001:db8::7' }, { type: 'CNAME', value: 'target.example.net' },
      { type: 'ALIAS', value: 'lb.example.net' }, { type: 'MX', value: 'mail.example.org', priority: 10 }, { type: 'TXT', value: 'hello "world"' },
      { type: 'SRV', value: 'sip.example.org', priority: 1, weight: 2, port: 5060 }, { type: 'CAA', value: '0 issue "ca.example.net"' },
      { type: 'NS', value: 'ns.example.net' }, { type: 'DS', value: `1 13 2 ${'ab'.repeat(32)}` }, { type: 'HTTPS', value: '1 . alpn=h2' },
    ),
    name: fc.oneof(fc.constantFrom('@', 'www', 'mail', '_sip._tcp'), fc.integer({ min: 0, max: 30 }).map((n) => `h${n}`)),
    ttl: rarely(fc.constantFrom(60, 300, 3600)),
  }).map(({ rec, name, ttl }) => ({ ...rec, name, ...(ttl !== undefined ? { ttl } : {}) }));
  /** Anything shaped roughly like a record, wrong types and unknown fields included. */
  const recordish = fc.record(
    { type: text, name: text, value: fc.oneof(text, fc.integer()), ttl: fc.jsonValue({ maxDepth: 0 }), priority: fc.jsonValue({ maxDepth: 0 }), extra: fc.jsonValue({ maxDepth: 2 }) },
    { requiredKeys: [] },
  );
  const id = fc.oneof(fc.constantFrom('$SEED', '$NS', 'drr_01m8382ft02wb77pzt3cdqvqyd'), fc.string({ maxLength: 30 }));
  const batch = fc.record(
    {
      deletes: fc.array(id, { maxLength: 4 }),
      puts: fc.array(fc.tuple(wellTyped, id).map(([r, i]) => ({ id: i, ...r })), { maxLength: 3 }),
      posts: fc.array(fc.oneof(plausible, wellTyped), { maxLength: 5 }),
    },
    { requiredKeys: [] },
  );
  const payload = fc.oneof(
    { weight: 4, arbitrary: wellTyped.map((b) => ({ batch: false, body: JSON.stringify(b) })) },
    { weight: 2, arbitrary: plausible.map((b) => ({ batch: false, body: JSON.stringify(b) })) },
    { weight: 4, arbitrary: batch.map((b) => ({ batch: true, body: JSON.stringify(b) })) },
    { weight: 1, arbitrary: fc.tuple(recordish, fc.boolean()).map(([b, toBatch]) => ({ batch: toBatch, body: JSON.stringify(toBatch ? { posts: [b], deletes: [b.name] } : b) })) },
    { weight: 1, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.boolean()).map(([v, toBatch]) => ({ batch: toBatch, body: JSON.stringify(v) })) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 60 }), fc.boolean()).map(([t, toBatch]) => ({ batch: toBatch, body: t })) },
  );

  it('300 seeded rounds against POST /records and POST /records/batch', async () => {
    const z = await createZone(api);
    const seed = await createRecord(api, z.id, { type: 'A', name: 'seed', value: '192.0.2.1' });
    const ns = (await getZone(api, z.id, '?type=NS')).records[0];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(payload, async ({ batch: toBatch, body }) => {
        const sent = body.replaceAll('$SEED', seed.id).replaceAll('$NS', ns.id);
        const r = await api('POST', `/api/v2/dns-zones/${z.id}/records${toBatch ? '/batch' : ''}`, sent, { 'content-type': 'application/json' });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.status, `${sent} → ${r.text}`).toBeLessThan(500);
        if (r.status >= 400) expectProblem(r, r.status, r.body.code);
        else expect(r.status).toBe(toBatch ? 200 : 201);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 20260427), endOnFailure: true },
    );
    if (process.env.FUZZ_DEBUG) console.log(JSON.stringify([...statuses]));
    // The fuzzer got past the schema to the record rules: some writes succeeded, some were refused.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect((statuses.get(201) ?? 0) + (statuses.get(200) ?? 0)).toBeGreaterThan(0);
    // The zone is still consistent afterwards.
    const after = await getZone(api, z.id);
    expect(after.zone.recordCount).toBe(after.records.length);
  });
});
