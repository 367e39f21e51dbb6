#!/usr/bin/env node
// A zone of 1,000,000 records: startup-to-answering time and resident memory of Knot DNS,
// PowerDNS (bind backend) and zonekeeper; zonekeeper's CLI import time; and for zonekeeper (and
// Knot, through knotc) how long a single record change takes until a UDP query sees it.
// See bench/README.md ("bench/dns").
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { makeAgent, request, requestJson } from '../api/lib/http.mjs';
import { openRawClient } from '../api/lib/raw-http.mjs';
import { makeTempDir, releaseAll, which } from '../api/lib/procs.mjs';
import { boundRun, intOption, loadSnapshot, machineInfo, RESULTS_DIR, sleep, utcStamp, writeResults } from './lib/common.mjs';
import { waitForAnswer } from './lib/dnsclient.mjs';
import { memoryOf } from './lib/procstat.mjs';
import { prepareZonekeeper, startKnot, startPdns, startZonekeeper, zkUdpIo } from './lib/servers.mjs';
import { DEFAULT_ZONE, groupsFor, v4, writeZoneFile } from './lib/zone.mjs';

const SAVED_INFO = 'zk-bench-data.json';

const TARGETS = {
  knot: { kind: 'knot', label: (m) => `Knot DNS ${m.knot} (default workers)`, start: (c) => startKnot(c) },
  pdns: { kind: 'pdns', label: (m) => `PowerDNS ${m.pdns} (bind backend)`, start: (c) => startPdns(c) },
  zk0: { kind: 'zk', workers: 0, label: () => 'zonekeeper, --dns-workers 0' },
  zk1: { kind: 'zk', workers: 1, label: () => 'zonekeeper, --dns-workers 1' },
  zk2: { kind: 'zk', workers: 2, label: () => 'zonekeeper, --dns-workers 2' },
};

const USAGE = `usage: node bench/dns/big-zone.mjs [options]
  --targets LIST      comma list of ${Object.keys(TARGETS).join(',')} (default: knot,pdns,zk0,zk2)
  --records N         records in the zone besides the apex (default 1000000)
  --starts N          starts per target; startup time and memory are medians (default 1)
  --settle S          seconds between answering and reading memory (default 3)
  --changes N         single-record changes to time (zonekeeper: API; Knot: knotc) (default 50)
  --knot-changes N    of those for Knot (default 10; 0 = none)
  --poll-us N         while a change is pending, query it every N µs (or back to back when a round
                      trip takes longer; 0 = always back to back) (default 200)
  --pause-ms N        pause between two changes (default 20)
  --change-warmup N   unrecorded API writes (back to back, no polling) before the changes (default 100)
  --import-timeout S  give up the zonekeeper import after S seconds (default 900)
  --start-timeout S   a server must answer within S seconds (default 300)
  --no-zk-fallback    when \`zonekeeper zones import\` fails, fail the zonekeeper targets instead of
                      loading the same records through the API (POST …/records/batch)
  --save-zk-data DIR  keep a copy of the imported zonekeeper data folder (and its API token) in DIR
  --zk-data DIR       use such a copy instead of importing again (the import is then not measured)
  --zk-bin PATH       zonekeeper CLI (default bin/zonekeeper.js)
  --zk-arg ARG        extra argument for \`zonekeeper serve\` (repeatable)
  --zk-node-arg ARG   extra node option for zonekeeper (repeatable)
  --timeout S         start nothing new after S seconds; everything is killed 30 s later (default 3600)
  --out FILE          JSON results (default bench/results/big-zone-<UTC timestamp>.json)
  --no-json           do not write the JSON file
  --verbose           echo server output
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string', default: 'knot,pdns,zk0,zk2' },
      records: { type: 'string', default: '1000000' },
      starts: { type: 'string', default: '1' },
      settle: { type: 'string', default: '3' },
      changes: { type: 'string', default: '50' },
      'knot-changes': { type: 'string', default: '10' },
      'poll-us': { type: 'string', default: '200' },
      'pause-ms': { type: 'string', default: '20' },
      'change-warmup': { type: 'string', default: '100' },
      'import-timeout': { type: 'string', default: '900' },
      'start-timeout': { type: 'string', default: '300' },
      'no-zk-fallback': { type: 'boolean', default: false },
      'save-zk-data': { type: 'string' },
      'zk-data': { type: 'string' },
      'zk-bin': { type: 'string' },
      'zk-arg': { type: 'string', multiple: true, default: [] },
      'zk-node-arg': { type: 'string', multiple: true, default: [] },
      timeout: { type: 'string', default: '3600' },
      out: { type: 'string' },
      'no-json': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const targets = values.targets.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target "${t}" (known: ${Object.keys(TARGETS).join(', ')})`);
  return {
    targets,
    records: intOption('records', values.records, 10),
    starts: intOption('starts', values.starts),
    settleS: intOption('settle', values.settle, 0),
    changes: intOption('changes', values.changes, 0),
    knotChanges: intOption('knot-changes', values['knot-changes'], 0),
    pollUs: intOption('poll-us', values['poll-us'], 0),
    pauseMs: intOption('pause-ms', values['pause-ms'], 0),
    changeWarmup: intOption('change-warmup', values['change-warmup'], 0),
    importTimeoutS: intOption('import-timeout', values['import-timeout']),
    startTimeoutS: intOption('start-timeout', values['start-timeout']),
    zkFallback: !values['no-zk-fallback'],
    saveZkData: values['save-zk-data'] ? resolve(values['save-zk-data']) : null,
    zkData: values['zk-data'] ? resolve(values['zk-data']) : null,
    zkBin: values['zk-bin'],
    zkArgs: values['zk-arg'],
    zkNodeArgs: values['zk-node-arg'],
    timeoutS: intOption('timeout', values.timeout),
    out: values['no-json'] ? null : values.out ?? join(RESULTS_DIR, `big-zone-${utcStamp()}.json`),
    verbose: values.verbose,
  };
}

