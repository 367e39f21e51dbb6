// Contract: journal reads (readAfter, readZoneSince), the change feed, second instances, migrations.
import { expect, it } from 'vitest';
import type { JournalEntry } from '../../../src/core/model.js';
import { migrate } from '../../../src/storage/migrate.js';
import { makeRecord } from '../fixtures.js';
import { seedZone, type ContractContext, type Seeded } from './context.js';

async function addOne(ctx: ContractContext, s: Seeded, label: string, store = ctx.store): Promise<JournalEntry> {
  const out = await store.applyZoneChange(s.zone.id, async () => ({
    insert: [makeRecord(s.zone.id, `${label}.${s.zone.name}`, 'A', '203.0.113.5')],
    update: [],
    delete: [],
    result: null,
  }));
  return out!.entry!;
}

export function journalContract(ctx: ContractContext): void {
  it('readAfter and latestSeq follow seq order across zones', async () => {
    const { store } = ctx;
    const start = await store.journal.latestSeq();
    const a = await seedZone(ctx);
    const b = await seedZone(ctx);
    const e3 = await addOne(ctx, a, 'x');
    expect(await store.journal.latestSeq()).toBe(e3.seq);
    const after = await store.journal.readAfter(start, 100);
    expect(after.map((e) => e.seq)).toEqual([a.entry.seq, b.entry.seq, e3.seq]);
    expect(after[0]).toEqual(a.entry);
    expect(await store.journal.readAfter(start, 2)).toHaveLength(2);
    expect(await store.journal.readAfter(e3.seq, 10)).toEqual([]);
  });

  it('readZoneSince: the chain from a serial to the current one; [] when current; null when unknown', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx, { serial: 100 });
    const e1 = await addOne(ctx, s, 'a');
    const e2 = await addOne(ctx, s, 'b');
    const e3 = await addOne(ctx, s, 'c');
    await seedZone(ctx); // entries of other zones in between do not matter
    expect(await store.journal.readZoneSince(s.zone.id, 100)).toEqual([e1, e2, e3]);
    expect(await store.journal.readZoneSince(s.zone.id, e1.toSerial)).toEqual([e2, e3]);
    expect(await store.journal.readZoneSince(s.zone.id, e3.toSerial)).toEqual([]);
    expect(await store.journal.readZoneSince(s.zone.id, 0)).toEqual([s.entry, e1, e2, e3]);
    expect(await store.journal.readZoneSince(s.zone.id, 99)).toBeNull();
    expect(await store.journal.readZoneSince('zone_missing', 1)).toBeNull();
  });

  it('subscribers hear each committed entry synchronously before the write resolves', async () => {
    const { store } = ctx;
    const heard: JournalEntry[] = [];
    const off = store.feed.subscribe((e) => heard.push(e));
    const throwing = store.feed.subscribe(() => {
      throw new Error('a broken subscriber does not fail the write');
    });
    const s = await seedZone(ctx);
    expect(heard).toEqual([s.entry]);
    const e = await addOne(ctx, s, 'sub');
    expect(heard).toEqual([s.entry, e]);
    await store.applyZoneChange(s.zone.id, async () => ({ insert: [], update: [], delete: [], result: null }));
    expect(heard).toHaveLength(2);
    off();
    throwing();
    await addOne(ctx, s, 'after');
    expect(heard).toHaveLength(2);
  });

  it('waitForNext: at once when entries exist, woken by a write of this process, [] on timeout or abort', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    expect(await store.feed.waitForNext(s.entry.seq - 1, 5000)).toEqual(await store.journal.readAfter(s.entry.seq - 1, 1000));
    const latest = await store.journal.latestSeq();
    let t = Date.now();
    const waiting = store.feed.waitForNext(latest, 10_000);
    setTimeout(() => void addOne(ctx, s, 'wake'), 50);
    const got = await waiting;
    expect(got.map((e) => e.zoneId)).toEqual([s.zone.id]);
    expect(Date.now() - t).toBeLessThan(2000);

    t = Date.now();
    expect(await store.feed.waitForNext(got[0]!.seq, 300)).toEqual([]);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    const ac = new AbortController();
    t = Date.now();
    setTimeout(() => ac.abort(), 50);
    expect(await store.feed.waitForNext(got[0]!.seq, 10_000, ac.signal)).toEqual([]);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('waitForNext wakes on a write by a second store instance on the same database', async () => {
    const second = await ctx.openSecond();
    try {
      const s = await seedZone(ctx);
      const latest = await ctx.store.journal.latestSeq();
      const t = Date.now();
      const waiting = ctx.store.feed.waitForNext(latest, 10_000);
      await new Promise((r) => setTimeout(r, 100));
      const written = await addOne(ctx, s, 'remote', second);
      const writtenAt = Date.now();
      const got = await waiting;
      expect(got).toEqual([written]);
      // SQLite: the 200 ms poll; PostgreSQL: LISTEN/NOTIFY (its fallback poll is 1 s, so a wake
      // this fast shows NOTIFY worked)
      expect(Date.now() - writtenAt).toBeLessThan(900);
      expect(Date.now() - t).toBeLessThan(3000);
      // and the second instance reads what the first wrote
      expect(await second.zones.get(s.zone.id)).toEqual(await ctx.store.zones.get(s.zone.id));
    } finally {
      await second.close();
    }
  });

  it('migrations: re-running applies nothing; two stores opening a new database at once both work', async () => {
    expect(await migrate(ctx.store.db, ctx.dialect, { now: () => new Date().toISOString() })).toEqual([]);
    const target = await ctx.freshTarget();
    try {
      const [a, b] = await Promise.all([target.open(), target.open()]);
      const s = await seedZone({ ...ctx, store: a });
      expect(await b.zones.get(s.zone.id)).toEqual(s.zone);
      // every migration exactly once, in order
      const rows = await a.db.selectFrom('zk_migrations').select('id').orderBy('id').execute();
      expect(rows.map((r) => r.id)).toEqual(['001-initial', '002-dyndns', '003-organizations', '004-registry', '005-smart-records', '006-dnssec']);
      await a.close();
      await b.close();
    } finally {
      await target.dispose();
    }
  });
}
