// Authentication and authorization: 401 for every way a key can be missing or dead, 403 for every
// route without its scope (route × scope table), zone-restricted keys, allowIps, and keys that try
// to hand out more than they hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import type { Scope } from '../../src/core/model.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, expectProblem, zoneName, type Call } from './support.js';

let now = Date.now();
const clock: Clock = { now: () => new Date(now) };
let srv: TestServer;
let admin: Call;

beforeAll(async () => {
  srv = await startTestServer({ clock });
  admin = client(srv.url, srv.adminToken);
});
afterAll(async () => srv?.close());

const key = async (scopes: Scope[], extra: { zones?: string[]; allowIps?: string[]; expiresInDays?: number } = {}): Promise<Call> =>
  client(srv.url, await srv.makeKey({ scopes, ...extra }));

describe('401 unauthorized', () => {
  it.each([
    ['no Authorization header', {}],
    ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['"Bearer" without a token', { authorization: 'Bearer' }],
    ['a token with a space in it', { authorization: 'Bearer zk_abc def' }],
    ['an unknown zk_ token', { authorization: `Bearer zk_${'A'.repeat(43)}` }],
    ['a token without the zk_ prefix', { authorization: 'Bearer 0123456789abcdef' }],
    ['an over-long token', { authorization: `Bearer zk_${'a'.repeat(500)}` }],
  ])('%s', async (_what, headers: Record<string, string>) => {
    const r = await client(srv.url)('GET', '/api/v2/dns-zones', undefined, headers);
    expectProblem(r, 401, 'unauthorized');
    expect(r.text).not.toContain('"data"');
  });

  it('asks for a bearer token when none was sent', async () => {
    const r = await client(srv.url)('GET', '/api/v2/domains');
    expectProblem(r, 401, 'unauthorized');
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a revoked key stops working at once', async () => {
    const made = await admin('POST', '/api/v2/api-keys', { name: 'soon revoked', scopes: ['read:dns'] });
    const k = client(srv.url, made.body.token);
    expect((await k('GET', '/api/v2/dns-zones')).status).toBe(200);
    expect((await admin('DELETE', `/api/v2/api-keys/${made.body.id}`)).status).toBe(204);
    expectProblem(await k('GET', '/api/v2/dns-zones'), 401, 'unauthorized');
  });

  it('an expired key is refused (server clock moved past expiresAt)', async () => {
    const k = await key(['read:dns'], { expiresInDays: 1 });
    expect((await k('GET', '/api/v2/dns-zones')).status).toBe(200);
    const start = now;
    try {
      now = start + 86_400_000 - 1_000;
      expect((await k('GET', '/api/v2/dns-zones')).status).toBe(200);
      now = start + 86_400_000;
      expectProblem(await k('GET', '/api/v2/dns-zones'), 401, 'unauthorized');
      now = start + 10 * 86_400_000;
      expectProblem(await k('GET', '/api/v2/dns-zones'), 401, 'unauthorized');
    } finally {
      now = start;
    }
  });
});

