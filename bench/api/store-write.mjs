// In-process cost of one record write through the store: no HTTP, no client, no second process.
//
// What it measures: `services.records.create(zone, {type:'A', name:'w<i>', value:<addr>, ttl:300})`
// called sequentially (one write in flight) through createServices over a real store, i.e. the
// whole core + storage path of `POST /api/v2/dns-zones/<id>/records` minus Fastify: validation,
// the change engine, one transaction (zone row, records at the name, insert, zone update, journal
// entry, COMMIT). With `--request` each write also does what the HTTP layer adds per request:
// apiKeys.authenticate (findByHash) and zones.get.
//
// Targets (each on a fresh store, one after another):
//   sqlite-normal  temp data dir, WAL, synchronous=NORMAL (the server default)
//   sqlite-full    temp data dir, WAL, synchronous=FULL (one fsync per commit: disk latency shows)
//   postgres       a throw-away schema zk_bench_<random> in --pg-url (dropped at the end)
// Per target and run: a new zone; --warmup writes (not counted), then --count writes into the
// same zone (it grows from 0 to count records), timed with process.hrtime. Several --runs per
// target, median reported (the machine is shared and noisy: compare medians of one invocation).
// Also reported: CPU time (user + system) of this process per write, all its threads (GC and JIT
// helpers too, so it can exceed wall time); for PostgreSQL it leaves out the server's share.
//
// `--frames` (SQLite only) also reports WAL frames (= pages written) per commit, measured over
// 500 extra writes with auto-checkpointing off; it does not affect the timed runs.
//
// Usage (build first: npm run build):
//   node bench/api/store-write.mjs                                     # all targets, 10000 writes, 3 runs
//   node bench/api/store-write.mjs --targets sqlite-normal --count 5000 --runs 5 --frames
//   node bench/api/store-write.mjs --dist /tmp/other-build/dist        # A/B against another build
//   options: --count N --warmup N --runs N --targets a,b --pg-url URL --request --frames --json
// PostgreSQL URL default: $ZK_BENCH_PG_URL, else $ZONEKEEPER_TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test (user must be allowed to CREATE SCHEMA).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ALL_TARGETS = ['sqlite-normal', 'sqlite-full', 'postgres'];

const { values: opt } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    'pg-url': { type: 'string' },
    dist: { type: 'string', default: join(REPO_ROOT, 'dist') },
    request: { type: 'boolean', default: false },
    frames: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log('node bench/api/store-write.mjs [--count N] [--warmup N] [--runs N] [--targets sqlite-normal,sqlite-full,postgres] [--pg-url URL] [--dist DIR] [--request] [--frames] [--json]');
  process.exit(0);
}
const COUNT = Number(opt.count);
const WARMUP = Number(opt.warmup);
const RUNS = Number(opt.runs);
const targets = opt.targets.split(',').filter(Boolean);
for (const t of targets) if (!ALL_TARGETS.includes(t)) throw new Error(`unknown target ${t} (known: ${ALL_TARGETS.join(', ')})`);
const PG_URL = opt['pg-url'] ?? process.env.ZK_BENCH_PG_URL ?? process.env.ZONEKEEPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const dist = resolve(opt.dist);
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const { openStore } = await load('storage/open-store.js');
const { createServices } = await load('core/services.js');
const { systemClock } = await load('core/ports.js');
const { loadConfig } = await load('config/config.js');
const { coreSettings } = await load('cli/context.js');

// The build's own defaults (every setting the services of that build need), with room for big zones.
const settings = { ...coreSettings(loadConfig({ 'log-level': 'silent' }, {}, process.cwd())), maxRecordsPerZone: 10_000_000 };

const cleanups = [];
async function cleanupAll() {
  while (cleanups.length) await cleanups.pop()().catch((e) => console.error('cleanup:', e.message));
}
process.on('SIGINT', () => void cleanupAll().finally(() => process.exit(130)));

