// The organization API's dns-records (seed 003) on both stores: every type × every extra field
// (allowed and forbidden, from the seed's table), required fields and ranges, the seed's own
// example, JSON-LD item and collection shapes, paging and filters, merge patch (RFC 7396), and
// round trips with the HostUp-style API and with DNS (dig).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, requireDigTools, statusOf } from '../../helpers/dns.js';
import { client, startTestServer, type TestServer } from '../../helpers/server.js';
import { describeEachDialect, pgFor, zoneName, type Call } from '../support.js';
import { EXTRA_FIELDS, ORG_RECORD_TYPES } from '../../../src/core/organizations/org-record-types.js';
import { expectOrgProblem, loggedIn, makeDomain, makeUser, violations, type OrgCall } from './support.js';

const pgOk = await pgFor('organization API records');
const digOk = requireDigTools('organization API records');

const HEX64 = 'a'.repeat(64);
/** A valid body per type code, without extra fields beyond those the type needs. */
const BASE: Record<number, Record<string, unknown>> = {
  0: { value: '192.0.2.10' },
  1: { value: '2001:db8::10' },
  2: { value: 'target.example.org' },
  3: { value: 'hello world' },
  4: { value: 'mail.example.org', priority: 10 },
  5: { value: 'https://www.example.org/landing' },
  6: { value: 'target.example.org' },
  7: { value: 'my-pullzone' },
  8: { value: 'sip.example.org', priority: 10, weight: 5, port: 5060 },
  9: { value: 'letsencrypt.org', tag: 'issue' },
  10: { value: 'host.example.org' },
  11: { value: 'function handleQuery(query) { return { answers: [{ type: "A", value: "192.0.2.11" }] }; }' },
  12: { value: 'ns1.example.net' },
  13: { value: 'svc.example.org alpn=h2', priority: 1 },
  14: { value: 'svc.example.org alpn=h2', priority: 1 },
  15: { value: `3 1 1 ${HEX64}` },
};
/** A valid value for each extra field. */
const EXTRA: Record<string, unknown> = { weight: 7, priority: 20, port: 443, flags: 128, tag: 'issuewild', monitorType: 2 };

/** Owner names that suit the type (SRV and TLSA need underscore labels). */
function ownerFor(code: number, label: string): string {
  if (code === 8) return `_sip._tcp.${label}`;
  if (code === 15) return `_443._tcp.${label}`;
  return label;
}