const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(d)));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};
const stats = (xs) => ({ n: xs.length, p50: round(pct(xs, 50), 3), p90: round(pct(xs, 90), 3), p99: round(pct(xs, 99), 3), max: round(Math.max(...xs), 3), min: round(Math.min(...xs), 3) });
const ms = (a, b) => Number(b - a) / 1e6;

/** The A of the last host of the zone: a record near the end of the zone file. */
function probeFor(zone, records) {
  const j = groupsFor(records) - 1;
  return { name: `host${j}.${zone}`, type: 'A', want: v4(j) };
}

/** A UDP poller in a worker thread (see lib/change-poller.mjs). */
async function startPoller(port, intervalUs) {
  const worker = new Worker(new URL('./lib/change-poller.mjs', import.meta.url), { workerData: { port, intervalUs } });
  const waiters = new Map();
  await new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m) => (m.ready ? resolve() : reject(new Error('poller did not start'))));
  });
  worker.on('message', (m) => {
    const w = waiters.get(m.id);
    if (!w) return;
    if (m.started) return w.started();
    waiters.delete(m.id);
    w.done(m);
  });
  let nextId = 1;
  return {
    /** Starts polling; resolves {started: Promise, result: Promise}. */
    watch(name, value, timeoutMs) {
      const id = nextId++;
      let started;
      let done;
      const startedP = new Promise((r) => { started = r; });
      const result = new Promise((r) => { done = r; });
      waiters.set(id, { started, done });
      worker.postMessage({ id, name, value, timeoutMs });
      return { started: startedP, result };
    },
    async close() {
      worker.postMessage('close');
      await Promise.race([new Promise((r) => worker.once('exit', r)), sleep(2000)]);
      await worker.terminate();
    },
  };
}

