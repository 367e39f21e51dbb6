// Group commit of DynDNS updates: updates submitted together become one batch per zone, a host name
// twice waits for the next batch, and a failing batch falls back to each update on its own.
import { describe, expect, it } from 'vitest';
import { MAX_BATCH, ZoneUpdateBatcher } from '../../../src/core/dyndns/update-batcher.js';

type Item = { name: string; fail?: boolean };

function recorder() {
  const batches: string[][] = [];
  const alone: string[] = [];
  const batcher = new ZoneUpdateBatcher<Item, string>(
    async (zone, items) => {
      batches.push(items.map((i) => `${zone}:${i.name}`));
      if (items.some((i) => i.fail)) throw new Error('one of them cannot be written');
      return items.map((i) => `batch:${i.name}`);
    },
    async (_zone, item) => {
      alone.push(item.name);
      if (item.fail) throw new Error(`cannot write ${item.name}`);
      return `alone:${item.name}`;
    },
  );
  return { batches, alone, batcher };
}

describe('ZoneUpdateBatcher', () => {
  it('writes the updates of one zone submitted in the same turn as one batch, per zone, results in order', async () => {
    const { batches, batcher } = recorder();
    const r = await Promise.all([
      batcher.submit('z1', { name: 'a' }),
      batcher.submit('z1', { name: 'b' }),
      batcher.submit('z2', { name: 'a' }),
      batcher.submit('z1', { name: 'c' }),
    ]);
    expect(r).toEqual(['batch:a', 'batch:b', 'alone:a', 'batch:c']);
    expect(batches).toEqual([['z1:a', 'z1:b', 'z1:c']]);
  });

  it('puts a host name that is already in the batch into the next one', async () => {
    const { batches, batcher } = recorder();
    const r = await Promise.all([batcher.submit('z', { name: 'a' }), batcher.submit('z', { name: 'a' }), batcher.submit('z', { name: 'b' })]);
    expect(batches[0]).toEqual(['z:a', 'z:b']);
    expect(r).toEqual(['batch:a', 'alone:a', 'batch:b']);
  });

  it('falls back to one update at a time when the batch fails: only the bad one fails', async () => {
    const { batches, alone, batcher } = recorder();
    const r = await Promise.allSettled([batcher.submit('z', { name: 'a' }), batcher.submit('z', { name: 'bad', fail: true }), batcher.submit('z', { name: 'c' })]);
    expect(batches).toEqual([['z:a', 'z:bad', 'z:c']]);
    expect(alone).toEqual(['a', 'bad', 'c']);
    expect(r.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message))).toEqual(['alone:a', 'cannot write bad', 'alone:c']);
  });

  it(`caps a batch at ${MAX_BATCH} host names and keeps going with the rest`, async () => {
    const { batches, batcher } = recorder();
    const n = MAX_BATCH * 2 + 5;
    const r = await Promise.all(Array.from({ length: n }, (_, i) => batcher.submit('z', { name: `h${i}` })));
    expect(r).toHaveLength(n);
    expect(batches.map((b) => b.length)).toEqual([MAX_BATCH, MAX_BATCH, 5]);
  });

  it('accepts new work after a drain has finished', async () => {
    const { batches, batcher } = recorder();
    await batcher.submit('z', { name: 'a' });
    await batcher.submit('z', { name: 'b' });
    expect(batches).toEqual([]); // each alone: a batch of one goes straight to applyOne
  });
});
