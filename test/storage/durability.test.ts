// Durability: a child process writes, is killed with SIGKILL, and every acknowledged write survives.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RR } from '../../src/core/model.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/store.js';
import { dropTestSchema, randomSchemaName, requirePg, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { makeAccount, makeDomain, makeRecord, makeZone } from './fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(ROOT, 'test', 'storage', 'fixtures', 'durability-child.mjs');

/** The .ts files the child needs whose compiled .js in dist/ is missing or older. */
function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string, recurse: boolean): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (recurse) walk(p, true);
      } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const out = join(ROOT, 'dist', relative(join(ROOT, 'src'), p)).replace(/\.ts$/, '.js');
        if (!existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs) stale.push(p);
      }
    }
  };
  walk(join(ROOT, 'src', 'storage'), true);
  walk(join(ROOT, 'src', 'core'), false);
  return stale;
}

/** `npm test` builds first (pretest); a direct `vitest run` rebuilds here when dist/ is stale. */
function ensureBuilt(): void {
  if (staleSources().length === 0) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // tsc still emits when other parts of the tree have type errors; checked below.
  }
  const left = staleSources();
  if (left.length > 0) throw new Error(`dist/ is stale for ${left.join(', ')}; run npm run build`);
}

interface Target {
  dialect: 'sqlite' | 'postgres';
  args: [string, string];
  open: () => Promise<SqlStore>;
  dispose: () => Promise<void>;
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'zk-durable-'));
  const file = join(dir, 'zonekeeper.db');
  return { dialect: 'sqlite', args: [file, '-'], open: () => openStore({ sqlitePath: file }), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

function pgTarget(): Target {
  const schema = randomSchemaName('zk_durable');
  return { dialect: 'postgres', args: [TEST_DATABASE_URL, schema], open: () => openStore({ url: TEST_DATABASE_URL, pgSchema: schema }), dispose: () => dropTestSchema(schema) };
}

/** Runs the child until it has acknowledged `count` writes, then SIGKILLs it mid-stream. */
async function writeThenKill(t: Target, zoneId: string, count: number): Promise<{ records: string[]; accounts: string[] }> {
  const child = spawn(process.execPath, [CHILD, t.dialect, ...t.args, zoneId], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const acked = { records: [] as string[], accounts: [] as string[] };
  let total = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^ack (record|account) (\S+)$/.exec(line);
    if (!m) continue;
    (m[1] === 'record' ? acked.records : acked.accounts).push(m[2]!);
    if (++total === count) {
      child.kill('SIGKILL');
      break;
    }
  }
  const how = await exited;
  if (total < count) throw new Error(`child stopped after ${total} acks (${String(how)}): ${stderr}`);
  expect(how).toBe('SIGKILL');
  return acked;
}

const key = (r: Pick<RR, 'name' | 'type' | 'ttl' | 'rdata'>): string => `${r.name} ${r.type} ${r.ttl} ${r.rdata}`;

const targets: (() => Target)[] = [sqliteTarget];
if (await requirePg('storage durability')) targets.push(pgTarget);

describe.each(targets.map((make) => ({ make, dialect: make === sqliteTarget ? 'sqlite' : 'postgres' })))('store durability: $dialect', ({ make }) => {
  const t = make();
  beforeAll(() => ensureBuilt());
  afterAll(() => t.dispose());

  it('two processes opening (and migrating) a new database at once both succeed', async () => {
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const c = spawn(process.execPath, [CHILD, t.dialect, ...t.args, 'open-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child failed: ${out}`))));
      });
    expect(await Promise.all([run(), run(), run()])).toEqual(['opened', 'opened', 'opened']);
  });

  it('every write acknowledged before kill -9 is present after reopening, and the journal matches', async () => {
    let store = await t.open();
    const account = makeAccount();
    await store.accounts.create(account);
    const domain = makeDomain(account.id, 'durable.example.test');
    const zone = makeZone(account.id, domain.id, domain.name, 1000);
    await store.createZone({ zone, domain, records: [makeRecord(zone.id, domain.name, 'NS', 'ns1.example.test.')] });
    await store.close();

    // two crash rounds: the second child starts on a database recovering from the first kill;
    // in the second round two processes write to the same zone at once (server and CLI)
    const round1 = await writeThenKill(t, zone.id, 40);
    const [a, b] = await Promise.all([writeThenKill(t, zone.id, 30), writeThenKill(t, zone.id, 30)]);
    const round2 = { records: [...a.records, ...b.records], accounts: [...a.accounts, ...b.accounts] };

    store = await t.open();
    try {
      if (t.dialect === 'sqlite') {
        const rows = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db);
        expect(rows.rows).toEqual([{ integrity_check: 'ok' }]);
      }
      for (const id of [...round1.records, ...round2.records]) expect(await store.records.get(zone.id, id), `record ${id}`).toBeDefined();
      for (const id of [...round1.accounts, ...round2.accounts]) expect(await store.accounts.get(id), `account ${id}`).toBeDefined();

      // replaying the journal from the create entry gives exactly the stored zone
      const current = (await store.zones.get(zone.id))!;
      const chain = (await store.journal.readZoneSince(zone.id, 0))!;
      expect(chain).not.toBeNull();
      expect(chain[0]!.kind).toBe('create');
      expect(chain[chain.length - 1]!.toSerial).toBe(current.soa.serial);
      const state: string[] = [];
      for (const e of chain) {
        for (const r of e.removed) {
          if (r.type === 'SOA') continue;
          const at = state.indexOf(key(r));
          expect(at, `journal removes ${key(r)} which it never added`).toBeGreaterThanOrEqual(0);
          state.splice(at, 1);
        }
        for (const r of e.added) if (r.type !== 'SOA') state.push(key(r));
      }
      const records = await store.records.list(zone.id, {});
      expect(state.sort()).toEqual(records.map(key).sort());
      expect(current.recordCount).toBe(records.length);
      expect(records.length).toBeGreaterThanOrEqual(1 + round1.records.length + round2.records.length);
    } finally {
      await store.close();
    }
  });
});
