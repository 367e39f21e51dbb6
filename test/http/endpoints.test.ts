// Every endpoint of the HTTP API once, through the real server: zones (list, lego's name lookup,
// create, get, delete), records with acme.sh-style filters, zone-file import/export, domains,
// API keys, the /errors pages behind every problem `type`, OpenAPI, /docs and /healthz.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, expectProblem, getZone, userRecords, zoneName, type Call } from './support.js';

let srv: TestServer;
let api: Call;
let anon: Call;

beforeAll(async () => {
  srv = await startTestServer();
  api = client(srv.url, srv.adminToken);
  anon = client(srv.url);
});
afterAll(async () => srv?.close());

const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{26}$`);

describe('DNS zones', () => {
  it('POST /dns-zones creates a zone with the apex NS pair and an SOA; GET /dns-zones/{id} returns it', async () => {
    const name = zoneName('create');
    const r = await api('POST', '/api/v2/dns-zones', { name: name.toUpperCase() + '.' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name, zoneStatus: 'active', status: 'active', isDnsOnly: true, kind: 'dns_only', recordCount: 2, nameservers: ['ns1.example.net', 'ns2.example.net'] });
    expect(r.body.id).toMatch(ID('zone'));
    expect(r.body.domainId).toMatch(ID('dom'));
    expect(r.body.serial).toBe(r.body.soa.serial);
    expect(r.body.soa).toMatchObject({ mname: 'ns1.example.net', rname: `hostmaster.${name}` });

    const got = await api('GET', `/api/v2/dns-zones/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.zone).toMatchObject({ id: r.body.id, name, recordCount: 2 });
    expect(got.body.records.map((x: any) => [x.type, x.name, x.value, x.ttl])).toEqual([
      ['NS', name, 'ns1.example.net', 3600],
      ['NS', name, 'ns2.example.net', 3600],
    ]);
    expect(got.body).not.toHaveProperty('hasMore');
  });

  it('GET /dns-zones lists zones as { data, hasMore, nextCursor }', async () => {
    const z = await createZone(api);
    const r = await api('GET', '/api/v2/dns-zones?limit=1000');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['data', 'hasMore', 'nextCursor']);
    expect(r.body.hasMore).toBe(false);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.data.find((x: any) => x.id === z.id)).toMatchObject({ name: z.name, zoneStatus: 'active', isDnsOnly: true, kind: 'dns_only', recordCount: 2 });
  });

  it("lego's GET /dns-zones?name=example.org finds exactly that zone (not its children)", async () => {
    const apex = await createZone(api, 'example.org');
    await createZone(api, zoneName('child'));
    for (const q of ['example.org', 'EXAMPLE.org.']) {
      const r = await api('GET', `/api/v2/dns-zones?name=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      expect(r.body.data).toHaveLength(1);
      expect(r.body.data[0]).toMatchObject({ id: apex.id, name: 'example.org' });
    }
    const none = await api('GET', '/api/v2/dns-zones?name=absent.example.net');
    expect(none.body).toEqual({ data: [], hasMore: false, nextCursor: null });
  });

  it('GET /dns-zones/{id}/records filters by type and by name (relative, FQDN as acme.sh sends it, @)', async () => {
    const z = await createZone(api);
    await createRecord(api, z.id, { type: 'TXT', name: '_acme-challenge', value: 'token-one' });
    await createRecord(api, z.id, { type: 'TXT', name: `_acme-challenge.${z.name}`, value: 'token-two' });
    await createRecord(api, z.id, { type: 'A', name: '_acme-challenge', value: '192.0.2.1' });
    await createRecord(api, z.id, { type: 'A', name: 'www', value: '192.0.2.2' });
    await createRecord(api, z.id, { type: 'TXT', name: '@', value: 'apex text' });

    const byFqdn = await api('GET', `/api/v2/dns-zones/${z.id}/records?type=TXT&name=_acme-challenge.${z.name}`);
    expect(byFqdn.status).toBe(200);
    expect(byFqdn.body.zone.id).toBe(z.id);
    expect(byFqdn.body.records.map((r: any) => [r.type, r.name, r.value]).sort()).toEqual([
      ['TXT', `_acme-challenge.${z.name}`, 'token-one'],
      ['TXT', `_acme-challenge.${z.name}`, 'token-two'],
    ]);
    const relative = await api('GET', `/api/v2/dns-zones/${z.id}/records?name=_acme-challenge`);
    expect(relative.body.records.map((r: any) => r.type).sort()).toEqual(['A', 'TXT', 'TXT']);
    const withDot = await api('GET', `/api/v2/dns-zones/${z.id}/records?name=_acme-challenge.${z.name}.&type=a`);
    expect(withDot.body.records.map((r: any) => r.value)).toEqual(['192.0.2.1']);
    const apex = await api('GET', `/api/v2/dns-zones/${z.id}?name=@`);
    expect(apex.body.records.map((r: any) => r.type).sort()).toEqual(['NS', 'NS', 'TXT']);
    const typeOnly = await api('GET', `/api/v2/dns-zones/${z.id}?type=A`);
    expect(typeOnly.body.records.map((r: any) => r.name).sort()).toEqual([`_acme-challenge.${z.name}`, `www.${z.name}`]);
    const nothing = await api('GET', `/api/v2/dns-zones/${z.id}/records?name=absent`);
    expect(nothing.body.records).toEqual([]);
    expectProblem(await api('GET', `/api/v2/dns-zones/${z.id}/records?name=bad..name`), 400, 'invalid_request', [['/name', 'invalid_format']]);
    expectProblem(await api('GET', `/api/v2/dns-zones/${z.id}/records?type=BOGUS`), 400, 'invalid_request', [['/type', 'invalid_value']]);
  });

  it('DELETE /dns-zones/{id} removes the zone, its records and its domain', async () => {
    const z = await createZone(api);
    await createRecord(api, z.id, { type: 'A', name: 'www', value: '192.0.2.3' });
    const del = await api('DELETE', `/api/v2/dns-zones/${z.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expectProblem(await api('GET', `/api/v2/dns-zones/${z.id}`), 404, 'not_found');
    expectProblem(await api('GET', `/api/v2/domains/${z.domainId}`), 404, 'not_found');
    expectProblem(await api('DELETE', `/api/v2/dns-zones/${z.id}`), 404, 'not_found');
    // The name is free again.
    expect((await api('POST', '/api/v2/dns-zones', { name: z.name })).status).toBe(201);
  });
});

describe('records: POST, PUT, DELETE', () => {
  it('creates (201), replaces (200) and deletes (204) a record, bumping the serial each time', async () => {
    const z = await createZone(api);
    const created = await api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'A', name: 'www', value: '192.0.2.10' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'A', name: `www.${z.name}`, value: '192.0.2.10', ttl: 3600, priority: null, weight: null, port: null, status: 'active', comment: null, zoneId: z.id });
    expect(created.body.id).toMatch(ID('drr'));
    const s1 = (await getZone(api, z.id)).zone.serial;
    expect(s1).toBeGreaterThan(z.serial);

    const put = await api('PUT', `/api/v2/dns-zones/${z.id}/records/${created.body.id}`, { type: 'A', name: 'www', value: '198.51.100.10', ttl: 300, comment: 'moved' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: created.body.id, value: '198.51.100.10', ttl: 300, comment: 'moved', createdAt: created.body.createdAt });
    const after = await getZone(api, z.id);
    expect(after.zone.serial).toBeGreaterThan(s1);
    expect(userRecords(after).map((r) => r.value)).toEqual(['198.51.100.10']);

    const del = await api('DELETE', `/api/v2/dns-zones/${z.id}/records/${created.body.id}`);
    expect(del.status).toBe(204);
    const gone = await getZone(api, z.id);
    expect(userRecords(gone)).toEqual([]);
    expect(gone.zone.recordCount).toBe(2);
    expect(gone.zone.serial).toBeGreaterThan(after.zone.serial);
    expectProblem(await api('DELETE', `/api/v2/dns-zones/${z.id}/records/${created.body.id}`), 404, 'not_found');
    expectProblem(await api('PUT', `/api/v2/dns-zones/${z.id}/records/${created.body.id}`, { type: 'A', name: 'www', value: '192.0.2.1' }), 404, 'not_found');
  });

  it('POST /records/batch applies deletes, puts and posts', async () => {
    const z = await createZone(api);
    const a = await createRecord(api, z.id, { type: 'A', name: 'a', value: '192.0.2.1' });
    const b = await createRecord(api, z.id, { type: 'A', name: 'b', value: '192.0.2.2' });
    const r = await api('POST', `/api/v2/dns-zones/${z.id}/records/batch`, {
      deletes: [a.id],
      puts: [{ id: b.id, type: 'A', name: 'b', value: '192.0.2.22' }],
      posts: [{ type: 'AAAA', name: 'c', value: '2001:db8::c' }],
    });
    expect(r.status).toBe(200);
    expect(r.body.deleted).toEqual([a.id]);
    expect(r.body.updated.map((x: any) => [x.id, x.value])).toEqual([[b.id, '192.0.2.22']]);
    expect(r.body.created.map((x: any) => [x.type, x.name, x.value])).toEqual([['AAAA', `c.${z.name}`, '2001:db8::c']]);
    expect(r.body.zone).toMatchObject({ id: z.id, recordCount: 4 });
  });
});

