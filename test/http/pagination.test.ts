// Cursor pagination on both stores: limit bounds, a walk that sees every zone exactly once, stability
// under concurrent inserts, invalid and foreign cursors; the same for domains, API keys and records.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, startTestServer, type ApiResponse, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, describeEachDialect, expectProblem, pgFor, zoneName, type Call } from './support.js';

const pgOk = await pgFor('http pagination');

describeEachDialect(pgOk, 'pagination', (dialect) => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ dialect });
  });
  afterAll(async () => srv?.close());

  /** A fresh account (so its lists hold only what the test made) with `n` zones. */
  async function accountWithZones(n: number): Promise<{ api: Call; ids: string[] }> {
    const api = client(srv.url, (await srv.makeAccount('pager')).token);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await createZone(api, zoneName(`p${i}`))).id);
    return { api, ids };
  }

  /** Follows nextCursor from the first page to the last; returns the pages. */
  async function walk(api: Call, path: string, limit: number, between?: (page: number) => Promise<void>): Promise<any[][]> {
    const pages: any[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const r: ApiResponse = await api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['data', 'hasMore', 'nextCursor']);
      expect(r.body.data.length).toBeLessThanOrEqual(limit);
      pages.push(r.body.data);
      if (!r.body.hasMore) {
        expect(r.body.nextCursor).toBeNull();
        return pages;
      }
      expect(typeof r.body.nextCursor).toBe('string');
      expect(r.body.data).toHaveLength(limit);
      cursor = r.body.nextCursor;
      if (between) await between(pages.length);
      if (pages.length > 1000) throw new Error('pagination does not end');
    }
  }

  it('walks every zone exactly once, in a stable order', async () => {
    const { api, ids } = await accountWithZones(23);
    const pages = await walk(api, '/api/v2/dns-zones', 5);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = pages.flat().map((z) => z.id);
    expect(seen).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(23);
    // limit=1 and limit=1000 agree with it.
    expect((await walk(api, '/api/v2/dns-zones', 1)).flat().map((z) => z.id)).toEqual(seen);
    const all = await walk(api, '/api/v2/dns-zones', 1000);
    expect(all).toHaveLength(1);
    expect(all[0]!.map((z) => z.id)).toEqual(seen);
    // Exactly one full page: hasMore is false, not a trailing empty page.
    expect((await walk(api, '/api/v2/dns-zones', 23)).map((p) => p.length)).toEqual([23]);
  });

  it('without limit a page holds at most 100 items', async () => {
    const { api } = await accountWithZones(2);
    const r = await api('GET', '/api/v2/dns-zones');
    expect(r.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(r.body.data).toHaveLength(2);
  });

  it('stays stable while zones are created between pages: no duplicates, nothing pre-existing skipped', async () => {
    const { api, ids } = await accountWithZones(20);
    const added: string[] = [];
    const pages = await walk(api, '/api/v2/dns-zones', 4, async () => {
      // Two at once, racing each other and the next page request.
      const made = await Promise.all([createZone(api, zoneName('late')), createZone(api, zoneName('late'))]);
      added.push(...made.map((z) => z.id));
    });
    const seen = pages.flat().map((z) => z.id);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    expect(seen.every((id) => ids.includes(id) || added.includes(id))).toBe(true);
    // Items created after the cursor passed are listed after it, so they are seen too.
    expect([...seen].sort()).toEqual(seen);
  });

  it('concurrent walks while another client keeps inserting', async () => {
    const { api, ids } = await accountWithZones(12);
    let stop = false;
    const writer = (async () => {
      let n = 0;
      while (!stop && n < 30) {
        await createZone(api, zoneName('bg'));
        n++;
      }
    })();
    const walks = await Promise.all([walk(api, '/api/v2/dns-zones', 3), walk(api, '/api/v2/dns-zones', 7)]);
    stop = true;
    await writer;
    for (const pages of walks) {
      const seen = pages.flat().map((z) => z.id);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of ids) expect(seen).toContain(id);
    }
  });

  it.each([
    ['limit=0', [['/limit', 'out_of_range']]],
    ['limit=1001', [['/limit', 'out_of_range']]],
    ['limit=-5', [['/limit', 'out_of_range']]],
    ['limit=ten', [['/limit', 'invalid_type']]],
    ['limit=2.5', [['/limit', 'invalid_type']]],
    ['cursor=not-a-cursor', [['/cursor', 'invalid_value']]],
    ['cursor=%21%21%21', [['/cursor', 'invalid_value']]],
    [`cursor=${Buffer.from('zone:').toString('base64url')}x${'A'.repeat(300)}`, [['/cursor', 'invalid_value']]],
    [`cursor=${Buffer.from('dom:dom_01m8382ft02wb77pzt3cdqvqyd').toString('base64url')}`, [['/cursor', 'invalid_value']]],
    ['cursor=' + 'x'.repeat(401), [['/cursor', 'too_long']]],
    ['sort=name', [['/sort', 'unknown_field']]],
  ])('GET /dns-zones?%s → 400', async (query, errors) => {
    const api = client(srv.url, srv.adminToken);
    expectProblem(await api('GET', `/api/v2/dns-zones?${query}`), 400, 'invalid_request', errors as [string, string][]);
  });

  it('domains and API keys page the same way; a cursor of one list is refused by another', async () => {
    const { api, ids } = await accountWithZones(7);
    const domains = (await walk(api, '/api/v2/domains', 3)).flat();
    expect(domains).toHaveLength(7);
    expect(new Set(domains.map((d) => d.id)).size).toBe(7);
    for (let i = 0; i < 4; i++) await api('POST', '/api/v2/api-keys', { name: `k${i}`, scopes: ['read:dns'] });
    const keys = (await walk(api, '/api/v2/api-keys', 2)).flat();
    expect(keys).toHaveLength(5);
    expect(new Set(keys.map((k) => k.id)).size).toBe(5);

    const zoneCursor = (await api('GET', '/api/v2/dns-zones?limit=1')).body.nextCursor;
    const domainCursor = (await api('GET', '/api/v2/domains?limit=1')).body.nextCursor;
    expectProblem(await api('GET', `/api/v2/domains?cursor=${zoneCursor}`), 400, 'invalid_request', [['/cursor', 'invalid_value']]);
    expectProblem(await api('GET', `/api/v2/dns-zones?cursor=${domainCursor}`), 400, 'invalid_request', [['/cursor', 'invalid_value']]);
    expectProblem(await api('GET', `/api/v2/api-keys?cursor=${zoneCursor}`), 400, 'invalid_request', [['/cursor', 'invalid_value']]);
    expectProblem(await api('GET', `/api/v2/dns-zones/${ids[0]}/records?cursor=${zoneCursor}`), 400, 'invalid_request', [['/cursor', 'invalid_value']]);
    expectProblem(await api('GET', '/api/v2/api-keys?limit=0'), 400, 'invalid_request', [['/limit', 'out_of_range']]);
    expectProblem(await api('GET', '/api/v2/domains?limit=1001'), 400, 'invalid_request', [['/limit', 'out_of_range']]);
  });

  it('records of a zone page with limit/cursor when asked to', async () => {
    const api = client(srv.url, srv.adminToken);
    const z = await createZone(api);
    for (let i = 0; i < 9; i++) await createRecord(api, z.id, { type: 'A', name: `h${i}`, value: `192.0.2.${i + 1}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await api('GET', `/api/v2/dns-zones/${z.id}/records?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.zone.id).toBe(z.id);
      seen.push(...r.body.records.map((x: any) => x.id));
      cursor = r.body.hasMore ? r.body.nextCursor : null;
      if (!r.body.hasMore) expect(r.body.nextCursor).toBeNull();
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
    const typed = await api('GET', `/api/v2/dns-zones/${z.id}/records?type=A&limit=5`);
    expect(typed.body.records.every((x: any) => x.type === 'A')).toBe(true);
    expect(typed.body.hasMore).toBe(true);
    expectProblem(await api('GET', `/api/v2/dns-zones/${z.id}/records?limit=0`), 400, 'invalid_request', [['/limit', 'out_of_range']]);
  });
});
