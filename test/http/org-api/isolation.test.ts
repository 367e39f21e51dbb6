// Organization isolation and roles on both stores: every organization-API route probed from a
// user of another organization answers 404 (never data, never a change); a read-only member reads
// but cannot write (403); domain ids of another organization under one's own path are 404.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { describeEachDialect, pgFor, zoneName } from '../support.js';
import { expectOrgProblem, loggedIn, makeDomain, makeUser, type OrgCall } from './support.js';

const pgOk = await pgFor('organization API isolation');
const MP = { 'content-type': 'application/merge-patch+json' };

describeEachDialect(pgOk, 'organization API: isolation and roles', (dialect) => {
  let srv: TestServer;
  let alice: OrgCall;
  let bob: OrgCall;
  let reader: OrgCall;
  let aliceOrg: string;
  let bobOrg: string;
  let aliceDomain: { zoneId: string; domainUuid: string; name: string };
  let bobDomain: { zoneId: string; domainUuid: string; name: string };
  let record: any;
  let aliceBase: string;

  beforeAll(async () => {
    srv = await startTestServer({ dialect });
    const a = await makeUser(srv, { newOrganization: 'alice org', role: 'owner' });
    const b = await makeUser(srv, { newOrganization: 'bob org', role: 'owner' });
    aliceOrg = a.organizationId;
    bobOrg = b.organizationId;
    const r = await makeUser(srv, { organizationId: aliceOrg, role: 'read-only' });
    alice = await loggedIn(srv, a.email);
    bob = await loggedIn(srv, b.email);
    reader = await loggedIn(srv, r.email);
    const aliceKey = (await srv.makeKey({ scopes: ['admin'], accountId: aliceOrg }));
    const bobKey = (await srv.makeKey({ scopes: ['admin'], accountId: bobOrg }));
    aliceDomain = await makeDomain(srv, zoneName('alice'), aliceKey);
    bobDomain = await makeDomain(srv, zoneName('bob'), bobKey);
    aliceBase = `/api/organizations/${aliceOrg}/domains/${aliceDomain.domainUuid}/dns-records`;
    record = (await alice('POST', aliceBase, { type: 3, name: 'secret', value: 'alice-private-value' })).body;
    expect(record.recordId).toBeGreaterThan(0);
  });
  afterAll(async () => srv?.close());

  it('organizations and domains list only the caller\'s own', async () => {
    const orgs = await bob('GET', '/api/organizations');
    expect(orgs.body['hydra:member'].map((o: any) => o.id)).toEqual([bobOrg]);
    const doms = await bob('GET', `/api/organizations/${bobOrg}/domains`);
    expect(doms.body['hydra:member'].map((d: any) => d.id)).toEqual([bobDomain.domainUuid]);
    expect(doms.text).not.toContain(aliceDomain.name);
  });

  it('every route of another organization is 404 and changes nothing', async () => {
    const item = `${aliceBase}/${record.id}`;
    const probes: [string, string, unknown?, Record<string, string>?][] = [
      ['GET', `/api/organizations/${aliceOrg}/domains`],
      ['GET', aliceBase],
      ['POST', aliceBase, { type: 3, name: 'x', value: 'bob was here' }],
      ['GET', item],
      ['PATCH', item, { value: 'bob was here' }, MP],
      ['DELETE', item],
      // Alice's domain under Bob's own organization path, and Bob's domain under Alice's.
      ['GET', `/api/organizations/${bobOrg}/domains/${aliceDomain.domainUuid}/dns-records`],
      ['POST', `/api/organizations/${bobOrg}/domains/${aliceDomain.domainUuid}/dns-records`, { type: 3, name: 'x', value: 'bob' }],
      ['GET', `/api/organizations/${bobOrg}/domains/${aliceDomain.domainUuid}/dns-records/${record.id}`],
      ['GET', `/api/organizations/${aliceOrg}/domains/${bobDomain.domainUuid}/dns-records`],
    ];
    for (const [method, path, body, headers] of probes) {
      const r = await bob(method, path, body, headers);
      expectOrgProblem(r, 404, 'not_found');
      expect(r.text).not.toContain('alice-private-value');
      expect(r.text).not.toContain(aliceDomain.name);
    }
    // API tokens are the user's own: Bob neither sees nor deletes Alice's.
    const aliceToken = (await alice('POST', '/api/api-tokens', { name: 'alice token' })).body;
    expect((await bob('GET', '/api/api-tokens')).text).not.toContain(aliceToken.id);
    expectOrgProblem(await bob('DELETE', `/api/api-tokens/${aliceToken.id}`), 404, 'not_found');
    expect((await alice('GET', '/api/api-tokens')).text).toContain(aliceToken.id);
    // Bob's own record id format under Bob's domain does not reach Alice's record either.
    const own = `/api/organizations/${bobOrg}/domains/${bobDomain.domainUuid}/dns-records/${record.id}`;
    expectOrgProblem(await bob('GET', own), 404, 'not_found');
    const after = await alice('GET', `${aliceBase}/${record.id}`);
    expect(after.body.value).toBe('alice-private-value');
    expect((await alice('GET', aliceBase)).body['hydra:totalItems']).toBe(3); // 2 apex NS + the secret
  });

  it('a read-only member reads and is refused every write with 403', async () => {
    expect((await reader('GET', aliceBase)).status).toBe(200);
    expect((await reader('GET', `${aliceBase}/${record.id}`)).body.value).toBe('alice-private-value');
    expect((await reader('GET', `/api/organizations/${aliceOrg}/domains`)).status).toBe(200);
    expectOrgProblem(await reader('POST', aliceBase, { type: 3, name: 'r', value: 'x' }), 403, 'forbidden');
    expectOrgProblem(await reader('PATCH', `${aliceBase}/${record.id}`, { value: 'x' }, MP), 403, 'forbidden');
    expectOrgProblem(await reader('DELETE', `${aliceBase}/${record.id}`), 403, 'forbidden');
    // It may still manage its own API tokens, which carry its role.
    const t = await reader('POST', '/api/api-tokens', { name: 'reader token' });
    expect(t.status).toBe(201);
  });

  it('a member of both organizations reaches both; roles are per organization', async () => {
    const both = await makeUser(srv, { organizationId: aliceOrg, role: 'member' });
    await srv.services.users.addMembership((await srv.services.users.find(both.email))!, bobOrg, 'read-only');
    const call = await loggedIn(srv, both.email);
    expect((await call('POST', aliceBase, { type: 3, name: 'both', value: 'ok' })).status).toBe(201);
    const bobBase = `/api/organizations/${bobOrg}/domains/${bobDomain.domainUuid}/dns-records`;
    expect((await call('GET', bobBase)).status).toBe(200);
    expectOrgProblem(await call('POST', bobBase, { type: 3, name: 'both', value: 'no' }), 403, 'forbidden');
  });
});