async function openTarget(target) {
  if (target === 'postgres') {
    const pg = (await import('pg')).default;
    const schema = `zk_bench_${randomBytes(5).toString('hex')}`;
    const store = await openStore({ url: PG_URL, pgSchema: schema });
    const drop = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await c.end();
      }
    };
    return { store, dispose: drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'zk-store-bench-'));
  const store = await openStore({ dataDir: dir, sqliteSynchronous: target === 'sqlite-full' ? 'full' : 'normal' });
  return { store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

let n = 0;
const addr = (i) => (i % 508 < 254 ? `198.51.100.${(i % 254) + 1}` : `203.0.113.${(i % 254) + 1}`);

async function writes(svc, ctx, zoneId, count) {
  for (let i = 0; i < count; i++, n++) {
    let zone = ctx.zone;
    if (ctx.token) {
      await svc.apiKeys.authenticate(ctx.token, '127.0.0.1');
      zone = await svc.store.zones.get(zoneId);
    }
    await svc.records.create(zone, { type: 'A', name: `w${n}`, value: addr(n), ttl: 300 });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function walFrames(svc, store, account) {
  const zone = await svc.zones.create(account.id, `frames-${randomBytes(3).toString('hex')}.example.org`);
  const ctx = { zone };
  await writes(svc, ctx, zone.id, 50);
  await sql`pragma wal_autocheckpoint = 0`.execute(store.db);
  await sql`pragma wal_checkpoint(truncate)`.execute(store.db);
  const k = 500;
  await writes(svc, ctx, zone.id, k);
  const r = await sql`pragma wal_checkpoint(passive)`.execute(store.db);
  await sql`pragma wal_checkpoint(truncate)`.execute(store.db);
  await sql`pragma wal_autocheckpoint = 1000`.execute(store.db);
  return r.rows[0].log / k;
}

const results = [];
try {
  for (const target of targets) {
    const { store, dispose } = await openTarget(target);
    cleanups.push(async () => {
      await store.close();
      await dispose();
    });
    const svc = createServices(store, settings, systemClock);
    const account = await svc.accounts.create('bench');
    const token = opt.request ? (await svc.apiKeys.create(account.id, { name: 'bench', scopes: ['read:dns', 'write:dns'] })).token : null;
    const perRun = [];
    const cpuPerRun = [];
    for (let run = 0; run < RUNS; run++) {
      const zone = await svc.zones.create(account.id, `bench${run}-${randomBytes(3).toString('hex')}.example.org`);
      const ctx = { zone, token };
      await writes(svc, ctx, zone.id, WARMUP);
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await writes(svc, ctx, zone.id, COUNT);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = process.cpuUsage(c0);
      perRun.push(ms / COUNT);
      cpuPerRun.push((cpu.user + cpu.system) / 1000 / COUNT);
      process.stderr.write(`${target} run ${run + 1}/${RUNS}: ${(ms / COUNT).toFixed(3)} ms/write, cpu ${((cpu.user + cpu.system) / 1000 / COUNT).toFixed(3)} ms/write\n`);
    }
    const frames = opt.frames && target !== 'postgres' ? await walFrames(svc, store, account) : null;
    results.push({ target, msPerWrite: median(perRun), cpuMsPerWrite: median(cpuPerRun), runs: perRun, cpuRuns: cpuPerRun, framesPerCommit: frames });
    await cleanups.pop()();
  }
} finally {
  await cleanupAll();
}

if (opt.json) {
  console.log(JSON.stringify({ count: COUNT, warmup: WARMUP, request: opt.request, dist, node: process.version, results }, null, 2));
} else {
  console.log(`\n${COUNT} sequential single-record creates per run${opt.request ? ' (+ authenticate + zones.get)' : ''}, median of ${RUNS} runs — ${dist}`);
  console.log('| target | ms/write (median) | writes/s | CPU ms/write (median) | runs (ms/write) |' + (opt.frames ? ' WAL frames/commit |' : ''));
  console.log('|---|---:|---:|---:|---|' + (opt.frames ? '---:|' : ''));
  for (const r of results) {
    const frames = opt.frames ? ` ${r.framesPerCommit === null ? '–' : r.framesPerCommit.toFixed(2)} |` : '';
    console.log(`| ${r.target} | ${r.msPerWrite.toFixed(3)} | ${Math.round(1000 / r.msPerWrite)} | ${r.cpuMsPerWrite.toFixed(3)} | ${r.runs.map((x) => x.toFixed(3)).join(', ')} |${frames}`);
  }
}
