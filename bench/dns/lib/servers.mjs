// The DNS servers under test, each started on free loopback ports from a temp dir, in the
// foreground, as a child of the harness (bench/api/lib/procs.mjs: own process group, bounded by
// coreutils `timeout`, killed at the end and on every way out).
//
//   knot      Knot DNS (knotd) with a textual config; udpWorkers: 1 or null (= Knot's default,
//             one UDP worker per CPU)
//   pdns      PowerDNS Authoritative, bind backend, every cache setting at its default
//   zonekeeper `zonekeeper serve --dns` on a copy of a data folder the zone was imported into
//
// start*() resolve as soon as the process is spawned (with t0 = its spawn time); readiness is the
// caller's business (waitForAnswer on a record of the zone), so startup can be timed the same way
// for every server.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, makeAgent, request, requestJson, waitForHttp } from '../../api/lib/http.mjs';
import { makeTempDir, runSync, startChild, which } from '../../api/lib/procs.mjs';
import { groupRecords, groupsFor } from './zone.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const INSTALL_HINT = 'sudo scripts/install-test-deps.sh scripts/bench-packages.txt   (dnsperf, knot, pdns-server, pdns-backend-bind)';

function need(cmd, pkg) {
  const bin = which(cmd);
  if (!bin) throw new Error(`${cmd} not found (Debian package ${pkg}). Install the peers with:\n  ${INSTALL_HINT}`);
  return bin;
}

/** What every start*() returns; stop() ends the process group, then removes its temp dir. */
function handle(proc, releaseDir, extra) {
  return {
    pid: proc.child.pid, // the `timeout` wrapper; procstat.mjs looks below it
    tail: proc.tail,
    problems: proc.problems,
    alive: () => !proc.exitInfo,
    hasExited: () => (proc.exitInfo ? JSON.stringify(proc.exitInfo) : null),
    exited: proc.exited,
    stop: async () => {
      await proc.stop();
      await releaseDir?.();
    },
    ...extra,
  };
}

// ---------------------------------------------------------------- Knot DNS

