// Shared by run.mjs and big-zone.mjs: machine info, the run's time bound, results files.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { releaseAll, runSync, setRunDeadline, which } from '../../api/lib/procs.mjs';
import { dnsperfVersion } from './dnsperf.mjs';
import { REPO_ROOT, knotVersion, pdnsVersion } from './servers.mjs';

function firstLine(cmd, args) {
  if (!which(cmd)) return null;
  const r = runSync(cmd, args, { timeoutMs: 10_000 });
  if (r.status !== 0) return null;
  return `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find(Boolean) ?? null;
}

function cpuTicksByProcess() {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const text = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = text.lastIndexOf(')');
      const f = text.slice(close + 2).split(' ');
      out.set(d, { comm: text.slice(text.indexOf('(') + 1, close), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone
    }
  }
  return out;
}

function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
}

/**
 * Busy-ness of the machine right now: load averages, and over the next second the CPU use of the
 * whole machine and of its busiest processes (`ps` %CPU would be a lifetime average).
 */
export function loadSnapshot(sampleMs = 1000) {
  const p0 = cpuTicksByProcess();
  const m0 = machineTicks();
  const until = Date.now() + sampleMs;
  while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  const p1 = cpuTicksByProcess();
  const m1 = machineTicks();
  const top = [...p1]
    .map(([pid, v]) => ({ pid: Number(pid), comm: v.comm, cpuPercent: Math.round(((v.ticks - (p0.get(pid)?.ticks ?? v.ticks)) / (sampleMs / 10)) * 100) / 1 }))
    .filter((x) => x.cpuPercent > 0 && x.pid !== process.pid)
    .sort((a, b) => b.cpuPercent - a.cpuPercent)
    .slice(0, 5)
    .map((x) => `${x.cpuPercent}% ${x.comm} (${x.pid})`);
  const busyPercent = Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100);
  return { loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))), machineCpuBusyPercent: busyPercent, topCpuLastSecond: top };
}

/**
 * The commit of the zonekeeper tree a CLI belongs to: `git rev-parse` there, or for a tree without
 * .git (e.g. a `git archive` export) the first word of a REVISION file next to its package.json.
 */
function zonekeeperRevision(zkBin) {
  const root = zkBin ? resolve(dirname(zkBin), '..') : REPO_ROOT;
  const git = firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const dirty = git !== null && runSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no', '--', 'src', 'native'], { timeoutMs: 10_000 }).stdout.trim() !== '';
  if (git && existsSync(join(root, '.git'))) return { tree: root, commit: git, srcModified: dirty };
  if (existsSync(join(root, 'REVISION'))) return { tree: root, commit: readFileSync(join(root, 'REVISION'), 'utf8').trim().split(/\s+/)[0], srcModified: null };
  return { tree: root, commit: null, srcModified: null };
}

export function machineInfo({ zkBin } = {}) {
  const cpus = os.cpus();
  return {
    nproc: Number(firstLine('nproc', [])) || os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    knot: knotVersion(),
    pdns: pdnsVersion(),
    dnsperf: dnsperfVersion(),
    zonekeeperVersion: JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version ?? null,
    zonekeeper: zonekeeperRevision(zkBin),
    atStart: loadSnapshot(),
  };
}

/** Soft deadline (ms epoch) for starting new work; hard kill of everything 30 s after it. */
export function boundRun(timeoutS) {
  const HARD_GRACE_S = 30;
  setRunDeadline(timeoutS + HARD_GRACE_S);
  const bound = setTimeout(() => {
    console.error(`bench: run exceeded --timeout ${timeoutS}s + ${HARD_GRACE_S}s, stopping`);
    releaseAll().finally(() => process.exit(124));
  }, (timeoutS + HARD_GRACE_S) * 1000);
  bound.unref();
  return { deadline: Date.now() + timeoutS * 1000, clear: () => clearTimeout(bound) };
}

export const utcStamp = () => new Date().toISOString().replace(/[:.]/g, '').replace(/\d{3}Z$/, 'Z');

export function writeResults(out, report) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.error(`\nresults: ${relative(process.cwd(), out) || out}`);
}

export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

export function intOption(name, v, min = 1) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
  return n;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
