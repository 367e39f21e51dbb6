#!/usr/bin/env node
// DNS query benchmark: queries/s, lost queries and latency of zonekeeper's DNS server, Knot DNS
// and PowerDNS (bind backend) in one run, same zone, same query file, same dnsperf settings.
// See bench/README.md ("bench/dns").
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir, releaseAll } from '../api/lib/procs.mjs';
import { checkAnswers } from './lib/checks.mjs';
import { boundRun, intOption, loadSnapshot, machineInfo, RESULTS_DIR, utcStamp, writeResults } from './lib/common.mjs';
import { waitForAnswer } from './lib/dnsclient.mjs';
import { runDnsperf, udpCounters } from './lib/dnsperf.mjs';
import { cpuSecondsOf, memoryOf } from './lib/procstat.mjs';
import { prepareZonekeeper, startKnot, startPdns, startZonekeeper, zkUdpIo } from './lib/servers.mjs';
import { buildQueries, DEFAULT_ZONE, groupsFor, QUERY_MIX, v4, writeZoneFile } from './lib/zone.mjs';

// Peers first: the rate check of the zonekeeper targets needs their numbers.
const TARGETS = {
  knot1: { kind: 'knot', label: (m) => `Knot DNS ${m.knot} (1 UDP worker)`, start: (c) => startKnot({ ...c, udpWorkers: 1 }) },
  knot: { kind: 'knot', label: (m) => `Knot DNS ${m.knot} (default: ${m.nproc} UDP workers)`, start: (c) => startKnot({ ...c, udpWorkers: null }) },
  pdns: { kind: 'pdns', label: (m) => `PowerDNS ${m.pdns} (bind backend)`, start: (c) => startPdns(c) },
  zk0: { kind: 'zk', workers: 0, label: () => 'zonekeeper, --dns-workers 0' },
  zk1: { kind: 'zk', workers: 1, label: () => 'zonekeeper, --dns-workers 1' },
  zk2: { kind: 'zk', workers: 2, label: () => 'zonekeeper, --dns-workers 2' },
  // not in the default list: the node:dgram fallback, for comparison with the batched addon
  'zk0-dgram': { kind: 'zk', workers: 0, args: ['--dns-udp-io', 'dgram'], label: () => 'zonekeeper, --dns-workers 0 --dns-udp-io dgram', optional: true },
};
const DEFAULT_TARGETS = Object.keys(TARGETS).filter((t) => !TARGETS[t].optional);

