// WAL checkpoints in a worker thread (openStore's sqliteCheckpoint: 'background'): committed writes
// reach the database file without any commit of the main thread checkpointing, and close leaves a
// complete database.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE_NAME } from '../../src/storage/open-store.js';
import { SqliteCheckpointer } from '../../src/storage/sqlite-checkpointer.js';
import { makeAccount, makeDomain, makeRecord, makeZone } from './fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'zk-ckpt-'));
  dirs.push(d);
  return d;
};

/** Records found in the database file alone, as if its WAL were lost: what checkpoints copied. */
function recordsInMainFile(dataDir: string): number {
  const copyDir = tempDir();
  copyFileSync(join(dataDir, SQLITE_FILE_NAME), join(copyDir, SQLITE_FILE_NAME));
  const db = new Database(join(copyDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    // Before the first checkpoint even the schema is only in the WAL.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'records'").get()) return 0;
    return (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function writeZone(dataDir: string, mode: 'inline' | 'background', records: number) {
  const store = await openStore({ dataDir, sqliteSynchronous: 'normal', sqliteCheckpoint: mode });
  const account = makeAccount();
  await store.accounts.create(account);
  const domain = makeDomain(account.id, 'example.test');
  const zone = makeZone(account.id, domain.id, 'example.test');
  await store.createZone({ zone, domain, records: [makeRecord(zone.id, 'example.test', 'NS', 'ns1.example.test.')] });
  for (let i = 0; i < records; i++) {
    await store.applyZoneChange(zone.id, async () => ({ insert: [makeRecord(zone.id, `h${i}.example.test`, 'A', '192.0.2.1')], update: [], delete: [], result: null }));
  }
  return store;
}

describe('SQLite checkpoints in a worker thread', () => {
  it('copies committed writes into the database file while the main connection never checkpoints', async () => {
    // Control: inline, a few writes stay in the WAL (far below SQLite's 1000-page threshold).
    const inlineDir = tempDir();
    const inline = await writeZone(inlineDir, 'inline', 20);
    expect(recordsInMainFile(inlineDir)).toBe(0);
    await inline.close();

    const dir = tempDir();
    const store = await writeZone(dir, 'background', 20);
    // The worker checkpoints every 250 ms.
    const deadline = Date.now() + 5000;
    while (recordsInMainFile(dir) < 21 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(recordsInMainFile(dir)).toBe(21);
    await store.close();
    // Closing checkpoints everything and removes the WAL; the data is all there on reopening.
    expect(existsSync(join(dir, `${SQLITE_FILE_NAME}-wal`)) ? statSync(join(dir, `${SQLITE_FILE_NAME}-wal`)).size : 0).toBe(0);
    const again = await openStore({ dataDir: dir });
    const zones = await again.zones.listAll();
    expect(zones[0]!.recordCount).toBe(21);
    await again.close();
  });

  it('asks for a WAL reset past resetFrames; the checkpoint run then completes and the next commit starts the WAL over', async () => {
    const dir = tempDir();
    const file = join(dir, 'w.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    let asked = 0;
    let paused = false;
    let afterReset: { log: number } | null = null;
    const cp = await SqliteCheckpointer.start(file, {
      intervalMs: 5,
      resetFrames: 32,
      onWalLarge: async (checkpoint) => {
        asked++;
        paused = true; // the writer holds back, as the store's queue makes its writers do
        await checkpoint();
        insert.run('after the reset');
        afterReset = (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!;
        paused = false;
      },
    });
    // A steady stream of commits, with macrotask gaps for the worker's messages.
    const until = Date.now() + 3000;
    while (afterReset === null && Date.now() < until) {
      if (!paused) for (let i = 0; i < 20; i++) insert.run('x'.repeat(3000));
      await new Promise((r) => setImmediate(r));
    }
    const stats = await cp.stop();
    db.close();
    expect(asked).toBeGreaterThan(0);
    expect(stats.resets).toBeGreaterThan(0);
    // The commit after the reset wrote at the start of the WAL: its frames are all there is.
    expect(afterReset).not.toBeNull();
    expect(afterReset!.log).toBeLessThanOrEqual(2);
  });

  it('reports its work, and a checkpointer on a missing file fails at start instead of later', async () => {
    const dir = tempDir();
    const store = await writeZone(dir, 'inline', 5);
    const cp = await SqliteCheckpointer.start(join(dir, SQLITE_FILE_NAME), { intervalMs: 60_000 });
    const stats = await cp.checkpointNow();
    expect(stats.runs).toBe(1);
    expect(stats.frames).toBeGreaterThan(0);
    expect(stats.resets).toBe(0);
    expect(recordsInMainFile(dir)).toBe(6);
    const last = await cp.stop();
    expect(last.runs).toBe(2);
    expect(cp.failed).toBe(false);
    await store.close();
    await expect(SqliteCheckpointer.start(join(tempDir(), 'missing', 'nope.db'))).rejects.toThrow();
  });
});
