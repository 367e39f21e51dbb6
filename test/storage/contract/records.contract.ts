// Contract: record lists (filters, keyset pagination stable under inserts) and batch iteration.
import { expect, it } from 'vitest';
import type { DnsRecord } from '../../../src/core/model.js';
import { makeRecord } from '../fixtures.js';
import { seedZone, type ContractContext } from './context.js';

function manyRecords(zoneId: string, name: string, n: number): DnsRecord[] {
  return Array.from({ length: n }, (_, i) => makeRecord(zoneId, `h${i % 5}.${name}`, i % 2 ? 'A' : 'TXT', i % 2 ? `192.0.2.${i % 250}` : `"v=${i}"`));
}

export function recordsContract(ctx: ContractContext): void {
  it('get and list with type and name filters, in id order', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    const www = `www.${s.zone.name}`;
    expect(await store.records.get(s.zone.id, s.records[1]!.id)).toEqual(s.records[1]);
    expect(await store.records.get(s.zone.id, 'drr_missing')).toBeUndefined();
    const all = await store.records.list(s.zone.id, {});
    expect(all).toEqual([...s.records].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect((await store.records.list(s.zone.id, { type: 'A' })).map((r) => r.rdata).sort()).toEqual(['192.0.2.10', '198.51.100.7']);
    expect((await store.records.list(s.zone.id, { name: www })).map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
    expect((await store.records.list(s.zone.id, { name: www, type: 'AAAA' })).map((r) => r.rdata)).toEqual(['2001:db8::10']);
    expect(await store.records.list(s.zone.id, { name: 'nowhere.example.test' })).toEqual([]);
    // another zone's record id is not found through this zone
    const other = await seedZone(ctx);
    expect(await store.records.get(s.zone.id, other.records[0]!.id)).toBeUndefined();
  });

  it('keyset pages: strictly after afterId, at most limit, no duplicates or skips while inserting', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx, { records: (zoneId, name) => manyRecords(zoneId, name, 23) });
    const preexisting = new Set(s.records.map((r) => r.id));
    const seen: string[] = [];
    let afterId: string | undefined;
    let round = 0;
    for (;;) {
      const page = await store.records.list(s.zone.id, { limit: 4, ...(afterId ? { afterId } : {}) });
      expect(page.length).toBeLessThanOrEqual(4);
      if (afterId) for (const r of page) expect(r.id > afterId).toBe(true);
      seen.push(...page.map((r) => r.id));
      if (page.length < 4) break;
      afterId = page[page.length - 1]!.id;
      // insert between pages (new ids sort after all existing ones)
      const fresh = makeRecord(s.zone.id, `new${round++}.${s.zone.name}`, 'A', '203.0.113.1');
      await store.applyZoneChange(s.zone.id, async () => ({ insert: [fresh], update: [], delete: [], result: null }));
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of preexisting) expect(seen).toContain(id);
  });

  it('iterate streams every record in id-ordered batches', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx, { records: (zoneId, name) => manyRecords(zoneId, name, 10) });
    const batches: DnsRecord[][] = [];
    for await (const b of store.records.iterate(s.zone.id, 4)) batches.push(b);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flat()).toEqual(await store.records.list(s.zone.id, {}));
    const exact: DnsRecord[][] = [];
    for await (const b of store.records.iterate(s.zone.id, 5)) exact.push(b);
    expect(exact.map((b) => b.length)).toEqual([5, 5]);
    const single: DnsRecord[][] = [];
    for await (const b of store.records.iterate(s.zone.id)) single.push(b);
    expect(single.map((b) => b.length)).toEqual([10]);
  });

  it('scanRRs streams the active records as RRs, by owner name, in keyset batches', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx, {
      records: (zoneId, name) => [
        ...manyRecords(zoneId, name, 11),
        makeRecord(zoneId, `off.${name}`, 'A', '192.0.2.99', { status: 'disabled' }),
        makeRecord(zoneId, `h2.${name}`, 'AAAA', '2001:db8::2', { ttl: 60 }),
      ],
    });
    const active = (await store.records.list(s.zone.id, {})).filter((r) => r.status === 'active');
    const key = (r: { name: string; type: string; ttl: number; rdata: string }): string => `${r.name} ${r.type} ${r.ttl} ${r.rdata}`;
    const want = active.map(key).sort();
    for (const size of [1, 4, 6, 12, 13, undefined]) {
      const batches = [];
      for await (const b of store.records.scanRRs(s.zone.id, size)) batches.push(b);
      const rrs = batches.flat();
      expect(rrs.map(key).sort()).toEqual(want);
      // only (name, type, ttl, rdata); records of one owner come together
      for (const rr of rrs) expect(Object.keys(rr).sort()).toEqual(['name', 'rdata', 'ttl', 'type']);
      const owners = rrs.map((r) => r.name).filter((n, i, a) => i === 0 || a[i - 1] !== n);
      expect(new Set(owners).size).toBe(owners.length);
      if (size !== undefined) {
        expect(batches.every((b) => b.length <= size)).toBe(true);
        expect(batches.length).toBe(Math.max(1, Math.ceil(want.length / size)));
      }
    }
    const empty = await seedZone(ctx, { records: () => [] });
    const none = [];
    for await (const b of store.records.scanRRs(empty.zone.id)) none.push(b);
    expect(none).toEqual([]);
  });
}
