// The job table on both dialects, under concurrency: one pending job per kind and subject however
// many processes enqueue at once; claims are exclusive (two runners never run a job twice); a
// crashed runner's claim expires; a rescheduled job gives way to a newer pending one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { Job } from '../../src/core/model.js';
import { systemClock, type Store } from '../../src/core/ports.js';
import { openStore } from '../../src/storage/open-store.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropTestSchema, randomSchemaName, requirePg, TEST_DATABASE_URL } from '../helpers/postgres.js';

const pgOk = await requirePg('job table');

function job(subject: string, over: Partial<Job> = {}): Job {
  const now = new Date().toISOString();
  return { id: newId('job'), kind: 'test_kind', subject, payload: {}, status: 'pending', runAt: now, attempts: 0, lastError: null, createdAt: now, updatedAt: now, ...over };
}

// PostgreSQL only when reachable (requirePg fails the run under CI=true, and warns loudly elsewhere).
describe.each(pgOk ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const))('job table [%s]', (dialect) => {
  let a: Store;
  let b: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (dialect === 'sqlite') {
      const dir = await mkdtemp(path.join(tmpdir(), 'zk-jobs-'));
      a = await openStore({ dataDir: dir, clock: systemClock, sqliteSynchronous: 'normal' });
      b = await openStore({ dataDir: dir, clock: systemClock, sqliteSynchronous: 'normal' });
      cleanup = () => rm(dir, { recursive: true, force: true });
    } else {
      const schema = randomSchemaName('zk_jobs');
      a = await openStore({ url: TEST_DATABASE_URL, pgSchema: schema, clock: systemClock });
      b = await openStore({ url: TEST_DATABASE_URL, pgSchema: schema, clock: systemClock });
      cleanup = () => dropTestSchema(schema);
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cleanup?.();
  });

  it('concurrent enqueues from two stores leave one pending job, with the last payload', async () => {
    const subject = newId('domain');
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).jobs.enqueue(job(subject, { payload: { i } }))));
    const due = (await a.jobs.due('9999-01-01T00:00:00.000Z', 1000)).filter((j) => j.subject === subject);
    expect(due).toHaveLength(1);
  });

  it('two runners claiming at once never get the same job; an expired claim is claimed again', async () => {
    const subjects = Array.from({ length: 30 }, () => newId('domain'));
    for (const s of subjects) await a.jobs.enqueue(job(s));
    const now = new Date().toISOString();
    const lease = new Date(Date.now() + 60_000).toISOString();
    const [x, y] = await Promise.all([a.jobs.claimDue(now, lease, 1000), b.jobs.claimDue(now, lease, 1000)]);
    const mine = (list: Job[]) => list.filter((j) => subjects.includes(j.subject)).map((j) => j.id);
    const both = [...mine(x), ...mine(y)];
    expect(new Set(both).size).toBe(both.length);
    expect(both).toHaveLength(30);
    expect((await a.jobs.claimDue(now, lease, 1000)).filter((j) => subjects.includes(j.subject))).toEqual([]);
    const later = new Date(Date.now() + 120_000).toISOString();
    expect((await b.jobs.claimDue(later, new Date(Date.now() + 180_000).toISOString(), 1000)).filter((j) => subjects.includes(j.subject))).toHaveLength(30);
  });

  it('a running job put back to pending gives way to a newer pending one; supersede ends the pending one', async () => {
    const subject = newId('domain');
    await a.jobs.enqueue(job(subject, { payload: { v: 1 } }));
    const [claimed] = (await a.jobs.claimDue(new Date().toISOString(), new Date(Date.now() + 60_000).toISOString(), 1000)).filter((j) => j.subject === subject);
    await b.jobs.enqueue(job(subject, { payload: { v: 2 } })); // a newer intent while the first runs
    await a.jobs.save({ ...claimed!, status: 'pending', attempts: 1, lastError: 'x' });
    expect(await a.jobs.latest(subject, 'test_kind')).toMatchObject({ payload: { v: 2 }, status: 'pending' });
    const first = (await a.jobs.due('9999-01-01T00:00:00.000Z', 1000)).filter((j) => j.subject === subject);
    expect(first.map((j) => j.payload)).toEqual([{ v: 2 }]);
    await a.jobs.supersede('test_kind', subject, new Date().toISOString());
    expect((await a.jobs.due('9999-01-01T00:00:00.000Z', 1000)).filter((j) => j.subject === subject)).toEqual([]);
  });
});
