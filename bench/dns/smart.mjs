#!/usr/bin/env node
// Smart-record query benchmark (docs/smart-records.md): queries/s of zonekeeper's DNS for weighted
// A sets and Script records next to plain A records, same server, same dnsperf settings; Knot DNS
// answers the plain names of the same zone as the peer reference (it has no weighted or Script
// records). See bench/README.md ("bench/dns/smart.mjs").
//
// Names (one dnsperf run each, every query for that one name):
//   plain     one A record
//   set4      four A records, no policy (all four answered; the reply cache serves it)
//   equal4    four A records of equal weight (3 at random per answer; never cached)
//   wrr4      four A records of weights 1-4 (one by weighted round robin; never cached)
//   script    a Script answering A with TTL 60 (its result cached per client: the script runs once)
//   script0   a Script answering A with TTL 0 (the script runs in the worker for every query)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeAgent, requestJson, waitForHttp } from '../api/lib/http.mjs';
import { makeTempDir, releaseAll, runSync } from '../api/lib/procs.mjs';
import { boundRun, intOption, machineInfo, RESULTS_DIR, utcStamp, writeResults } from './lib/common.mjs';
import { waitForAnswer } from './lib/dnsclient.mjs';
import { runDnsperf } from './lib/dnsperf.mjs';
import { cpuSecondsOf } from './lib/procstat.mjs';
import { REPO_ROOT, startKnot, startZonekeeper, ZK_BIN, zkEnv } from './lib/servers.mjs';

const USAGE = `usage: node bench/dns/smart.mjs [options]
  --duration S   measured dnsperf run per name, seconds (default 10)
  --warmup S     unrecorded run before each, seconds (default 2)
  --threads N    dnsperf -T (default 2)
  --clients N    dnsperf -c (default 4)
  --inflight N   dnsperf -q (default 100)
  --rounds N     run every name N times, interleaved; report each name's median (default 3)
  --workers N    zonekeeper --dns-workers (default 0)
  --no-knot      skip the Knot DNS reference runs
  --out FILE     JSON results (default bench/results/dns-smart-<UTC timestamp>.json)
  --verbose      echo server output
`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    clients: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '100' },
    workers: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
    'no-knot': { type: 'boolean', default: false },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const opts = {
  duration: intOption('duration', values.duration),
  warmup: intOption('warmup', values.warmup, 0),
  threads: intOption('threads', values.threads),
  clients: intOption('clients', values.clients),
  inflight: intOption('inflight', values.inflight),
  workers: intOption('workers', values.workers, 0),
  rounds: intOption('rounds', values.rounds),
};
const ZONE = 'smart-bench.example.test';
const PASSWORD = 'bench password for the smart-record benchmark';

const A = (name, value, extra = {}) => ({ type: 0, name, value, ttl: 300, ...extra });
const RECORDS = [
  A('plain', '192.0.2.1'),
  ...[1, 2, 3, 4].map((i) => A('set4', `192.0.2.${10 + i}`)),
  ...[1, 2, 3, 4].map((i) => A('equal4', `192.0.2.${20 + i}`, { weight: 10 })),
  ...[1, 2, 3, 4].map((i) => A('wrr4', `192.0.2.${30 + i}`, { weight: i })),
  { type: 11, name: 'script', ttl: 300, value: "function handleQuery(q) { return { answers: [{ type: 'A', value: q.clientIp === '127.0.0.1' ? '192.0.2.41' : '192.0.2.42', ttl: 60 }] }; }" },
  { type: 11, name: 'script0', ttl: 300, value: "function handleQuery(q) { return { answers: [{ type: 'A', value: q.clientIp === '127.0.0.1' ? '192.0.2.51' : '192.0.2.52', ttl: 0 }] }; }" },
];
const NAMES = ['plain', 'set4', 'equal4', 'wrr4', 'script', 'script0'];
/** The names Knot can serve the same way (no policy). */
const KNOT_NAMES = ['plain', 'set4'];

const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(d)));

function queryFile(dir, name) {
  const file = join(dir, `${name}.queries`);
  writeFileSync(file, Array.from({ length: 1000 }, () => `${name}.${ZONE} A`).join('\n') + '\n');
  return file;
}

function knotZoneFile(dir) {
  const lines = [`$ORIGIN ${ZONE}.`, '$TTL 300', '@ SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300', '@ NS ns1.example.net.', '@ NS ns2.example.net.'];
  for (const r of RECORDS) if (r.type === 0 && KNOT_NAMES.includes(r.name)) lines.push(`${r.name} A ${r.value}`);
  const file = join(dir, 'zone.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The run with the median queries/s of `runs`, with every round's queries/s attached. */
function median(runs) {
  const sorted = [...runs].sort((a, b) => (a.qps ?? -1) - (b.qps ?? -1));
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], roundsQps: runs.map((r) => r.qps) };
}

/** Every name `rounds` times, interleaved (plain, set4, …, plain, set4, …): drift hits all alike. */
async function runAll(server, names, files, label) {
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const name of names) {
      const r = await run(server, files[name]);
      runs[name].push(r);
      console.error(`${label.padEnd(10)} ${name.padEnd(8)} round ${round + 1}: ${r.qps} q/s, lost ${r.lost}, avg ${r.latencyMs?.avg} ms, ${r.serverCpuMicrosPerQuery} µs CPU/query, rcodes ${JSON.stringify(r.rcodes)}`);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(runs[n])]));
}

