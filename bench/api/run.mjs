#!/usr/bin/env node
// API write benchmark: record writes/s and latency of zonekeeper (SQLite, PostgreSQL) and
// PowerDNS's HTTP API (gsqlite3) in one run, same workload. See bench/README.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from './lib/load.mjs';
import { releaseAll, runSync, setRunDeadline, which } from './lib/procs.mjs';
import { TARGETS, zoneFor } from './lib/targets.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage: node bench/api/run.mjs [options]
  --targets LIST         comma list of ${Object.keys(TARGETS).join(',')} (default: all)
  --phases LIST          clients x writes per phase (default: 1x2000,32x5000)
  --concurrency N        run one phase with N clients instead of --phases
  --count N              writes in that phase (default 2000 if N=1, else 5000)
  --warmup N             unrecorded sequential writes before the phases (default 50)
  --phase-timeout S      stop dispatching a phase after S seconds (default 180)
  --request-timeout S    per-request timeout (default 15)
  --timeout S            no new writes after S seconds; everything is killed 30 s later (default 1200)
  --pg-admin-url URL     PostgreSQL where zk_bench_<random> is created and dropped
                         (default $ZK_BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --zk-bin PATH          zonekeeper CLI (default bin/zonekeeper.js)
  --zk-arg ARG           extra argument for \`zonekeeper serve\` (repeatable)
  --out FILE             JSON results (default bench/results/api-<UTC timestamp>.json)
  --no-json              do not write the JSON file
  --verbose              echo server output
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string', default: Object.keys(TARGETS).join(',') },
      phases: { type: 'string', default: '1x2000,32x5000' },
      concurrency: { type: 'string' },
      count: { type: 'string' },
      warmup: { type: 'string', default: '50' },
      'phase-timeout': { type: 'string', default: '180' },
      'request-timeout': { type: 'string', default: '15' },
      timeout: { type: 'string', default: '1200' },
      'pg-admin-url': { type: 'string', default: process.env.ZK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      'zk-bin': { type: 'string' },
      'zk-arg': { type: 'string', multiple: true, default: [] },
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
  const int = (name, v, min = 1) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  let phases;
  if (values.concurrency !== undefined || values.count !== undefined) {
    const c = int('concurrency', values.concurrency ?? '1');
    phases = [{ concurrency: c, count: int('count', values.count ?? (c === 1 ? '2000' : '5000')) }];
  } else {
    phases = values.phases.split(',').map((p) => {
      const m = /^(\d+)x(\d+)$/.exec(p.trim());
      if (!m) throw new Error(`--phases item "${p}" is not CLIENTSxWRITES`);
      return { concurrency: int('phases', m[1]), count: int('phases', m[2]) };
    });
  }
  const targets = values.targets.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target "${t}" (known: ${Object.keys(TARGETS).join(', ')})`);
  return {
    targets,
    phases,
    warmup: int('warmup', values.warmup, 0),
    phaseTimeoutS: int('phase-timeout', values['phase-timeout']),
    requestTimeoutS: int('request-timeout', values['request-timeout']),
    timeoutS: int('timeout', values.timeout),
    pgAdminUrl: values['pg-admin-url'],
    zkBin: values['zk-bin'],
    zkExtraArgs: values['zk-arg'],
    out: values['no-json'] ? null : values.out ?? join(REPO_ROOT, 'bench', 'results', `api-${new Date().toISOString().replace(/[:.]/g, '').replace(/\d{3}Z$/, 'Z')}.json`),
    verbose: values.verbose,
  };
}

function firstLine(cmd, args) {
  if (!which(cmd)) return null;
  const r = runSync(cmd, args, { timeoutMs: 10_000 });
  if (r.status !== 0) return null;
  const text = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find(Boolean);
  return text ?? null;
}

