// Cross-account isolation on both stores: every route probed with another account's key answers
// 404 not_found (never 403, never data) for zones, records, domains and API keys; overlapping zone
// names across accounts are 409; public suffixes are 400.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, describeEachDialect, expectProblem, getZone, missingId, pgFor, zoneName, type Call } from './support.js';

const pgOk = await pgFor('http isolation');

describeEachDialect(pgOk, 'cross-account isolation', (dialect) => {
  let srv: TestServer;
  let alice: Call;
  let bob: Call;
  /** Alice's resources, probed by Bob. */
  let zone: any;
  let record: any;
  let keyId: string;
  let bobZone: any;
  let serialAfterSetup: number;

  beforeAll(async () => {
    srv = await startTestServer({ dialect });
    alice = client(srv.url, srv.adminToken);
    bob = client(srv.url, (await srv.makeAccount('bob')).token);
    zone = await createZone(alice, zoneName('alice'));
    record = await createRecord(alice, zone.id, { type: 'TXT', name: 'secret', value: 'alice-private-value' });
    keyId = (await alice('POST', '/api/v2/api-keys', { name: 'alice key', scopes: ['read:dns'] })).body.id;
    bobZone = await createZone(bob, zoneName('bob'));
    serialAfterSetup = (await getZone(alice, zone.id)).zone.serial;
  });
  afterAll(async () => srv?.close());

  /** Asserts a 404 that gives nothing of Alice's away. */
  function expectHidden(res: Awaited<ReturnType<Call>>): void {
    expectProblem(res, 404, 'not_found');
    expect(res.text).not.toContain(zone.name);
    expect(res.text).not.toContain('alice-private-value');
    expect(res.body).not.toHaveProperty('errors');
  }

  const rec = { type: 'A', name: 'www', value: '192.0.2.66' };
  const probes: [string, () => [string, string, unknown?]][] = [
    ['zone: GET /dns-zones/{id}', () => ['GET', `/api/v2/dns-zones/${zone.id}`]],
    ['zone: GET /dns-zones/{id}/records', () => ['GET', `/api/v2/dns-zones/${zone.id}/records?name=secret`]],
    ['zone: GET /dns-zones/{id}/export', () => ['GET', `/api/v2/dns-zones/${zone.id}/export`]],
    ['zone: DELETE /dns-zones/{id}', () => ['DELETE', `/api/v2/dns-zones/${zone.id}`]],
    ['zone: POST /dns-zones/{id}/records', () => ['POST', `/api/v2/dns-zones/${zone.id}/records`, rec]],
    ['zone: POST /dns-zones/{id}/records/batch', () => ['POST', `/api/v2/dns-zones/${zone.id}/records/batch`, { deletes: [record.id] }]],
    ['zone: POST /dns-zones/{id}/import', () => ['POST', `/api/v2/dns-zones/${zone.id}/import`, { zoneFile: 'www 600 IN A 192.0.2.66\n' }]],
    ['record: PUT via its own zone', () => ['PUT', `/api/v2/dns-zones/${zone.id}/records/${record.id}`, rec]],
    ['record: DELETE via its own zone', () => ['DELETE', `/api/v2/dns-zones/${zone.id}/records/${record.id}`]],
    ['record: PUT via the prober\'s zone', () => ['PUT', `/api/v2/dns-zones/${bobZone.id}/records/${record.id}`, rec]],
    ['record: DELETE via the prober\'s zone', () => ['DELETE', `/api/v2/dns-zones/${bobZone.id}/records/${record.id}`]],
    ['domain: GET /domains/{id}', () => ['GET', `/api/v2/domains/${zone.domainId}`]],
    ['domain: GET /domains/{id}/dns', () => ['GET', `/api/v2/domains/${zone.domainId}/dns`]],
    ['domain: PATCH /domains/{id}', () => ['PATCH', `/api/v2/domains/${zone.domainId}`, { registrarLockEnabled: true }]],
    ['api key: DELETE /api-keys/{id}', () => ['DELETE', `/api/v2/api-keys/${keyId}`]],
  ];

  it.each(probes)('%s → 404, like an id that does not exist', async (_what, probe) => {
    const [method, path, body] = probe();
    const foreign = await bob(method, path, body);
    expectHidden(foreign);
    // Exactly what a made-up id of the same kind gets: status, code, title.
    const fake = path.replace(zone.id, missingId('zone')).replace(record.id, missingId('drr')).replace(zone.domainId, missingId('dom')).replace(keyId, missingId('key'));
    const made = await bob(method, fake, body);
    expectProblem(made, 404, 'not_found');
    expect([made.body.title, made.body.type]).toEqual([foreign.body.title, foreign.body.type]);
  });

  it('a batch naming another account\'s record id in the prober\'s zone is refused like an unknown id', async () => {
    const foreign = await bob('POST', `/api/v2/dns-zones/${bobZone.id}/records/batch`, { deletes: [record.id] });
    expectProblem(foreign, 400, 'invalid_request', [['/deletes/0', 'invalid_value']]);
    expect(foreign.text).not.toContain('alice-private-value');
    const unknown = await bob('POST', `/api/v2/dns-zones/${bobZone.id}/records/batch`, { deletes: [missingId('drr')] });
    expectProblem(unknown, 400, 'invalid_request', [['/deletes/0', 'invalid_value']]);
  });

  it('lists and name lookups never show the other account\'s items', async () => {
    const zones = await bob('GET', '/api/v2/dns-zones?limit=1000');
    expect(zones.body.data.map((z: any) => z.id)).toEqual([bobZone.id]);
    expect((await bob('GET', `/api/v2/dns-zones?name=${zone.name}`)).body).toEqual({ data: [], hasMore: false, nextCursor: null });
    const domains = await bob('GET', '/api/v2/domains?limit=1000');
    expect(domains.body.data.map((d: any) => d.id)).toEqual([bobZone.domainId]);
    expect((await bob('GET', `/api/v2/domains?name=${zone.name}`)).body.data).toEqual([]);
    const keys = await bob('GET', '/api/v2/api-keys?limit=1000');
    expect(keys.body.data.map((k: any) => k.id)).not.toContain(keyId);
    expect(keys.body.data.every((k: any) => k.accountId !== srv.accountId)).toBe(true);
    for (const r of [zones, domains, keys]) expect(r.text).not.toContain(zone.name);
  });

  it('after all the probing, the owner\'s data is untouched', async () => {
    const z = await getZone(alice, zone.id);
    expect(z.zone.serial).toBe(serialAfterSetup);
    expect(z.records.map((r) => [r.id, r.value])).toContainEqual([record.id, 'alice-private-value']);
    expect(z.zone.recordCount).toBe(3);
    expect((await alice('GET', `/api/v2/domains/${zone.domainId}`)).body.lifecycle.registrarLockEnabled).toBe(false);
    const keys = await alice('GET', '/api/v2/api-keys?limit=1000');
    expect(keys.body.data.find((k: any) => k.id === keyId).revokedAt).toBeNull();
  });

  it('a zone name equal to, above or below another account\'s zone is 409 conflict', async () => {
    const base = zoneName('overlap');
    await createZone(alice, `mid.${base}`);
    for (const name of [`mid.${base}`, `MID.${base}.`, base, `deep.mid.${base}`, `a.b.deep.mid.${base}`]) {
      const r = await bob('POST', '/api/v2/dns-zones', { name });
      expectProblem(r, 409, 'conflict', [['/name', 'conflict']]);
    }
    // A sibling is no overlap.
    expect((await bob('POST', '/api/v2/dns-zones', { name: `side.${base}` })).status).toBe(201);
    // The owner itself gets a plain "already exists" conflict for the same name.
    expectProblem(await alice('POST', '/api/v2/dns-zones', { name: `mid.${base}` }), 409, 'conflict', [['/name', 'conflict']]);
  });

  it.each([
    ['org', 'invalid_value'],
    ['co.uk', 'not_allowed'],
    ['github.io', 'not_allowed'],
    ['CO.UK.', 'not_allowed'],
  ])('the public suffix %s cannot be a zone (400 %s)', async (name, code) => {
    expectProblem(await bob('POST', '/api/v2/dns-zones', { name }), 400, 'invalid_request', [['/name', code]]);
  });

  it('names below a public suffix are fine (example.co.uk, user.github.io)', async () => {
    for (const name of [`x${Date.now()}.example.co.uk`, `u${Date.now()}.github.io`]) {
      const r = await bob('POST', '/api/v2/dns-zones', { name });
      expect(r.status, r.text).toBe(201);
      expect(r.body.name).toBe(name);
    }
  });
});