describeEachDialect(pgOk, 'organization API: dns-records', (dialect) => {
  let srv: TestServer;
  let call: OrgCall;
  let v2: Call;
  let domain: { zoneId: string; domainUuid: string; name: string };
  let base: string;

  beforeAll(async () => {
    srv = await startTestServer({ dialect, dns: dialect === 'sqlite', settings: { 'pull-zones': 'my-pullzone=192.0.2.200' } });
    const u = await makeUser(srv, { role: 'member' });
    call = await loggedIn(srv, u.email);
    v2 = client(srv.url, srv.adminToken);
    domain = await makeDomain(srv, zoneName('org'));
    base = `/api/organizations/${srv.accountId}/domains/${domain.domainUuid}/dns-records`;
  });
  afterAll(async () => srv?.close());

  describe('every type × every extra field (seed 003 rules)', () => {
    for (const t of ORG_RECORD_TYPES) {
      it(`${t.code} ${t.name}: the base body is accepted and shown back`, async () => {
        const r = await call('POST', base, { type: t.code, name: ownerFor(t.code, `base${t.code}`), ...BASE[t.code] });
        expect(r.status, r.text).toBe(201);
        expect(r.body).toMatchObject({ type: t.code, typeString: t.name, name: ownerFor(t.code, `base${t.code}`), ttl: 3600, domainId: domain.domainUuid, monitorStatus: 0 });
        expect(r.body.id).toBe(`${domain.domainUuid}:${r.body.recordId}`);
      });
      for (const f of EXTRA_FIELDS) {
        const allowed = t.extra.includes(f);
        it(`${t.code} ${t.name} + ${f}: ${allowed ? 'accepted' : 'rejected (422 not_allowed)'}`, async () => {
          const body = { type: t.code, name: ownerFor(t.code, `x${t.code}-${f.toLowerCase()}`), ...BASE[t.code], [f]: EXTRA[f] };
          const r = await call('POST', base, body);
          if (allowed) {
            expect(r.status, r.text).toBe(201);
            expect(r.body[f]).toBe(EXTRA[f]);
          } else {
            expect(violations(r)).toEqual([[f, 'not_allowed']]);
          }
        });
      }
    }
  });

  it('name and value are required; type must be 0-15; unknown fields are rejected; one answer lists every violation', async () => {
    expect(violations(await call('POST', base, { type: 0 }))).toEqual([['name', 'required'], ['value', 'required']]);
    expect(violations(await call('POST', base, { name: 'a', value: '192.0.2.1' }))).toEqual([['type', 'required']]);
    expect(violations(await call('POST', base, { type: 16, name: 'a', value: 'x' }))).toEqual([['type', 'out_of_range']]);
    expect(violations(await call('POST', base, { type: 'A', name: 'a', value: '192.0.2.1' }))).toEqual([['type', 'invalid_type']]);
    expect(violations(await call('POST', base, { type: 0, name: 'a', value: '192.0.2.1', id: 'x', recordId: 5 }))).toEqual([['id', 'unknown_field'], ['recordId', 'unknown_field']]);
    expect(violations(await call('POST', base, { type: 0, name: 'a', value: '' }))).toEqual([['value', 'required']]);
    expect(violations(await call('POST', base, [1, 2]))).toEqual([['', 'invalid_type']]);
  });

  it('ttl is 15-86400 (this API\'s own range), default 3600; numeric fields keep their ranges', async () => {
    expect(violations(await call('POST', base, { type: 0, name: 'ttl', value: '192.0.2.1', ttl: 14 }))).toEqual([['ttl', 'out_of_range']]);
    expect(violations(await call('POST', base, { type: 0, name: 'ttl', value: '192.0.2.1', ttl: 86401 }))).toEqual([['ttl', 'out_of_range']]);
    expect(violations(await call('POST', base, { type: 0, name: 'ttl', value: '192.0.2.1', ttl: '60' }))).toEqual([['ttl', 'invalid_type']]);
    const low = await call('POST', base, { type: 0, name: 'ttl', value: '192.0.2.1', ttl: 15 });
    expect(low.status, low.text).toBe(201);
    expect(low.body.ttl).toBe(15);
    expect((await call('POST', base, { type: 0, name: 'ttl', value: '192.0.2.2', ttl: 86400 })).status).toBe(201);
    expect(violations(await call('POST', base, { type: 8, name: '_x._tcp.r', value: 'a.example.org', priority: 65536, weight: -1, port: 1.5 }))).toEqual([
      ['weight', 'out_of_range'],
      ['priority', 'out_of_range'],
      ['port', 'invalid_type'],
    ]);
    expect(violations(await call('POST', base, { type: 9, name: 'r', value: 'ca.example.org', tag: 'issue', flags: 256 }))).toEqual([['flags', 'out_of_range']]);
    expect(violations(await call('POST', base, { type: 0, name: 'r', value: '192.0.2.3', monitorType: 3 }))).toEqual([['monitorType', 'out_of_range']]);
    expect(violations(await call('POST', base, { type: 9, name: 'r', value: 'ca.example.org' }))).toEqual([['tag', 'required']]);
  });

  it('only name and value are required: a left-out priority, weight or port is 0', async () => {
    const mx = await call('POST', base, { type: 4, name: 'mx0', value: 'mail.example.org' });
    expect(mx.status, mx.text).toBe(201);
    expect(mx.body).toMatchObject({ priority: 0, value: 'mail.example.org' });
    const srv0 = await call('POST', base, { type: 8, name: '_sip._udp.s0', value: 'sip.example.org', port: 5060 });
    expect(srv0.body).toMatchObject({ priority: 0, weight: 0, port: 5060 });
    // The full RDATA in value still works (then the numbers come from it).
    expect((await call('POST', base, { type: 4, name: 'mx1', value: '20 mail.example.org' })).body.priority).toBe(20);
  });

  it('a change DNS does not see (a comment) leaves the serial alone; a weight, a Script and a Redirect move it', async () => {
    const serial = async () => (await v2('GET', `/api/v2/dns-zones/${domain.zoneId}`)).body.zone.serial as number;
    const rec = (await call('POST', base, { type: 0, name: 'quiet', value: '192.0.2.80' })).body;
    const before = await serial();
    const mp = { 'content-type': 'application/merge-patch+json' };
    expect((await call('PATCH', `${base}/${rec.id}`, { comment: 'noted' }, mp)).status).toBe(200);
    expect(await serial()).toBe(before);
    // A weight changes which addresses DNS answers (weighted answers): the serial moves.
    expect((await call('PATCH', `${base}/${rec.id}`, { weight: 9 }, mp)).status).toBe(200);
    const afterWeight = await serial();
    expect(afterWeight).toBeGreaterThan(before);
    // A Script answers in DNS.
    const script = await call('POST', base, { type: 11, name: 'quiet-js', value: 'function handleQuery() { return { answers: [] }; }' });
    expect(script.status).toBe(201);
    const afterScript = await serial();
    expect(afterScript).toBeGreaterThan(afterWeight);
    // A Redirect changes what DNS answers (the redirect service's addresses).
    expect((await call('POST', base, { type: 5, name: 'quiet-go', value: 'https://www.example.org/' })).status).toBe(201);
    const afterRedirect = await serial();
    expect(afterRedirect).toBeGreaterThan(afterScript);
    expect((await call('PATCH', `${base}/${rec.id}`, { ttl: 120 }, mp)).status).toBe(200);
    expect(await serial()).toBeGreaterThan(afterRedirect);
  });

  it('a `__proto__` key is refused, in JSON-LD and merge-patch bodies alike', async () => {
    const rec = (await call('POST', base, { type: 0, name: 'proto', value: '192.0.2.90' })).body;
    expectOrgProblem(await call('PATCH', `${base}/${rec.id}`, '{"ttl":null,"__proto__":{"ttl":77}}', { 'content-type': 'application/merge-patch+json' }), 400, 'invalid_request');
    expectOrgProblem(await call('POST', base, '{"type":0,"name":"p2","value":"192.0.2.91","__proto__":{"x":1}}', { 'content-type': 'application/ld+json' }), 400, 'invalid_request');
    expect((await call('GET', `${base}/${rec.id}`)).body.ttl).toBe(3600);
  });

  it('a Script must compile in the sandbox and define handleQuery; the reason is the violation', async () => {
    const bad = await call('POST', base, { type: 11, name: 'js1', value: 'function handleQuery( {' });
    expect(violations(bad)).toEqual([['value', 'invalid_value']]);
    expect(bad.body.violations[0].message).toMatch(/SyntaxError/);
    const noHandler = await call('POST', base, { type: 11, name: 'js2', value: 'const answer = 42;' });
    expect(noHandler.body.violations[0].message).toMatch(/handleQuery/);
    const loop = await call('POST', base, { type: 11, name: 'js3', value: 'while (true) {}' });
    expect(loop.body.violations[0].message).toMatch(/took too long/);
    const ok = await call('POST', base, { type: 11, name: 'js4', value: 'function handleQuery(q) {\n  return { answers: [] };\n}\n' });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.value).toBe('function handleQuery(q) {\n  return { answers: [] };\n}\n'); // kept exactly
    const mp = { 'content-type': 'application/merge-patch+json' };
    expect(violations(await call('PATCH', `${base}/${ok.body.id}`, { value: 'syntax error here (' }, mp))).toEqual([['value', 'invalid_value']]);
    expect((await call('PATCH', `${base}/${ok.body.id}`, { ttl: 120 }, mp)).status).toBe(200);
  });

  it('values are checked per type, with the field named', async () => {
    expect(violations(await call('POST', base, { type: 0, name: 'v', value: '2001:db8::1' }))).toEqual([['value', 'invalid_value']]);
    expect((await call('POST', base, { type: 5, name: 'v', value: 'ftp://example.org/' })).status).toBe(422);
    expect((await call('POST', base, { type: 5, name: 'v', value: 'not a url' })).status).toBe(422);
    expect((await call('POST', base, { type: 7, name: 'v', value: 'has space' })).status).toBe(422);
    expect((await call('POST', base, { type: 15, name: '_443._tcp.v', value: '3 1 1 zz' })).status).toBe(422);
    expect(violations(await call('POST', base, { type: 2, name: 'v', value: 'single' }))).toEqual([['value', 'invalid_value']]);
    expect(violations(await call('POST', base, { type: 0, name: 'bad..name', value: '192.0.2.1' }))).toEqual([['name', 'invalid_format']]);
  });

  it("the seed's example body is refused for the fields A does not allow, and accepted without them", async () => {
    const seed = { type: 0, ttl: 3600, value: '192.0.2.1', name: 'www', weight: 0, priority: 10, port: 0, flags: 0, tag: 'issue', monitorType: 0, comment: 'Primary web server' };
    expect(violations(await call('POST', base, seed))).toEqual([['priority', 'not_allowed'], ['port', 'not_allowed'], ['flags', 'not_allowed'], ['tag', 'not_allowed']]);
    const { priority: _p, port: _o, flags: _f, tag: _t, ...ok } = seed;
    const r = await call('POST', base, ok);
    expect(r.status, r.text).toBe(201);
    // The response of seed 003, key for key.
    expect(Object.keys(r.body)).toEqual(['@context', '@id', '@type', 'recordId', 'domainId', 'type', 'ttl', 'value', 'name', 'weight', 'priority', 'port', 'flags', 'tag', 'monitorStatus', 'monitorType', 'comment', 'id', 'typeString']);
    expect(r.body).toMatchObject({ '@context': '/api/contexts/DnsRecord', '@type': 'DnsRecord', type: 0, ttl: 3600, value: '192.0.2.1', name: 'www', weight: 0, priority: null, port: null, flags: null, tag: null, monitorStatus: 0, monitorType: 0, comment: 'Primary web server', typeString: 'A' });
    expect(r.body['@id']).toBe(`${base}/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body['@id']);
    expect(r.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    expect(Number.isInteger(r.body.recordId)).toBe(true);
  });

  it('conflicts with records in the domain are violations (duplicate, CNAME beside data, apex NS)', async () => {
    await call('POST', base, { type: 0, name: 'dup', value: '192.0.2.50' });
    expect(violations(await call('POST', base, { type: 0, name: 'dup', value: '192.0.2.50' }))).toEqual([['value', 'duplicate']]);
    expect(violations(await call('POST', base, { type: 2, name: 'dup', value: 'other.example.org' }))).toEqual([['type', 'conflict']]);
    expect(violations(await call('POST', base, { type: 12, name: '', value: 'ns3.example.net' }))).toEqual([['name', 'not_allowed']]);
    const list = await call('GET', `${base}?type=NS&name=`);
    const apexNs = list.body['hydra:member'][0];
    expectOrgProblem(await call('DELETE', `${base}/${apexNs.id}`), 403, 'forbidden');
  });

  it('GET item, collection with hydra paging and filters by type (number or typeString) and name', async () => {
    const d = await makeDomain(srv, zoneName('page'));
    const b = `/api/organizations/${srv.accountId}/domains/${d.domainUuid}/dns-records`;
    for (let i = 0; i < 5; i++) expect((await call('POST', b, { type: 3, name: 'txt', value: `entry ${i}` })).status).toBe(201);
    await call('POST', b, { type: 0, name: 'www', value: '192.0.2.1' });
    const all = await call('GET', b);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ '@context': '/api/contexts/DnsRecord', '@id': b, '@type': 'hydra:Collection', 'hydra:totalItems': 8 });
    expect(all.body['hydra:view']).toBeUndefined();
    expect(all.body['hydra:member'][0]).not.toHaveProperty('@context');
    expect(all.body['hydra:member'].map((m: any) => m.recordId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const p2 = await call('GET', `${b}?type=3&itemsPerPage=2&page=2`);
    expect(p2.body['hydra:totalItems']).toBe(5);
    expect(p2.body['hydra:member'].map((m: any) => m.value)).toEqual(['entry 2', 'entry 3']);
    expect(p2.body['hydra:view']).toEqual({
      '@id': `${b}?type=3&itemsPerPage=2&page=2`,
      '@type': 'hydra:PartialCollectionView',
      'hydra:first': `${b}?type=3&itemsPerPage=2&page=1`,
      'hydra:last': `${b}?type=3&itemsPerPage=2&page=3`,
      'hydra:previous': `${b}?type=3&itemsPerPage=2&page=1`,
      'hydra:next': `${b}?type=3&itemsPerPage=2&page=3`,
    });
    expect((await call('GET', `${b}?type=TXT&name=txt`)).body['hydra:totalItems']).toBe(5);
    expect((await call('GET', `${b}?type=a&name=www`)).body['hydra:totalItems']).toBe(1);
    expect((await call('GET', `${b}?name=nothing`)).body['hydra:totalItems']).toBe(0);
    expect((await call('GET', `${b}?page=9`)).body['hydra:member']).toEqual([]);
    expectOrgProblem(await call('GET', `${b}?type=SPF`), 400, 'invalid_request');
    expectOrgProblem(await call('GET', `${b}?itemsPerPage=101`), 400, 'invalid_request');
    expectOrgProblem(await call('GET', `${b}?page=0`), 400, 'invalid_request');
    const one = all.body['hydra:member'][7];
    const item = await call('GET', `${b}/${one.id}`);
    expect(item.body).toEqual({ '@context': '/api/contexts/DnsRecord', ...one });
    expect((await call('GET', `${b}/${one.recordId}`)).body.id).toBe(one.id);
    expectOrgProblem(await call('GET', `${b}/${domain.domainUuid}:${one.recordId}`), 404, 'not_found');
    expectOrgProblem(await call('GET', `${b}/999999`), 404, 'not_found');
    expectOrgProblem(await call('GET', `${b}/junk`), 404, 'not_found');
    const ctx = await client(srv.url)('GET', '/api/contexts/DnsRecord');
    expect(ctx.status).toBe(200);
    expect(ctx.body['@context'].typeString).toBe('DnsRecord/typeString');
  });

  it('PATCH is a JSON merge patch: members replace, null clears, the result is validated as a whole', async () => {
    const created = (await call('POST', base, { type: 0, name: 'mp', value: '192.0.2.60', weight: 10, monitorType: 1, comment: 'before' })).body;
    const url = `${base}/${created.id}`;
    const mp = { 'content-type': 'application/merge-patch+json' };
    expectOrgProblem(await call('PATCH', url, { ttl: 60 }), 415, 'unsupported_media_type');
    let r = await call('PATCH', url, { ttl: 60, comment: null }, mp);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ recordId: created.recordId, ttl: 60, comment: null, weight: 10, monitorType: 1, value: '192.0.2.60' });
    r = await call('PATCH', url, { weight: null }, mp);
    expect(r.body).toMatchObject({ weight: null, ttl: 60 });
    r = await call('PATCH', url, { ttl: null }, mp);
    expect(r.body.ttl).toBe(3600); // cleared: the default
    expect(violations(await call('PATCH', url, { value: null }, mp))).toEqual([['value', 'required']]);
    expect(violations(await call('PATCH', url, { priority: 5 }, mp))).toEqual([['priority', 'not_allowed']]);
    // Changing the type: fields the new type does not allow must be cleared in the same patch.
    expect(violations(await call('PATCH', url, { type: 3, value: 'now text' }, mp))).toEqual([['monitorType', 'not_allowed']]);
    r = await call('PATCH', url, { type: 3, value: 'now text', monitorType: null }, mp);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ type: 3, typeString: 'TXT', value: 'now text', monitorType: 0, recordId: created.recordId });
    r = await call('PATCH', url, {}, mp);
    expect(r.status).toBe(200);
    expect(violations(await call('PATCH', url, '[1]', mp))).toEqual([['', 'invalid_type']]);
    expectOrgProblem(await call('PATCH', url, '{bad', mp), 400, 'invalid_request');
    expect((await call('DELETE', url)).status).toBe(204);
    expectOrgProblem(await call('GET', url), 404, 'not_found');
    expectOrgProblem(await call('DELETE', url), 404, 'not_found');
  });

  it('round trips with the HostUp-style API: the same records, both ways (Flatten is ALIAS)', async () => {
    const a = (await call('POST', base, { type: 0, name: 'rt', value: '198.51.100.20', ttl: 120 })).body;
    const f = (await call('POST', base, { type: 6, name: 'flat', value: 'target.example.org' })).body;
    const red = (await call('POST', base, { type: 5, name: 'go', value: 'https://www.example.org/' })).body;
    const list = (await v2('GET', `/api/v2/dns-zones/${domain.zoneId}/records`)).body.records as any[];
    expect(list.find((x) => x.name === `rt.${domain.name}`)).toMatchObject({ type: 'A', value: '198.51.100.20', ttl: 120 });
    expect(list.find((x) => x.name === `flat.${domain.name}`)).toMatchObject({ type: 'ALIAS', value: 'target.example.org' });
    expect(list.find((x) => x.name === `go.${domain.name}`)).toMatchObject({ type: 'REDIRECT', value: 'https://www.example.org/' });
    const v2rec = (await v2('POST', `/api/v2/dns-zones/${domain.zoneId}/records`, { type: 'MX', name: 'rt', value: 'mx.example.org', priority: 5 })).body;
    const mx = (await call('GET', `${base}?type=4&name=rt`)).body['hydra:member'];
    expect(mx).toHaveLength(1);
    expect(mx[0]).toMatchObject({ type: 4, typeString: 'MX', priority: 5, value: 'mx.example.org', name: 'rt' });
    // A v2 replacement keeps what v2 cannot express (weight, monitorType).
    const w = (await call('POST', base, { type: 0, name: 'keep', value: '192.0.2.70', weight: 3, monitorType: 2 })).body;
    const v2id = (await v2('GET', `/api/v2/dns-zones/${domain.zoneId}/records?name=keep.${domain.name}`)).body.records[0].id;
    expect((await v2('PUT', `/api/v2/dns-zones/${domain.zoneId}/records/${v2id}`, { type: 'A', name: 'keep', value: '192.0.2.70', ttl: 300 })).status).toBe(200);
    expect((await call('GET', `${base}/${w.id}`)).body).toMatchObject({ weight: 3, monitorType: 2, ttl: 300, recordId: w.recordId });
    // A zone file import keeps the records zone files cannot hold.
    const exported = (await v2('GET', `/api/v2/dns-zones/${domain.zoneId}/export`)).text;
    expect(exported).not.toContain('REDIRECT');
    expect(exported).toContain('ALIAS');
    expect((await call('GET', `${base}/${red.id}`)).status).toBe(200);
    if (digOk && srv.dns) {
      const port = srv.dns.port;
      expect(await dig(port, `rt.${domain.name}`, 'A')).toContain('198.51.100.20');
      expect(await dig(port, `rt.${domain.name}`, 'MX')).toContain('mx.example.org.');
      // A Redirect answers with the redirect service's addresses; none are configured here.
      expect(statusOf(await dig(port, `go.${domain.name}`, 'A'))).toBe('NXDOMAIN');
      expect((await call('DELETE', `${base}/${a.id}`)).status).toBe(204);
      expect(await dig(port, `rt.${domain.name}`, 'A')).not.toContain('198.51.100.20');
    }
    expect(f.recordId).toBeGreaterThan(0);
    expect(v2rec.id).toMatch(/^drr_/);
  });
});