describe('zone files', () => {
  const FILE = (origin: string) => `$ORIGIN ${origin}.
$TTL 600
@        IN SOA ns.other.example. admin.other.example. 1 7200 900 604800 120
@        IN NS  ns.other.example.
www      IN A   192.0.2.80
www  300 IN AAAA 2001:db8::80
@        IN MX  10 mail
mail     IN A   192.0.2.25
@        IN TXT "v=spf1 mx -all"
`;

  it('POST /import takes JSON {zoneFile}; GET /export gives a file that imports back unchanged', async () => {
    const z = await createZone(api);
    const imp = await api('POST', `/api/v2/dns-zones/${z.id}/import`, { zoneFile: FILE(z.name) });
    expect(imp.status).toBe(200);
    expect(imp.body).toMatchObject({ added: 5, removed: 0, updated: 0, unchanged: 0 });
    expect(imp.body.zone).toMatchObject({ id: z.id, recordCount: 7 });
    expect(imp.body.ignored.map((i: any) => i.reason).join('\n')).toMatch(/apex NS/);
    const after = await getZone(api, z.id);
    expect(userRecords(after).map((r) => [r.type, r.name, r.value, r.priority, r.ttl]).sort()).toEqual([
      ['A', `mail.${z.name}`, '192.0.2.25', null, 600],
      ['A', `www.${z.name}`, '192.0.2.80', null, 600],
      ['AAAA', `www.${z.name}`, '2001:db8::80', null, 300],
      ['MX', z.name, `mail.${z.name}`, 10, 600],
      ['TXT', z.name, 'v=spf1 mx -all', null, 600],
    ]);
    expect(after.zone.soa).toMatchObject({ mname: 'ns1.example.net', refresh: 7200, retry: 900, expire: 604800, minimum: 120 });

    const exp = await api('GET', `/api/v2/dns-zones/${z.id}/export`);
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toMatch(/^text\/dns/);
    expect(exp.headers.get('content-disposition')).toBe(`attachment; filename="${z.name}.zone"`);
    expect(exp.text).toMatch(/\bSOA\b/);
    expect(exp.text).toMatch(/192\.0\.2\.80/);
    expect(exp.text).toMatch(/"v=spf1 mx -all"/);

    // Round trip: importing the export changes nothing (no serial bump either).
    const again = await api('POST', `/api/v2/dns-zones/${z.id}/import`, exp.text, { 'content-type': 'text/dns' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ added: 0, removed: 0, updated: 0, unchanged: 5 });
    expect(again.body.zone.serial).toBe(after.zone.serial);
    expect((await api('GET', `/api/v2/dns-zones/${z.id}/export`)).text).toBe(exp.text);
  });

  it('POST /import takes the raw file as text/dns and text/plain, and replaces records not in it', async () => {
    const z = await createZone(api);
    await createRecord(api, z.id, { type: 'A', name: 'old', value: '203.0.113.9' });
    const raw = await api('POST', `/api/v2/dns-zones/${z.id}/import`, 'www 300 IN A 192.0.2.7\n', { 'content-type': 'text/dns' });
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({ added: 1, removed: 1 });
    const plain = await api('POST', `/api/v2/dns-zones/${z.id}/import`, 'www 300 IN A 192.0.2.7\nftp 300 IN CNAME www\n', { 'content-type': 'text/plain; charset=utf-8' });
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ added: 1, removed: 0, unchanged: 1 });
    const recs = userRecords(await getZone(api, z.id));
    expect(recs.map((r) => [r.type, r.name, r.value])).toEqual([
      ['A', `www.${z.name}`, '192.0.2.7'],
      ['CNAME', `ftp.${z.name}`, `www.${z.name}`],
    ]);
    expectProblem(await api('POST', `/api/v2/dns-zones/${z.id}/import`, 'www IN A 192.0.2.300\n', { 'content-type': 'text/dns' }), 400, 'invalid_request', [['/zoneFile', 'invalid_format']]);
    expectProblem(await api('POST', `/api/v2/dns-zones/${z.id}/import`, { zoneFile: 'x IN A 192.0.2.1', extra: 1 }), 400, 'invalid_request', [['/extra', 'unknown_field']]);
  });
});

