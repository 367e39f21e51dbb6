// Concurrent writers on both stores: 32 parallel record POSTs to one zone all succeed, the record
// count is exact and the serial rises by exactly 32 (frozen clock: one bump per change); racing
// identical POSTs create the record once; parallel batches and zone creations stay consistent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createZone, describeEachDialect, expectProblem, getZone, pgFor, userRecords, zoneName, type Call } from './support.js';

const pgOk = await pgFor('http concurrency');
const frozen: Clock = { now: () => new Date('2026-05-01T08:00:00.000Z') };

describeEachDialect(pgOk, 'concurrency', (dialect) => {
  let srv: TestServer;
  let api: Call;
  beforeAll(async () => {
    srv = await startTestServer({ dialect, clock: frozen });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  it('32 concurrent record POSTs to one zone: all 201, exact count, serial + 32', async () => {
    const z = await createZone(api);
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'A', name: `host${i}`, value: `198.51.100.${i + 1}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(32).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(32);
    const after = await getZone(api, z.id);
    expect(after.zone.recordCount).toBe(2 + 32);
    expect(after.records).toHaveLength(2 + 32);
    expect(after.zone.serial).toBe(z.serial + 32);
    expect(userRecords(after).map((r) => r.value).sort()).toEqual(Array.from({ length: 32 }, (_, i) => `198.51.100.${i + 1}`).sort());
    // The journal holds one entry per change, chained serial to serial.
    const journal = (await srv.services.store.journal.readZoneSince(z.id, z.serial))!;
    expect(journal.map((e) => e.toSerial)).toEqual(Array.from({ length: 32 }, (_, i) => z.serial + i + 1));
  });

  it('16 racing identical POSTs create the record once; the rest are 409 duplicates', async () => {
    const z = await createZone(api);
    const results = await Promise.all(Array.from({ length: 16 }, () => api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'TXT', name: 'race', value: 'only once' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(15).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409, 'conflict', [['/value', 'duplicate']]);
    const after = await getZone(api, z.id);
    expect(after.zone.recordCount).toBe(3);
    expect(after.zone.serial).toBe(z.serial + 1);
  });

  it('racing CNAME and A at one name: exactly one wins', async () => {
    const z = await createZone(api);
    const [cname, a] = await Promise.all([
      api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'CNAME', name: 'www', value: 'target.example.net' }),
      api('POST', `/api/v2/dns-zones/${z.id}/records`, { type: 'A', name: 'www', value: '192.0.2.1' }),
    ]);
    expect([cname!.status, a!.status].sort()).toEqual([201, 409]);
    expect(userRecords(await getZone(api, z.id))).toHaveLength(1);
  });

  it('parallel batches each apply atomically with one serial bump each', async () => {
    const z = await createZone(api);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, b) =>
        api('POST', `/api/v2/dns-zones/${z.id}/records/batch`, {
          posts: Array.from({ length: 5 }, (_, i) => ({ type: 'AAAA', name: `b${b}`, value: `2001:db8::${b}:${i}` })),
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.map((r) => r.body.zone.serial).sort((x, y) => x - y)).toEqual(Array.from({ length: 8 }, (_, i) => z.serial + i + 1));
    const after = await getZone(api, z.id);
    expect(after.zone.recordCount).toBe(2 + 40);
    expect(after.zone.serial).toBe(z.serial + 8);
  });

  it('racing creations of one zone name: one 201, the rest 409', async () => {
    const other = client(srv.url, (await srv.makeAccount('racer')).token);
    const name = zoneName('race');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? api : other)('POST', '/api/v2/dns-zones', { name })));
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409, 'conflict');
  });
});
