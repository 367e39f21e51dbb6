// No acknowledged write is lost when the server is killed with SIGKILL right after responding:
// a real `zonekeeper serve` takes concurrent record writes, is kill -9'd mid-stream, restarts on
// the same store, and must still hold every record whose 201 reached the client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type ServeChild } from '../helpers/cli.js';
import { dropTestSchema, randomSchemaName, requirePg, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { client } from '../helpers/server.js';

const WRITERS = 8;
const ACKS_BEFORE_KILL = 150;

async function writeUntilKilled(s: ServeChild, token: string, zoneId: string): Promise<string[]> {
  const api = client(s.url, token);
  const acked: string[] = [];
  let n = 0;
  let killed = false;
  const writer = async (w: number) => {
    while (!killed) {
      const i = n++;
      try {
        const r = await api('POST', `/api/v2/dns-zones/${zoneId}/records`, { type: 'A', name: `w${w}-${i}`, value: `198.51.100.${i % 250}`, ttl: 300 });
        if (r.status === 201) {
          acked.push(r.body.id);
          if (acked.length >= ACKS_BEFORE_KILL && !killed) {
            killed = true;
            s.child.kill('SIGKILL'); // right after an acknowledgement, with other writes in flight
          }
        } else if (!killed) throw new Error(`unexpected ${r.status}: ${r.text}`);
      } catch (e) {
        if (!killed) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  await s.stop('SIGKILL');
  return acked;
}

async function scenario(args: string[]): Promise<void> {
  args = [...args, '--rate-limit', 'off'];
  const first = await startServe(args);
  let token: string | undefined;
  let zoneId: string;
  let acked: string[];
  try {
    token = /\n\s+(zk_[A-Za-z0-9_-]{43})\n/.exec(first.output())?.[1];
    expect(token, first.output()).toBeDefined();
    const zone = await client(first.url, token)('POST', '/api/v2/dns-zones', { name: 'durable.example' });
    expect(zone.status).toBe(201);
    zoneId = zone.body.id;
    acked = await writeUntilKilled(first, token!, zoneId);
  } finally {
    await first.stop('SIGKILL');
  }
  expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

  const second = await startServe(args);
  try {
    const r = await client(second.url, token)('GET', `/api/v2/dns-zones/${zoneId}/records?type=A`);
    expect(r.status).toBe(200);
    const present = new Set(r.body.records.map((x: { id: string }) => x.id));
    const lost = acked.filter((id) => !present.has(id));
    expect(lost).toEqual([]);
    // recordCount and the served records agree (no half-applied change survived)
    expect(r.body.zone.recordCount).toBe(r.body.records.length + 2 /* apex NS */);
  } finally {
    await second.stop();
  }
}

describe('kill -9 after acknowledged writes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('SQLite (default synchronous=normal) keeps every acknowledged write', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zk-dur-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await scenario(['--data', dir]);
  });

  it('PostgreSQL keeps every acknowledged write', async (ctx) => {
    if (!(await requirePg('kill -9 durability'))) return ctx.skip();
    const schema = randomSchemaName('zk_dur');
    cleanups.push(() => dropTestSchema(schema));
    await scenario(['--database-url', `${TEST_DATABASE_URL}?schema=${schema}`]);
  });
});