const USAGE = `usage: node bench/dns/run.mjs [options]
  --targets LIST     comma list of ${Object.keys(TARGETS).join(',')}
                     (default: ${DEFAULT_TARGETS.join(',')}; run in this order)
  --duration S       measured dnsperf run per target, seconds (default 10)
  --rounds N         run all targets N times, interleaved; report each target's median (default 1)
  --warmup S         unrecorded dnsperf run before it, seconds (default 3; 0 = none)
  --records N        records in the zone besides the apex (default 10000)
  --queries N        lines in the dnsperf query file (default 100000)
  --seed N           seed of the query file (default 1)
  --threads N        dnsperf -T (default 2)
  --clients N        dnsperf -c (default 4)
  --inflight N       dnsperf -q, queries outstanding at once (default 100)
  --edns             dnsperf -e: queries carry EDNS(0) (default: plain 512-octet queries)
  --no-rate-check    skip the second zonekeeper run at the target rate (dnsperf -Q)
  --no-zk-fallback   when \`zonekeeper zones import\` fails, fail the zonekeeper targets instead of
                     loading the same records through the API (POST …/records/batch)
  --zk-bin PATH      zonekeeper CLI (default bin/zonekeeper.js)
  --zk-arg ARG       extra argument for \`zonekeeper serve\` (repeatable)
  --zk-node-arg ARG  extra node option for zonekeeper, e.g. --cpu-prof (repeatable)
  --timeout S        start nothing new after S seconds; everything is killed 30 s later (default 1800)
  --out FILE         JSON results (default bench/results/dns-<UTC timestamp>.json)
  --no-json          do not write the JSON file
  --verbose          echo server output
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string', default: DEFAULT_TARGETS.join(',') },
      duration: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '3' },
      records: { type: 'string', default: '10000' },
      queries: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      threads: { type: 'string', default: '2' },
      clients: { type: 'string', default: '4' },
      inflight: { type: 'string', default: '100' },
      edns: { type: 'boolean', default: false },
      'no-rate-check': { type: 'boolean', default: false },
      'no-zk-fallback': { type: 'boolean', default: false },
      'zk-bin': { type: 'string' },
      'zk-arg': { type: 'string', multiple: true, default: [] },
      'zk-node-arg': { type: 'string', multiple: true, default: [] },
      timeout: { type: 'string', default: '1800' },
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
  const order = Object.keys(TARGETS);
  targets.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return {
    targets,
    duration: intOption('duration', values.duration),
    rounds: intOption('rounds', values.rounds),
    warmup: intOption('warmup', values.warmup, 0),
    records: intOption('records', values.records, 10),
    queries: intOption('queries', values.queries, 100),
    seed: intOption('seed', values.seed, 0),
    threads: intOption('threads', values.threads),
    clients: intOption('clients', values.clients),
    inflight: intOption('inflight', values.inflight),
    edns: values.edns,
    rateCheck: !values['no-rate-check'],
    zkFallback: !values['no-zk-fallback'],
    zkBin: values['zk-bin'],
    zkArgs: values['zk-arg'],
    zkNodeArgs: values['zk-node-arg'],
    timeoutS: intOption('timeout', values.timeout),
    out: values['no-json'] ? null : values.out ?? join(RESULTS_DIR, `dns-${utcStamp()}.json`),
    verbose: values.verbose,
  };
}

const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(d)));

/** The record the readiness probe asks for: the A of the last host of the zone. */
function probeFor(zone, records) {
  const j = groupsFor(records) - 1;
  return { name: `host${j}.${zone}`, type: 'A', want: v4(j) };
}

async function measure(server, opts, files, maxQps = null) {
  const cpu0 = cpuSecondsOf(server.pid);
  const udp0 = udpCounters();
  const perf = await runDnsperf({ port: server.port, file: files.queries, seconds: opts.duration, threads: opts.threads, clients: opts.clients, inflight: opts.inflight, edns: opts.edns, maxQps });
  const cpu = cpuSecondsOf(server.pid) - cpu0;
  const udp1 = udpCounters();
  return {
    ...perf,
    serverCpuSeconds: round(cpu, 2),
    serverCpuPercent: round((cpu / perf.runSeconds) * 100, 0),
    serverCpuMicrosPerQuery: perf.completed ? round((cpu / perf.completed) * 1e6, 2) : null,
    udpReceiveBufferDrops: udp1.RcvbufErrors - udp0.RcvbufErrors,
  };
}

async function benchTarget(id, opts, ctx) {
  const def = TARGETS[id];
  const result = { target: id, label: def.label(ctx.machine) };
  const t0 = Date.now();
  console.error(`\n== ${result.label}: starting`);
  let server = null;
  try {
    if (def.kind === 'zk') {
      if (ctx.zkDataError) throw new Error(ctx.zkDataError);
      server = await startZonekeeper({ dataDir: ctx.zkData.dir, records: opts.records, workers: def.workers, bin: opts.zkBin, extraArgs: [...(def.args ?? []), ...opts.zkArgs], nodeArgs: opts.zkNodeArgs, echo: opts.verbose });
      result.command = server.command;
    } else {
      server = await def.start({ zone: ctx.zone, zoneFile: ctx.files.zone, echo: opts.verbose });
      result.config = server.config;
    }
    const probe = probeFor(ctx.zone, opts.records);
    const ready = await waitForAnswer(server.port, probe.name, probe.type, (r) => r.rcode === 'NOERROR' && r.answers.some((a) => a.data === probe.want), { t0: server.t0, timeoutMs: 120_000, hasExited: server.hasExited });
    result.startupMs = round(ready.ms, 0);
    if (def.kind === 'zk') result.udpIo = zkUdpIo(server.tail);
    result.memoryAfterLoad = memoryOf(server.pid);
    result.answerCheck = await checkAnswers(server.port, ctx.samples, ctx.zone);
    const bad = result.answerCheck.failed.length;
    console.error(`   answering after ${result.startupMs} ms; answers checked ${result.answerCheck.checked}, wrong ${bad}${bad ? `: ${JSON.stringify(result.answerCheck.failed.slice(0, 3))}` : ''}`);
    if (opts.warmup) {
      const w = await runDnsperf({ port: server.port, file: ctx.files.queries, seconds: opts.warmup, threads: opts.threads, clients: opts.clients, inflight: opts.inflight, edns: opts.edns });
      result.warmup = { qps: w.qps, lost: w.lost };
    }
    result.load = loadSnapshot();
    result.run = await measure(server, opts, ctx.files);
    result.memoryAfterRun = memoryOf(server.pid);
    const r = result.run;
    console.error(`   ${r.qps} q/s, lost ${r.lost}, avg ${r.latencyMs?.avg} ms, server CPU ${r.serverCpuPercent}% (${r.serverCpuMicrosPerQuery} µs/query), RSS ${result.memoryAfterRun.rssMiB} MiB`);
    if (def.kind === 'zk' && opts.rateCheck && ctx.targetRate) {
      const rc = await measure(server, opts, ctx.files, ctx.targetRate.qps);
      result.rateCheck = { askedQps: ctx.targetRate.qps, basis: ctx.targetRate.basis, ...rc };
      console.error(`   at -Q ${ctx.targetRate.qps}: ${rc.qps} q/s, lost ${rc.lost}`);
    }
    if (!server.alive()) throw new Error(`server exited during the run: ${server.hasExited()}\n${server.tail.slice(-20).join('\n')}`);
    if (server.problems.size) result.serverLogProblems = [...server.problems].map(([line, count]) => ({ count, line })).slice(0, 20);
  } catch (err) {
    result.error = err.message + (server && !err.message.includes('---') ? `\n--- server output ---\n${server.tail.slice(-25).join('\n')}` : '');
    console.error(`   FAILED: ${result.error}`);
  } finally {
    // the log line may reach us after the first answer: look again at the end
    if (def.kind === 'zk' && server) result.udpIo ??= zkUdpIo(server.tail);
    await server?.stop();
  }
  result.wallSeconds = round((Date.now() - t0) / 1000, 1);
  return result;
}

/** max(PowerDNS, 0.7 × best Knot) from the results so far: the issue's rate for zonekeeper. */
function targetRate(results) {
  const ok = results.filter((r) => r.run);
  const knot = Math.max(0, ...ok.filter((r) => r.target.startsWith('knot')).map((r) => r.run.qps));
  const pdns = Math.max(0, ...ok.filter((r) => r.target === 'pdns').map((r) => r.run.qps));
  if (!knot && !pdns) return null;
  const qps = Math.ceil(Math.max(pdns, 0.7 * knot));
  return { qps, basis: `max(PowerDNS ${pdns || '–'}, 0.7 × best Knot ${knot || '–'})` };
}

/** The round with the median queries/s (failed rounds count as lowest); qps of all rounds attached. */
function medianRound(list) {
  if (list.length === 1) return list[0];
  const sorted = [...list].sort((a, b) => (a.run?.qps ?? -1) - (b.run?.qps ?? -1));
  const pick = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...pick, roundsQps: list.map((r) => (r.run ? Math.round(r.run.qps) : null)), allRounds: list.map(({ markdown: _m, ...r }) => r) };
}

const fmt = (x) => (x === null || x === undefined ? '–' : String(x));

function markdown(results, opts, ctx) {
  const ok = results.filter((r) => r.run);
  const bestKnot = ok.filter((r) => r.target.startsWith('knot')).sort((a, b) => b.run.qps - a.run.qps)[0];
  const pdns = ok.find((r) => r.target === 'pdns');
  const lines = [
    `Zone ${ctx.zone}: ${opts.records} records; ${ctx.queryLines} queries in the file (${QUERY_MIX.map((m) => `${m.cls} ${m.pct}%`).join(', ')}); ` +
      `dnsperf -l ${opts.duration} -T ${opts.threads} -c ${opts.clients} -q ${opts.inflight}${opts.edns ? ' -e' : ''} after a ${opts.warmup} s warm-up.` +
      (opts.rounds > 1 ? ` ${opts.rounds} interleaved rounds; each row is the target's median round (q/s of every round in the last column).` : ''),
    '',
    `| target | queries/s | vs best Knot | vs PowerDNS | lost | avg ms | max ms | resp. bytes | server CPU | CPU µs/query | RSS MiB | startup ms | answers |${opts.rounds > 1 ? ' rounds q/s |' : ''}`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|${opts.rounds > 1 ? '---|' : ''}`,
  ];
  for (const r of results) {
    if (!r.run) {
      lines.push(`| ${r.label} | FAILED: ${(r.error ?? '').split('\n')[0].replace(/\|/g, '\\|').slice(0, 200)} |||||||||||| `);
      continue;
    }
    const p = r.run;
    const vs = (b) => (b ? `${(p.qps / b.run.qps).toFixed(2)}×` : '–');
    const wrong = r.answerCheck.failed.length;
    lines.push(`| ${r.label}${r.udpIo ? ` (UDP I/O: ${r.udpIo})` : ''} | ${Math.round(p.qps)} | ${vs(bestKnot)} | ${vs(pdns)} | ${p.lost}${p.udpReceiveBufferDrops ? ` (${p.udpReceiveBufferDrops} rcvbuf drops)` : ''} | ${fmt(p.latencyMs?.avg)} | ${fmt(p.latencyMs?.max)} | ${fmt(p.avgResponseBytes)} | ${p.serverCpuPercent}% | ${fmt(p.serverCpuMicrosPerQuery)} | ${r.memoryAfterRun.rssMiB}${r.memoryAfterRun.processes.length > 1 ? ` (${r.memoryAfterRun.processes.length} procs, PSS ${r.memoryAfterRun.pssMiB})` : ''} | ${fmt(r.startupMs)} | ${wrong ? `**${wrong} of ${r.answerCheck.checked} wrong**` : `${r.answerCheck.checked} ok`} |${r.roundsQps ? ` ${r.roundsQps.join(', ')} |` : ''}`);
  }
  const checks = results.filter((r) => r.rateCheck);
  if (checks.length) {
    lines.push('', `Rate check (same settings plus dnsperf -Q, the issue's rate ${checks[0].rateCheck.basis}):`, '');
    lines.push('| target | asked q/s | got q/s | lost | avg ms | max ms |', '|---|---:|---:|---:|---:|---:|');
    for (const r of checks) {
      const c = r.rateCheck;
      lines.push(`| ${r.label} | ${c.askedQps} | ${Math.round(c.qps)} | ${c.lost} | ${fmt(c.latencyMs?.avg)} | ${fmt(c.latencyMs?.max)} |`);
    }
  }
  const notes = [];
  for (const r of results) {
    for (const f of r.answerCheck?.failed ?? []) notes.push(`- ${r.label}: \`${f.query}\`: ${f.problem}${f.got ? ` (got ${f.got})` : ''}`);
    if (r.run && Object.keys(r.run.responseCodes).some((c) => c !== 'NOERROR' && c !== 'NXDOMAIN')) notes.push(`- ${r.label}: response codes ${JSON.stringify(r.run.responseCodes)}`);
  }
  return [...lines, ...(notes.length ? ['', 'Problems:', ...notes.slice(0, 40)] : [])].join('\n');
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const bound = boundRun(opts.timeoutS);
  const startedAt = new Date().toISOString();
  const machine = machineInfo({ zkBin: opts.zkBin });
  console.error(`machine: ${machine.nproc} CPU(s), ${machine.cpuModel}, load ${machine.atStart.loadAverage.join(' ')}; knot ${machine.knot}, pdns ${machine.pdns}, dnsperf ${machine.dnsperf}`);
  const busy = machine.atStart;
  if (busy.loadAverage[0] >= 1 || busy.machineCpuBusyPercent >= 20) console.error(`warning: the machine is busy (load average ${busy.loadAverage[0]}, CPUs ${busy.machineCpuBusyPercent}% busy over the last second: ${busy.topCpuLastSecond.join('; ')}); numbers will be low`);

  const zone = DEFAULT_ZONE;
  const { dir } = makeTempDir('zk-bench-dns-');
  const files = { zone: join(dir, `${zone}.zone`), queries: join(dir, 'queries.txt') };
  const z = await writeZoneFile(files.zone, { zone, records: opts.records });
  const q = buildQueries({ zone, records: opts.records, lines: opts.queries, seed: opts.seed });
  writeFileSync(files.queries, q.text);
  console.error(`zone: ${opts.records} records (${(z.bytes / 1e6).toFixed(1)} MB); queries: ${q.lines} (${JSON.stringify(q.counts)})`);
  const ctx = { machine, zone, files, samples: q.samples, queryLines: q.lines };

  let zkImport = null;
  let zkApiLoad = null;
  if (opts.targets.some((t) => TARGETS[t].kind === 'zk')) {
    console.error('\n== zonekeeper: keys create + zones import (timed alone, not part of startup)');
    try {
      ctx.zkData = await prepareZonekeeper({ zone, zoneFile: files.zone, records: opts.records, bin: opts.zkBin, fallback: opts.zkFallback, echo: opts.verbose, log: (m) => console.error(`   ${m}`) });
      ({ import: zkImport, apiLoad: zkApiLoad } = ctx.zkData);
    } catch (err) {
      ctx.zkDataError = err.message;
      zkImport = err.import ?? { error: err.message };
    }
  }

  // Rounds interleave the targets (round 1: all targets, round 2: all targets, ...), so a drift
  // of the machine's speed hits every target alike; the table shows each target's median round.
  const rounds = [];
  for (let k = 0; k < opts.rounds; k++) {
    if (opts.rounds > 1) console.error(`\n##### round ${k + 1} of ${opts.rounds}`);
    const round = [];
    for (const id of opts.targets) {
      if (Date.now() > bound.deadline) {
        round.push({ target: id, label: TARGETS[id].label(machine), error: 'skipped: --timeout reached' });
        continue;
      }
      if (TARGETS[id].kind === 'zk') ctx.targetRate = targetRate(round);
      round.push({ ...(await benchTarget(id, opts, ctx)), round: k + 1 });
    }
    rounds.push(round);
  }
  const results = opts.targets.map((id) => medianRound(rounds.map((r) => r.find((x) => x.target === id))));
  const md = markdown(results, opts, ctx);
  console.log(`\n${md}`);
  const report = {
    benchmark: 'dns-queries',
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `node bench/dns/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    zonekeeperBin: opts.zkBin ?? 'bin/zonekeeper.js',
    atEnd: loadSnapshot(),
    workload: {
      zone,
      records: opts.records,
      zoneFileBytes: z.bytes,
      queryFileLines: q.lines,
      queryMix: QUERY_MIX,
      queryCounts: q.counts,
      querySamples: q.samples,
      seed: opts.seed,
      dnsperf: { duration: opts.duration, warmup: opts.warmup, threads: opts.threads, clients: opts.clients, inflight: opts.inflight, edns: opts.edns, timeoutS: 5 },
      order: 'targets one after another, each freshly started; peers first',
    },
    zonekeeperImport: zkImport,
    zonekeeperApiLoad: zkApiLoad,
    results,
    ...(opts.rounds > 1 ? { rounds: rounds.map((r) => r.map((x) => ({ target: x.target, qps: x.run?.qps ?? null, lost: x.run?.lost ?? null, error: x.error }))) } : {}),
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