describe('403 forbidden: every route needs its scope', () => {
  interface Route {
    route: string;
    needs: Scope[];
    /** Makes a fresh target; returns [method, path, body, success status]. */
    make: () => Promise<[string, string, unknown, number]>;
  }
  const zone = () => createZone(admin);
  const ROUTES: Route[] = [
    { route: 'GET /dns-zones', needs: ['read:dns'], make: async () => ['GET', '/api/v2/dns-zones', undefined, 200] },
    { route: 'POST /dns-zones', needs: ['write:dns'], make: async () => ['POST', '/api/v2/dns-zones', { name: zoneName('scope') }, 201] },
    { route: 'GET /dns-zones/{id}', needs: ['read:dns'], make: async () => ['GET', `/api/v2/dns-zones/${(await zone()).id}`, undefined, 200] },
    { route: 'GET /dns-zones/{id}/records', needs: ['read:dns'], make: async () => ['GET', `/api/v2/dns-zones/${(await zone()).id}/records?type=NS`, undefined, 200] },
    { route: 'DELETE /dns-zones/{id}', needs: ['write:dns'], make: async () => ['DELETE', `/api/v2/dns-zones/${(await zone()).id}`, undefined, 204] },
    { route: 'POST /dns-zones/{id}/records', needs: ['write:dns'], make: async () => ['POST', `/api/v2/dns-zones/${(await zone()).id}/records`, { type: 'A', name: 'www', value: '192.0.2.1' }, 201] },
    {
      route: 'PUT /dns-zones/{id}/records/{rid}',
      needs: ['write:dns'],
      make: async () => {
        const z = await zone();
        const r = await createRecord(admin, z.id, { type: 'A', name: 'www', value: '192.0.2.1' });
        return ['PUT', `/api/v2/dns-zones/${z.id}/records/${r.id}`, { type: 'A', name: 'www', value: '192.0.2.2' }, 200];
      },
    },
    {
      route: 'DELETE /dns-zones/{id}/records/{rid}',
      needs: ['write:dns'],
      make: async () => {
        const z = await zone();
        const r = await createRecord(admin, z.id, { type: 'A', name: 'www', value: '192.0.2.1' });
        return ['DELETE', `/api/v2/dns-zones/${z.id}/records/${r.id}`, undefined, 204];
      },
    },
    { route: 'POST /dns-zones/{id}/records/batch', needs: ['write:dns'], make: async () => ['POST', `/api/v2/dns-zones/${(await zone()).id}/records/batch`, { posts: [{ type: 'A', name: 'b', value: '192.0.2.3' }] }, 200] },
    { route: 'POST /dns-zones/{id}/import', needs: ['write:dns'], make: async () => ['POST', `/api/v2/dns-zones/${(await zone()).id}/import`, { zoneFile: 'www 600 IN A 192.0.2.4\n' }, 200] },
    { route: 'GET /dns-zones/{id}/export', needs: ['read:dns'], make: async () => ['GET', `/api/v2/dns-zones/${(await zone()).id}/export`, undefined, 200] },
    { route: 'GET /domains', needs: ['read:domains'], make: async () => ['GET', '/api/v2/domains', undefined, 200] },
    { route: 'GET /domains/{id}', needs: ['read:domains'], make: async () => ['GET', `/api/v2/domains/${(await zone()).domainId}`, undefined, 200] },
    // An external domain answers 409 operation_unavailable once the scope check has passed.
    { route: 'PATCH /domains/{id}', needs: ['write:domains'], make: async () => ['PATCH', `/api/v2/domains/${(await zone()).domainId}`, { autoRenewEnabled: true }, 409] },
    { route: 'GET /domains/{id}/dns', needs: ['read:domains', 'read:dns'], make: async () => ['GET', `/api/v2/domains/${(await zone()).domainId}/dns`, undefined, 200] },
    { route: 'GET /api-keys', needs: ['read:account'], make: async () => ['GET', '/api/v2/api-keys', undefined, 200] },
    { route: 'POST /api-keys', needs: ['write:account'], make: async () => ['POST', '/api/v2/api-keys', { name: 'child', scopes: ['write:account'] }, 201] },
    {
      route: 'DELETE /api-keys/{id}',
      needs: ['write:account'],
      make: async () => {
        const k = await admin('POST', '/api/v2/api-keys', { name: 'victim', scopes: ['read:dns'] });
        return ['DELETE', `/api/v2/api-keys/${k.body.id}`, undefined, 204];
      },
    },
  ];
  const ALL: Scope[] = ['read:dns', 'write:dns', 'read:domains', 'write:domains', 'read:account', 'write:account'];

  it.each(ROUTES.flatMap((r) => r.needs.map((missing) => [r.route, missing, r] as const)))('%s without %s → 403', async (_route, missing, r) => {
    const k = await key(ALL.filter((s) => s !== missing));
    const [method, path, body] = await r.make();
    const res = await k(method, path, body);
    const p = expectProblem(res, 403, 'forbidden');
    expect(p.requiredScope).toBe(missing);
    expect(p.detail).toContain(missing);
  });

  it.each(ROUTES.map((r) => [r.route, r.needs.join('+'), r] as const))('%s with only %s succeeds', async (_route, _needs, r) => {
    const k = await key(r.needs);
    const [method, path, body, status] = await r.make();
    const res = await k(method, path, body);
    expect(res.status, res.text).toBe(status);
  });

  it.each(ROUTES.map((r) => [r.route, r] as const))('%s with an admin key succeeds', async (_route, r) => {
    const k = await key(['admin']);
    const [method, path, body, status] = await r.make();
    expect((await k(method, path, body)).status).toBe(status);
  });

  it('a write scope does not imply the read scope', async () => {
    const z = await zone();
    const w = await key(['write:dns', 'write:domains', 'write:account']);
    expectProblem(await w('GET', '/api/v2/dns-zones'), 403, 'forbidden');
    expectProblem(await w('GET', `/api/v2/dns-zones/${z.id}`), 403, 'forbidden');
    expectProblem(await w('GET', `/api/v2/domains/${z.domainId}`), 403, 'forbidden');
    expectProblem(await w('GET', '/api/v2/api-keys'), 403, 'forbidden');
  });

  it('checks the scope before the body: a key without write:dns gets 403, not a validation error', async () => {
    const z = await zone();
    const r = await key(['read:dns']);
    const body = { type: 'A', name: 'www', value: 'not an address', bogus: true };
    expectProblem(await r('POST', `/api/v2/dns-zones/${z.id}/records`, body), 403, 'forbidden');
    expectProblem(await r('POST', `/api/v2/dns-zones/${z.id}/records`, '{"broken json'), 403, 'forbidden');
    const w = await key(['write:dns']);
    expectProblem(await w('POST', `/api/v2/dns-zones/${z.id}/records`, body), 400, 'invalid_request');
  });
});

