// Contract: accounts, API keys, domains and zones (lookups, pagination, uniqueness, overlap).
import { expect, it } from 'vitest';
import { overlapCandidates } from '../../../src/storage/zones.repo.js';
import { expectConflict, makeAccount, makeDomain, makeKey, makeZone, T0 } from '../fixtures.js';
import { seedZone, uniqueName, type ContractContext } from './context.js';

export function basicContract(ctx: ContractContext): void {
  it('accounts: create, get, list by keyset, count, duplicate id is a conflict', async () => {
    const { store } = ctx;
    const before = await store.accounts.count();
    const made = [makeAccount('one'), makeAccount('two'), makeAccount('three')];
    for (const a of made) await store.accounts.create(a);
    expect(await store.accounts.count()).toBe(before + 3);
    expect(await store.accounts.get(made[0]!.id)).toEqual(made[0]);
    expect(await store.accounts.get('acc_missing')).toBeUndefined();
    const page1 = await store.accounts.list({ limit: 2, afterId: made[0]!.id });
    expect(page1.map((a) => a.id)).toEqual([made[1]!.id, made[2]!.id]);
    expect(await store.accounts.list({ limit: 10, afterId: made[2]!.id })).toEqual([]);
    expect((await store.accounts.list({ limit: 10, name: 'two', afterId: made[0]!.id })).map((a) => a.id)).toEqual([made[1]!.id]);
    const all = await store.accounts.list({ limit: 100000 });
    expect(all.map((a) => a.id)).toEqual([...all.map((a) => a.id)].sort());
    await expectConflict(store.accounts.create(made[1]!));
  });

  it('api keys: findByHash, list (revoked included), revoke once, touch, JSON fields', async () => {
    const { store } = ctx;
    const acc = makeAccount();
    await store.accounts.create(acc);
    const k1 = makeKey(acc.id, { zones: ['example.test', 'a_b.example.test'], allowIps: ['192.0.2.0/24', '2001:db8::/32'], expiresAt: '2027-01-01T00:00:00.000Z' });
    const k2 = makeKey(acc.id, { name: 'second' });
    await store.apiKeys.create(k1);
    await store.apiKeys.create(k2);
    expect(await store.apiKeys.get(k1.id)).toEqual(k1);
    expect(await store.apiKeys.findByHash(k2.tokenHash)).toEqual(k2);
    expect(await store.apiKeys.findByHash('0'.repeat(64))).toBeUndefined();
    await expectConflict(store.apiKeys.create(makeKey(acc.id, { tokenHash: k1.tokenHash })));

    expect(await store.apiKeys.revoke(k1.id, '2026-04-28T00:00:00.000Z')).toBe(true);
    expect(await store.apiKeys.revoke(k1.id, '2026-04-29T00:00:00.000Z')).toBe(false);
    expect(await store.apiKeys.revoke('key_missing', T0)).toBe(false);
    expect((await store.apiKeys.get(k1.id))!.revokedAt).toBe('2026-04-28T00:00:00.000Z');

    await store.apiKeys.touch(k2.id, '2026-04-27T13:00:00.123Z');
    expect((await store.apiKeys.findByHash(k2.tokenHash))!.lastUsedAt).toBe('2026-04-27T13:00:00.123Z');

    const listed = await store.apiKeys.list(acc.id, { limit: 10 });
    expect(listed.map((k) => k.id)).toEqual([k1.id, k2.id]);
    expect((await store.apiKeys.list(acc.id, { limit: 10, afterId: k1.id })).map((k) => k.id)).toEqual([k2.id]);
    expect((await store.apiKeys.list(acc.id, { limit: 1 })).map((k) => k.id)).toEqual([k1.id]);
  });

  it('domains and zones: lookups, lists, update, timestamps read back identically', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    expect(await store.domains.get(s.domain.id)).toEqual(s.domain);
    expect(await store.domains.getByName(s.domain.name)).toEqual(s.domain);
    expect(await store.domains.list(s.account.id, { limit: 10 })).toEqual([s.domain]);
    expect(await store.zones.get(s.zone.id)).toEqual(s.zone);
    expect(await store.zones.getByName(s.zone.name)).toEqual(s.zone);
    expect(await store.zones.getByDomainId(s.domain.id)).toEqual(s.zone);
    expect(await store.zones.list(s.account.id, { limit: 10 })).toEqual([s.zone]);
    expect(await store.zones.list(s.account.id, { limit: 10, name: 'other.example.test' })).toEqual([]);
    expect((await store.zones.listAll()).some((z) => z.id === s.zone.id)).toBe(true);
    expect(s.zone.recordCount).toBe(4);

    const updated = await store.domains.update(s.domain.id, { autoRenewEnabled: true, serviceStatus: 'suspended', updatedAt: '2026-05-01T00:00:00.000Z' });
    expect(updated).toEqual({ ...s.domain, autoRenewEnabled: true, serviceStatus: 'suspended', updatedAt: '2026-05-01T00:00:00.000Z' });
    expect(await store.domains.update('dom_missing', { updatedAt: T0 })).toBeUndefined();
  });

  it('zones: a taken zone or domain name is a conflict, and nothing of the failed create remains', async () => {
    const { store } = ctx;
    const s = await seedZone(ctx);
    const d2 = makeDomain(s.account.id, uniqueName('d'));
    const z2 = makeZone(s.account.id, d2.id, s.zone.name);
    const before = await store.journal.latestSeq();
    await expectConflict(store.createZone({ zone: z2, domain: d2, records: [] }));
    expect(await store.domains.get(d2.id)).toBeUndefined();
    expect(await store.journal.latestSeq()).toBe(before);

    const d3 = makeDomain(s.account.id, s.domain.name);
    await expectConflict(store.createZone({ zone: makeZone(s.account.id, d3.id, uniqueName()), domain: d3, records: [] }));
  });

  it('zones: serials up to 2^32-1 round-trip', async () => {
    const s = await seedZone(ctx, { serial: 4294967295 });
    expect((await ctx.store.zones.get(s.zone.id))!.soa.serial).toBe(4294967295);
    expect(s.entry.toSerial).toBe(4294967295);
  });

  it('zones: findOverlapping finds equal, ancestors and descendants; `_` and `%` are not wildcards', async () => {
    const { store } = ctx;
    const base = uniqueName('o_v').replace('.example.test', '.test');
    const acc = makeAccount();
    await store.accounts.create(acc);
    const mk = async (name: string) => (await seedZone(ctx, { account: acc, name, records: () => [] })).zone;
    const apex = await mk(base);
    const child = await mk(`sub.${base}`);
    const grandchild = await mk(`deep.sub.${base}`);
    const trapUnderscore = await mk(`sub.${base.replace('o_v', 'oxv')}`);
    const pct = await mk(`p\\%q.${base}`);
    const trapPercent = await mk(`x.p\\abcq.${base}`);
    const ids = (zs: { id: string }[]) => zs.map((z) => z.id).sort();

    expect(ids(await store.zones.findOverlapping(base))).toEqual(ids([apex, child, grandchild, pct, trapPercent]));
    expect(ids(await store.zones.findOverlapping(`x.sub.${base}`))).toEqual(ids([apex, child]));
    expect(ids(await store.zones.findOverlapping(`sub.${base}`))).toEqual(ids([apex, child, grandchild]));
    expect(ids(await store.zones.findOverlapping(`other.${base.replace('o_v', 'oxv')}`))).toEqual([]);
    // The SQL itself escapes LIKE wildcards (not only the label-wise filter after it).
    expect(ids(await overlapCandidates(store.db, base))).not.toContain(trapUnderscore.id);
    expect(ids(await overlapCandidates(store.db, `p\\%q.${base}`))).toEqual(ids([apex, pct]));
    expect(ids(await overlapCandidates(store.db, `sub.${base}`))).toEqual(ids([apex, child, grandchild]));
  });
}