async function run(server, file) {
  if (opts.warmup) await runDnsperf({ port: server.port, file, seconds: opts.warmup, threads: opts.threads, clients: opts.clients, inflight: opts.inflight });
  const cpu0 = cpuSecondsOf(server.pid);
  const perf = await runDnsperf({ port: server.port, file, seconds: opts.duration, threads: opts.threads, clients: opts.clients, inflight: opts.inflight });
  const cpu = cpuSecondsOf(server.pid) - cpu0;
  return { qps: perf.qps, lost: perf.lost, completed: perf.completed, latencyMs: perf.latencyMs, serverCpuMicrosPerQuery: perf.completed ? round((cpu / perf.completed) * 1e6, 2) : null, rcodes: perf.responseCodes };
}

/** A data folder with a user, a zone and the records, written through the APIs as users would. */
async function prepare(dir) {
  const env = zkEnv(100);
  const key = runSync(process.execPath, [ZK_BIN, 'keys', 'create', '--data', dir, '--name', 'bench', '--scopes', 'read:dns,write:dns', '--json'], { env, cwd: REPO_ROOT });
  if (key.status !== 0) throw new Error(`keys create: ${key.stderr || key.stdout}`);
  const token = JSON.parse(key.stdout.trim().split('\n').pop()).token;
  const user = runSync(process.execPath, [ZK_BIN, 'users', 'create', '--data', dir, '--email', 'bench@example.test', '--password-stdin', '--role', 'owner'], { env, cwd: REPO_ROOT, input: PASSWORD + '\n' });
  if (user.status !== 0) throw new Error(`users create: ${user.stderr || user.stdout}`);
  const server = await startZonekeeper({ dataDir: dir, records: 100, workers: 0, copy: false, echo: values.verbose });
  const agent = makeAgent(1);
  try {
    await waitForHttp(server.baseUrl, '/api/v2/dns-zones', { timeoutMs: 60_000, hasExited: server.hasExited, headers: {} });
    const zone = await requestJson(agent, server.baseUrl, { method: 'POST', path: '/api/v2/dns-zones', headers: { authorization: `Bearer ${token}` }, body: { name: ZONE } }, 'create zone');
    const login = await requestJson(agent, server.baseUrl, { method: 'POST', path: '/api/auth/login', body: { email: 'bench@example.test', password: PASSWORD } }, 'login');
    const auth = { authorization: `Bearer ${login.token}`, 'content-type': 'application/ld+json' };
    const orgs = await requestJson(agent, server.baseUrl, { method: 'GET', path: '/api/organizations', headers: auth }, 'organizations');
    const org = orgs['hydra:member'][0].id;
    const domains = await requestJson(agent, server.baseUrl, { method: 'GET', path: `/api/organizations/${org}/domains`, headers: auth }, 'domains');
    const domain = domains['hydra:member'].find((d) => d.name === ZONE);
    if (!domain) throw new Error(`the zone ${ZONE} (${zone.id}) is not among the organization's domains`);
    for (const r of RECORDS) await requestJson(agent, server.baseUrl, { method: 'POST', path: `/api/organizations/${org}/domains/${domain.id}/dns-records`, headers: auth, body: r }, `record ${r.name}`);
  } finally {
    await server.stop();
  }
}

async function main() {
  boundRun(1800);
  const machine = machineInfo();
  const { dir } = makeTempDir('zk-bench-smart-');
  const report = { benchmark: 'dns-smart', startedAt: new Date().toISOString(), machine, options: opts, zonekeeper: {}, knot: {} };
  console.error('preparing the zone through the APIs…');
  await prepare(dir);
  const files = Object.fromEntries(NAMES.map((n) => [n, queryFile(dir, n)]));

  const zk = await startZonekeeper({ dataDir: dir, records: 100, workers: opts.workers, echo: values.verbose });
  report.zonekeeper.command = zk.command;
  try {
    await waitForAnswer(zk.port, `script0.${ZONE}`, 'A', (r) => r.rcode === 'NOERROR' && r.answers.length === 1, { t0: zk.t0, timeoutMs: 60_000, hasExited: zk.hasExited });
    Object.assign(report.zonekeeper, await runAll(zk, NAMES, files, 'zonekeeper'));
  } finally {
    await zk.stop();
  }

  if (!values['no-knot']) {
    const knot = await startKnot({ zone: ZONE, zoneFile: knotZoneFile(dir), udpWorkers: 1, echo: values.verbose });
    report.knot.config = 'knotd, 1 UDP worker';
    try {
      await waitForAnswer(knot.port, `plain.${ZONE}`, 'A', (r) => r.rcode === 'NOERROR', { t0: knot.t0, timeoutMs: 60_000, hasExited: knot.hasExited });
      Object.assign(report.knot, await runAll(knot, KNOT_NAMES, files, 'knot'));
    } finally {
      await knot.stop();
    }
  }
  const out = values.out ?? join(RESULTS_DIR, `dns-smart-${utcStamp()}.json`);
  writeResults(out, report);
  console.error(`results: ${out}`);
  const plain = report.zonekeeper.plain?.qps;
  console.log(`medians of ${opts.rounds} interleaved rounds of ${opts.duration} s`);
  console.log('| name | zonekeeper q/s | vs plain | CPU µs/query | rounds (q/s) | Knot q/s (1 worker) |');
  console.log('|---|---:|---:|---:|---|---:|');
  for (const name of NAMES) {
    const z = report.zonekeeper[name];
    console.log(`| ${name} | ${z?.qps ?? '–'} | ${z && plain ? `${round((z.qps / plain) * 100, 0)}%` : '–'} | ${z?.serverCpuMicrosPerQuery ?? '–'} | ${z?.roundsQps?.join(', ') ?? '–'} | ${report.knot[name]?.qps ?? '–'} |`);
  }
}

main()
  .catch((err) => {
    console.error(err.stack ?? err.message);
    process.exitCode = 1;
  })
  .finally(() => releaseAll());