describe('keys restricted to zones', () => {
  it('may use only their zones: 403 elsewhere, and lists show only their zones', async () => {
    const mine = await createZone(admin);
    const other = await createZone(admin);
    const k = await key(['read:dns', 'write:dns', 'read:domains', 'write:domains'], { zones: [mine.name] });

    expect((await k('GET', `/api/v2/dns-zones/${mine.id}`)).status).toBe(200);
    expect((await k('POST', `/api/v2/dns-zones/${mine.id}/records`, { type: 'A', name: 'www', value: '192.0.2.5' })).status).toBe(201);
    for (const [method, path, body] of [
      ['GET', `/api/v2/dns-zones/${other.id}`],
      ['GET', `/api/v2/dns-zones/${other.id}/records`],
      ['GET', `/api/v2/dns-zones/${other.id}/export`],
      ['POST', `/api/v2/dns-zones/${other.id}/records`, { type: 'A', name: 'www', value: '192.0.2.5' }],
      ['POST', `/api/v2/dns-zones/${other.id}/records/batch`, { posts: [{ type: 'A', name: 'www', value: '192.0.2.5' }] }],
      ['POST', `/api/v2/dns-zones/${other.id}/import`, { zoneFile: '' }],
      ['DELETE', `/api/v2/dns-zones/${other.id}`],
      ['GET', `/api/v2/domains/${other.domainId}`],
      ['GET', `/api/v2/domains/${other.domainId}/dns`],
      ['PATCH', `/api/v2/domains/${other.domainId}`, { autoRenewEnabled: true }],
      ['POST', '/api/v2/dns-zones', { name: zoneName('not-listed') }],
    ] as [string, string, unknown?][]) {
      expectProblem(await k(method, path, body), 403, 'forbidden');
    }
    expect((await getZoneRecordCount(other.id))).toBe(2);

    const zones = await k('GET', '/api/v2/dns-zones?limit=1000');
    expect(zones.body).toEqual({ data: [expect.objectContaining({ id: mine.id, name: mine.name })], hasMore: false, nextCursor: null });
    expect((await k('GET', `/api/v2/dns-zones?name=${other.name}`)).body.data).toEqual([]);
    expect((await k('GET', `/api/v2/dns-zones?name=${mine.name}`)).body.data.map((z: any) => z.id)).toEqual([mine.id]);
    const domains = await k('GET', '/api/v2/domains');
    expect(domains.body.data.map((d: any) => d.id)).toEqual([mine.domainId]);
  });

  it('may create a listed zone that does not exist yet; it then appears in its list', async () => {
    const name = zoneName('future');
    const k = await key(['read:dns', 'write:dns'], { zones: [name] });
    expect((await k('GET', '/api/v2/dns-zones')).body.data).toEqual([]);
    const made = await k('POST', '/api/v2/dns-zones', { name: name.toUpperCase() });
    expect(made.status).toBe(201);
    expect((await k('GET', '/api/v2/dns-zones')).body.data.map((z: any) => z.id)).toEqual([made.body.id]);
  });

  it('matches the listed zone in any spelling: IDN (U-labels), upper case, trailing dot', async () => {
    const label = `bücher-${Date.now().toString(36)}`;
    const k = await key(['read:dns', 'write:dns'], { zones: [`${label}.example`] });
    const listed = (await admin('GET', '/api/v2/api-keys?limit=1000')).body.data.at(-1);
    const canonical: string = listed.zones[0];
    expect(canonical).toMatch(/^xn--/);
    const made = await k('POST', '/api/v2/dns-zones', { name: `${label.toUpperCase()}.Example.` });
    expect(made.status, made.text).toBe(201);
    expect(made.body.name).toBe(canonical);
  });

  async function getZoneRecordCount(id: string): Promise<number> {
    return (await admin('GET', `/api/v2/dns-zones/${id}`)).body.zone.recordCount;
  }
});