function pdnsVersion() {
  if (!which('pdns_server')) return null;
  const r = runSync('pdns_server', ['--no-config', '--version'], { timeoutMs: 10_000 }); // exits 99 after printing
  return /PowerDNS Authoritative Server (\S+)/.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'unknown';
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    nproc: Number(firstLine('nproc', [])) || os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    logicalCpus: cpus.length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pdns: pdnsVersion(),
    sqlite3Cli: firstLine('sqlite3', ['--version'])?.split(' ')[0] ?? null,
    postgresClient: firstLine('psql', ['--version']),
    zonekeeperVersion: JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version ?? null,
    zonekeeperCommit: firstLine('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']),
  };
}

async function benchTarget(id, opts, runDeadline) {
  const result = { target: id, label: id, phases: [] };
  const t0 = Date.now();
  console.error(`\n== ${id}: starting`);
  try {
    const target = await TARGETS[id].start({ echo: opts.verbose, pgAdminUrl: opts.pgAdminUrl, zkBin: opts.zkBin, zkExtraArgs: opts.zkExtraArgs });
    result.label = target.label;
    result.info = target.info;
    const common = {
      baseUrl: target.baseUrl,
      shouldAbort: () => !target.alive(),
      requestTimeoutMs: opts.requestTimeoutS * 1000,
    };
    let index = 1;
    if (opts.warmup) {
      const zone = await target.newZone(zoneFor(0));
      const w = await runLoad({ ...common, makeRequest: zone.makeRequest, count: opts.warmup, concurrency: 1, firstIndex: index, deadline: Math.min(runDeadline, Date.now() + 60_000) });
      index = w.nextIndex;
      result.warmup = { zone: zoneFor(0), sent: w.sent, ok: w.ok, errorsByStatus: w.errorsByStatus };
      if (w.ok === 0) throw new Error(`every warm-up write failed: ${JSON.stringify(w.errorSamples).slice(0, 600)}`);
    }
    for (const [k, phase] of opts.phases.entries()) {
      const zoneName = zoneFor(k + 1);
      const zone = await target.newZone(zoneName);
      const deadline = Math.min(runDeadline, Date.now() + opts.phaseTimeoutS * 1000);
      const r = await runLoad({ ...common, makeRequest: zone.makeRequest, ...phase, firstIndex: index, deadline });
      index = r.nextIndex;
      delete r.nextIndex;
      r.zone = zoneName;
      // Did every write answered 2xx land, and nothing else? (PowerDNS only: a zonekeeper
      // listing endpoint is not part of the harness contract.)
      if (zone.countStored) r.storedRRsets = await zone.countStored();
      result.phases.push(r);
      const errs = r.errors ? `, errors ${JSON.stringify(r.errorsByStatus)}` : '';
      const stored = r.storedRRsets === undefined ? '' : `, ${r.storedRRsets} RRsets stored`;
      console.error(`   ${phase.concurrency} client(s): ${r.ok}/${r.sent} ok, ${r.writesPerSec} writes/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms${errs}${stored}${r.stopped ? ` (stopped: ${r.stopped})` : ''}`);
    }
    result.attemptedWrites = index - 1;
    if (target.problems.size) {
      result.serverErrors = [...target.problems].map(([line, count]) => ({ count, line })).sort((a, b) => b.count - a.count);
    }
  } catch (err) {
    result.error = err.message;
    console.error(`   FAILED: ${err.message}`);
  } finally {
    await releaseAll();
  }
  result.wallSeconds = Number(((Date.now() - t0) / 1000).toFixed(1));
  return result;
}

const fmt = (x) => (x === null || x === undefined ? '–' : String(x));

