// DynDNS over HTTP on both stores: the management API (validation, scopes, token visibility,
// enable/disable, rotation, delete, logs) and the public update endpoints (every reply line, record
// semantics, counters under concurrency, DNS at once). Real clients: test/interop/dyndns-clients.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerData, query } from '../helpers/dns.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createZone, describeEachDialect, expectProblem, pgFor, zoneName, type Call } from './support.js';

const pgOk = await pgFor('http dyndns');

/** A raw public update: GET `path` with optional Basic auth; the text and status. */
async function update(base: string, path: string, opts: { token?: string; user?: string; method?: string; ua?: string; headers?: Record<string, string>; body?: string } = {}) {
  const headers: Record<string, string> = { 'user-agent': opts.ua ?? 'zonekeeper-test/1.0', ...opts.headers };
  if (opts.token !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${opts.user ?? 'user'}:${opts.token}`).toString('base64');
  const res = await fetch(base + path, { method: opts.method ?? 'GET', headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describeEachDialect(pgOk, 'DynDNS', (dialect) => {
  let srv: TestServer;
  let api: Call;
  let zone: any;
  let domainId: string;
  const dyn = (suffix = '') => `/api/v2/domains/${domainId}/dyndns${suffix}`;
  const records = async (name: string, type?: string) =>
    (await api('GET', `/api/v2/dns-zones/${zone.id}/records?name=${encodeURIComponent(name)}${type ? `&type=${type}` : ''}`)).body.records as any[];
  const dnsAnswer = async (name: string, type: 'A' | 'AAAA') => answerData(await query(srv.dns!.port, name, type));

  beforeAll(async () => {
    srv = await startTestServer({ dialect, dns: true, settings: { 'dyndns-rate-limit': 'off' } });
    api = client(srv.url, srv.adminToken);
    zone = await createZone(api, zoneName('dyn', 'example.test'));
    domainId = zone.domainId;
  });
  afterAll(async () => srv?.close());

  async function createConfig(hostname: string, recordType: 'A' | 'AAAA' = 'A'): Promise<any> {
    const r = await api('POST', dyn(), { hostname, recordType });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  it('creates a configuration exactly in the shape of the seed, token shown once with no-store', async () => {
    const r = await api('POST', dyn(), { hostname: `home.${zone.name}`, recordType: 'A' });
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(r.body).sort()).toEqual(['createdAt', 'enabled', 'hostname', 'id', 'lastIp', 'lastUpdatedAt', 'recordType', 'token', 'updateCount', 'updatedAt']);
    expect(r.body).toMatchObject({ hostname: `home.${zone.name}`, recordType: 'A', lastIp: null, lastUpdatedAt: null, updateCount: 0, enabled: true, updatedAt: null });
    expect(r.body.id).toMatch(/^ddns_[0-9a-z]{26}$/);
    expect(r.body.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [{ hostname: 'home.example.net', recordType: 'A' }, '/hostname', 'invalid_value'],
    [{ hostname: 'bad_host..x', recordType: 'A' }, '/hostname', 'invalid_format'],
    [{ hostname: '*.wild', recordType: 'A' }, '/hostname', 'invalid_format'],
    [{ hostname: 'ok', recordType: 'MX' }, '/recordType', null],
    [{ hostname: 'ok' }, '', null],
    [{ hostname: 'ok', recordType: 'A', ttl: 60 }, '', null],
  ])('rejects %j with a pointer', async (body, pointer, code) => {
    const b = { ...body } as Record<string, unknown>;
    if (typeof b.hostname === 'string' && !b.hostname.includes('example.net')) b.hostname = `${b.hostname}.${zone.name}`;
    const r = await api('POST', dyn(), b);
    const p = expectProblem(r, 400, 'invalid_request');
    const errs = p.errors as { pointer: string; code: string }[];
    expect(errs.some((e) => e.pointer.startsWith(pointer) && (code === null || e.code === code)), r.text).toBe(true);
  });

  it('one configuration per (hostname, recordType): 409; a CNAME at the name, a delegation above it or an inner zone are refused', async () => {
    await createConfig(`dup.${zone.name}`, 'A');
    expectProblem(await api('POST', dyn(), { hostname: `DUP.${zone.name}.`, recordType: 'A' }), 409, 'conflict');
    expect((await api('POST', `/api/v2/dns-zones/${zone.id}/records`, { type: 'CNAME', name: 'alias', value: `dup.${zone.name}.` })).status).toBe(201);
    expectProblem(await api('POST', dyn(), { hostname: `alias.${zone.name}`, recordType: 'A' }), 409, 'conflict');
    expect((await api('POST', `/api/v2/dns-zones/${zone.id}/records`, { type: 'NS', name: 'sub', value: 'ns1.example.org.' })).status).toBe(201);
    expectProblem(await api('POST', dyn(), { hostname: `host.sub.${zone.name}`, recordType: 'A' }), 400, 'invalid_request');
    expectProblem(await api('POST', dyn(), { hostname: `sub.${zone.name}`, recordType: 'AAAA' }), 400, 'invalid_request');
    const inner = await createZone(api, `inner.${zone.name}`);
    const p = expectProblem(await api('POST', dyn(), { hostname: `h.inner.${zone.name}`, recordType: 'A' }), 400, 'invalid_request');
    expect(p.errors[0].detail).toContain(inner.name);
  });

  it('shows the token only to write:domains callers; read:dns alone is forbidden; other accounts get 404', async () => {
    const c = await createConfig(`vis.${zone.name}`, 'AAAA');
    const reader = client(srv.url, await srv.makeKey({ scopes: ['read:domains'] }));
    const list = await reader('GET', dyn());
    expect(list.status).toBe(200);
    expect(list.body.configs.length).toBeGreaterThan(0);
    expect(list.body.configs.every((x: any) => x.token === null)).toBe(true);
    expect(list.body.actions).toEqual({ canManage: false, canEnable: false, canUpdateToken: false });
    expect((await reader('GET', dyn(`/${c.id}`))).body.token).toBeNull();
    expectProblem(await reader('POST', dyn(), { hostname: `x.${zone.name}`, recordType: 'A' }), 403, 'forbidden');
    const writer = client(srv.url, await srv.makeKey({ scopes: ['read:domains', 'write:domains'] }));
    const full = await writer('GET', dyn());
    expect(full.body).toMatchObject({ available: true, reason: null, actions: { canManage: true, canEnable: true, canUpdateToken: true } });
    expect(full.body.configs.find((x: any) => x.id === c.id).token).toBe(c.token);
    expectProblem(await client(srv.url, await srv.makeKey({ scopes: ['read:dns', 'write:dns'] }))('GET', dyn()), 403, 'forbidden');
    const other = await srv.makeAccount(`other-${dialect}`);
    expectProblem(await client(srv.url, other.token)('GET', dyn()), 404, 'not_found');
    expectProblem(await client(srv.url, other.token)('GET', `/api/v2/domains/${domainId}/dyndns/${c.id}/logs`), 404, 'not_found');
  });

  it('is unavailable (and says why) for a domain whose zone is not served here', async () => {
    const z = await createZone(api, zoneName('gone', 'example.test'));
    await srv.services.store.domains.update(z.domainId, { kind: 'registered', updatedAt: new Date().toISOString() });
    expect((await api('DELETE', `/api/v2/dns-zones/${z.id}`)).status).toBe(204);
    const g = await api('GET', `/api/v2/domains/${z.domainId}/dyndns`);
    expect(g.status).toBe(200);
    expect(g.body.available).toBe(false);
    expect(g.body.reason).toMatch(/not hosted on this server/);
    expectProblem(await api('POST', `/api/v2/domains/${z.domainId}/dyndns`, { hostname: z.name, recordType: 'A' }), 409, 'operation_unavailable');
  });

  it('deleting the zone of a domain hosted here deletes its configurations and logs (its token stops working)', async () => {
    const z = await createZone(api, zoneName('del', 'example.test'));
    const c = (await api('POST', `/api/v2/domains/${z.domainId}/dyndns`, { hostname: `h.${z.name}`, recordType: 'A' })).body;
    expect((await update(srv.url, `/nic/update?hostname=h.${z.name}&myip=192.0.2.31`, { token: c.token })).text).toBe('good 192.0.2.31\n');
    expect((await api('DELETE', `/api/v2/dns-zones/${z.id}`)).status).toBe(204);
    expect(await srv.services.store.dyndns.get(c.id)).toBeUndefined();
    expect(await srv.services.store.dyndns.listLogs(c.id, { limit: 10 })).toEqual([]);
    expect((await update(srv.url, `/nic/update?hostname=h.${z.name}&myip=192.0.2.32`, { token: c.token })).text).toBe('badauth\n');
    // The same name again starts clean.
    const again = await createZone(api, z.name);
    expect((await api('GET', `/api/v2/domains/${again.domainId}/dyndns`)).body.configs).toEqual([]);
  });

  it('HostUp form: creates the record with TTL 60, then nochg, visible in DNS before the reply', async () => {
    const c = await createConfig(`form.${zone.name}`, 'A');
    const r = await update(srv.url, `/api/dyndns/update?hostname=form.${zone.name}&token=${c.token}&ip=198.51.100.7`);
    expect(r).toMatchObject({ status: 200, text: 'good 198.51.100.7\n' });
    expect(r.type).toMatch(/^text\/plain/);
    expect(await dnsAnswer(`form.${zone.name}`, 'A')).toEqual(['198.51.100.7']);
    const rec = await records(`form.${zone.name}`, 'A');
    expect(rec.map((x) => [x.value, x.ttl])).toEqual([['198.51.100.7', 60]]);
    expect((await update(srv.url, `/api/dyndns/update?hostname=form.${zone.name}&token=${c.token}&ip=198.51.100.7`)).text).toBe('nochg 198.51.100.7\n');
    const after = (await api('GET', dyn(`/${c.id}`))).body;
    expect(after).toMatchObject({ lastIp: '198.51.100.7', updateCount: 1 });
    expect(after.lastUpdatedAt).not.toBeNull();
  });

  it('dyndns2: IPv4 updates A only, IPv6 AAAA only, both at once with one shared token; the user name is free', async () => {
    const host = `dual.${zone.name}`;
    const a = await createConfig(host, 'A');
    const aaaa = await createConfig(host, 'AAAA');
    expect(aaaa.token).toBe(a.token);
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=203.0.113.1`, { token: a.token, user: 'anything' })).text).toBe('good 203.0.113.1\n');
    expect(await dnsAnswer(host, 'AAAA')).toEqual([]);
    expect((await update(srv.url, `/nic/update?hostname=${host}&myipv6=2001:DB8:0:0::5`, { token: a.token })).text).toBe('good 2001:db8::5\n');
    expect(await dnsAnswer(host, 'A')).toEqual(['203.0.113.1']);
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=203.0.113.2,2001:db8::6`, { token: a.token })).text).toBe('good 203.0.113.2,2001:db8::6\n');
    expect(await dnsAnswer(host, 'A')).toEqual(['203.0.113.2']);
    expect(await dnsAnswer(host, 'AAAA')).toEqual(['2001:db8::6']);
    // An IPv4-only update later never removes the AAAA.
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=203.0.113.3`, { token: a.token })).text).toBe('good 203.0.113.3\n');
    expect(await dnsAnswer(host, 'AAAA')).toEqual(['2001:db8::6']);
    expect((await api('GET', dyn(`/${a.id}`))).body.updateCount).toBe(3);
    expect((await api('GET', dyn(`/${aaaa.id}`))).body.updateCount).toBe(2);
  });

  it('replaces the whole RRset of its type, keeping the first record\'s id and TTL', async () => {
    const host = `multi.${zone.name}`;
    const first = await api('POST', `/api/v2/dns-zones/${zone.id}/records`, { type: 'A', name: host, value: '192.0.2.1', ttl: 900 });
    await api('POST', `/api/v2/dns-zones/${zone.id}/records`, { type: 'A', name: host, value: '192.0.2.2', ttl: 900 });
    await api('POST', `/api/v2/dns-zones/${zone.id}/records`, { type: 'TXT', name: host, value: 'keep me' });
    const c = await createConfig(host, 'A');
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=192.0.2.9`, { token: c.token })).text).toBe('good 192.0.2.9\n');
    const rec = await records(host);
    expect(rec.filter((x) => x.type === 'A').map((x) => [x.id, x.value, x.ttl])).toEqual([[first.body.id, '192.0.2.9', 900]]);
    expect(rec.filter((x) => x.type === 'TXT')).toHaveLength(1);
    expect(await dnsAnswer(host, 'A')).toEqual(['192.0.2.9']);
  });

  it('answers badauth, nohost, notfqdn per host name in request order, and badrequest (400) for unusable addresses', async () => {
    const c = await createConfig(`lines.${zone.name}`, 'A');
    expect((await update(srv.url, `/nic/update?hostname=lines.${zone.name}&myip=192.0.2.3`, { token: 'f'.repeat(64) })).text).toBe('badauth\n');
    expect((await update(srv.url, `/nic/update?hostname=lines.${zone.name}&myip=192.0.2.3`)).text).toBe('badauth\n');
    const multi = await update(srv.url, `/nic/update?hostname=lines.${zone.name},form.${zone.name},not_a..name,other.example.org&myip=192.0.2.3`, { token: c.token });
    expect(multi.text).toBe('good 192.0.2.3\nnohost\nnotfqdn\nnohost\n');
    expect((await update(srv.url, `/nic/update?myip=192.0.2.3`, { token: c.token })).text).toBe('notfqdn\n');
    // Repeated parameters and ones the schema does not know (ddclient sends system=dyndns) are read as clients mean them.
    const repeated = await update(srv.url, `/nic/update?system=dyndns&hostname=lines.${zone.name}&hostname=nosuch.${zone.name}&myip=192.0.2.3&myip=2001:db8::3&wildcard=NOCHG`, { token: c.token });
    expect(repeated).toMatchObject({ status: 200, text: 'nochg 192.0.2.3\nnohost\n' });
    // At most 20 host names per request; the rest are answered numhost.
    const many = Array.from({ length: 21 }, () => `lines.${zone.name}`).join(',');
    const capped = (await update(srv.url, `/nic/update?hostname=${many}&myip=192.0.2.3`, { token: c.token })).text.trim().split('\n');
    expect(capped).toHaveLength(21);
    expect(capped.slice(0, 20).every((l) => l === 'nochg 192.0.2.3')).toBe(true);
    expect(capped[20]).toBe('numhost');
    for (const bad of ['300.1.1.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', 'ff02::1', 'example.org', '2001:db8::1%eth0']) {
      const r = await update(srv.url, `/nic/update?hostname=lines.${zone.name}&myip=${encodeURIComponent(bad)}`, { token: c.token });
      expect(r.status, bad).toBe(400);
      expect(r.text, bad).toMatch(/^badrequest myip: /);
    }
    expect((await update(srv.url, `/nic/update?hostname=lines.${zone.name}&myipv4=2001:db8::1`, { token: c.token })).status).toBe(400);
    expect(await dnsAnswer(`lines.${zone.name}`, 'A')).toEqual(['192.0.2.3']);
  });

  it('uses the client address without an ip parameter (ddclient sends an empty myip=), and accepts POST forms', async () => {
    const c = await createConfig(`self.${zone.name}`, 'A');
    expect((await update(srv.url, `/nic/update?hostname=self.${zone.name}&myip=`, { token: c.token })).text).toBe('good 127.0.0.1\n');
    // X-Forwarded-For counts only from --trust-proxy addresses (none here).
    expect((await update(srv.url, `/nic/update?hostname=self.${zone.name}`, { token: c.token, headers: { 'x-forwarded-for': '192.0.2.123' } })).text).toBe('nochg 127.0.0.1\n');
    const form = await update(srv.url, '/api/dyndns/update', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `hostname=self.${zone.name}&token=${c.token}&ip=192.0.2.77` });
    expect(form.text).toBe('good 192.0.2.77\n');
    // A JSON body is read too; values that are not text are ignored, never a 500.
    const json = await update(srv.url, '/nic/update', { method: 'POST', token: c.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hostname: 5, myip: [1, '192.0.2.78'] }) });
    expect(json).toMatchObject({ status: 200, text: 'notfqdn\n' });
    const json2 = await update(srv.url, '/nic/update', { method: 'POST', token: c.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hostname: `self.${zone.name}`, myip: [1, '192.0.2.78'] }) });
    expect(json2.text).toBe('good 192.0.2.78\n');
    const broken = await update(srv.url, '/nic/update', { method: 'POST', token: c.token, headers: { 'content-type': 'application/json' }, body: '{"hostname":' });
    expect(broken.status).toBe(400);
    // HEAD changes nothing.
    const head = await update(srv.url, `/nic/update?hostname=self.${zone.name}&myip=192.0.2.79`, { method: 'HEAD', token: c.token });
    expect(head.status).toBe(405);
    expect(await dnsAnswer(`self.${zone.name}`, 'A')).toEqual(['192.0.2.78']);
    // An AAAA-only configuration and an IPv4-only request: nothing to change.
    const v6 = await createConfig(`v6only.${zone.name}`, 'AAAA');
    expect((await update(srv.url, `/nic/update?hostname=v6only.${zone.name}&myip=192.0.2.1`, { token: v6.token })).text).toBe('nochg\n');
    expect(await records(`v6only.${zone.name}`)).toEqual([]);
  });

  it('disabled → badauth (logged), enabled again → good; PATCH rejects unknown fields', async () => {
    const c = await createConfig(`toggle.${zone.name}`, 'A');
    const off = await api('PATCH', dyn(`/${c.id}`), { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false });
    expect(off.body.updatedAt).not.toBeNull();
    expect((await update(srv.url, `/nic/update?hostname=toggle.${zone.name}&myip=192.0.2.4`, { token: c.token })).text).toBe('badauth\n');
    expect(await records(`toggle.${zone.name}`)).toEqual([]);
    expectProblem(await api('PATCH', dyn(`/${c.id}`), { enabled: true, hostname: 'x' }), 400, 'invalid_request', [['/hostname', 'unknown_field']]);
    expectProblem(await api('PATCH', dyn(`/${c.id}`), { enabled: 'yes' }), 400, 'invalid_request');
    expect((await api('PATCH', dyn(`/${c.id}`), { enabled: true })).body.enabled).toBe(true);
    expect((await update(srv.url, `/nic/update?hostname=toggle.${zone.name}&myip=192.0.2.4`, { token: c.token })).text).toBe('good 192.0.2.4\n');
    const logs = (await api('GET', dyn(`/${c.id}/logs`))).body.logs;
    expect(logs.map((l: any) => [l.status, l.errorMessage === null])).toEqual([['success', true], ['failed', false]]);
    expect(logs[1].errorMessage).toMatch(/disabled/);
  });

  it('rotating the token: the old one is refused at once, the new one works for both record types', async () => {
    const host = `rot.${zone.name}`;
    const a = await createConfig(host, 'A');
    const aaaa = await createConfig(host, 'AAAA');
    const r = await api('POST', dyn(`/${a.id}/token`));
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.token).not.toBe(a.token);
    expect(r.body.rotatedConfigIds.sort()).toEqual([a.id, aaaa.id].sort());
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=192.0.2.5`, { token: a.token })).text).toBe('badauth\n');
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=192.0.2.5,2001:db8::55`, { token: r.body.token })).text).toBe('good 192.0.2.5,2001:db8::55\n');
    expect((await api('GET', dyn(`/${aaaa.id}`))).body.token).toBe(r.body.token);
  });

  it('logs every attempt with addresses, source, user agent and status; newest first, paged; delete removes config and logs', async () => {
    const c = await createConfig(`logged.${zone.name}`, 'A');
    const ua = 'ddclient/3.10.0';
    await update(srv.url, `/nic/update?hostname=logged.${zone.name}&myip=192.0.2.10`, { token: c.token, ua });
    await update(srv.url, `/nic/update?hostname=logged.${zone.name}&myip=192.0.2.10`, { token: c.token, ua });
    await update(srv.url, `/nic/update?hostname=logged.${zone.name}&myip=192.0.2.11`, { token: c.token, ua: 'x'.repeat(400) });
    const page1 = await api('GET', dyn(`/${c.id}/logs?limit=2`));
    expect(page1.status).toBe(200);
    expect(page1.body.hasMore).toBe(true);
    expect(page1.body.logs.map((l: any) => [l.status, l.oldIp, l.newIp])).toEqual([['success', '192.0.2.10', '192.0.2.11'], ['no_change', '192.0.2.10', '192.0.2.10']]);
    expect(page1.body.logs[0].userAgent).toHaveLength(256);
    expect(page1.body.logs[1]).toMatchObject({ sourceIp: '127.0.0.1', userAgent: ua, errorMessage: null });
    const page2 = await api('GET', dyn(`/${c.id}/logs?limit=2&cursor=${page1.body.nextCursor}`));
    expect(page2.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(page2.body.logs.map((l: any) => [l.status, l.oldIp, l.newIp])).toEqual([['success', null, '192.0.2.10']]);
    expectProblem(await api('GET', dyn(`/${c.id}/logs?cursor=nonsense`)), 400, 'invalid_request', [['/cursor', 'invalid_value']]);
    expect((await api('GET', dyn(`/${c.id}`))).body).toMatchObject({ updateCount: 2, lastIp: '192.0.2.11' });
    expect((await api('DELETE', dyn(`/${c.id}`))).status).toBe(204);
    expectProblem(await api('GET', dyn(`/${c.id}/logs`)), 404, 'not_found');
    expect((await update(srv.url, `/nic/update?hostname=logged.${zone.name}&myip=192.0.2.12`, { token: c.token })).text).toBe('badauth\n');
    // The record stays: deleting a configuration does not delete DNS data.
    expect(await dnsAnswer(`logged.${zone.name}`, 'A')).toEqual(['192.0.2.11']);
  });

  it('a failed write answers dnserr, changes nothing and is logged', async () => {
    const host = `fail.${zone.name}`;
    const c = await createConfig(host, 'A');
    // A CNAME added after the configuration makes the A record impossible.
    await srv.services.store.applyZoneChange(zone.id, async () => ({
      insert: [{ id: 'drr_01zzzzzzzzzzzzzzzzzzzzzzzz', zoneId: zone.id, name: host, type: 'CNAME', ttl: 300, rdata: `form.${zone.name}.`, comment: null, status: 'active', num: 0, weight: null, monitorType: 0, monitorStatus: 0, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() }],
      update: [],
      delete: [],
      result: null,
    }));
    expect((await update(srv.url, `/nic/update?hostname=${host}&myip=192.0.2.13`, { token: c.token })).text).toBe('dnserr\n');
    expect((await records(host, 'A'))).toEqual([]);
    const after = (await api('GET', dyn(`/${c.id}`))).body;
    expect(after).toMatchObject({ updateCount: 0, lastIp: null });
    const logs = (await api('GET', dyn(`/${c.id}/logs`))).body.logs;
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 'failed', newIp: '192.0.2.13' });
    expect(logs[0].errorMessage).toMatch(/CNAME/);
  });

  it('updates of one zone sent together: one host that cannot take its record fails alone', async () => {
    const names = ['g1', 'g2', 'g3', 'g4'].map((l) => `${l}.${zone.name}`);
    const cfgs = [];
    for (const n of names) cfgs.push(await createConfig(n, 'A'));
    // A configuration made before a CNAME came to its name (the create-time check refuses that order).
    const gbad = await createConfig(`gbad2.${zone.name}`, 'A');
    expect((await api('POST', `/api/v2/dns-zones/${zone.id}/records`, { type: 'CNAME', name: 'gbad2', value: `g1.${zone.name}.` })).status).toBe(201);
    const lines = await Promise.all([
      ...cfgs.map((c, i) => update(srv.url, `/nic/update?hostname=${names[i]}&myip=192.0.2.${60 + i}`, { token: c.token }).then((r) => r.text)),
      update(srv.url, `/nic/update?hostname=gbad2.${zone.name}&myip=192.0.2.99`, { token: gbad.token }).then((r) => r.text),
    ]);
    expect(lines).toEqual(['good 192.0.2.60\n', 'good 192.0.2.61\n', 'good 192.0.2.62\n', 'good 192.0.2.63\n', 'dnserr\n']);
    for (const [i, n] of names.entries()) expect(await dnsAnswer(n, 'A')).toEqual([`192.0.2.${60 + i}`]);
    expect((await api('GET', dyn(`/${gbad.id}`))).body.updateCount).toBe(0);
  });

  it('keeps updateCount, lastIp, the record and DNS exact under concurrent updates of one name', async () => {
    const host = `race.${zone.name}`;
    const c = await createConfig(host, 'A');
    const n = 40;
    const lines = await Promise.all(
      Array.from({ length: n }, (_, i) => update(srv.url, `/nic/update?hostname=${host}&myip=198.51.100.${i + 1}`, { token: c.token }).then((r) => r.text)),
    );
    expect(lines.every((l) => l.startsWith('good '))).toBe(true);
    const after = (await api('GET', dyn(`/${c.id}`))).body;
    expect(after.updateCount).toBe(n);
    const logs = (await api('GET', dyn(`/${c.id}/logs?limit=1000`))).body.logs;
    expect(logs).toHaveLength(n);
    expect(logs.every((l: any) => l.status === 'success')).toBe(true);
    // The last committed address is what the record, lastIp and DNS say.
    expect(await dnsAnswer(host, 'A')).toEqual([after.lastIp]);
    expect((await records(host, 'A')).map((x) => x.value)).toEqual([after.lastIp]);
    // Same address from many clients at once: exactly one good, the rest nochg.
    const same = await Promise.all(Array.from({ length: 10 }, () => update(srv.url, `/nic/update?hostname=${host}&myip=192.0.2.200`, { token: c.token }).then((r) => r.text)));
    expect(same.filter((l) => l === 'good 192.0.2.200\n')).toHaveLength(1);
    expect(same.filter((l) => l === 'nochg 192.0.2.200\n')).toHaveLength(9);
    expect((await api('GET', dyn(`/${c.id}`))).body.updateCount).toBe(n + 1);
  });
});

describeEachDialect(pgOk, 'DynDNS behind a trusted proxy', (dialect) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ dialect, settings: { 'dyndns-rate-limit': 'off', 'trust-proxy': '127.0.0.1/32' } });
  });
  afterAll(async () => srv?.close());

  it('takes the client address from X-Forwarded-For sent by the trusted proxy', async () => {
    const api = client(srv.url, srv.adminToken);
    const zone = await createZone(api, zoneName('proxy', 'example.test'));
    const c = (await api('POST', `/api/v2/domains/${zone.domainId}/dyndns`, { hostname: `h.${zone.name}`, recordType: 'AAAA' })).body;
    const r = await update(srv.url, `/api/dyndns/update?hostname=h.${zone.name}&token=${c.token}`, { headers: { 'x-forwarded-for': '2001:db8::77' } });
    expect(r.text).toBe('good 2001:db8::77\n');
    const logs = (await api('GET', `/api/v2/domains/${zone.domainId}/dyndns/${c.id}/logs`)).body.logs;
    expect(logs[0]).toMatchObject({ sourceIp: '2001:db8::77', newIp: '2001:db8::77' });
  });
});

describeEachDialect(pgOk, 'DynDNS rate limit and log retention', (dialect) => {
  let srv: TestServer;
  let api: Call;
  let now = Date.parse('2026-06-01T12:00:00.000Z');
  beforeAll(async () => {
    srv = await startTestServer({
      dialect,
      clock: { now: () => new Date(now) },
      settings: { 'dyndns-rate-limit': '6/m,burst=3', 'dyndns-log-retention': '4', 'dyndns-auth-failure-limit': '6/m,burst=3' },
    });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  it('answers abuse past the per-configuration limit (logged), and again good once the bucket refills', async () => {
    const zone = await createZone(api, zoneName('rl', 'example.test'));
    const c = (await api('POST', `/api/v2/domains/${zone.domainId}/dyndns`, { hostname: `h.${zone.name}`, recordType: 'A' })).body;
    const other = (await api('POST', `/api/v2/domains/${zone.domainId}/dyndns`, { hostname: `g.${zone.name}`, recordType: 'A' })).body;
    const send = (cfg: any, ip: string) => update(srv.url, `/nic/update?hostname=${cfg.hostname}&myip=${ip}`, { token: cfg.token }).then((r) => r.text);
    expect(await send(c, '192.0.2.1')).toBe('good 192.0.2.1\n');
    expect(await send(c, '192.0.2.1')).toBe('nochg 192.0.2.1\n');
    expect(await send(c, '192.0.2.2')).toBe('good 192.0.2.2\n');
    expect(await send(c, '192.0.2.3')).toBe('abuse\n');
    // Another configuration has its own bucket.
    expect(await send(other, '192.0.2.3')).toBe('good 192.0.2.3\n');
    now += 10_000; // 6/m: one request back every 10 s
    expect(await send(c, '192.0.2.3')).toBe('good 192.0.2.3\n');
    expect(await send(c, '192.0.2.4')).toBe('abuse\n');
    const logs = (await api('GET', `/api/v2/domains/${zone.domainId}/dyndns/${c.id}/logs`)).body.logs;
    // retention 4: the newest four of six attempts
    expect(logs.map((l: any) => l.status)).toEqual(['failed', 'success', 'failed', 'success']);
    expect(logs[0].errorMessage).toMatch(/Rate limit exceeded \(3 requests at once, then one every 10 s/);
    expect((await api('GET', `/api/v2/domains/${zone.domainId}/dyndns/${c.id}`)).body.updateCount).toBe(3);
  });

  it('answers abuse to a client address that keeps sending unknown tokens; valid tokens still work', async () => {
    const zone = await createZone(api, zoneName('guess', 'example.test'));
    const c = (await api('POST', `/api/v2/domains/${zone.domainId}/dyndns`, { hostname: `h.${zone.name}`, recordType: 'A' })).body;
    const guess = (t: string) => update(srv.url, `/nic/update?hostname=h.${zone.name},g.${zone.name}&myip=192.0.2.50`, { token: t }).then((r) => r.text);
    expect(await guess('a'.repeat(64))).toBe('badauth\nbadauth\n');
    expect(await guess('b'.repeat(64))).toBe('badauth\nbadauth\n');
    expect(await guess('c'.repeat(64))).toBe('badauth\nbadauth\n');
    expect(await guess('d'.repeat(64))).toBe('abuse\nabuse\n');
    expect(await update(srv.url, `/api/dyndns/update?hostname=h.${zone.name}&ip=192.0.2.50`).then((r) => r.text)).toBe('abuse\n'); // no token at all counts too
    // The owner of a valid token is not held back by the guesser at the same address.
    expect(await update(srv.url, `/nic/update?hostname=h.${zone.name}&myip=192.0.2.50`, { token: c.token }).then((r) => r.text)).toBe('good 192.0.2.50\n');
    now += 10_000;
    expect(await guess('e'.repeat(64))).toBe('badauth\nbadauth\n');
  });
});