export function knotVersion() {
  if (!which('knotd')) return null;
  const r = runSync('knotd', ['--version'], { timeoutMs: 10_000 });
  return /version (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

export function knotConf({ dir, port, zone, zoneFile, udpWorkers }) {
  return [
    'server:',
    `    rundir: "${dir}"`,
    `    listen: 127.0.0.1@${port}`,
    ...(udpWorkers ? [`    udp-workers: ${udpWorkers}`] : []),
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `    storage: "${dir}"`,
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    // never write the zone back into our generated file, and keep no journal of it
    '    zonefile-sync: -1',
    '    journal-content: none',
    'zone:',
    `  - domain: ${zone}`,
    `    file: "${zoneFile}"`,
    '',
  ].join('\n');
}

export async function startKnot({ zone, zoneFile, udpWorkers = null, echo = false }) {
  const bin = need('knotd', 'knot');
  const { dir, release } = makeTempDir('zk-bench-knot-');
  const port = await freePort({ udp: true });
  const conf = knotConf({ dir, port, zone, zoneFile: resolve(zoneFile), udpWorkers });
  writeFileSync(join(dir, 'knot.conf'), conf);
  const t0 = process.hrtime.bigint();
  const proc = startChild('knotd', bin, ['-c', join(dir, 'knot.conf'), '-s', join(dir, 'knot.sock')], { echo });
  return handle(proc, release, { port, t0, dir, config: conf.replaceAll(dir, '<tmp>') });
}

// ---------------------------------------------------------------- PowerDNS (bind backend)

export function pdnsVersion() {
  if (!which('pdns_server')) return null;
  const r = runSync('pdns_server', ['--no-config', '--version'], { timeoutMs: 10_000 });
  return /PowerDNS Authoritative Server (\S+)/.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'unknown';
}

function findBindBackend() {
  const listed = runSync('dpkg-query', ['-L', 'pdns-backend-bind'], { timeoutMs: 10_000 });
  const p = listed.stdout.split('\n').find((l) => l.endsWith('/libbindbackend.so'));
  if (p && existsSync(p)) return p;
  for (const c of ['/usr/lib/x86_64-linux-gnu/pdns/libbindbackend.so', '/usr/lib/aarch64-linux-gnu/pdns/libbindbackend.so', '/usr/lib/pdns/libbindbackend.so']) {
    if (existsSync(c)) return c;
  }
  return null;
}

export function pdnsConf({ dir, port }) {
  // Only what a throwaway loopback instance needs. Every cache and thread setting keeps the
  // default of the packaged 4.7 (Debian ships no override of them): cache-ttl=20 (packet cache),
  // negquery-cache-ttl=60, query-cache-ttl=20, max-packet-cache-entries=1000000,
  // receiver-threads=1, distributor-threads=3, reuseport=no.
  return [
    'launch=bind',
    `bind-config=${dir}/named.conf`,
    'local-address=127.0.0.1',
    `local-port=${port}`,
    'daemon=no',
    'guardian=no',
    'write-pid=no',
    `socket-dir=${dir}`,
    'disable-syslog=yes',
    'log-timestamp=no',
    'loglevel=4',
    'webserver=no',
    'security-poll-suffix=',
    '',
  ].join('\n');
}

export async function startPdns({ zone, zoneFile, echo = false }) {
  const bin = need('pdns_server', 'pdns-server');
  if (!findBindBackend()) throw new Error(`PowerDNS bind backend (libbindbackend.so) not found. Install the peers with:\n  ${INSTALL_HINT}`);
  const { dir, release } = makeTempDir('zk-bench-pdns-bind-');
  const port = await freePort({ udp: true });
  const conf = pdnsConf({ dir, port });
  writeFileSync(join(dir, 'pdns.conf'), conf);
  writeFileSync(join(dir, 'named.conf'), `zone "${zone}" { type master; file "${resolve(zoneFile)}"; };\n`);
  const t0 = process.hrtime.bigint();
  const proc = startChild('pdns', bin, [`--config-dir=${dir}`], { echo });
  return handle(proc, release, { port, t0, dir, config: conf.replaceAll(dir, '<tmp>') });
}

// ---------------------------------------------------------------- zonekeeper

export const ZK_BIN = join(REPO_ROOT, 'bin', 'zonekeeper.js');

export function checkZonekeeperBuilt(bin = ZK_BIN) {
  if (!existsSync(bin)) throw new Error(`zonekeeper CLI not found at ${bin}`);
  if (bin === ZK_BIN && !existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error(`zonekeeper is not built (dist/cli/main.js missing): run \`npm run build\` in ${REPO_ROOT}`);
  }
}

export function zkEnv(records) {
  // the default record limit per zone is 100,000; the bench zone may be bigger
  return { ZONEKEEPER_RATE_LIMIT: 'off', ZONEKEEPER_MAX_RECORDS_PER_ZONE: String(Math.max(100_000, records + 10_000)) };
}

function parseJsonLine(stdout) {
  for (const text of [stdout.trim(), ...stdout.trim().split('\n').reverse()]) {
    if (!text.startsWith('{')) continue;
    try {
      return JSON.parse(text);
    } catch {
      // next
    }
  }
  return null;
}

/**
 * A data folder with an API key and the zone imported through the CLI, as a user would do it.
 * Returns {dir, token, zoneId, import: {seconds, maxRssMiB, report}}. The import is timed alone.
 * When the import fails, the error carries `dir` and `token` (the key exists), so the caller can
 * load the zone another way (loadZonekeeperViaApi).
 */
export function prepareZonekeeperData({ zone, zoneFile, records, bin = ZK_BIN, importTimeoutS = 900 }) {
  checkZonekeeperBuilt(bin);
  const { dir } = makeTempDir('zk-bench-dns-data-');
  const env = zkEnv(records);
  const keyArgs = ['keys', 'create', '--data', dir, '--name', 'bench', '--scopes', 'read:dns,write:dns', '--json'];
  const made = runSync(process.execPath, [bin, ...keyArgs], { env, cwd: REPO_ROOT, timeoutMs: 60_000 });
  if (made.status !== 0) throw new Error(`\`zonekeeper ${keyArgs.join(' ')}\` exited ${made.status}: ${(made.stderr || made.stdout).trim().slice(0, 800)}`);
  const key = parseJsonLine(made.stdout);
  const token = key?.token ?? key?.data?.token;
  if (!token) throw new Error(`\`zonekeeper keys create --json\` printed no token: ${made.stdout.slice(0, 300)}`);

  const importArgs = ['zones', 'import', zone, resolve(zoneFile), '--data', dir, '--json'];
  const timeBin = which('time') ?? (existsSync('/usr/bin/time') ? '/usr/bin/time' : null);
  const timeFile = join(dir, 'import.time');
  const [cmd, args] = timeBin
    ? [timeBin, ['-f', '%e %M', '-o', timeFile, process.execPath, bin, ...importArgs]]
    : [process.execPath, [bin, ...importArgs]];
  const t0 = process.hrtime.bigint();
  const r = runSync(cmd, args, { env, cwd: REPO_ROOT, timeoutMs: importTimeoutS * 1000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    const why = r.status === null ? `killed after ${importTimeoutS} s (--import-timeout)` : `exited ${r.status}`;
    const err = new Error(`\`zonekeeper ${importArgs.join(' ')}\` ${why}: ${(r.stderr || r.stdout).trim().slice(-800)}`);
    err.importSeconds = seconds;
    err.dir = dir;
    err.token = token;
    throw err;
  }
  let maxRssMiB = null;
  if (timeBin && existsSync(timeFile)) {
    const [, kb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/);
    maxRssMiB = Number((Number(kb) / 1024).toFixed(1));
  }
  const report = parseJsonLine(r.stdout);
  return {
    dir,
    token,
    zoneId: report?.zoneId ?? null,
    import: { seconds: Number(seconds.toFixed(2)), maxRssMiB, report: report && { added: report.added, ignored: report.ignored?.length } },
  };
}

/** `zonekeeper serve` on a private copy of `dataDir` (so every start sees the same store). */
export async function startZonekeeper({ dataDir, records, workers = 0, bin = ZK_BIN, extraArgs = [], nodeArgs = [], echo = false, copy = true }) {
  checkZonekeeperBuilt(bin);
  let dir = dataDir;
  let release = null;
  if (copy) {
    ({ dir, release } = makeTempDir(`zk-bench-dns-w${workers}-`));
    cpSync(dataDir, dir, { recursive: true });
  }
  const httpPort = await freePort();
  const port = await freePort({ udp: true });
  const args = [...nodeArgs, bin, 'serve', '--data', dir, '--http', `127.0.0.1:${httpPort}`, '--dns', `127.0.0.1:${port}`, '--dns-workers', String(workers), ...extraArgs];
  const t0 = process.hrtime.bigint();
  const proc = startChild(`zk-w${workers}`, process.execPath, args, { env: zkEnv(records), cwd: REPO_ROOT, echo });
  return handle(proc, release, {
    port,
    t0,
    dir,
    baseUrl: `http://127.0.0.1:${httpPort}`,
    command: `node ${args.join(' ').replaceAll(dir, '<data>').replace(String(httpPort), '<port>').replace(String(port), '<port>')}`,
  });
}

/**
 * The same zone written through the HTTP API instead of `zones import`: POST /api/v2/dns-zones,
 * then POST …/records/batch with `batchSize` records per atomic batch (the API's maximum is 1000),
 * on a `serve` started only for this (stopped afterwards). Same records, same rows in the store;
 * the journal holds one entry per batch instead of one for the whole import.
 * Returns {seconds, batches, zoneId, batchMs: {p50, max}}.
 */
export async function loadZonekeeperViaApi({ dir, token, zone, records, bin = ZK_BIN, batchSize = 1000, echo = false, onProgress = () => {} }) {
  const server = await startZonekeeper({ dataDir: dir, records, workers: 0, bin, echo, copy: false });
  const headers = { authorization: `Bearer ${token}` };
  const agent = makeAgent(1);
  try {
    await waitForHttp(server.baseUrl, '/api/v2/dns-zones', { timeoutMs: 60_000, hasExited: server.hasExited, headers });
    const t0 = process.hrtime.bigint();
    const made = await requestJson(agent, server.baseUrl, { method: 'POST', path: '/api/v2/dns-zones', headers, body: { name: zone } }, 'create zone');
    const zoneId = made?.id ?? made?.data?.id;
    if (!zoneId) throw new Error(`POST /api/v2/dns-zones gave no id: ${JSON.stringify(made).slice(0, 300)}`);
    let batch = [];
    let batches = 0;
    const times = [];
    const flush = async () => {
      const res = await request(agent, server.baseUrl, { method: 'POST', path: `/api/v2/dns-zones/${zoneId}/records/batch`, headers, body: { posts: batch } }, 120_000);
      if (res.status < 200 || res.status > 299) throw new Error(`batch ${batches + 1}: HTTP ${res.status} ${res.body.slice(0, 400)}`);
      times.push(res.ms);
      batches++;
      batch = [];
      if (batches % 100 === 0) onProgress(batches * batchSize);
    };
    const groups = groupsFor(records);
    for (let j = 0; j < groups; j++) {
      for (const [name, type, value] of groupRecords(j, zone, Math.min(10, records - j * 10))) {
        batch.push({ name, type, value, ttl: type === 'TXT' || type === 'MX' ? 3600 : 300 });
        if (batch.length === batchSize) await flush();
      }
    }
    if (batch.length) await flush();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const avg = (xs) => Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1));
    const sorted = [...times].sort((a, b) => a - b);
    return {
      seconds: Number(seconds.toFixed(1)),
      batches,
      batchSize,
      zoneId,
      // does a batch get slower as the zone grows? first and last 10 batches
      batchMs: { p50: Number(sorted[Math.floor(sorted.length / 2)].toFixed(1)), max: Number(sorted.at(-1).toFixed(1)), first10Avg: avg(times.slice(0, 10)), last10Avg: avg(times.slice(-10)) },
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/**
 * prepareZonekeeperData(), and when the CLI import fails, the same zone through the API
 * (loadZonekeeperViaApi) unless `fallback` is off. Returns {dir, token, zoneId, import, apiLoad}:
 * `import` = {seconds, maxRssMiB, report} or {error, seconds}; `apiLoad` only after a fallback.
 */
export async function prepareZonekeeper({ zone, zoneFile, records, bin = ZK_BIN, importTimeoutS = 900, fallback = true, echo = false, log = () => {} }) {
  try {
    const data = prepareZonekeeperData({ zone, zoneFile, records, bin, importTimeoutS });
    log(`imported in ${data.import.seconds} s (max RSS ${data.import.maxRssMiB} MiB)`);
    return { ...data, apiLoad: null };
  } catch (err) {
    const imp = { error: err.message, seconds: err.importSeconds === undefined ? null : Number(err.importSeconds.toFixed(1)) };
    log(`import FAILED after ${imp.seconds} s: ${err.message.split('\n')[0].slice(0, 300)}`);
    if (!fallback || !err.dir) throw Object.assign(new Error(`zone import failed: ${err.message}`), { import: imp });
    log(`loading the same ${records} records through the API instead (POST …/records/batch, 1000 per batch)`);
    const apiLoad = await loadZonekeeperViaApi({ dir: err.dir, token: err.token, zone, records, bin, echo, onProgress: (n) => n % 100_000 === 0 && log(`  ${n} records`) });
    log(`loaded through the API in ${apiLoad.seconds} s (${apiLoad.batches} batches, p50 ${apiLoad.batchMs.p50} ms, first 10 avg ${apiLoad.batchMs.first10Avg} ms, last 10 avg ${apiLoad.batchMs.last10Avg} ms)`);
    return { dir: err.dir, token: err.token, zoneId: apiLoad.zoneId, import: imp, apiLoad };
  }
}

/** What zonekeeper's log says about its UDP I/O ("batch" = recvmmsg/sendmmsg addon, "dgram"), or null. */
export function zkUdpIo(tail) {
  for (const line of tail) {
    const m = /"udpIo":"(\w+)"/.exec(line) ?? /dns: UDP I\/O (batched|node:dgram)/.exec(line);
    if (m) return m[1] === 'batched' ? 'batch' : m[1] === 'node:dgram' ? 'dgram' : m[1];
  }
  return null;
}
