// `zonekeeper jobs run-due` as a real process: nothing due on a fresh store; a due job runs, fails
// (its domain does not exist), is rescheduled with backoff and not run again at once; usage errors.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { systemClock } from '../../src/core/ports.js';
import { openStore } from '../../src/storage/open-store.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
const data = () => ['--data', dir];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-jobs-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

it('runs due jobs once, records failures with a later retry, and reports as JSON', async () => {
  // The first run schedules the health checks (a recurring job) and runs them: nothing to check.
  const first = await runCli(['jobs', 'run-due', '--json', ...data()]);
  expect(first.code, first.stderr).toBe(0);
  expect(JSON.parse(first.stdout)).toEqual({ ran: 1, done: 1, failed: 0 });
  const store = await openStore({ dataDir: dir, clock: systemClock, sqliteSynchronous: 'normal' });
  const now = new Date().toISOString();
  const id = newId('job');
  await store.jobs.enqueue({ id, kind: 'zone_precheck', subject: newId('domain'), payload: {}, status: 'pending', runAt: now, attempts: 0, lastError: null, createdAt: now, updatedAt: now });
  await store.close();
  const ran = await runCli(['jobs', 'run-due', ...data()]);
  expect(ran.code, ran.stderr).toBe(0);
  expect(ran.stdout).toBe('ran 1 due jobs: 0 done, 1 failed (failed ones are retried later)\n');
  expect(JSON.parse((await runCli(['jobs', 'run-due', '--json', ...data()])).stdout)).toEqual({ ran: 0, done: 0, failed: 0 });
  const again = await openStore({ dataDir: dir, clock: systemClock, sqliteSynchronous: 'normal' });
  const pending = await again.jobs.due('9999-01-01T00:00:00.000Z', 10);
  const job = await again.jobs.latest(pending.find((j) => j.kind === 'zone_precheck')!.subject, 'zone_precheck');
  // The health checks wait for their next turn, --monitor-interval (30 s) after the first.
  const health = pending.find((j) => j.kind === 'health_check');
  expect(Date.parse(health!.runAt)).toBeGreaterThan(Date.now() + 20_000);
  await again.close();
  expect(job).toMatchObject({ id, status: 'pending', attempts: 1, lastError: 'the domain no longer exists' });
  expect(Date.parse(job!.runAt)).toBeGreaterThan(Date.now() + 20_000);
});

it('usage errors exit 2', async () => {
  const r = await runCli(['jobs', 'run', ...data()]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/expected: run-due/);
});
