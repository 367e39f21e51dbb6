// Rate limiting with --rate-limit 2/s,burst=3: X-RateLimit-* headers on every API response, 429 with
// Retry-After once a bucket is empty, one bucket per API key, client-address buckets for requests
// without a valid key, and refill over time.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, startTestServer, type ApiResponse, type TestServer } from '../helpers/server.js';
import { expectProblem, type Call } from './support.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ settings: { 'rate-limit': '2/s,burst=3' } });
});
afterAll(async () => srv?.close());

const freshKey = async (): Promise<Call> => client(srv.url, await srv.makeKey({ scopes: ['read:dns'] }));

function limitHeaders(r: ApiResponse): { limit: string | null; remaining: string | null; reset: string | null } {
  return { limit: r.headers.get('x-ratelimit-limit'), remaining: r.headers.get('x-ratelimit-remaining'), reset: r.headers.get('x-ratelimit-reset') };
}

it('every response carries X-RateLimit-Limit/Remaining/Reset (ISO-8601); the 4th quick request is 429 with Retry-After', async () => {
  const k = await freshKey();
  const t0 = Date.now();
  const rs: ApiResponse[] = [];
  for (let i = 0; i < 4; i++) rs.push(await k('GET', '/api/v2/dns-zones'));
  expect(rs.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
  expect(rs.map((r) => limitHeaders(r).limit)).toEqual(['3', '3', '3', '3']);
  expect(rs.map((r) => limitHeaders(r).remaining)).toEqual(['2', '1', '0', '0']);
  for (const r of rs) {
    const reset = limitHeaders(r).reset!;
    expect(reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
    // Full again within burst/rate = 1.5 s of now.
    expect(Date.parse(reset)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(reset)).toBeLessThanOrEqual(Date.now() + 2000);
  }
  const limited = rs[3]!;
  const p = expectProblem(limited, 429, 'rate_limit_exceeded');
  expect(p.title).toBe('Rate limit exceeded');
  expect(limited.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
  expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(1);
});

it('buckets are per key: draining one key leaves another untouched', async () => {
  const a = await freshKey();
  const b = await freshKey();
  const burst = await Promise.all(Array.from({ length: 6 }, () => a('GET', '/api/v2/dns-zones')));
  expect(burst.filter((r) => r.status === 200)).toHaveLength(3);
  expect(burst.filter((r) => r.status === 429)).toHaveLength(3);
  const other = await b('GET', '/api/v2/dns-zones');
  expect(other.status).toBe(200);
  expect(limitHeaders(other).remaining).toBe('2');
  expect((await a('GET', '/api/v2/dns-zones')).status).toBe(429);
});

it('a drained key is served again once its bucket refills (2 tokens/s)', async () => {
  const k = await freshKey();
  for (let i = 0; i < 3; i++) await k('GET', '/api/v2/dns-zones');
  const limited = await k('GET', '/api/v2/dns-zones');
  expect(limited.status).toBe(429);
  await sleep(Number(limited.headers.get('retry-after')) * 1000 + 50);
  const again = await k('GET', '/api/v2/dns-zones');
  expect(again.status).toBe(200);
});

it('requests without a valid key are limited by client address, apart from the keys\' buckets', async () => {
  const anon = client(srv.url);
  const bogus = client(srv.url, `zk_${'B'.repeat(43)}`);
  const rs = [await anon('GET', '/api/v2/dns-zones'), await bogus('GET', '/api/v2/domains'), await anon('POST', '/api/v2/dns-zones', { name: 'x.example.org' })];
  for (const r of rs) {
    expectProblem(r, 401, 'unauthorized');
    expect(limitHeaders(r).limit).toBe('3');
  }
  expect(rs.map((r) => limitHeaders(r).remaining)).toEqual(['2', '1', '0']);
  // The address's bucket is empty: 429 comes before the 401.
  expectProblem(await anon('GET', '/api/v2/dns-zones'), 429, 'rate_limit_exceeded');
  const r = await bogus('GET', '/api/v2/dns-zones');
  expectProblem(r, 429, 'rate_limit_exceeded');
  expect(r.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
  // A valid key from the same address has its own bucket.
  const k = await freshKey();
  expect((await k('GET', '/api/v2/dns-zones')).status).toBe(200);
});

it('pages outside the API (health, error pages) are not limited', async () => {
  const anon = client(srv.url);
  const rs = await Promise.all(Array.from({ length: 6 }, () => anon('GET', '/healthz')));
  expect(rs.map((r) => r.status)).toEqual(Array(6).fill(200));
});
