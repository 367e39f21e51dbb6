// Contract: applyZoneChange (serial, journal content, no-op, rollback), concurrency, deleteZone.
import { expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import type { RR } from '../../../src/core/model.js';
import { nextSerial } from '../../../src/core/ports.js';
import { soaRR } from '../../../src/core/soa.js';
import { PlanReentryError } from '../../../src/storage/plan-guard.js';
import { makeRecord } from '../fixtures.js';
import { seedZone, type ContractContext } from './context.js';

const rr = (name: string, type: string, rdata: string, ttl = 300): RR => ({ name, type, ttl, rdata });

export function changesContract(ctx: ContractContext): void {
  it('createZone writes a create entry: fromSerial 0, SOA first, active records only', async () => {
    const s = await seedZone(ctx, { serial: 2026042701 });
    const n = s.zone.name;
    expect(s.entry).toMatchObject({ zoneId: s.zone.id, zoneName: n, kind: 'create', fromSerial: 0, toSerial: 2026042701, removed: [] });
    expect(s.entry.added).toEqual([
      { name: n, type: 'SOA', ttl: 3600, rdata: `ns1.${n}. hostmaster.${n}. 2026042701 7200 3600 1209600 300` },
      rr(n, 'NS', `ns1.${n}.`),
      rr(`www.${n}`, 'A', '192.0.2.10'),
      rr(`www.${n}`, 'AAAA', '2001:db8::10'),
    ]);
    expect(s.entry.createdAt).toBe(ctx.clock.now().toISOString());
  });

  it('applies inserts, updates and deletes with a nextSerial bump and an IXFR-ordered entry', async () => {
    const { store, clock } = ctx;
    const s = await seedZone(ctx);
    const [ns, a, aaaa, mail] = s.records;
    const n = s.zone.name;
    clock.advance(1000);
    const inserted = makeRecord(s.zone.id, `ftp.${n}`, 'CNAME', `www.${n}.`);
    const updatedA = { ...a!, rdata: '192.0.2.20', updatedAt: clock.now().toISOString() };
    const enabledMail = { ...mail!, status: 'active' as const };
    const seen: { at: string[]; byId: string[]; all: number } = { at: [], byId: [], all: 0 };
    const out = await store.applyZoneChange(s.zone.id, async (tx) => {
      expect(tx.zone).toEqual(s.zone);
      seen.at = (await tx.recordsAt([`www.${n}`])).map((r) => r.id);
      seen.byId = (await tx.recordsById([a!.id, 'drr_missing'])).map((r) => r.id);
      seen.all = (await tx.allRecords()).length;
      return { insert: [inserted], update: [updatedA, enabledMail], delete: [aaaa!.id], soa: { refresh: 900 }, result: 'ok' };
    });
    expect(seen).toEqual({ at: [a!.id, aaaa!.id], byId: [a!.id], all: 4 });
    const serial = nextSerial(1, clock.now());
    expect(out!.result).toBe('ok');
    expect(out!.zone.soa).toEqual({ ...s.zone.soa, serial, refresh: 900 });
    expect(out!.zone.recordCount).toBe(4);
    expect(out!.zone.updatedAt).toBe(clock.now().toISOString());
    expect(await store.zones.get(s.zone.id)).toEqual(out!.zone);
    const e = out!.entry!;
    expect(e).toMatchObject({ kind: 'update', fromSerial: 1, toSerial: serial, zoneName: n, createdAt: clock.now().toISOString() });
    expect(e.removed).toEqual([soaRR(n, s.zone.soa), rr(`www.${n}`, 'A', '192.0.2.10'), rr(`www.${n}`, 'AAAA', '2001:db8::10')]);
    expect(e.added).toEqual([soaRR(n, out!.zone.soa), rr(`ftp.${n}`, 'CNAME', `www.${n}.`), rr(`www.${n}`, 'A', '192.0.2.20'), rr(`mail.${n}`, 'A', '198.51.100.7')]);
    expect(await store.journal.readAfter(e.seq - 1, 10)).toEqual([e]);
    const now = await store.records.list(s.zone.id, {});
    expect(now.map((r) => r.id).sort()).toEqual([ns!.id, a!.id, mail!.id, inserted.id].sort());
    expect((await store.records.get(s.zone.id, a!.id))!.rdata).toBe('192.0.2.20');

    // same second again: the serial goes up by one
    const out2 = await store.applyZoneChange(s.zone.id, async () => ({ insert: [], update: [], delete: [inserted.id], result: 2 }));
    expect(out2!.entry).toMatchObject({ fromSerial: serial, toSerial: nextSerial(serial, clock.now()) });
    expect(out2!.entry!.toSerial).toBe(serial + 1);
  });

  it('a plan that changes nothing: no serial bump, no entry', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    const before = await store.journal.latestSeq();
    const same = { ...s.records[1]!, updatedAt: '2030-01-01T00:00:00.000Z' };
    const out = await store.applyZoneChange(s.zone.id, async () => ({ insert: [], update: [same], delete: ['drr_missing'], soa: { refresh: 7200 }, result: 7 }));
    expect(out).toEqual({ zone: s.zone, entry: null, result: 7 });
    expect(await store.zones.get(s.zone.id)).toEqual(s.zone);
    expect(await store.journal.latestSeq()).toBe(before);
  });

  it('a throwing plan rolls back and rethrows the same error; a failing apply rolls back all of it', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    const boom = new Error('plan says no');
    await expect(store.applyZoneChange(s.zone.id, async () => Promise.reject(boom))).rejects.toBe(boom);
    const appErr = new AppError('invalid_request', 'bad');
    await expect(store.applyZoneChange(s.zone.id, async () => { throw appErr; })).rejects.toBe(appErr);

    // update first, then an insert whose id is taken: conflict, and the update is undone too
    const changed = { ...s.records[1]!, rdata: '192.0.2.99' };
    const dup = { ...s.records[2]!, name: `dup.${s.zone.name}` };
    const err = await store.applyZoneChange(s.zone.id, async () => ({ insert: [dup], update: [changed], delete: [s.records[0]!.id], result: null })).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('conflict');
    expect(await store.records.list(s.zone.id, {})).toEqual(s.records);
    expect(await store.zones.get(s.zone.id)).toEqual(s.zone);

    const missing = await store.applyZoneChange(s.zone.id, async () => ({ insert: [], update: [{ ...s.records[0]!, id: 'drr_gone' }], delete: [], result: null })).catch((e: unknown) => e);
    expect((missing as AppError).code).toBe('not_found');
    expect(await store.zones.get(s.zone.id)).toEqual(s.zone);
  });

  it('a plan calling the store directly (not through tx) fails fast instead of hanging, and rolls back', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    const err = await store
      .applyZoneChange(s.zone.id, async () => {
        await store.zones.get(s.zone.id);
        return { insert: [makeRecord(s.zone.id, `x.${s.zone.name}`, 'A', '192.0.2.1')], update: [], delete: [], result: null };
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanReentryError);
    expect(await store.zones.get(s.zone.id)).toEqual(s.zone);
  });

  it('a missing zone resolves to undefined without calling the plan', async () => {
    let called = false;
    const out = await ctx.store.applyZoneChange('zone_missing', async () => {
      called = true;
      return { insert: [], update: [], delete: [], result: null };
    });
    expect(out).toBeUndefined();
    expect(called).toBe(false);
  });

  it('32 concurrent changes to one zone all succeed, serials strictly increase, the chain is contiguous', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    const outs = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        store.applyZoneChange(s.zone.id, async (tx) => {
          // read inside the transaction, then write what depends on it
          const count = (await tx.allRecords()).length;
          return { insert: [makeRecord(s.zone.id, `c${i}.${s.zone.name}`, 'TXT', `"seen ${count}"`)], update: [], delete: [], result: count };
        }),
      ),
    );
    // every plan saw a different state: the changes were serialized
    expect(new Set(outs.map((o) => o!.result)).size).toBe(32);
    const entries = outs.map((o) => o!.entry!).sort((a, b) => a.seq - b.seq);
    let serial = s.entry.toSerial;
    for (const e of entries) {
      expect(e.fromSerial).toBe(serial);
      expect(e.toSerial).toBeGreaterThan(serial);
      serial = e.toSerial;
    }
    const zone = (await store.zones.get(s.zone.id))!;
    expect(zone.soa.serial).toBe(serial);
    expect(zone.recordCount).toBe(4 + 32);
    expect(await store.journal.readZoneSince(s.zone.id, s.entry.toSerial)).toEqual(entries);
  });

  it('deleteZone journals the whole zone and removes records, zone and (when asked) the domain', async () => {
    const { store } = ctx;
    const keep = await seedZone(ctx);
    const gone = await seedZone(ctx);
    const n = gone.zone.name;
    const e1 = await store.deleteZone(keep.zone.id, { deleteDomain: false });
    expect(e1).toMatchObject({ kind: 'delete', fromSerial: 1, toSerial: 1, added: [] });
    expect(await store.domains.get(keep.domain.id)).toEqual(keep.domain);
    const e2 = (await store.deleteZone(gone.zone.id, { deleteDomain: true }))!;
    expect(e2.removed).toEqual([soaRR(n, gone.zone.soa), rr(n, 'NS', `ns1.${n}.`), rr(`www.${n}`, 'A', '192.0.2.10'), rr(`www.${n}`, 'AAAA', '2001:db8::10')]);
    expect(await store.zones.get(gone.zone.id)).toBeUndefined();
    expect(await store.domains.get(gone.domain.id)).toBeUndefined();
    expect(await store.records.list(gone.zone.id, {})).toEqual([]);
    // the journal outlives the zone
    expect((await store.journal.readAfter(gone.entry.seq - 1, 100)).filter((e) => e.zoneId === gone.zone.id).map((e) => e.kind)).toEqual(['create', 'delete']);
    expect(await store.journal.readZoneSince(gone.zone.id, 1)).toBeNull();
    expect(await store.deleteZone(gone.zone.id, { deleteDomain: true })).toBeNull();
    // the name is free again
    await seedZone(ctx, { name: n });
  });
}
