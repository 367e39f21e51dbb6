// The atomic batch on both stores: one bad item among good ones changes nothing and every bad item
// is reported with its pointer; a valid batch applies in one serial bump; deletes → puts → posts.
// The server clock is frozen, so every applied change bumps the serial by exactly one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Clock } from '../../src/core/ports.js';
import { client, startTestServer, type TestServer } from '../helpers/server.js';
import { createRecord, createZone, describeEachDialect, expectProblem, getZone, missingId, pgFor, userRecords, type Call } from './support.js';

const pgOk = await pgFor('http batch');
const frozen: Clock = { now: () => new Date('2026-03-01T12:00:00.000Z') };

describeEachDialect(pgOk, 'atomic batch', (dialect) => {
  let srv: TestServer;
  let api: Call;
  beforeAll(async () => {
    srv = await startTestServer({ dialect, clock: frozen });
    api = client(srv.url, srv.adminToken);
  });
  afterAll(async () => srv?.close());

  const batch = (zoneId: string, body: unknown) => api('POST', `/api/v2/dns-zones/${zoneId}/records/batch`, body);

  /** A zone holding a, b, c (A records) and a TXT. */
  async function seeded() {
    const z = await createZone(api);
    const a = await createRecord(api, z.id, { type: 'A', name: 'a', value: '192.0.2.1' });
    const b = await createRecord(api, z.id, { type: 'A', name: 'b', value: '192.0.2.2' });
    const c = await createRecord(api, z.id, { type: 'A', name: 'c', value: '192.0.2.3' });
    const t = await createRecord(api, z.id, { type: 'TXT', name: 'a', value: 'hello' });
    const before = await getZone(api, z.id);
    return { z, a, b, c, t, before };
  }

  async function expectUnchanged(zoneId: string, before: { zone: any; records: any[] }): Promise<void> {
    const after = await getZone(api, zoneId);
    expect(after.records).toEqual(before.records);
    expect(after.zone.serial).toBe(before.zone.serial);
    expect(after.zone.recordCount).toBe(before.zone.recordCount);
  }

  it('one bad item among many good ones changes nothing and every bad item is reported', async () => {
    const { z, a, b, c, before } = await seeded();
    const r = await batch(z.id, {
      deletes: [a.id, missingId('drr')],
      puts: [
        { id: missingId('drr'), type: 'A', name: 'x', value: '192.0.2.50' },
        { id: b.id, type: 'A', name: 'b', value: '198.51.100.2' },
      ],
      posts: [
        { type: 'A', name: 'p0', value: '203.0.113.1' },
        { type: 'AAAA', name: 'p1', value: '2001:db8::1' },
        { type: 'A', name: 'p2', value: '203.0.113.300' },
        { type: 'MX', name: 'p3', value: 'mail.example.org', priority: 10 },
        { type: 'A', name: 'p4', value: '203.0.113.4', ttl: 5 },
      ],
    });
    expectProblem(r, 400, 'invalid_request');
    expect(r.body.errors.map((e: any) => [e.pointer, e.code]).sort()).toEqual([
      ['/deletes/1', 'invalid_value'],
      ['/posts/2/value', 'invalid_format'],
      ['/posts/4/ttl', 'out_of_range'],
      ['/puts/0/id', 'invalid_value'],
    ]);
    await expectUnchanged(z.id, before);
    expect(c.id).toBeDefined();
  });

  it.each([
    ['a malformed post', { posts: [{ type: 'A', name: 'ok', value: '192.0.2.9' }, { type: 'A', name: 'bad', value: 'nope' }] }, 400, [['/posts/1/value', 'invalid_format']]],
    ['an unknown field in a put', { puts: [{ id: '$B', type: 'A', name: 'b', value: '192.0.2.2', proxied: true }] }, 400, [['/puts/0/proxied', 'unknown_field']]],
    ['a put without id', { puts: [{ type: 'A', name: 'b', value: '192.0.2.2' }] }, 400, [['/puts/0/id', 'required']]],
    ['a delete that is not a string', { deletes: ['$A', 42] }, 400, [['/deletes/1', 'invalid_type']]],
    ['a duplicate of an existing record', { posts: [{ type: 'A', name: 'new', value: '192.0.2.7' }, { type: 'A', name: 'a', value: '192.0.2.1' }] }, 409, [['/posts/1/value', 'duplicate']]],
    ['two identical posts', { posts: [{ type: 'A', name: 'd', value: '192.0.2.7' }, { type: 'A', name: 'd', value: '192.0.2.7' }] }, 409, [['/posts/1/value', 'duplicate']]],
    ['a CNAME posted beside a record it posts', { posts: [{ type: 'A', name: 'e', value: '192.0.2.7' }, { type: 'CNAME', name: 'e', value: 'x.example.net' }] }, 409, [['/posts/1/type', 'conflict']]],
    ['the same id deleted twice', { deletes: ['$A', '$A'] }, 409, [['/deletes/1', 'duplicate']]],
    ['an id both deleted and replaced', { deletes: ['$A'], puts: [{ id: '$A', type: 'A', name: 'a', value: '192.0.2.11' }] }, 409, [['/puts/0/id', 'duplicate']]],
    ['the apex NS', { deletes: ['$NS'] }, 400, [['/deletes/0', 'not_allowed']]],
    ['an empty batch', {}, 400, [['', 'required']]],
    ['empty lists', { deletes: [], puts: [], posts: [] }, 400, [['', 'required']]],
  ])('refuses %s, changing nothing ($X = id of record X)', async (_what, template, status, errors) => {
    const { z, a, b, before } = await seeded();
    const ns = before.records.find((r) => r.type === 'NS')!;
    const ids: Record<string, string> = { $A: a.id, $B: b.id, $NS: ns.id };
    const body = JSON.parse(JSON.stringify(template), (_k, v) => (typeof v === 'string' && ids[v] ? ids[v] : v));
    const r = await batch(z.id, body);
    expectProblem(r, status as number, status === 409 ? 'conflict' : 'invalid_request', errors as [string, string][]);
    await expectUnchanged(z.id, before);
  });

  it('a valid batch of deletes, puts and posts applies in one serial bump', async () => {
    const { z, a, b, c, t, before } = await seeded();
    const r = await batch(z.id, {
      deletes: [a.id, t.id],
      puts: [
        { id: b.id, type: 'A', name: 'b', value: '198.51.100.2', ttl: 300 },
        { id: c.id, type: 'AAAA', name: 'c6', value: '2001:db8::c' },
      ],
      posts: [
        { type: 'A', name: 'n1', value: '203.0.113.1' },
        { type: 'TXT', name: 'n1', value: 'new' },
        { type: 'MX', name: '@', value: 'mail.example.org', priority: 5 },
      ],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.deleted).toEqual([a.id, t.id]);
    expect(r.body.updated.map((x: any) => [x.id, x.type, x.name, x.value, x.ttl])).toEqual([
      [b.id, 'A', `b.${z.name}`, '198.51.100.2', 300],
      [c.id, 'AAAA', `c6.${z.name}`, '2001:db8::c', 3600],
    ]);
    expect(r.body.created.map((x: any) => [x.type, x.name, x.value, x.priority])).toEqual([
      ['A', `n1.${z.name}`, '203.0.113.1', null],
      ['TXT', `n1.${z.name}`, 'new', null],
      ['MX', z.name, 'mail.example.org', 5],
    ]);
    expect(r.body.zone).toEqual({ id: z.id, serial: before.zone.serial + 1, recordCount: before.zone.recordCount + 1 });
    const after = await getZone(api, z.id);
    expect(after.zone.serial).toBe(before.zone.serial + 1);
    expect(userRecords(after).map((x) => [x.type, x.name, x.value]).sort()).toEqual([
      ['A', `b.${z.name}`, '198.51.100.2'],
      ['A', `n1.${z.name}`, '203.0.113.1'],
      ['AAAA', `c6.${z.name}`, '2001:db8::c'],
      ['MX', z.name, 'mail.example.org'],
      ['TXT', `n1.${z.name}`, 'new'],
    ]);
    const journal = await srv.services.store.journal.readZoneSince(z.id, before.zone.serial);
    expect(journal?.map((e) => [e.fromSerial, e.toSerial])).toEqual([[before.zone.serial, before.zone.serial + 1]]);
  });

  it('deletes run before puts and posts: delete then re-post the same record, swap a CNAME for an A', async () => {
    const { z, a, t, before } = await seeded();
    const r = await batch(z.id, {
      deletes: [a.id, t.id],
      posts: [
        { type: 'A', name: 'a', value: '192.0.2.1', ttl: 120 },
        { type: 'CNAME', name: 'www', value: 'a.example.net' },
      ],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.created[0]).toMatchObject({ type: 'A', name: `a.${z.name}`, value: '192.0.2.1', ttl: 120 });
    expect(r.body.created[0].id).not.toBe(a.id);
    const cname = r.body.created[1];
    // Now the other way round: the CNAME goes, an A takes its name, in one batch.
    const swap = await batch(z.id, { deletes: [cname.id], posts: [{ type: 'A', name: 'www', value: '192.0.2.80' }] });
    expect(swap.status, swap.text).toBe(200);
    expect(swap.body.zone.serial).toBe(before.zone.serial + 2);
    // A put may take over the value a delete in the same batch freed.
    const b = (await getZone(api, z.id, '?name=b')).records[0];
    const c = (await getZone(api, z.id, '?name=c')).records[0];
    const take = await batch(z.id, { deletes: [c.id], puts: [{ id: b.id, type: 'A', name: 'c', value: '192.0.2.3' }] });
    expect(take.status, take.text).toBe(200);
    expect((await getZone(api, z.id, '?name=c')).records.map((x) => [x.id, x.value])).toEqual([[b.id, '192.0.2.3']]);
  });

  it('re-sending records unchanged is accepted and does not bump the serial', async () => {
    const { z, b, before } = await seeded();
    const r = await batch(z.id, { puts: [{ id: b.id, type: 'A', name: 'b', value: '192.0.2.2', ttl: 3600 }] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.zone.serial).toBe(before.zone.serial);
  });
});
