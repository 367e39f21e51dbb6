#!/usr/bin/env node
// bench/dyndns: sustained DynDNS updates/s with distinct configurations, every update durable and
// visible in DNS; update-to-DNS latency under that load; side by side with PowerDNS's HTTP API
// doing the same change (replace one host's A RRset). See bench/README.md ("bench/dyndns").
//
// zonekeeper: `zonekeeper serve` on a fresh SQLite (or PostgreSQL) store; N configurations over Z
// zones; wrk sends dyndns2 updates (GET /nic/update, Basic auth) round robin, each a new address.
// While it runs, a probe updates its own configuration every --probe-ms and times the update until
// a UDP query answers the new address. Afterwards every acknowledged update is checked: the sum of
// updateCount equals the "good" answers, and DNS answers each configuration's lastIp — then again
// after the server was killed with SIGKILL and restarted (durability).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, makeAgent, requestJson, waitForHttp } from '../api/lib/http.mjs';
import { makeTempDir, releaseAll, runSync, startChild, which } from '../api/lib/procs.mjs';
import { openRawClient } from '../api/lib/raw-http.mjs';
import { startPdns } from '../api/pdns.mjs';
import { boundRun, intOption, machineInfo, RESULTS_DIR, sleep, utcStamp, writeResults } from '../dns/lib/common.mjs';
import { openClient } from '../dns/lib/dnsclient.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..');
const ZK_BIN = join(REPO_ROOT, 'bin', 'zonekeeper.js');

const USAGE = `usage: node bench/dyndns/run.mjs [options]
  --targets LIST      zk-sqlite,zk-postgres,pdns (default zk-sqlite,pdns)
  --configs N         DynDNS configurations (distinct host names) (default 5000)
  --zones N           zones they are spread over (default 10)
  --connections N     concurrent HTTP connections of wrk (default 32)
  --duration S        measured seconds (default 20)
  --warmup S          unmeasured seconds before (default 5)
  --probe-ms N        the latency probe sends one update every N ms (default 50)
  --paced-rate N      also run a paced load of about N updates/s (each connection waits between
                      requests) to show latency at that rate rather than flat out; 0 = off (default 2000)
  --pg-url URL        PostgreSQL admin URL for zk-postgres (default postgres://postgres@127.0.0.1:5432/postgres)
  --no-restart        skip the kill -9 / restart durability check
  --timeout S         give up after S seconds (default 900)
  --out FILE          JSON results (default bench/results/dyndns-<UTC timestamp>.json)
  --no-json           do not write the JSON file
  --verbose           echo server output`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string', default: 'zk-sqlite,pdns' },
      configs: { type: 'string', default: '5000' },
      zones: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      'probe-ms': { type: 'string', default: '50' },
      'paced-rate': { type: 'string', default: '2000' },
      'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      'no-restart': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '900' },
      out: { type: 'string' },
      'no-json': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const targets = values.targets.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of targets) if (!['zk-sqlite', 'zk-postgres', 'pdns'].includes(t)) throw new Error(`unknown target ${t}\n${USAGE}`);
  return {
    targets,
    configs: intOption('configs', values.configs),
    zones: intOption('zones', values.zones),
    connections: intOption('connections', values.connections),
    duration: intOption('duration', values.duration),
    warmup: intOption('warmup', values.warmup, 0),
    probeMs: intOption('probe-ms', values['probe-ms']),
    pacedRate: intOption('paced-rate', values['paced-rate'], 0),
    pgUrl: values['pg-url'],
    restart: !values['no-restart'],
    timeout: intOption('timeout', values.timeout),
    out: values['no-json'] ? null : (values.out ?? join(RESULTS_DIR, `dyndns-${utcStamp()}.json`)),
    verbose: values.verbose,
  };
}

const pct = (xs, p) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 1000) / 1000;
};

