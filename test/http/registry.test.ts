// The registry layer through the HTTP API with the built-in sandbox registry, on both stores:
// registration, nameserver rules (2-13, in-bailiwick glue, lock, 200/202 and the precheck job),
// glue records exactly per seed 000 (its own example succeeds; ranges, limit, idempotence, delete
// while in use), manual DS/KEY, isolation — and the sandbox `test.` zone answering referrals with
// glue and DS, checked with dig against the running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, requireDigTools, statusOf } from '../helpers/dns.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { describeEachDialect, expectProblem, pgFor, type Call } from './support.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { probeDs, probeSoa } from '../../src/dns/probe.js';

const pgOk = await pgFor('registry');
const digOk = requireDigTools('registry');

let n = 0;
const unique = (base = 'test') => `reg-${process.pid}-${Date.now().toString(36)}-${++n}.${base}`;
const SHA256 = 'E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766';

describeEachDialect(pgOk, 'registry layer (sandbox)', (dialect) => {
  let srv: TestServer;
  let api: Call;

  beforeAll(async () => {
    srv = await startTestServer({ dialect, dns: dialect === 'sqlite', settings: { 'sandbox-tlds': 'test,example', 'glue-tlds': 'test' } });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  async function register(name = unique(), extra: Record<string, unknown> = {}): Promise<any> {
    const r = await api('POST', '/api/v2/domains', { name, ...extra });
    expect(r.status, r.text).toBe(201);
    return r.body;
  }

  describe('registration', () => {
    it('registers a .test domain with a linked zone, expiry and this server\'s nameservers', async () => {
      const name = unique();
      const d = await register(name, { years: 2 });
      expect(d).toMatchObject({ name, serviceStatus: 'active', lifecycle: { type: 'registered', autoRenewEnabled: false, registrarLockEnabled: false }, nameservers: ['ns1.example.net', 'ns2.example.net'] });
      expect(new Date(d.lifecycle.expiresAt).getUTCFullYear()).toBe(new Date().getUTCFullYear() + 2);
      expect(d.zoneId).toMatch(/^zone_/);
      expect((await api('GET', `/api/v2/domains/${d.id}`)).body.lifecycle.type).toBe('registered');
      expectProblem(await api('POST', '/api/v2/domains', { name }), 409, 'conflict');
    });

    it('refuses names without a registry here, bad periods and unknown fields', async () => {
      expectProblem(await api('POST', '/api/v2/domains', { name: 'example.org' }), 409, 'operation_unavailable');
      expectProblem(await api('POST', '/api/v2/domains', { name: unique(), years: 11 }), 400, 'invalid_request');
      expectProblem(await api('POST', '/api/v2/domains', { name: `a.${unique()}` }), 409, 'registry_rejected');
      expectProblem(await api('POST', '/api/v2/domains', { name: unique(), color: 'red' }), 400, 'invalid_request');
      expectProblem(await api('POST', '/api/v2/domains', { name: unique(), nameservers: ['ns1.example.net'] }), 400, 'invalid_request');
      // A zone of another account below the name: refused before the registry is asked.
      const name = unique();
      const other = client(srv.url, (await srv.makeAccount('squatter')).token);
      expect((await other('POST', '/api/v2/dns-zones', { name: `sub.${name}` })).status).toBe(201);
      expectProblem(await api('POST', '/api/v2/domains', { name }), 409, 'conflict');
      expect((await srv.services.registry.sandbox!.checkDomains([name]))[0]!.available).toBe(true);
      // A key limited to some zones registers only those names.
      const limited = client(srv.url, await srv.makeKey({ scopes: ['write:domains', 'read:domains'], zones: ['only.example.org'] }));
      expectProblem(await limited('POST', '/api/v2/domains', { name: unique() }), 403, 'forbidden');
    });
  });

  it('auto-renew: turned on, the domain is renewed for a year 30 days before it expires; turned off, it is not', async () => {
    const d = await register();
    expect((await api('PATCH', `/api/v2/domains/${d.id}`, { autoRenewEnabled: true })).body.lifecycle.autoRenewEnabled).toBe(true);
    const job = await srv.services.store.jobs.latest(d.id, 'auto_renew');
    expect(Date.parse(job!.runAt)).toBe(Date.parse(d.lifecycle.expiresAt) - 30 * 86_400_000);
    const handlers = { auto_renew: (j: { subject: string }) => srv.services.registry.autoRenew(j.subject) };
    const at = (ms: number) => new JobRunner(srv.services.store, { now: () => new Date(ms) }, handlers as never);
    expect((await at(Date.parse(job!.runAt) - 1000).runDue()).ran).toBe(0); // not yet due
    expect((await at(Date.parse(job!.runAt) + 1000).runDue()).done).toBeGreaterThanOrEqual(1);
    const renewed = (await api('GET', `/api/v2/domains/${d.id}`)).body;
    const expected = new Date(d.lifecycle.expiresAt);
    expected.setUTCFullYear(expected.getUTCFullYear() + 1);
    expect(renewed.lifecycle.expiresAt).toBe(expected.toISOString());
    expect((await srv.services.registry.sandbox!.infoDomain(d.name)).expiresAt).toBe(expected.toISOString());
    // The next renewal is queued; with auto-renew off it does nothing.
    const next = await srv.services.store.jobs.latest(d.id, 'auto_renew');
    expect(next!.status).toBe('pending');
    await api('PATCH', `/api/v2/domains/${d.id}`, { autoRenewEnabled: false });
    await at(Date.parse(next!.runAt) + 1000).runDue();
    expect((await api('GET', `/api/v2/domains/${d.id}`)).body.lifecycle.expiresAt).toBe(expected.toISOString());
  });

  describe('nameservers', () => {
    it('external sets answer 200 and record nameserversChangedAt; our own pair answers 202 and queues a precheck', async () => {
      const d = await register();
      const url = `/api/v2/domains/${d.id}/nameservers`;
      const ext = await api('POST', url, { nameservers: ['ns1.example.org', 'ns2.example.org', 'ns3.example.org'] });
      expect(ext.status, ext.text).toBe(200);
      expect(ext.body).toMatchObject({ domainName: d.name, nameservers: ['ns1.example.org', 'ns2.example.org', 'ns3.example.org'], registrarLock: { enabled: false }, actions: { canChangeNameservers: true } });
      expect(ext.body.nameserversChangedAt).not.toBeNull();
      const own = await api('POST', url, { nameservers: ['ns2.example.net', 'ns1.example.net'] });
      expect(own.status, own.text).toBe(202);
      expect(own.body.precheck).toMatchObject({ status: 'queued' });
      if (srv.dns) srv.services.registry.setZoneProbe((zone) => probeSoa('127.0.0.1', srv.dns!.port, zone));
      const runner = new JobRunner(srv.services.store, srv.services.clock, { zone_precheck: (j) => srv.services.registry.precheck(j.subject) });
      expect((await runner.runDue()).done).toBeGreaterThanOrEqual(1);
      expect((await api('GET', url)).body.precheck).toMatchObject({ status: 'passed', error: null });
      // Without its zone the precheck fails, says why, and is retried later.
      const d2 = await register();
      expect((await api('DELETE', `/api/v2/dns-zones/${d2.zoneId}`)).status).toBe(204);
      expect((await api('POST', `/api/v2/domains/${d2.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] })).status).toBe(200);
      expect((await api('POST', `/api/v2/domains/${d2.id}/nameservers`, { nameservers: ['ns1.example.net', 'ns2.example.net'] })).status).toBe(202);
      await runner.runDue();
      expect((await api('GET', `/api/v2/domains/${d2.id}/nameservers`)).body.precheck).toMatchObject({ status: 'queued', error: expect.stringMatching(/no DNS zone/) });
      if (srv.dns) {
        expect(await probeSoa('127.0.0.1', srv.dns.port, d.name)).toBeNull();
        expect(await probeSoa('127.0.0.1', srv.dns.port, 'not-served.example.org')).toMatch(/rcode 5|not authoritative/);
      }
    });

    it('enforces 2-13, host names, no duplicates, addresses only and always for child nameservers', async () => {
      const d = await register();
      const url = `/api/v2/domains/${d.id}/nameservers`;
      const bad = (body: unknown, errors: [string, string][]) => api('POST', url, body).then((r) => expectProblem(r, 400, 'invalid_request', errors));
      await bad({ nameservers: ['ns1.example.org'] }, [['/nameservers', 'too_short']]);
      await bad({ nameservers: Array.from({ length: 14 }, (_, i) => `ns${i}.example.org`) }, [['/nameservers', 'too_long']]);
      await bad({ nameservers: ['ns1.example.org', 'NS1.example.org'] }, [['/nameservers/1', 'duplicate']]);
      await bad({ nameservers: ['ns1.example.org', 'not a host'] }, [['/nameservers/1', 'invalid_format']]);
      await bad({ nameservers: [`ns1.${d.name}`, 'ns2.example.org'] }, [['/nsips/0', 'required']]);
      await bad({ nameservers: ['ns1.example.org', 'ns2.example.org'], nsips: [['203.0.113.10']] }, [['/nsips/0', 'not_allowed']]);
      await bad({ nameservers: [`ns1.${d.name}`, 'ns2.example.org'], nsips: [['192.168.0.1']] }, [['/nsips/0/0', 'invalid_value']]);
      expectProblem(await api('POST', url, { nameservers: ['ns1.example.org'], extra: 1 }), 400, 'invalid_request');
    });

    it('a child nameserver with nsips gets its host object, then serves as glue; the lock blocks changes', async () => {
      const d = await register();
      const url = `/api/v2/domains/${d.id}/nameservers`;
      const r = await api('POST', url, { nameservers: [`ns1.${d.name}`, 'ns2.example.org'], nsips: [['203.0.113.10', '2001:db8::10']] });
      expect(r.status, r.text).toBe(200);
      const glue = (await api('GET', `/api/v2/domains/${d.id}/glue-records`)).body;
      expect(glue.glueRecords).toEqual([{ hostname: `ns1.${d.name}`, ips: ['203.0.113.10', '2001:db8::10'] }]);
      // The lock: set at the registry, then every change is refused with domain_locked.
      expect((await api('PATCH', `/api/v2/domains/${d.id}`, { registrarLockEnabled: true })).body.lifecycle.registrarLockEnabled).toBe(true);
      expectProblem(await api('POST', url, { nameservers: ['ns1.example.org', 'ns2.example.org'] }), 409, 'domain_locked');
      expect((await api('GET', url)).body).toMatchObject({ registrarLock: { enabled: true }, actions: { canChangeNameservers: false } });
      expect((await srv.services.registry.sandbox!.infoDomain(d.name)).statuses).toEqual(expect.arrayContaining(['clientTransferProhibited']));
      expect((await api('PATCH', `/api/v2/domains/${d.id}`, { registrarLockEnabled: false })).status).toBe(200);
      expect((await api('POST', url, { nameservers: ['ns1.example.org', 'ns2.example.org'] })).status).toBe(200);
    });
  });

  describe('glue records (seed 000)', () => {
    it("the seed's own example succeeds, is idempotent, and changes neither nameservers nor zone records", async () => {
      const d = await register();
      const zoneBefore = (await api('GET', `/api/v2/dns-zones/${d.zoneId}`)).body;
      const body = { hostname: `ns1.${d.name}`, ips: ['203.0.113.10', '2001:db8::10'] };
      const r = await api('POST', `/api/v2/domains/${d.id}/glue-records`, body);
      expect(r.status, r.text).toBe(201);
      expect(r.body).toEqual(body);
      expect((await api('POST', `/api/v2/domains/${d.id}/glue-records`, body)).body).toEqual(body);
      const updated = await api('POST', `/api/v2/domains/${d.id}/glue-records`, { hostname: `NS1.${d.name}.`, ips: ['198.51.100.53'] });
      expect(updated.body).toEqual({ hostname: `ns1.${d.name}`, ips: ['198.51.100.53'] });
      const list = (await api('GET', `/api/v2/domains/${d.id}/glue-records`)).body;
      expect(list).toEqual({
        domainName: d.name,
        glueRecords: [{ hostname: `ns1.${d.name}`, ips: ['198.51.100.53'] }],
        count: 1,
        registryLimit: { current: 1, max: 13, reached: false },
        actions: { canCreateGlueRecord: { allowed: true, reason: null } },
      });
      expect((await api('GET', `/api/v2/domains/${d.id}`)).body.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
      const zoneAfter = (await api('GET', `/api/v2/dns-zones/${d.zoneId}`)).body;
      expect(zoneAfter.records).toEqual(zoneBefore.records);
      expect(zoneAfter.zone.serial).toBe(zoneBefore.zone.serial);
    });

    it('refuses bad host names and every special-purpose range; accepts documentation ranges', async () => {
      const d = await register();
      const url = `/api/v2/domains/${d.id}/glue-records`;
      expectProblem(await api('POST', url, { hostname: 'ns1.example.org', ips: ['203.0.113.10'] }), 400, 'invalid_request', [['/hostname', 'invalid_value']]);
      expectProblem(await api('POST', url, { hostname: d.name, ips: ['203.0.113.10'] }), 400, 'invalid_request', [['/hostname', 'invalid_value']]);
      expectProblem(await api('POST', url, { hostname: `ns1.${d.name}`, ips: [] }), 400, 'invalid_request', [['/ips', 'required']]);
      expectProblem(await api('POST', url, { hostname: `ns1.${d.name}`, ips: Array.from({ length: 11 }, (_, i) => `203.0.113.${i + 1}`) }), 400, 'invalid_request', [['/ips', 'too_long']]);
      const special = ['10.0.0.1', '172.16.0.1', '192.168.0.1', '127.0.0.1', '169.254.0.1', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '240.0.0.1', '::', '::1', 'fe80::1', 'fc00::1', 'ff02::1', '::ffff:192.0.2.1'];
      const r = await api('POST', url, { hostname: `ns1.${d.name}`, ips: special });
      expectProblem(r, 400, 'invalid_request', special.map((_, i) => [`/ips/${i}`, 'invalid_value']));
      expect((await api('POST', url, { hostname: `ns2.${d.name}`, ips: ['192.0.2.1', '198.51.100.1', '203.0.113.1', '2001:db8::1'] })).status).toBe(201);
      expectProblem(await api('POST', url, { hostname: `ns3.${d.name}` }), 400, 'invalid_request', [['/ips', 'required']]);
    });

    it('at most 13 host objects per domain', async () => {
      const d = await register();
      const url = `/api/v2/domains/${d.id}/glue-records`;
      for (let i = 1; i <= 13; i++) expect((await api('POST', url, { hostname: `ns${i}.${d.name}`, ips: [`203.0.113.${i}`] })).status).toBe(201);
      const list = (await api('GET', url)).body;
      expect(list.registryLimit).toEqual({ current: 13, max: 13, reached: true });
      expect(list.actions.canCreateGlueRecord.allowed).toBe(false);
      expectProblem(await api('POST', url, { hostname: `ns14.${d.name}`, ips: ['203.0.113.14'] }), 409, 'limit_exceeded');
      expect((await api('POST', url, { hostname: `ns13.${d.name}`, ips: ['203.0.113.99'] })).status).toBe(201); // updates still work
    });

    it('delete is refused while the host is a nameserver, then works; unknown hosts are 404', async () => {
      const d = await register();
      await api('POST', `/api/v2/domains/${d.id}/glue-records`, { hostname: `ns1.${d.name}`, ips: ['203.0.113.10'] });
      expect((await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: [`ns1.${d.name}`, 'ns2.example.org'] })).status).toBe(200);
      expectProblem(await api('DELETE', `/api/v2/domains/${d.id}/glue-records/ns1.${d.name}`), 409, 'conflict');
      await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] });
      expect((await api('DELETE', `/api/v2/domains/${d.id}/glue-records/ns1.${d.name}`)).status).toBe(204);
      expectProblem(await api('DELETE', `/api/v2/domains/${d.id}/glue-records/ns1.${d.name}`), 404, 'not_found');
      expect((await api('GET', `/api/v2/domains/${d.id}/glue-records`)).body.count).toBe(0);
    });

    it('TLDs without glue and external domains: 200, empty, allowed false with a reason; POST refused', async () => {
      const noGlue = await register(unique('example'));
      const list = await api('GET', `/api/v2/domains/${noGlue.id}/glue-records`);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ glueRecords: [], count: 0, actions: { canCreateGlueRecord: { allowed: false } } });
      expect(list.body.actions.canCreateGlueRecord.reason).toMatch(/\.example/);
      expectProblem(await api('POST', `/api/v2/domains/${noGlue.id}/glue-records`, { hostname: `ns1.${noGlue.name}`, ips: ['203.0.113.10'] }), 409, 'operation_unavailable');
      const zone = (await api('POST', '/api/v2/dns-zones', { name: `ext-${process.pid}-${++n}.example.org` })).body;
      const ext = await api('GET', `/api/v2/domains/${zone.domainId}/glue-records`);
      expect(ext.body.actions.canCreateGlueRecord).toMatchObject({ allowed: false });
      expectProblem(await api('POST', `/api/v2/domains/${zone.domainId}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] }), 409, 'operation_unavailable');
    });
  });

  describe('manual DNSSEC at the registry', () => {
    it('adds a DS (numbers as strings too), lists it, is idempotent, deletes it; bad input is 400', async () => {
      const d = await register();
      const url = `/api/v2/domains/${d.id}/dnssec`;
      const ds = await api('POST', url, { type: 'DS', keyTag: '60485', algorithm: '13', digestType: '2', digest: SHA256 });
      expect(ds.status, ds.text).toBe(201);
      expect(ds.body).toMatchObject({ type: 'DS', keyTag: 60485, algorithm: 13, digestType: 2, digest: SHA256.toLowerCase() });
      expect((await api('POST', url, { type: 'DS', keyTag: 60485, algorithm: 13, digestType: 2, digest: SHA256.toLowerCase() })).body.id).toBe(ds.body.id);
      const key = await api('POST', url, { type: 'KEY', flags: 257, protocol: 3, algorithm: 13, publicKey: 'mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==' });
      expect(key.status, key.text).toBe(201);
      expect((await api('GET', url)).body).toMatchObject({ domainName: d.name, records: [{ id: ds.body.id }, { id: key.body.id }], actions: { canAdd: true } });
      expect((await srv.services.registry.sandbox!.infoDomain(d.name)).dnssec).toHaveLength(2);
      expectProblem(await api('POST', url, { type: 'DS', keyTag: 1, algorithm: 13, digestType: 2, digest: 'abcd' }), 400, 'invalid_request', [['/digest', 'invalid_value']]);
      expectProblem(await api('POST', url, { type: 'DS', keyTag: 1, algorithm: 13, digestType: 3, digest: SHA256 }), 400, 'invalid_request', [['/digestType', 'invalid_value']]);
      expectProblem(await api('POST', url, { type: 'KEY', flags: 257, protocol: 2, algorithm: 13, publicKey: 'AAAA' }), 400, 'invalid_request', [['/protocol', 'invalid_value']]);
      expect((await api('DELETE', `${url}/${ds.body.id}`)).status).toBe(204);
      expectProblem(await api('DELETE', `${url}/${ds.body.id}`), 404, 'not_found');
      expect((await srv.services.registry.sandbox!.infoDomain(d.name)).dnssec).toHaveLength(1);
    });
  });

  it("another account's domain is 404 on every registry route", async () => {
    const d = await register();
    const other = client(srv.url, (await srv.makeAccount('other')).token);
    for (const [method, path, body] of [
      ['GET', `/api/v2/domains/${d.id}/nameservers`],
      ['POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: ['ns1.example.org', 'ns2.example.org'] }],
      ['GET', `/api/v2/domains/${d.id}/glue-records`],
      ['POST', `/api/v2/domains/${d.id}/glue-records`, { hostname: `ns1.${d.name}`, ips: ['203.0.113.10'] }],
      ['DELETE', `/api/v2/domains/${d.id}/glue-records/ns1.${d.name}`],
      ['GET', `/api/v2/domains/${d.id}/dnssec`],
      ['POST', `/api/v2/domains/${d.id}/dnssec`, { type: 'DS', keyTag: 1, algorithm: 13, digestType: 2, digest: SHA256 }],
    ] as [string, string, unknown?][]) {
      expectProblem(await other(method, path, body), 404, 'not_found');
    }
    expect((await api('GET', `/api/v2/domains/${d.id}/nameservers`)).body.nameservers).toEqual(['ns1.example.net', 'ns2.example.net']);
  });

  it('the sandbox test. zone answers referrals with glue and DS (dig against the running server)', async () => {
    if (!digOk || !srv.dns) return;
    const port = srv.dns.port;
    const d = await register();
    await api('POST', `/api/v2/domains/${d.id}/nameservers`, { nameservers: [`ns1.${d.name}`, 'ns2.example.org'], nsips: [['203.0.113.10', '2001:db8::10']] });
    await api('POST', `/api/v2/domains/${d.id}/dnssec`, { type: 'DS', keyTag: 60485, algorithm: 13, digestType: 2, digest: SHA256 });
    // The customer's own zone is served here too: remove it, so that test. answers with a referral.
    expect((await api('DELETE', `/api/v2/dns-zones/${d.zoneId}`)).status).toBe(204);
    const referral = await dig(port, `www.${d.name}`, 'A');
    expect(statusOf(referral)).toBe('NOERROR');
    expect(referral).not.toMatch(/flags:[^;]*\baa\b/);
    expect(referral).toMatch(new RegExp(`AUTHORITY SECTION:[\\s\\S]*${d.name.replace(/\./g, '\\.')}\\.\\s+\\d+\\s+IN\\s+NS\\s+ns1\\.${d.name.replace(/\./g, '\\.')}\\.`));
    expect(referral).toMatch(new RegExp(`ADDITIONAL SECTION:[\\s\\S]*ns1\\.${d.name.replace(/\./g, '\\.')}\\.\\s+\\d+\\s+IN\\s+A\\s+203\\.0\\.113\\.10`));
    expect(referral).toMatch(/IN\s+AAAA\s+2001:db8::10/);
    // What automatic DNSSEC asks a resolver for a parent it does not serve (here: our own server).
    expect((await probeDs('127.0.0.1', port, d.name))!.map((x) => x.toUpperCase())).toEqual([`60485 13 2 ${SHA256.toUpperCase()}`]);
    expect(await probeDs('127.0.0.1', 1, d.name, 300)).toBeNull();
    const ds = await dig(port, d.name, 'DS');
    expect(ds).toMatch(new RegExp(`ANSWER SECTION:[\\s\\S]*IN\\s+DS\\s+60485 13 2 ${SHA256.slice(0, 20)}`, 'i'));
    expect(statusOf(await dig(port, `unregistered-${n}.test`, 'A'))).toBe('NXDOMAIN');
  });
});