describe('domains', () => {
  it('GET /domains, GET /domains/{id}, GET /domains/{id}/dns and PATCH /domains/{id}', async () => {
    const z = await createZone(api);
    await createRecord(api, z.id, { type: 'A', name: 'www', value: '192.0.2.44' });
    const list = await api('GET', `/api/v2/domains?name=${z.name}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(list.body.data).toHaveLength(1);
    const d = list.body.data[0];
    expect(d).toMatchObject({
      id: z.domainId,
      name: z.name,
      serviceStatus: 'active',
      lifecycle: { type: 'external', autoRenewEnabled: false, registrarLockEnabled: false, transferInProgress: false },
      zoneId: z.id,
    });
    const one = await api('GET', `/api/v2/domains/${d.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(d);
    const dns = await api('GET', `/api/v2/domains/${d.id}/dns`);
    expect(dns.status).toBe(200);
    expect(dns.body.zone).toMatchObject({ id: z.id, name: z.name });
    expect(dns.body.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
    expect(dns.body.actions).toEqual({ canManageRecords: true });
    expect(dns.body.records.map((r: any) => r.type).sort()).toEqual(['A', 'NS', 'NS']);
    // An external domain's registry settings live at its registrar.
    expectProblem(await api('PATCH', `/api/v2/domains/${d.id}`, { autoRenewEnabled: true }), 409, 'operation_unavailable', [['/autoRenewEnabled', 'not_allowed']]);
    expectProblem(await api('PATCH', `/api/v2/domains/${d.id}`, {}), 400, 'invalid_request', [['', 'required']]);
    expectProblem(await api('PATCH', `/api/v2/domains/${d.id}`, { autoRenewEnabled: 'yes' }), 400, 'invalid_request', [['/autoRenewEnabled', 'invalid_type']]);
    const readOnly = client(srv.url, await srv.makeKey({ scopes: ['read:domains', 'read:dns'] }));
    expect((await readOnly('GET', `/api/v2/domains/${d.id}/dns`)).body.actions).toEqual({ canManageRecords: false });
  });
});

describe('API keys', () => {
  it('POST /api-keys shows the token once; GET lists keys without tokens; DELETE revokes at once', async () => {
    const made = await api('POST', '/api/v2/api-keys', { name: 'ci', scopes: ['read:dns'], allowIps: ['192.0.2.0/24'], expiresInDays: 30 });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    expect(made.body).toMatchObject({ name: 'ci', accountId: srv.accountId, scopes: ['read:dns'], zones: null, allowIps: ['192.0.2.0/24'], revokedAt: null, lastUsedAt: null });
    expect(made.body.id).toMatch(ID('key'));
    expect(made.body.token).toMatch(/^zk_[A-Za-z0-9_-]{43}$/);
    expect(made.body.token.startsWith(made.body.tokenPrefix)).toBe(true);
    expect(Date.parse(made.body.expiresAt) - Date.parse(made.body.createdAt)).toBe(30 * 86_400_000);

    const list = await api('GET', '/api/v2/api-keys?limit=1000');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ hasMore: false, nextCursor: null });
    const listed = list.body.data.find((k: any) => k.id === made.body.id);
    expect(listed).toMatchObject({ name: 'ci', scopes: ['read:dns'] });
    expect(listed).not.toHaveProperty('token');
    expect(list.text).not.toContain(made.body.token);

    const usable = await api('POST', '/api/v2/api-keys', { name: 'usable', scopes: ['read:dns'] });
    const k = client(srv.url, usable.body.token);
    expect((await k('GET', '/api/v2/dns-zones')).status).toBe(200);
    const del = await api('DELETE', `/api/v2/api-keys/${usable.body.id}`);
    expect(del.status).toBe(204);
    expectProblem(await k('GET', '/api/v2/dns-zones'), 401, 'unauthorized');
    expectProblem(await api('DELETE', `/api/v2/api-keys/${usable.body.id}`), 404, 'not_found');
    const revoked = (await api('GET', '/api/v2/api-keys?limit=1000')).body.data.find((x: any) => x.id === usable.body.id);
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('validates key bodies with pointers', async () => {
    expectProblem(await api('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns', 'fly'] }), 400, 'invalid_request', [['/scopes/1', 'invalid_value']]);
    expectProblem(await api('POST', '/api/v2/api-keys', { name: 'x', scopes: [] }), 400, 'invalid_request', [['/scopes', 'too_short']]);
    expectProblem(await api('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns'], allowIps: ['not-an-ip'] }), 400, 'invalid_request', [['/allowIps/0', 'invalid_format']]);
    expectProblem(await api('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns'], expiresInDays: 0 }), 400, 'invalid_request', [['/expiresInDays', 'out_of_range']]);
    expectProblem(await api('POST', '/api/v2/api-keys', { scopes: ['read:dns'] }), 400, 'invalid_request', [['/name', 'required']]);
  });
});