/** Summary of single-change timings: {api, visible, visibleAfterApi, readYourWritesViolations, failed}. */
function summarizeChanges(rows, hasApi) {
  const ok = rows.filter((r) => r.seen);
  const out = {
    changes: rows.length,
    seen: ok.length,
    failed: rows.filter((r) => !r.seen).map((r) => r.error ?? 'not visible within the timeout').slice(0, 10),
    visibleMs: ok.length ? stats(ok.map((r) => r.visibleMs)) : null,
    pollsPerChange: ok.length ? median(ok.map((r) => r.polls)) : null,
    // every change, in order: [visible ms, API ms] (API ms null for Knot)
    samples: ok.map((r) => [round(r.visibleMs, 3), hasApi ? round(r.apiMs, 3) : null]),
  };
  if (hasApi) {
    out.apiMs = ok.length ? stats(ok.map((r) => r.apiMs)) : null;
    // > 0: the first answer with the record arrived after the API had answered
    out.visibleAfterApiMs = ok.length ? stats(ok.map((r) => r.visibleAfterApiMs)) : null;
    // a query sent after the API had answered still missed the record
    out.readYourWritesViolations = ok.filter((r) => r.staleAfterApi).length;
    // the server's own time per write (Server-Timing: request head parsed → reply; covers the
    // commit and the DNS apply, which precedes the reply), without network, client and wake-ups
    const server = ok.filter((r) => typeof r.serverMs === 'number');
    out.serverMs = server.length ? stats(server.map((r) => r.serverMs)) : null;
    out.within5ms = { visible: ok.filter((r) => r.visibleMs <= 5).length, server: server.filter((r) => r.serverMs <= 5).length };
  }
  return out;
}