describe('allowIps (the test client is 127.0.0.1)', () => {
  it.each([
    [['192.0.2.0/24'], 403],
    [['::1/128'], 403],
    [['198.51.100.7', '203.0.113.0/24'], 403],
    [['127.0.0.1'], 200],
    [['127.0.0.0/8'], 200],
    [['192.0.2.0/24', '127.0.0.1/32'], 200],
  ])('%j → %i', async (allowIps, status) => {
    const k = await key(['read:dns'], { allowIps });
    const r = await k('GET', '/api/v2/dns-zones');
    if (status === 403) {
      expectProblem(r, 403, 'forbidden');
      expect(r.body.detail).toMatch(/client address/);
    } else {
      expect(r.status).toBe(200);
      expect(r.body).toHaveProperty('data');
    }
  });
});

describe('a key cannot hand out more than it holds', () => {
  it('refuses scopes the creator lacks, with a pointer to each', async () => {
    const k = await key(['read:dns', 'write:account']);
    expectProblem(await k('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns', 'write:dns', 'admin'] }), 400, 'invalid_request', [
      ['/scopes/1', 'not_allowed'],
      ['/scopes/2', 'not_allowed'],
    ]);
    const ok = await k('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns'] });
    expect(ok.status).toBe(201);
    expect(ok.body.scopes).toEqual(['read:dns']);
  });

  it('a zone-restricted key must restrict the keys it makes to a subset of its zones', async () => {
    const a = zoneName('ka');
    const b = zoneName('kb');
    const k = await key(['read:dns', 'write:account'], { zones: [a, b] });
    expectProblem(await k('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns'] }), 400, 'invalid_request', [['/zones', 'required']]);
    expectProblem(await k('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns'], zones: [a, zoneName('kc')] }), 400, 'invalid_request', [['/zones/1', 'not_allowed']]);
    const ok = await k('POST', '/api/v2/api-keys', { name: 'x', scopes: ['read:dns'], zones: [b.toUpperCase() + '.'] });
    expect(ok.status).toBe(201);
    expect(ok.body.zones).toEqual([b]);
  });

  it('an admin key holds every scope and may grant any, admin included', async () => {
    const made = await admin('POST', '/api/v2/api-keys', { name: 'second admin', scopes: ['admin'] });
    expect(made.status).toBe(201);
    const k = client(srv.url, made.body.token);
    const z = await createZone(k);
    expect((await k('GET', `/api/v2/domains/${z.domainId}/dns`)).status).toBe(200);
    expect((await k('GET', '/api/v2/api-keys')).status).toBe(200);
    const all = await k('POST', '/api/v2/api-keys', { name: 'everything', scopes: ['read:dns', 'write:dns', 'read:domains', 'write:domains', 'read:account', 'write:account'] });
    expect(all.status).toBe(201);
  });
});