describe('documentation and health', () => {
  it.each(Object.entries(ERROR_CATALOGUE))('/errors/%s resolves as HTML and as JSON', async (code, def) => {
    const html = await anon('GET', `/errors/${code}`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain(`<code>${code}</code>`);
    expect(html.text).toContain(`HTTP status ${def.status}`);
    const json = await anon('GET', `/errors/${code}`, undefined, { accept: 'application/json' });
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ code, status: def.status, title: def.title, description: def.description });
  });

  it('every problem type URL the API produced resolves, /errors lists every code, unknown codes are 404', async () => {
    const types = new Set<string>();
    for (const r of [
      await anon('GET', '/api/v2/dns-zones'),
      await api('GET', '/api/v2/dns-zones/zone_00000000000000000000000000'),
      await api('POST', '/api/v2/dns-zones', '{'),
      await api('DELETE', '/healthz'),
    ]) types.add((r.body as any).type);
    expect(types.size).toBe(4);
    for (const t of types) {
      const path = new URL(t).pathname;
      expect((await anon('GET', path)).status).toBe(200);
    }
    const index = await anon('GET', '/errors');
    expect(index.status).toBe(200);
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(index.text).toContain(`/errors/${code}`);
    expectProblem(await anon('GET', '/errors/no_such_code'), 404, 'not_found');
  });

  it('/api/v2/openapi.json is an OpenAPI 3.1 document with every API route', async () => {
    const r = await anon('GET', '/api/v2/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const paths = Object.keys(r.body.paths);
    for (const p of [
      '/api/v2/dns-zones', '/api/v2/dns-zones/{zoneId}', '/api/v2/dns-zones/{zoneId}/records', '/api/v2/dns-zones/{zoneId}/records/{recordId}',
      '/api/v2/dns-zones/{zoneId}/records/batch', '/api/v2/dns-zones/{zoneId}/import', '/api/v2/dns-zones/{zoneId}/export',
      '/api/v2/domains', '/api/v2/domains/{domainId}', '/api/v2/domains/{domainId}/dns', '/api/v2/api-keys', '/api/v2/api-keys/{keyId}',
    ]) expect(paths).toContain(p);
    expect(r.body.paths['/api/v2/dns-zones/{zoneId}/records'].post.responses).toHaveProperty('201');
    expect(r.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('/docs serves an HTML page whose assets all come from this server (no CDN)', async () => {
    const res = await fetch(`${srv.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html.toLowerCase()).toContain('<html');
    const refs = [...html.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, ref).not.toMatch(/^(https?:)?\/\//i);
      const asset = await fetch(new URL(ref, `${srv.url}/docs/`));
      expect(asset.status, ref).toBe(200);
      await asset.arrayBuffer(); // consume it, so the connection is idle when the server closes
    }
    expect(html).not.toMatch(/https?:\/\//i);
    // Scripts may only come from this server, and the page loads this server's spec, no validator.
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'\s*;/);
    const init = await (await fetch(`${srv.url}/docs/static/swagger-initializer.js`)).text();
    const code = init.replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/https?:\/\//i);
    expect(code).toContain('validatorUrl: null');
  });

  it('/healthz answers {status: ok} without a key', async () => {
    const r = await anon('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    expect(r.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