/** Runs wrk once (asynchronously: the probe runs meanwhile); resolves with its WRK_JSON summary. */
function wrk(script, url, args, { connections, seconds }) {
  const argv = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url, '--', ...args];
  return new Promise((resolveRun, reject) => {
    execFile(which('wrk'), argv, { timeout: (seconds + 60) * 1000 }, (err, stdout, stderr) => {
      const line = (stdout ?? '').split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (err || !line) reject(new Error(`wrk failed (${err?.message ?? 'no summary'}): ${(stderr || stdout).slice(0, 800)}`));
      else resolveRun(JSON.parse(line.slice('WRK_JSON '.length)));
    });
  });
}

/** Many JSON requests with a few connections; resolves with the parsed bodies in order. */
async function parallel(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

// --- zonekeeper ----------------------------------------------------------------------------------

async function startZk(dir, dbArgs, opts, { first }) {
  const port = await freePort();
  const dnsPort = await freePort({ udp: true });
  const args = [ZK_BIN, 'serve', '--data', dir, ...dbArgs, '--http', `127.0.0.1:${port}`, '--dns', `127.0.0.1:${dnsPort}`, '--rate-limit', 'off', '--dyndns-rate-limit', 'off', '--log-level', 'warn'];
  const proc = startChild('zonekeeper', process.execPath, args, { cwd: REPO_ROOT, echo: opts.verbose });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(baseUrl, '/healthz', { timeoutMs: 60_000, hasExited: () => (proc.exitInfo ? JSON.stringify(proc.exitInfo) : null) });
  let token = null;
  if (first) {
    token = proc.tail.map((l) => /^\s+(zk_[A-Za-z0-9_-]{20,})\s*$/.exec(l)?.[1]).find(Boolean);
    if (!token) throw new Error(`no admin key in the first start's output:\n${proc.tail.slice(-20).join('\n')}`);
  }
  return { proc, baseUrl, dnsPort, token, args };
}

async function setupZk(server, opts, dir) {
  const agent = makeAgent(16);
  const headers = { authorization: `Bearer ${server.token}` };
  const tag = randomBytes(3).toString('hex');
  const zones = await parallel(Array.from({ length: opts.zones }, (_, i) => `dyn${i}-${tag}.example.test`), 4, (name) =>
    requestJson(agent, server.baseUrl, { method: 'POST', path: '/api/v2/dns-zones', headers, body: { name } }, `create zone ${name}`),
  );
  const hosts = Array.from({ length: opts.configs + 1 }, (_, i) => ({ zone: zones[i % zones.length], host: `h${i}.${zones[i % zones.length].name}` }));
  const t0 = Date.now();
  const configs = await parallel(hosts, 16, ({ zone, host }) =>
    requestJson(agent, server.baseUrl, { method: 'POST', path: `/api/v2/domains/${zone.domainId}/dyndns`, headers, body: { hostname: host, recordType: 'A' } }, `create config ${host}`),
  );
  const setupSeconds = (Date.now() - t0) / 1000;
  agent.destroy();
  const probe = configs.pop(); // the probe's own configuration, not in wrk's list
  const file = join(dir, 'configs.txt');
  writeFileSync(file, configs.map((c) => `${c.hostname} ${Buffer.from(`${c.hostname}:${c.token}`).toString('base64')}`).join('\n') + '\n');
  return { zones, configs, probe, file, setupSeconds, headers };
}

/** Updates the probe configuration every `everyMs` and times each until DNS answers it. */
function startProbe(server, probe, everyMs, first = 0) {
  const samples = [];
  let stale = 0;
  let failed = 0;
  let stop = false;
  const run = (async () => {
    const http = await openRawClient(server.baseUrl);
    const dns = await openClient(server.dnsPort);
    const auth = { authorization: `Basic ${Buffer.from(`${probe.hostname}:${probe.token}`).toString('base64')}` };
    for (let k = 0; !stop; k++) {
      const ip = `203.0.113.${((first + k) % 250) + 1}`;
      const t0 = process.hrtime.bigint();
      const res = await http.request('GET', `/nic/update?hostname=${probe.hostname}&myip=${ip}`, auth);
      if (res.status !== 200 || !/^(good|nochg) /.test(res.body)) {
        failed++;
      } else {
        // The reply comes only once DNS serves the change: the first query must already see it.
        const answer = await dns.query(probe.hostname, 'A', { timeoutMs: 1000 }).catch(() => null);
        const t1 = process.hrtime.bigint();
        if (answer && answer.answers.some((a) => a.data === ip)) samples.push({ ms: Number(t1 - t0) / 1e6, replyMs: res.serverMs });
        else stale++;
      }
      await sleep(everyMs);
    }
    http.close();
    dns.close();
  })();
  return {
    async finish() {
      stop = true;
      await run;
      const ms = samples.map((s) => s.ms);
      return { updates: samples.length + stale + failed, visible: samples.length, staleAfterReply: stale, failed, updateToDnsMs: { p50: pct(ms, 50), p90: pct(ms, 90), p99: pct(ms, 99), max: ms.length ? Math.max(...ms) : null } };
    },
  };
}

/** Every configuration: the sum of updateCount, and whether DNS answers its lastIp. */
async function verify(server, setup) {
  const agent = makeAgent(8);
  const lists = await parallel(setup.zones, 4, (z) => requestJson(agent, server.baseUrl, { method: 'GET', path: `/api/v2/domains/${z.domainId}/dyndns`, headers: setup.headers }, 'list configs'));
  agent.destroy();
  const all = lists.flatMap((l) => l.configs).filter((c) => c.id !== setup.probe.id);
  const dns = await openClient(server.dnsPort);
  let mismatched = 0;
  const examples = [];
  await parallel(all, 32, async (c) => {
    // UDP may drop a packet under load: three tries before a name counts as unanswered.
    const r = await dns.query(c.hostname, 'A', { timeoutMs: 2000 }).catch(() => dns.query(c.hostname, 'A', { timeoutMs: 2000 })).catch(() => dns.query(c.hostname, 'A', { timeoutMs: 2000 }));
    const got = r.answers.filter((a) => a.type === 'A').map((a) => a.data);
    const want = c.lastIp === null ? [] : [c.lastIp];
    if (got.join() !== want.join()) {
      mismatched++;
      if (examples.length < 5) examples.push({ host: c.hostname, dns: got, lastIp: c.lastIp });
    }
  });
  dns.close();
  return { configs: all.length, updateCountSum: all.reduce((s, c) => s + c.updateCount, 0), dnsMismatches: mismatched, examples };
}

async function benchZk(backend, opts) {
  const { dir } = makeTempDir(`zk-bench-dyndns-${backend}-`);
  const dbArgs = [];
  if (backend === 'postgres') {
    const name = `zk_bench_dyndns_${randomBytes(4).toString('hex')}`;
    const psql = (sql) => runSync(which('psql'), [opts.pgUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]);
    const made = psql(`CREATE DATABASE ${name}`);
    if (made.status !== 0) throw new Error(`cannot create the PostgreSQL database: ${made.stderr}`);
    const u = new URL(opts.pgUrl);
    u.pathname = `/${name}`;
    dbArgs.push('--database-url', u.toString());
  }
  let server = await startZk(dir, dbArgs, opts, { first: true });
  const setup = await setupZk(server, opts, dir);
  console.error(`   ${setup.configs.length} configurations over ${setup.zones.length} zones created in ${setup.setupSeconds.toFixed(1)} s`);
  const url = server.baseUrl;
  let offset = 0;
  const rounds = (n) => Math.ceil(n / setup.configs.length) + 1;
  const warm = opts.warmup > 0 ? await wrk(join(HERE, 'wrk-update.lua'), url, [setup.file, String(offset)], { connections: opts.connections, seconds: opts.warmup }) : null;
  if (warm) offset += rounds(warm.requests);
  const probe = startProbe(server, setup.probe, opts.probeMs);
  const main = await wrk(join(HERE, 'wrk-update.lua'), url, [setup.file, String(offset)], { connections: opts.connections, seconds: opts.duration });
  offset += rounds(main.requests);
  const probeResult = await probe.finish();
  let paced = null;
  let extraGood = 0; // the calibration run's updates
  if (opts.pacedRate > 0) {
    // Each connection waits before each request; rate = C / (wait + reply time). The reply time
    // grows with the rate (queueing), so two 3 s runs measure it and set the wait for the target;
    // 64 connections make the rate less sensitive to it than 32.
    const conns = Math.max(64, opts.connections);
    const cycleMs = (conns * 1000) / opts.pacedRate;
    let paceMs = Math.max(1, Math.round(cycleMs - 2));
    for (let i = 0; i < 2; i++) {
      const calib = await wrk(join(HERE, 'wrk-update.lua'), url, [setup.file, String(offset), String(paceMs)], { connections: conns, seconds: 3 });
      offset += rounds(calib.requests);
      extraGood += calib.good;
      const replyMs = (conns * 1000) / (calib.requests / (calib.durationUs / 1e6)) - paceMs;
      paceMs = Math.max(1, Math.round(cycleMs - replyMs));
    }
    const pacedProbe = startProbe(server, setup.probe, opts.probeMs, 100);
    const run = await wrk(join(HERE, 'wrk-update.lua'), url, [setup.file, String(offset), String(paceMs)], { connections: conns, seconds: opts.duration });
    offset += rounds(run.requests);
    paced = { targetRate: opts.pacedRate, connections: conns, paceMs, measured: run, updatesPerSecond: Math.round((run.good / (run.durationUs / 1e6)) * 10) / 10, probe: await pacedProbe.finish() };
  }
  const acknowledged = (warm?.good ?? 0) + main.good + (paced?.measured.good ?? 0) + extraGood;
  const inFlightMax = opts.connections * ((warm ? 1 : 0) + 1) + (paced ? paced.connections * 3 : 0);
  const before = await verify(server, setup);
  let afterRestart = null;
  if (opts.restart) {
    // kill -9 the whole process group, then start again on the same data
    process.kill(-server.proc.child.pid, 'SIGKILL');
    await server.proc.exited;
    await server.proc.stop();
    const t0 = Date.now();
    server = await startZk(dir, dbArgs, opts, { first: false });
    const httpSeconds = (Date.now() - t0) / 1000;
    // HTTP answers before DNS has loaded the zones: wait for DNS too.
    const dns = await openClient(server.dnsPort);
    for (const until = Date.now() + 60_000; ; ) {
      const r = await dns.query(setup.probe.hostname, 'A', { timeoutMs: 200 }).catch(() => null);
      if (r && r.rcode === 'NOERROR') break;
      if (Date.now() > until) throw new Error('DNS did not answer within 60 s of the restart');
      await sleep(20);
    }
    dns.close();
    afterRestart = { ...(await verify(server, setup)), restartToHttpSeconds: httpSeconds, restartToDnsSeconds: (Date.now() - t0) / 1000 };
  }
  await server.proc.stop();
  return {
    backend,
    configs: setup.configs.length,
    zones: setup.zones.length,
    setupSeconds: setup.setupSeconds,
    warmup: warm,
    measured: main,
    updatesPerSecond: Math.round((main.good / (main.durationUs / 1e6)) * 10) / 10,
    probe: probeResult,
    acknowledgedGood: acknowledged,
    verify: before,
    afterKill9Restart: afterRestart,
    // wrk stops counting at the end of each run while up to `connections` updates are in flight:
    // those commit too, so the store may hold up to that many more than the acknowledged ones.
    inFlightAtStopMax: inFlightMax,
    paced,
    durableAndVisible: [before, afterRestart].every((v) => v === null || (v.updateCountSum >= acknowledged && v.updateCountSum <= acknowledged + inFlightMax && v.dnsMismatches === 0)),
  };
}

// --- PowerDNS ------------------------------------------------------------------------------------

async function benchPdns(opts) {
  const pdns = await startPdns({ echo: opts.verbose });
  const agent = makeAgent(4);
  const tag = randomBytes(3).toString('hex');
  const zones = Array.from({ length: opts.zones }, (_, i) => `dyn${i}-${tag}.example.test.`);
  for (const z of zones) {
    await requestJson(agent, pdns.baseUrl, { method: 'POST', path: '/api/v1/servers/localhost/zones', headers: pdns.headers, body: { name: z, kind: 'Native', nameservers: ['ns1.example.net.', 'ns2.example.net.'] } }, `create ${z}`);
  }
  agent.destroy();
  const { dir } = makeTempDir('zk-bench-dyndns-pdns-');
  const file = join(dir, 'hosts.txt');
  writeFileSync(file, Array.from({ length: opts.configs }, (_, i) => `${zones[i % zones.length]} h${i}.${zones[i % zones.length]}`).join('\n') + '\n');
  const out = {};
  for (const c of [...new Set([1, opts.connections])]) {
    // PowerDNS's gsqlite3 answers "database is locked" to concurrent writes; one client is its best case.
    const warm = opts.warmup > 0 ? await wrk(join(HERE, 'wrk-pdns.lua'), pdns.baseUrl, [file, pdns.apiKey, String(c * 1000)], { connections: c, seconds: opts.warmup }) : null;
    const main = await wrk(join(HERE, 'wrk-pdns.lua'), pdns.baseUrl, [file, pdns.apiKey, String(c * 1000 + 500)], { connections: c, seconds: opts.duration });
    out[`c${c}`] = { connections: c, warmup: warm, measured: main, updatesPerSecond: Math.round((main.good / (main.durationUs / 1e6)) * 10) / 10 };
    console.error(`   PowerDNS, ${c} connection(s): ${out[`c${c}`].updatesPerSecond} updates/s, ${main.non200} failed, p99 ${(main.latencyUs.p99 / 1000).toFixed(1)} ms`);
  }
  await pdns.stop();
  return { version: pdns.version, ...out };
}

// --- main ----------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (!which('wrk')) throw new Error('wrk not found: sudo scripts/install-test-deps.sh scripts/bench-packages.txt');
  const bound = boundRun(opts.timeout);
  const machine = machineInfo({ zkBin: ZK_BIN });
  console.error(`machine: ${JSON.stringify(machine).slice(0, 300)}`);
  const results = {};
  for (const t of opts.targets) {
    console.error(`\n== ${t}`);
    if (t === 'pdns') results.pdns = await benchPdns(opts);
    else {
      const r = await benchZk(t === 'zk-postgres' ? 'postgres' : 'sqlite', opts);
      results[t] = r;
      console.error(`   ${r.updatesPerSecond} updates/s (${r.measured.good} good, ${r.measured.non200 + r.measured.other} not good, ${r.measured.nochg} nochg); reply p50 ${(r.measured.latencyUs.p50 / 1000).toFixed(1)} ms, p99 ${(r.measured.latencyUs.p99 / 1000).toFixed(1)} ms`);
      console.error(`   probe: ${r.probe.visible}/${r.probe.updates} visible at once, update→DNS p50 ${r.probe.updateToDnsMs.p50} ms, p99 ${r.probe.updateToDnsMs.p99} ms, max ${r.probe.updateToDnsMs.max} ms`);
      if (r.paced) console.error(`   paced at ~${r.paced.targetRate}/s: ${r.paced.updatesPerSecond} updates/s, reply p50 ${(r.paced.measured.latencyUs.p50 / 1000).toFixed(1)} ms, p99 ${(r.paced.measured.latencyUs.p99 / 1000).toFixed(1)} ms; probe update→DNS p50 ${r.paced.probe.updateToDnsMs.p50} ms, p99 ${r.paced.probe.updateToDnsMs.p99} ms`);
      console.error(`   durable and visible: ${r.durableAndVisible}; ${r.acknowledgedGood} acknowledged (+ at most ${r.inFlightAtStopMax} in flight at wrk's stop), updateCount sum ${r.verify.updateCountSum}, DNS mismatches ${r.verify.dnsMismatches}` + (r.afterKill9Restart ? `; after kill -9 + restart: sum ${r.afterKill9Restart.updateCountSum}, mismatches ${r.afterKill9Restart.dnsMismatches}` : ''));
    }
  }
  const report = { date: new Date().toISOString(), command: `node bench/dyndns/run.mjs ${process.argv.slice(2).join(' ')}`.trim(), machine, options: { ...opts, out: undefined }, results };
  if (opts.out) writeResults(opts.out, report);
  bound.clear();
}

main()
  .catch((err) => {
    console.error(`bench/dyndns: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  })
  .finally(() => releaseAll());
