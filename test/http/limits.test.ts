// Configurable limits through the API: the TTL range (--min-ttl/--max-ttl, --default-ttl) and the
// per-zone record limit (--max-records-per-zone), for single writes, batches and imports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, expectProblem, getZone, type Call } from './support.js';

describe('TTL range 30-600 (default 300)', () => {
  let srv: TestServer;
  let api: Call;
  beforeAll(async () => {
    // The default TTL must lie inside the range, so it is set as well (the server refuses to start otherwise).
    srv = await startTestServer({ settings: { 'min-ttl': '30', 'max-ttl': '600', 'default-ttl': '300' } });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  it.each([
    [29, 400],
    [30, 201],
    [600, 201],
    [601, 400],
    [3600, 400],
  ])('ttl %i → %i', async (ttl, status) => {
    const z = await createZone(api);
    const r = await api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'A', name: 'www', value: '192.0.2.1', ttl });
    if (status === 201) expect([r.status, r.body.ttl]).toEqual([201, ttl]);
    else {
      expectProblem(r, 400, 'invalid_request', [['/ttl', 'out_of_range']]);
      expect(r.body.errors[0].detail).toBe('`ttl` must be between 30 and 600.');
    }
  });

  it('records without a TTL get the configured default', async () => {
    const z = await createZone(api);
    expect((await createRecord(api, z.id, { type: 'A', name: 'www', value: '192.0.2.1' })).ttl).toBe(300);
    expect((await createRecord(api, z.id, { type: 'A', name: 'www', value: '192.0.2.2', ttl: null })).ttl).toBe(300);
  });

  it('the range applies to PUT, batch items and zone-file imports too', async () => {
    const z = await createZone(api);
    const r = await createRecord(api, z.id, { type: 'A', name: 'www', value: '192.0.2.1' });
    expectProblem(await api('PUT', `/api/v2/dns-zones/${z.id}/records/${r.id}`, { type: 'A', name: 'www', value: '192.0.2.1', ttl: 10 }), 400, 'invalid_request', [['/ttl', 'out_of_range']]);
    expectProblem(
      await api('POST', `/api/v2/dns-zones/${z.id}/records/batch`, {
        puts: [{ id: r.id, type: 'A', name: 'www', value: '192.0.2.1', ttl: 700 }],
        posts: [{ type: 'A', name: 'ok', value: '192.0.2.2', ttl: 30 }, { type: 'A', name: 'low', value: '192.0.2.3', ttl: 1 }],
      }),
      400,
      'invalid_request',
      [['/puts/0/ttl', 'out_of_range'], ['/posts/1/ttl', 'out_of_range']],
    );
    expectProblem(await api('POST', `/api/v2/dns-zones/${z.id}/import`, { zoneFile: 'www 7200 IN A 192.0.2.1\n' }), 400, 'invalid_request', [['/zoneFile', 'out_of_range']]);
    const after = await getZone(api, z.id);
    expect(after.records.find((x) => x.id === r.id).ttl).toBe(300);
  });
});

describe('record limit of 5 per zone', () => {
  let srv: TestServer;
  let api: Call;
  beforeAll(async () => {
    srv = await startTestServer({ settings: { 'max-records-per-zone': '5' } });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  it('a new zone holds its 2 apex NS; 3 more fit, the next is 409 limit_exceeded', async () => {
    const z = await createZone(api);
    expect(z.recordCount).toBe(2);
    for (let i = 0; i < 3; i++) await createRecord(api, z.id, { type: 'A', name: `h${i}`, value: `192.0.2.${i + 1}` });
    const r = await api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'A', name: 'h3', value: '192.0.2.4' });
    const p = expectProblem(r, 409, 'limit_exceeded');
    expect(p).toMatchObject({ limit: 5, current: 5 });
    const after = await getZone(api, z.id);
    expect(after.zone.recordCount).toBe(5);
    expect(after.records).toHaveLength(5);
    // Replacing a record does not add one.
    const h0 = after.records.find((x) => x.name === `h0.${z.name}`);
    expect((await api('PUT', `/api/v2/dns-zones/${z.id}/records/${h0.id}`, { type: 'A', name: 'h0', value: '198.51.100.1' })).status).toBe(200);
    // Deleting one makes room again.
    expect((await api('DELETE', `/api/v2/dns-zones/${z.id}/records/${h0.id}`)).status).toBe(204);
    expect((await api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'A', name: 'h3', value: '192.0.2.4' })).status).toBe(201);
  });

  it('a batch is checked on its end state: over the limit → 409 and nothing applied; delete + post at the limit → 200', async () => {
    const z = await createZone(api);
    const over = await api('POST', `/api/v2/dns-zones/${z.id}/records/batch`, {
      posts: Array.from({ length: 4 }, (_, i) => ({ type: 'A', name: `b${i}`, value: `192.0.2.${i + 1}` })),
    });
    expectProblem(over, 409, 'limit_exceeded');
    expect((await getZone(api, z.id)).zone).toMatchObject({ recordCount: 2, serial: z.serial });
    const fill = await api('POST', `/api/v2/dns-zones/${z.id}/records/batch`, {
      posts: Array.from({ length: 3 }, (_, i) => ({ type: 'A', name: `b${i}`, value: `192.0.2.${i + 1}` })),
    });
    expect(fill.status).toBe(200);
    expect(fill.body.zone.recordCount).toBe(5);
    const swap = await api('POST', `/api/v2/dns-zones/${z.id}/records/batch`, {
      deletes: [fill.body.created[0].id],
      posts: [{ type: 'TXT', name: 'b0', value: 'replacement' }],
    });
    expect(swap.status, swap.text).toBe(200);
    expect(swap.body.zone.recordCount).toBe(5);
  });

  it('an import over the limit is 409 limit_exceeded and changes nothing', async () => {
    const z = await createZone(api);
    const file = Array.from({ length: 6 }, (_, i) => `h${i} 3600 IN A 192.0.2.${i + 1}`).join('\n') + '\n';
    expectProblem(await api('POST', `/api/v2/dns-zones/${z.id}/import`, { zoneFile: file }), 409, 'limit_exceeded');
    expect((await getZone(api, z.id)).zone.recordCount).toBe(2);
  });
});