function markdown(results, phases) {
  const base = results.find((r) => r.target === 'pdns')?.phases ?? []; // same phases, same order
  const lines = [
    '| target | clients | ok / sent | writes/s | vs PowerDNS | p50 ms | p99 ms | max ms | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    if (r.error) {
      lines.push(`| ${r.label} | – | – | – | – | – | – | – | FAILED: ${r.error.split('\n')[0].replace(/\|/g, '\\|')} |`);
      continue;
    }
    for (const [k, p] of r.phases.entries()) {
      const b = base[k]?.writesPerSec;
      const ratio = b ? `${(p.writesPerSec / b).toFixed(2)}×` : '–';
      const errs = p.errors ? Object.entries(p.errorsByStatus).map(([k, v]) => `${k}×${v}`).join(', ') : '0';
      lines.push(`| ${r.label} | ${p.concurrency} | ${p.ok} / ${p.sent}${p.storedRRsets !== undefined && p.storedRRsets !== p.ok ? ` (${p.storedRRsets} stored!)` : ''} | ${fmt(p.writesPerSec)} | ${ratio} | ${fmt(p.latencyMs.p50)} | ${fmt(p.latencyMs.p99)} | ${fmt(p.latencyMs.max)} | ${errs}${p.stopped ? ` (stopped: ${p.stopped})` : ''} |`);
    }
  }
  const samples = [];
  for (const r of results) {
    for (const e of r.serverErrors ?? []) {
      samples.push(`- ${r.label} server log, ${e.count}×: \`${e.line.replace(/`/g, "'").slice(0, 300)}\``);
    }
    for (const p of r.phases) {
      for (const [status, bodies] of Object.entries(p.errorSamples)) {
        samples.push(`- ${r.label}, ${p.concurrency} clients, ${status}: ${bodies.map((b) => `\`${b.replace(/\s+/g, ' ').slice(0, 200)}\``).join(' / ')}`);
      }
    }
  }
  const workload = `Workload: ${phases.map((p) => `${p.count} writes with ${p.concurrency} client(s)`).join(', then ')}, ` +
    'each phase into a new empty zone; each write creates one A RRset at a new name; ' +
    'writes/s counts 2xx answers only; latency percentiles over 2xx answers.';
  return [workload, '', ...lines, ...(samples.length ? ['', 'Error samples:', ...samples] : [])].join('\n');
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  // Soft bound: no new writes after --timeout. Hard bound, 30 s later: everything is killed (and
  // the children, run under coreutils `timeout`, die by themselves even if this process is gone).
  const HARD_GRACE_S = 30;
  const runDeadline = Date.now() + opts.timeoutS * 1000;
  setRunDeadline(opts.timeoutS + HARD_GRACE_S);
  const bound = setTimeout(() => {
    console.error(`bench: run exceeded --timeout ${opts.timeoutS}s + ${HARD_GRACE_S}s, stopping`);
    releaseAll().finally(() => process.exit(124));
  }, (opts.timeoutS + HARD_GRACE_S) * 1000);
  bound.unref();

  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  console.error(`machine: ${machine.nproc} CPU(s), ${machine.cpuModel}, node ${machine.node}, pdns ${machine.pdns ?? 'not installed'}`);
  const results = [];
  for (const id of opts.targets) {
    if (Date.now() > runDeadline) {
      results.push({ target: id, label: id, phases: [], error: 'skipped: run timeout reached' });
      continue;
    }
    results.push(await benchTarget(id, opts, runDeadline));
  }
  const report = {
    benchmark: 'api-writes',
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `node bench/api/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    workload: {
      zones: 'bench<k>.example.org, a new empty zone per phase k (bench0 = warm-up)',
      write: 'one A RRset at a new name w<N> per request (PowerDNS: PATCH zone rrsets REPLACE; zonekeeper: POST records)',
      addresses: '198.51.100.1-254 then 203.0.113.1-254, cycling',
      ttl: 300,
      warmup: opts.warmup,
      phases: opts.phases,
      client: 'node:http, keep-alive agent, one request in flight per client; targets run one after another on fresh servers',
    },
    results,
  };
  const md = markdown(results, opts.phases);
  console.log(`\n${md}`);
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify({ ...report, markdown: md }, null, 2)}\n`);
    console.error(`\nresults: ${relative(process.cwd(), opts.out) || opts.out}`);
  }
  clearTimeout(bound);
  return results.some((r) => r.error) ? 2 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    console.error(`bench: ${err.message}`);
    await releaseAll();
    process.exitCode = 1;
  },
);