/** zonekeeper: POST one new A record per change, poll UDP until it is there. */
async function zkChanges(server, ctx, opts, poller) {
  const agent = makeAgent(1);
  const headers = { authorization: `Bearer ${ctx.zkData.token}` };
  let zoneId = ctx.zkData.zoneId;
  if (!zoneId) {
    const list = await requestJson(agent, server.baseUrl, { method: 'GET', path: '/api/v2/dns-zones', headers }, 'list zones');
    const zones = list?.data ?? list?.zones ?? list ?? [];
    zoneId = (Array.isArray(zones) ? zones : []).find((z) => z.name === ctx.zone || z.name === `${ctx.zone}.`)?.id;
    if (!zoneId) throw new Error(`zone ${ctx.zone} not in GET /api/v2/dns-zones: ${JSON.stringify(list).slice(0, 300)}`);
  }
  const rows = [];
  const tag = randomBytes(3).toString('hex');
  // Unrecorded writes first, back to back and without polling: the first requests of a fresh
  // server pay for connection set-up, lazy code paths and the JIT (measured: p50 3.5 ms over the
  // first 60 writes, 1.6 ms after).
  // The timed writes go through a minimal client on one keep-alive connection (lib/raw-http.mjs):
  // node:http's own cost per request (~0.3-0.5 ms here) is client time, not change latency.
  const raw = await openRawClient(server.baseUrl);
  const post = (body) => raw.request('POST', `/api/v2/dns-zones/${zoneId}/records`, headers, body);
  for (let k = 0; k < opts.changeWarmup; k++) {
    const res = await post({ name: `warm${k}-${tag}`, type: 'A', value: v4(k), ttl: 300 });
    if (res.status < 200 || res.status > 299) throw new Error(`warm-up write answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  // and one change with polling, unrecorded too
  for (let k = 0; k <= opts.changes; k++) {
    const name = `chg${k}-${tag}`;
    const value = v4(100_000 + k);
    const w = poller.watch(`${name}.${ctx.zone}`, value, 10_000);
    await Promise.race([w.started, sleep(5000)]);
    const t0 = process.hrtime.bigint();
    let res;
    try {
      res = await post({ name, type: 'A', value, ttl: 300 });
    } catch (err) {
      res = { status: err.code ?? err.message, body: '' };
    }
    const tApi = process.hrtime.bigint();
    const p = await w.result;
    if (k === 0) continue;
    if (!(res.status >= 200 && res.status < 300)) {
      rows.push({ seen: false, error: `POST answered ${res.status}: ${String(res.body).slice(0, 200)}` });
      continue;
    }
    rows.push({
      seen: p.seen,
      apiMs: ms(t0, tApi),
      serverMs: res.serverMs ?? null,
      visibleMs: p.seen ? ms(t0, p.firstSeenRecv) : null,
      visibleAfterApiMs: p.seen ? ms(tApi, p.firstSeenRecv) : null,
      staleAfterApi: p.lastMissSent !== null && p.lastMissSent > tApi,
      polls: p.polls,
    });
    if (opts.pauseMs) await sleep(opts.pauseMs);
  }
  // The floor under any change latency measured this way: the same client, the same pause, a
  // request that changes nothing (GET /healthz: one store read) — loopback, wake-ups, HTTP.
  const floor = [];
  for (let k = 0; k < opts.changes; k++) {
    const t0 = process.hrtime.bigint();
    const res = await raw.request('GET', '/healthz', {});
    if (res.status === 200) floor.push(ms(t0, process.hrtime.bigint()));
    if (opts.pauseMs) await sleep(opts.pauseMs);
  }
  raw.close();
  agent.destroy();
  return { ...summarizeChanges(rows, true), idleRoundTripMs: floor.length ? stats(floor) : null };
}

/** Knot: knotc zone-begin / zone-set / zone-commit per change, poll UDP until it is there. */
async function knotChanges(server, ctx, opts, poller) {
  const knotc = which('knotc');
  if (!knotc) return { error: 'knotc not found' };
  const sock = join(server.dir, 'knot.sock');
  const run = (...args) => {
    const r = spawnSync(knotc, ['-s', sock, '-t', '60', ...args], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`knotc ${args.join(' ')}: ${(r.stdout + r.stderr).trim()}`);
  };
  const rows = [];
  const tag = randomBytes(3).toString('hex');
  for (let k = 0; k <= opts.knotChanges; k++) {
    const name = `chg${k}-${tag}`;
    const value = v4(100_000 + k);
    try {
      run('zone-begin', ctx.zone);
      run('zone-set', ctx.zone, name, '300', 'A', value);
    } catch (err) {
      rows.push({ seen: false, error: err.message });
      continue;
    }
    const w = poller.watch(`${name}.${ctx.zone}`, value, 60_000);
    await Promise.race([w.started, sleep(5000)]);
    const t0 = process.hrtime.bigint();
    let error = null;
    try {
      run('zone-commit', ctx.zone); // returns once the new zone version is in place
    } catch (err) {
      error = err.message;
    }
    const p = await w.result;
    if (k === 0) continue;
    rows.push({ seen: p.seen && !error, error, visibleMs: p.seen ? ms(t0, p.firstSeenRecv) : null, polls: p.polls });
  }
  return { how: 'knotc zone-begin + zone-set (untimed), then zone-commit; timed from the start of `knotc zone-commit`, which includes spawning knotc', ...summarizeChanges(rows, false) };
}

async function startAndMeasure(def, ctx, opts) {
  const server = def.kind === 'zk'
    ? await startZonekeeper({ dataDir: ctx.zkData.dir, records: opts.records, workers: def.workers, bin: opts.zkBin, extraArgs: opts.zkArgs, nodeArgs: opts.zkNodeArgs, echo: opts.verbose })
    : await def.start({ zone: ctx.zone, zoneFile: ctx.zoneFile, echo: opts.verbose });
  try {
    const probe = probeFor(ctx.zone, opts.records);
    const ready = await waitForAnswer(server.port, probe.name, probe.type, (r) => r.rcode === 'NOERROR' && r.answers.some((a) => a.data === probe.want), {
      t0: server.t0, timeoutMs: opts.startTimeoutS * 1000, intervalMs: 5, hasExited: server.hasExited,
    });
    const atReady = memoryOf(server.pid);
    await sleep(opts.settleS * 1000);
    if (!server.alive()) throw new Error(`server exited after answering: ${server.hasExited()}`);
    return { server, startupMs: round(ready.ms, 0), memoryAtReady: atReady, memory: memoryOf(server.pid) };
  } catch (err) {
    await server.stop();
    throw new Error(`${err.message}\n--- server output ---\n${server.tail.slice(-25).join('\n')}`);
  }
}

async function benchTarget(id, opts, ctx) {
  const def = TARGETS[id];
  const result = { target: id, label: def.label(ctx.machine), starts: [] };
  const t0 = Date.now();
  console.error(`\n== ${result.label}`);
  let last = null;
  try {
    if (def.kind === 'zk' && ctx.zkDataError) throw new Error(ctx.zkDataError);
    for (let s = 0; s < opts.starts; s++) {
      if (last) await last.server.stop();
      last = await startAndMeasure(def, ctx, opts);
      result.starts.push({ startupMs: last.startupMs, rssMiB: last.memory.rssMiB, pssMiB: last.memory.pssMiB, peakRssMiB: last.memory.peakRssMiB, processes: last.memory.processes, rssAtReadyMiB: last.memoryAtReady.rssMiB });
      console.error(`   start ${s + 1}: answering after ${last.startupMs} ms; RSS ${last.memory.rssMiB} MiB (PSS ${last.memory.pssMiB}, peak ${last.memory.peakRssMiB}, ${last.memory.processes.length} process(es))`);
      if (def.kind === 'zk' && s === 0) {
        result.command = last.server.command;
        result.udpIo = zkUdpIo(last.server.tail);
      }
      if (def.kind !== 'zk') result.config = last.server.config;
    }
    result.startupMs = median(result.starts.map((s) => s.startupMs));
    result.rssMiB = median(result.starts.map((s) => s.rssMiB));
    result.pssMiB = median(result.starts.map((s) => s.pssMiB));
    const wantChanges = def.kind === 'zk' ? opts.changes : def.kind === 'knot' ? opts.knotChanges : 0;
    if (wantChanges > 0) {
      result.load = loadSnapshot();
      const poller = await startPoller(last.server.port, opts.pollUs);
      try {
        result.changes = def.kind === 'zk' ? await zkChanges(last.server, ctx, opts, poller) : await knotChanges(last.server, ctx, opts, poller);
      } finally {
        await poller.close();
      }
      const c = result.changes;
      if (c.visibleMs) console.error(`   ${c.seen}/${c.changes} changes visible: p50 ${c.visibleMs.p50} ms, p99 ${c.visibleMs.p99} ms${c.apiMs ? `; API p50 ${c.apiMs.p50} ms, p99 ${c.apiMs.p99} ms; server p50 ${c.serverMs?.p50} ms, p99 ${c.serverMs?.p99} ms, max ${c.serverMs?.max} ms; within 5 ms: ${c.within5ms.visible} visible, ${c.within5ms.server} server; read-your-writes violations ${c.readYourWritesViolations}; idle GET /healthz round trip p50 ${c.idleRoundTripMs?.p50} ms, p99 ${c.idleRoundTripMs?.p99} ms` : ''}`);
      else console.error(`   changes: ${JSON.stringify(c).slice(0, 400)}`);
      result.memoryAfterChanges = memoryOf(last.server.pid);
    }
    if (!last.server.alive()) throw new Error(`server exited: ${last.server.hasExited()}`);
  } catch (err) {
    result.error = err.message;
    console.error(`   FAILED: ${err.message}`);
  } finally {
    await last?.server.stop();
  }
  result.wallSeconds = round((Date.now() - t0) / 1000, 1);
  return result;
}

const fmt = (x) => (x === null || x === undefined ? '–' : String(x));

function markdown(results, opts, ctx) {
  const knot = results.find((r) => r.target === 'knot' && !r.error);
  const lines = [
    `Zone ${ctx.zone}: ${opts.records} records (${(ctx.zoneBytes / 1e6).toFixed(1)} MB zone file). Startup = process spawn until the A of the zone's last host answers correctly. Memory ${opts.settleS} s after that.`,
    '',
    '| target | startup s | RSS MiB | vs Knot | PSS MiB | processes | peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (r.error && !r.starts.length) {
      lines.push(`| ${r.label} | FAILED: ${r.error.split('\n')[0].replace(/\|/g, '\\|').slice(0, 200)} |||||| `);
      continue;
    }
    const s0 = r.starts[0];
    lines.push(`| ${r.label} | ${(r.startupMs / 1000).toFixed(2)} | ${r.rssMiB} | ${knot ? `${(r.rssMiB / knot.rssMiB).toFixed(2)}×` : '–'} | ${r.pssMiB} | ${s0.processes.length} | ${s0.peakRssMiB} |`);
  }
  if (ctx.zkImport) {
    const i = ctx.zkImport;
    if (i.reused) lines.push('', `zonekeeper ran on the data folder ${i.reused} saved by an earlier run (--zk-data); the import below was measured then.`);
    lines.push('', i.error
      ? `zonekeeper import (\`zonekeeper zones import\`): FAILED after ${fmt(i.seconds)} s: ${i.error.split('\n')[0].slice(0, 300)}`
      : `zonekeeper import (\`zonekeeper zones import ${ctx.zone} FILE\`, timed alone): ${i.seconds} s, max RSS ${fmt(i.maxRssMiB)} MiB.`);
    const a = ctx.zkApiLoad;
    if (a) lines.push('', `The zonekeeper targets therefore ran on the same records written through the API: ${a.batches} × POST …/records/batch of ${a.batchSize} in ${a.seconds} s (batch p50 ${a.batchMs.p50} ms; first 10 avg ${a.batchMs.first10Avg} ms, last 10 avg ${a.batchMs.last10Avg} ms).`);
  }
  const withChanges = results.filter((r) => r.changes);
  if (withChanges.length) {
    lines.push('', 'Single record changes (a new A record each; visible = from the start of the write until the first UDP answer that holds it):', '');
    lines.push('| target | changes seen | visible p50 ms | visible p99 ms | max ms | within 5 ms | API p50 ms | API p99 ms | server p50 ms | server p99 ms | server max ms | idle round trip p50 / p99 ms | read-your-writes violations |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of withChanges) {
      const c = r.changes;
      if (!c.visibleMs) {
        lines.push(`| ${r.label} | ${fmt(c.seen)} / ${fmt(c.changes)} | – | – | – | – | – | – | – | – | – | – | ${c.error ?? c.failed?.[0] ?? ''} |`);
        continue;
      }
      const within = c.samples.filter(([v]) => v <= 5).length;
      const idle = c.idleRoundTripMs ? `${c.idleRoundTripMs.p50} / ${c.idleRoundTripMs.p99}` : '–';
      lines.push(`| ${r.label} | ${c.seen} / ${c.changes} | ${c.visibleMs.p50} | ${c.visibleMs.p99} | ${c.visibleMs.max} | ${within} | ${fmt(c.apiMs?.p50)} | ${fmt(c.apiMs?.p99)} | ${fmt(c.serverMs?.p50)} | ${fmt(c.serverMs?.p99)} | ${fmt(c.serverMs?.max)} | ${idle} | ${fmt(c.readYourWritesViolations)} |`);
    }
  }
  return lines.join('\n');
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const bound = boundRun(opts.timeoutS);
  const startedAt = new Date().toISOString();
  const machine = machineInfo({ zkBin: opts.zkBin });
  console.error(`machine: ${machine.nproc} CPU(s), ${machine.cpuModel}, load ${machine.atStart.loadAverage.join(' ')}; knot ${machine.knot}, pdns ${machine.pdns}`);
  const busy = machine.atStart;
  if (busy.loadAverage[0] >= 1 || busy.machineCpuBusyPercent >= 20) console.error(`warning: the machine is busy (load average ${busy.loadAverage[0]}, CPUs ${busy.machineCpuBusyPercent}% busy over the last second: ${busy.topCpuLastSecond.join('; ')}); numbers will be low`);

  const zone = DEFAULT_ZONE;
  const { dir } = makeTempDir('zk-bench-bigzone-');
  const zoneFile = join(dir, `${zone}.zone`);
  const tz = Date.now();
  const z = await writeZoneFile(zoneFile, { zone, records: opts.records });
  console.error(`zone: ${opts.records} records, ${(z.bytes / 1e6).toFixed(1)} MB, written in ${((Date.now() - tz) / 1000).toFixed(1)} s`);
  const ctx = { machine, zone, zoneFile, zoneBytes: z.bytes };

  const results = [];
  for (const id of opts.targets) {
    if (Date.now() > bound.deadline) {
      results.push({ target: id, label: TARGETS[id].label(machine), starts: [], error: 'skipped: --timeout reached' });
      continue;
    }
    if (TARGETS[id].kind === 'zk' && !ctx.zkData && !ctx.zkDataError && opts.zkData) {
      // a data folder kept by an earlier --save-zk-data: no import this time
      const saved = JSON.parse(readFileSync(join(opts.zkData, SAVED_INFO), 'utf8'));
      if (saved.records !== opts.records || saved.zone !== zone) throw new Error(`--zk-data ${opts.zkData} holds ${saved.records} records of ${saved.zone}, not ${opts.records} of ${zone}`);
      ctx.zkData = { dir: opts.zkData, token: saved.token, zoneId: saved.zoneId };
      ctx.zkImport = { reused: opts.zkData, ...saved.import };
      ctx.zkApiLoad = saved.apiLoad;
      console.error(`\n== zonekeeper: using the data folder ${opts.zkData} (saved ${saved.savedAt}); no import`);
    }
    if (TARGETS[id].kind === 'zk' && !ctx.zkData && !ctx.zkDataError) {
      console.error(`\n== zonekeeper: keys create + zones import of ${opts.records} records (timed alone; limit ${opts.importTimeoutS} s)`);
      try {
        ctx.zkData = await prepareZonekeeper({ zone, zoneFile, records: opts.records, bin: opts.zkBin, importTimeoutS: opts.importTimeoutS, fallback: opts.zkFallback, echo: opts.verbose, log: (m) => console.error(`   ${m}`) });
        ctx.zkImport = ctx.zkData.import;
        ctx.zkApiLoad = ctx.zkData.apiLoad;
        if (opts.saveZkData) {
          mkdirSync(opts.saveZkData, { recursive: true });
          cpSync(ctx.zkData.dir, opts.saveZkData, { recursive: true });
          const { token, zoneId } = ctx.zkData;
          writeFileSync(join(opts.saveZkData, SAVED_INFO), JSON.stringify({ zone, records: opts.records, token, zoneId, import: ctx.zkImport, apiLoad: ctx.zkApiLoad, savedAt: new Date().toISOString() }, null, 2));
          console.error(`   data folder saved to ${opts.saveZkData} (reuse: --zk-data ${opts.saveZkData})`);
        }
      } catch (err) {
        ctx.zkDataError = err.message;
        ctx.zkImport = err.import ?? { error: err.message };
      }
    }
    results.push(await benchTarget(id, opts, ctx));
  }
  const md = markdown(results, opts, ctx);
  console.log(`\n${md}`);
  const report = {
    benchmark: 'dns-big-zone',
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `node bench/dns/big-zone.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    zonekeeperBin: opts.zkBin ?? 'bin/zonekeeper.js',
    atEnd: loadSnapshot(),
    workload: { zone, records: opts.records, zoneFileBytes: z.bytes, starts: opts.starts, settleSeconds: opts.settleS, changes: opts.changes, knotChanges: opts.knotChanges, pollIntervalUs: opts.pollUs, pauseBetweenChangesMs: opts.pauseMs, changeWarmupWrites: opts.changeWarmup },
    zonekeeperImport: ctx.zkImport ?? null,
    zonekeeperApiLoad: ctx.zkApiLoad ?? null,
    results,
    markdown: md,
  };
  if (opts.out) writeResults(opts.out, report);
  await releaseAll();
  bound.clear();
  return results.some((r) => r.error) ? 2 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    console.error(`bench: ${err.stack ?? err.message}`);
    await releaseAll();
    process.exitCode = 1;
  },
);
