#!/usr/bin/env node
// What any Node.js UDP server can answer here: the same dnsperf load as bench/dns/run.mjs against
// a node:dgram server that does no DNS work at all (lib/ceiling-server.mjs echoes each query back
// as an empty NOERROR reply). It measures no product; it bounds the zonekeeper rows of run.mjs on
// a given machine, as bench/api/ceiling.mjs does for the HTTP API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../api/lib/http.mjs';
import { makeTempDir, releaseAll, startChild } from '../api/lib/procs.mjs';
import { boundRun, intOption, loadSnapshot, machineInfo, RESULTS_DIR, utcStamp, writeResults } from './lib/common.mjs';
import { waitForAnswer } from './lib/dnsclient.mjs';
import { runDnsperf, udpCounters } from './lib/dnsperf.mjs';
import { cpuSecondsOf, memoryOf } from './lib/procstat.mjs';
import { buildQueries } from './lib/zone.mjs';

const SERVER = fileURLToPath(new URL('./lib/ceiling-server.mjs', import.meta.url));
const VARIANTS = {
  'cb-w0': { mode: 'cb', workers: 0, label: 'send with a callback, main process' },
  'nocb-w0': { mode: 'nocb', workers: 0, label: 'send without a callback, main process' },
  'cb-w1': { mode: 'cb', workers: 1, label: 'send with a callback, 1 cluster worker' },
  'cb-w2': { mode: 'cb', workers: 2, label: 'send with a callback, 2 cluster workers' },
};

const { values } = parseArgs({
  options: {
    variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    clients: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '100' },
    out: { type: 'string' },
    'no-json': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`usage: node bench/dns/ceiling.mjs [--variants ${Object.keys(VARIANTS).join(',')}] [--duration 10] [--warmup 3]
  [--threads 2] [--clients 4] [--inflight 100] [--out FILE] [--no-json]\n`);
  process.exit(0);
}
const opts = {
  variants: values.variants.split(',').filter(Boolean),
  duration: intOption('duration', values.duration),
  warmup: intOption('warmup', values.warmup, 0),
  threads: intOption('threads', values.threads),
  clients: intOption('clients', values.clients),
  inflight: intOption('inflight', values.inflight),
  out: values['no-json'] ? null : values.out ?? join(RESULTS_DIR, `dns-ceiling-${utcStamp()}.json`),
};
for (const v of opts.variants) if (!VARIANTS[v]) throw new Error(`unknown variant ${v}`);

async function main() {
  const bound = boundRun(600);
  const machine = machineInfo();
  console.error(`machine: ${machine.nproc} CPU(s), load ${machine.atStart.loadAverage.join(' ')}`);
  const { dir } = makeTempDir('zk-bench-dns-ceiling-');
  const file = join(dir, 'queries.txt');
  writeFileSync(file, buildQueries({ records: 10_000 }).text);
  const perf = { file, seconds: opts.duration, threads: opts.threads, clients: opts.clients, inflight: opts.inflight };
  const results = [];
  for (const id of opts.variants) {
    const v = VARIANTS[id];
    const port = await freePort({ udp: true });
    const proc = startChild(`ceiling-${id}`, process.execPath, [SERVER, String(port), v.mode, String(v.workers)]);
    const r = { variant: id, label: v.label };
    try {
      await waitForAnswer(port, 'host1.bench.example.org', 'A', (res) => res.qr, { timeoutMs: 20_000, hasExited: () => (proc.exitInfo ? JSON.stringify(proc.exitInfo) : null) });
      if (opts.warmup) await runDnsperf({ ...perf, port, seconds: opts.warmup });
      const cpu0 = cpuSecondsOf(proc.child.pid);
      const udp0 = udpCounters();
      const p = await runDnsperf({ ...perf, port });
      const cpu = cpuSecondsOf(proc.child.pid) - cpu0;
      Object.assign(r, {
        qps: p.qps,
        lost: p.lost,
        latencyMs: p.latencyMs,
        serverCpuPercent: Math.round((cpu / p.runSeconds) * 100),
        serverCpuMicrosPerQuery: Number(((cpu / p.completed) * 1e6).toFixed(2)),
        udpReceiveBufferDrops: udpCounters().RcvbufErrors - udp0.RcvbufErrors,
        rssMiB: memoryOf(proc.child.pid).rssMiB,
        command: p.command.replace(file, 'queries.txt'),
      });
      console.error(`${id}: ${p.qps} q/s, lost ${p.lost}, server CPU ${r.serverCpuPercent}% (${r.serverCpuMicrosPerQuery} µs/query)`);
    } catch (err) {
      r.error = err.message;
      console.error(`${id}: FAILED ${err.message}`);
    } finally {
      await proc.stop();
    }
    results.push(r);
  }
  const md = [
    `Node.js ${process.version} dgram server answering every query with an empty NOERROR reply (no DNS work); dnsperf -l ${opts.duration} -T ${opts.threads} -c ${opts.clients} -q ${opts.inflight} after a ${opts.warmup} s warm-up.`,
    '',
    '| variant | queries/s | lost | avg ms | server CPU | CPU µs/query |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => (r.error ? `| ${r.label} | FAILED: ${r.error.split('\n')[0]} |||||` : `| ${r.label} | ${Math.round(r.qps)} | ${r.lost} | ${r.latencyMs?.avg} | ${r.serverCpuPercent}% | ${r.serverCpuMicrosPerQuery} |`)),
  ].join('\n');
  console.log(`\n${md}`);
  if (opts.out) writeResults(opts.out, { benchmark: 'dns-ceiling', command: `node bench/dns/ceiling.mjs ${process.argv.slice(2).join(' ')}`.trim(), machine, atEnd: loadSnapshot(), results, markdown: md });
  await releaseAll();
  bound.clear();
}

main().catch(async (err) => {
  console.error(`bench: ${err.stack ?? err.message}`);
  await releaseAll();
  process.exitCode = 1;
});
