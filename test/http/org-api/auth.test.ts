// Organization API authentication: logins (good, bad, unknown user alike, locked out per account and
// per address), JWT expiry and refresh-token rotation with reuse detection, logout, disabled users,
// and the API token lifecycle (shown once, expiry, organization limits, deletion).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/ports.js';
import { client, startTestServer, type TestServer } from '../../helpers/server.js';
import { expectOrgProblem, jwtClient, login, makeToken, makeUser, PASSWORD, tokenClient } from './support.js';

/** A clock tests move forward. */
function testClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}

describe('organization API: logins and tokens', () => {
  let srv: TestServer;
  const clock = testClock();

  beforeAll(async () => {
    srv = await startTestServer({ clock, settings: { 'login-limit-per-account': '5/m,burst=5', 'login-limit-per-address': '20/m,burst=12', 'access-token-ttl': '60' } });
  });
  afterAll(async () => srv?.close());

  it('a good login gives a JWT and a refresh token; the JWT authenticates', async () => {
    const u = await makeUser(srv);
    const r = await login(srv.url, u.email.toUpperCase(), PASSWORD, { 'x-forwarded-for': '198.51.100.1' });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(r.body.token.split('.')).toHaveLength(3);
    expect(r.body.refresh_token).toMatch(/^zkr_/);
    const orgs = await jwtClient(srv.url, r.body.token)('GET', '/api/organizations');
    expect(orgs.status).toBe(200);
    expect(orgs.body['hydra:member']).toEqual([expect.objectContaining({ id: srv.accountId, role: 'member', '@type': 'Organization' })]);
  });

  it('a wrong password and an unknown email get the same 401 answer', async () => {
    const u = await makeUser(srv);
    const wrong = await login(srv.url, u.email, 'not the password at all');
    const unknown = await login(srv.url, 'nobody-here@example.org', 'not the password at all');
    expectOrgProblem(wrong, 401, 'unauthorized');
    expectOrgProblem(unknown, 401, 'unauthorized');
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expectOrgProblem(await client(srv.url)('POST', '/api/auth/login', { email: u.email }), 400, 'invalid_request');
  });

  it('failed logins lock the account out (even the right password waits) until the bucket refills', async () => {
    const u = await makeUser(srv);
    for (let i = 0; i < 5; i++) expectOrgProblem(await login(srv.url, u.email, `wrong password ${i}`), 401, 'unauthorized');
    const locked = await login(srv.url, u.email, PASSWORD);
    expectOrgProblem(locked, 429, 'rate_limit_exceeded');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // An unknown email is limited the same way (the limit is by email, not by user: no enumeration).
    for (let i = 0; i < 5; i++) await login(srv.url, 'ghost@example.org', 'x'.repeat(12));
    expectOrgProblem(await login(srv.url, 'ghost@example.org', 'x'.repeat(12)), 429, 'rate_limit_exceeded');
    clock.advance(61_000);
    expect((await login(srv.url, u.email, PASSWORD)).status).toBe(200);
  });

  it('parallel guesses cannot slip past the limit: each attempt takes its token before the password check', async () => {
    clock.advance(10 * 60_000);
    const u = await makeUser(srv);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(srv.url, u.email, `parallel guess ${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(25);
    clock.advance(10 * 60_000);
  });

  it('failed logins are limited per client address across accounts', async () => {
    // Every test server request comes from 127.0.0.1; the earlier tests spent part of its bucket.
    clock.advance(10 * 60_000);
    const users = await Promise.all([1, 2, 3, 4].map(() => makeUser(srv)));
    let limited = false;
    for (let i = 0; i < 13 && !limited; i++) {
      const r = await login(srv.url, users[i % 4]!.email, 'wrong password!!');
      limited = r.status === 429;
    }
    expect(limited).toBe(true);
    expectOrgProblem(await login(srv.url, users[0]!.email, PASSWORD), 429, 'rate_limit_exceeded');
    clock.advance(10 * 60_000);
  });

  it('access tokens expire; refresh tokens rotate, and a reused one ends the login', async () => {
    const u = await makeUser(srv);
    const first = (await login(srv.url, u.email)).body;
    clock.advance(61_000);
    const expired = await jwtClient(srv.url, first.token)('GET', '/api/organizations');
    expectOrgProblem(expired, 401, 'unauthorized');
    expect(expired.body.detail).toMatch(/expired/);
    const second = await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: first.refresh_token });
    expect(second.status, second.text).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await jwtClient(srv.url, second.body.token)('GET', '/api/organizations')).status).toBe(200);
    // The first refresh token again: a replay. It fails and takes the rotated one down with it.
    expectOrgProblem(await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: first.refresh_token }), 401, 'unauthorized');
    expectOrgProblem(await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: second.body.refresh_token }), 401, 'unauthorized');
    expectOrgProblem(await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: 'zkr_unknown' }), 401, 'unauthorized');
  });

  it('logout ends the login: its refresh token and its access tokens no longer work', async () => {
    const u = await makeUser(srv);
    const t = (await login(srv.url, u.email)).body;
    const other = (await login(srv.url, u.email)).body;
    expect((await client(srv.url)('POST', '/api/auth/logout', { refresh_token: t.refresh_token })).status).toBe(204);
    expectOrgProblem(await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: t.refresh_token }), 401, 'unauthorized');
    expectOrgProblem(await jwtClient(srv.url, t.token)('GET', '/api/organizations'), 401, 'unauthorized');
    // Another login of the same user is not affected.
    expect((await jwtClient(srv.url, other.token)('GET', '/api/organizations')).status).toBe(200);
  });

  it('a refresh racing a logout of the same login never leaves a working token', async () => {
    const u = await makeUser(srv);
    for (let i = 0; i < 5; i++) {
      const t = (await login(srv.url, u.email)).body;
      const [refreshed] = await Promise.all([
        client(srv.url)('POST', '/api/auth/refresh', { refresh_token: t.refresh_token }),
        client(srv.url)('POST', '/api/auth/logout', { refresh_token: t.refresh_token }),
      ]);
      if (refreshed.status === 200) {
        expectOrgProblem(await jwtClient(srv.url, refreshed.body.token)('GET', '/api/organizations'), 401, 'unauthorized');
        expectOrgProblem(await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: refreshed.body.refresh_token }), 401, 'unauthorized');
      }
    }
  });

  it('tampered, foreign or malformed credentials are 401', async () => {
    const u = await makeUser(srv);
    const t = (await login(srv.url, u.email)).body.token as string;
    const [h, p, s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'usr_01aaaaaaaaaaaaaaaaaaaaaaaa' })).toString('base64url')}.${s}`;
    expectOrgProblem(await jwtClient(srv.url, forged)('GET', '/api/organizations'), 401, 'unauthorized');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expectOrgProblem(await jwtClient(srv.url, none)('GET', '/api/organizations'), 401, 'unauthorized');
    expectOrgProblem(await client(srv.url)('GET', '/api/organizations'), 401, 'unauthorized');
    expectOrgProblem(await client(srv.url)('GET', '/api/organizations', undefined, { authorization: 'Basic abc' }), 401, 'unauthorized');
    expectOrgProblem(await tokenClient(srv.url, 'zkt_nope')('GET', '/api/organizations'), 401, 'unauthorized');
    // A HostUp-style API key is not a credential of this API.
    expectOrgProblem(await jwtClient(srv.url, srv.adminToken)('GET', '/api/organizations'), 401, 'unauthorized');
  });

  it('a disabled user cannot log in, and its access and API tokens stop working at once', async () => {
    const u = await makeUser(srv);
    const t = (await login(srv.url, u.email)).body;
    const apiToken = await makeToken(jwtClient(srv.url, t.token));
    const user = (await srv.services.users.find(u.email))!;
    await srv.services.users.setDisabled(user, true);
    expectOrgProblem(await login(srv.url, u.email), 401, 'unauthorized');
    expectOrgProblem(await jwtClient(srv.url, t.token)('GET', '/api/organizations'), 401, 'unauthorized');
    expectOrgProblem(await tokenClient(srv.url, apiToken)('GET', '/api/organizations'), 401, 'unauthorized');
    expectOrgProblem(await client(srv.url)('POST', '/api/auth/refresh', { refresh_token: t.refresh_token }), 401, 'unauthorized');
    await srv.services.users.setDisabled(user, false);
    expect((await login(srv.url, u.email)).status).toBe(200);
  });

  describe('API tokens', () => {
    it('are shown once, listed without their secret, work as X-API-TOKEN, and are deleted', async () => {
      const u = await makeUser(srv);
      const call = jwtClient(srv.url, (await login(srv.url, u.email)).body.token);
      const created = await call('POST', '/api/api-tokens', { name: 'ci deploys' });
      expect(created.status, created.text).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(created.body).toMatchObject({ '@type': 'ApiToken', name: 'ci deploys', organizations: null, expiresAt: null, lastUsedAt: null });
      expect(created.body.token).toMatch(/^zkt_[A-Za-z0-9_-]{43}$/);
      expect(created.body.token.startsWith(created.body.tokenPrefix)).toBe(true);
      const list = await call('GET', '/api/api-tokens');
      expect(list.body['hydra:totalItems']).toBe(1);
      expect(list.text).not.toContain(created.body.token);
      expect(list.body['hydra:member'][0]).not.toHaveProperty('token');
      const viaToken = tokenClient(srv.url, created.body.token);
      expect((await viaToken('GET', '/api/organizations')).status).toBe(200);
      expect((await call('GET', '/api/api-tokens')).body['hydra:member'][0].lastUsedAt).not.toBeNull();
      expect((await call('DELETE', `/api/api-tokens/${created.body.id}`)).status).toBe(204);
      expectOrgProblem(await viaToken('GET', '/api/organizations'), 401, 'unauthorized');
      expectOrgProblem(await call('DELETE', `/api/api-tokens/${created.body.id}`), 404, 'not_found');
    });

    it('expire at expiresAt; bad fields are violations', async () => {
      const u = await makeUser(srv);
      const call = jwtClient(srv.url, (await login(srv.url, u.email)).body.token);
      const soon = new Date(clock.now().getTime() + 3_600_000).toISOString();
      const token = await makeToken(call, { name: 'short', expiresAt: soon });
      expect((await tokenClient(srv.url, token)('GET', '/api/organizations')).status).toBe(200);
      clock.advance(3_601_000);
      const r = await tokenClient(srv.url, token)('GET', '/api/organizations');
      expectOrgProblem(r, 401, 'unauthorized');
      expect(r.body.detail).toMatch(/expired/);
      const bad = await tokenClient(srv.url, await makeToken(jwtClient(srv.url, (await login(srv.url, u.email)).body.token)))('POST', '/api/api-tokens', {
        name: '',
        expiresAt: '2000-01-01T00:00:00Z',
        organizations: ['acc_01aaaaaaaaaaaaaaaaaaaaaaaa'],
        scopes: ['x'],
      });
      expect(bad.status).toBe(422);
      expect(bad.body.violations.map((v: any) => v.propertyPath)).toEqual(['scopes', 'name', 'expiresAt', 'organizations[0]']);
    });

    it('a token cannot outlive the token that creates it; expiresAt needs a time zone', async () => {
      const u = await makeUser(srv);
      const call = jwtClient(srv.url, (await login(srv.url, u.email)).body.token);
      const parentExpiry = new Date(clock.now().getTime() + 3_600_000).toISOString();
      const parent = tokenClient(srv.url, await makeToken(call, { name: 'parent', expiresAt: parentExpiry }));
      const child = await parent('POST', '/api/api-tokens', { name: 'child' });
      expect(child.status, child.text).toBe(201);
      expect(child.body.expiresAt).toBe(parentExpiry);
      const later = await parent('POST', '/api/api-tokens', { name: 'later', expiresAt: new Date(clock.now().getTime() + 7_200_000).toISOString() });
      expect(later.status).toBe(422);
      expect(later.body.violations.map((v: any) => v.propertyPath)).toEqual(['expiresAt']);
      const local = await call('POST', '/api/api-tokens', { name: 'local', expiresAt: '2030-06-01T00:00:00' });
      expect(local.status).toBe(422);
      expect((await call('POST', '/api/api-tokens', { name: 'offset', expiresAt: '2030-06-01T00:00:00+02:00' })).body.expiresAt).toBe('2030-05-31T22:00:00.000Z');
    });

    it('limited to listed organizations: others are forbidden, and a limited token cannot mint a wider one', async () => {
      const u = await makeUser(srv, { role: 'owner', newOrganization: 'first' });
      const second = await srv.services.accounts.create('second');
      await srv.services.users.addMembership((await srv.services.users.find(u.email))!, second.id, 'member');
      const call = jwtClient(srv.url, (await login(srv.url, u.email)).body.token);
      expect((await call('GET', '/api/organizations')).body['hydra:totalItems']).toBe(2);
      const limited = tokenClient(srv.url, await makeToken(call, { name: 'only first', organizations: [u.organizationId] }));
      const orgs = await limited('GET', '/api/organizations');
      expect(orgs.body['hydra:member'].map((o: any) => o.id)).toEqual([u.organizationId]);
      expect((await limited('GET', `/api/organizations/${u.organizationId}/domains`)).status).toBe(200);
      expectOrgProblem(await limited('GET', `/api/organizations/${second.id}/domains`), 403, 'forbidden');
      const wider = await limited('POST', '/api/api-tokens', { name: 'wider' });
      expect(wider.status).toBe(422);
      expect(wider.body.violations[0].propertyPath).toBe('organizations');
      expect((await limited('POST', '/api/api-tokens', { name: 'other', organizations: [second.id] })).status).toBe(422);
      expect((await limited('POST', '/api/api-tokens', { name: 'same', organizations: [u.organizationId] })).status).toBe(201);
      // It sees and deletes only tokens within its own limit.
      const secondOnly = await call('POST', '/api/api-tokens', { name: 'only second', organizations: [second.id] });
      const unlimited = await call('POST', '/api/api-tokens', { name: 'all' });
      const seen = (await limited('GET', '/api/api-tokens')).body['hydra:member'].map((t: any) => t.name);
      expect(seen).not.toContain('only second');
      expect(seen).not.toContain('all');
      expect(seen).toContain('only first');
      expectOrgProblem(await limited('DELETE', `/api/api-tokens/${secondOnly.body.id}`), 404, 'not_found');
      expectOrgProblem(await limited('DELETE', `/api/api-tokens/${unlimited.body.id}`), 404, 'not_found');
      expect((await tokenClient(srv.url, secondOnly.body.token)('GET', '/api/organizations')).status).toBe(200);
    });
  });
});
