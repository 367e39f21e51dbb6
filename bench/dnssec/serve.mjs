#!/usr/bin/env node
// Queries/s of a signed zone with DO=1 next to DO=0 (docs/dnssec.md): zonekeeper signs the bench
// zone itself (`zonekeeper dnssec sign`), Knot DNS serves the same zone pre-signed by ldns-signzone;
// same query file (bench/dns's mix: positive, CNAME, wildcard, NXDOMAIN), same dnsperf settings,
// EDNS on both runs, the DO bit (-D) on the second. See bench/README.md ("bench/dnssec").
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir, releaseAll, runSync } from '../api/lib/procs.mjs';
import { boundRun, machineInfo, RESULTS_DIR, utcStamp, writeResults } from '../dns/lib/common.mjs';
import { waitForAnswer } from '../dns/lib/dnsclient.mjs';
import { runDnsperf } from '../dns/lib/dnsperf.mjs';
import { cpuSecondsOf } from '../dns/lib/procstat.mjs';
import { prepareZonekeeperData, REPO_ROOT, startKnot, startZonekeeper, ZK_BIN, zkEnv } from '../dns/lib/servers.mjs';
import { buildQueries, DEFAULT_ZONE, writeZoneFile } from '../dns/lib/zone.mjs';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    clients: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '100' },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const opts = { records: Number(values.records), duration: Number(values.duration), rounds: Number(values.rounds), threads: Number(values.threads), clients: Number(values.clients), inflight: Number(values.inflight) };
const ZONE = DEFAULT_ZONE;
const round = (x, d = 1) => Number(x.toFixed(d));
const median = (xs) => [...xs].sort((a, b) => a.qps - b.qps)[Math.floor((xs.length - 1) / 2)];

async function measure(server, file, dnssec) {
  const extraArgs = dnssec ? ['-D'] : [];
  await runDnsperf({ port: server.port, file, seconds: 2, threads: opts.threads, clients: opts.clients, inflight: opts.inflight, edns: true, extraArgs });
  const cpu0 = cpuSecondsOf(server.pid);
  const r = await runDnsperf({ port: server.port, file, seconds: opts.duration, threads: opts.threads, clients: opts.clients, inflight: opts.inflight, edns: true, extraArgs });
  const cpu = cpuSecondsOf(server.pid) - cpu0;
  return { qps: r.qps, lost: r.lost, avgResponseBytes: r.avgResponseBytes, latencyMs: r.latencyMs, rcodes: r.responseCodes, cpuMicrosPerQuery: r.completed ? round((cpu / r.completed) * 1e6, 2) : null };
}

async function both(server, file, label, report) {
  const runs = { do0: [], do1: [] };
  for (let i = 0; i < opts.rounds; i++) {
    for (const [key, dnssec] of [['do0', false], ['do1', true]]) {
      const r = await measure(server, file, dnssec);
      runs[key].push(r);
      console.error(`${label} ${key === 'do1' ? 'DO=1' : 'DO=0'} round ${i + 1}: ${r.qps} q/s, ${r.avgResponseBytes} B/reply, ${r.cpuMicrosPerQuery} µs CPU/query, lost ${r.lost}`);
    }
  }
  report[label] = { do0: { ...median(runs.do0), roundsQps: runs.do0.map((r) => r.qps) }, do1: { ...median(runs.do1), roundsQps: runs.do1.map((r) => r.qps) } };
}

async function main() {
  boundRun(3600);
  const { dir } = makeTempDir('zk-bench-dnssec-serve-');
  const report = { benchmark: 'dnssec-serve', startedAt: new Date().toISOString(), machine: machineInfo(), options: opts, results: {} };
  const zoneFile = join(dir, 'zone.txt');
  await writeZoneFile(zoneFile, { zone: ZONE, records: opts.records });
  const queries = buildQueries({ zone: ZONE, records: opts.records, lines: 100_000 });
  const queryFile = join(dir, 'queries.txt');
  writeFileSync(queryFile, queries.text);

  // zonekeeper: import, sign, serve.
  const data = prepareZonekeeperData({ zone: ZONE, zoneFile, records: opts.records });
  const signed = runSync(process.execPath, [ZK_BIN, 'dnssec', 'sign', ZONE, '--data', data.dir], { env: zkEnv(opts.records), cwd: REPO_ROOT });
  if (signed.status !== 0) throw new Error(`zonekeeper dnssec sign: ${signed.stderr || signed.stdout}`);
  const zk = await startZonekeeper({ dataDir: data.dir, records: opts.records, workers: 0, echo: values.verbose });
  report.results.zonekeeperCommand = zk.command;
  try {
    await waitForAnswer(zk.port, `host0.${ZONE}`, 'A', (r) => r.rcode === 'NOERROR', { t0: zk.t0, timeoutMs: 120_000, hasExited: zk.hasExited });
    await both(zk, queryFile, 'zonekeeper', report.results);
  } finally {
    await zk.stop();
  }

  // Knot: the same zone signed by ldns-signzone (NSEC, ECDSAP256SHA256), served as it is.
  const keyBase = execFileSync('ldns-keygen', ['-a', 'ECDSAP256SHA256', '-k', ZONE], { cwd: dir, encoding: 'utf8' }).trim();
  execFileSync('ldns-signzone', ['-f', join(dir, 'signed.zone'), zoneFile, keyBase], { cwd: dir });
  for (const f of readdirSync(dir)) if (f.startsWith('K')) rmSync(join(dir, f));
  const knot = await startKnot({ zone: ZONE, zoneFile: join(dir, 'signed.zone'), udpWorkers: 1, echo: values.verbose });
  try {
    await waitForAnswer(knot.port, `host0.${ZONE}`, 'A', (r) => r.rcode === 'NOERROR', { t0: knot.t0, timeoutMs: 120_000, hasExited: knot.hasExited });
    await both(knot, queryFile, 'knot', report.results);
  } finally {
    await knot.stop();
  }
  const out = values.out ?? join(RESULTS_DIR, `dnssec-serve-${utcStamp()}.json`);
  writeResults(out, report);
  console.log(`| server | DO=0 q/s | DO=1 q/s | DO=1/DO=0 | bytes/reply DO=0 → DO=1 | CPU µs/query DO=0 → DO=1 |`);
  console.log('|---|---:|---:|---:|---|---|');
  for (const k of ['zonekeeper', 'knot']) {
    const r = report.results[k];
    console.log(`| ${k} | ${r.do0.qps} | ${r.do1.qps} | ${round((r.do1.qps / r.do0.qps) * 100, 0)}% | ${r.do0.avgResponseBytes} → ${r.do1.avgResponseBytes} | ${r.do0.cpuMicrosPerQuery} → ${r.do1.cpuMicrosPerQuery} |`);
  }
}

main()
  .catch((err) => {
    console.error(err.stack ?? err.message);
    process.exitCode = 1;
  })
  .finally(() => releaseAll());
