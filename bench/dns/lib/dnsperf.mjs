// Runs dnsperf (Debian package `dnsperf`, DNS-OARC) against one server and parses its summary.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { register, runSync, which } from '../../api/lib/procs.mjs';

export function dnsperfVersion() {
  if (!which('dnsperf')) return null;
  const r = runSync('dnsperf', ['-h'], { timeoutMs: 10_000 });
  return /Version (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

/** The UDP counters of the whole machine (/proc/net/snmp): where lost datagrams were dropped. */
export function udpCounters() {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const keys = lines[0].split(/\s+/).slice(1);
  const vals = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, vals[i]]));
}

const num = (re, text) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
};

/** Parses the "Statistics:" block of dnsperf 2.x. */
export function parseDnsperf(text) {
  const codes = {};
  const codeLine = /Response codes:\s+(.*)/.exec(text)?.[1] ?? '';
  for (const m of codeLine.matchAll(/([A-Z]+) (\d+) \(/g)) codes[m[1]] = Number(m[2]);
  const lat = /Average Latency \(s\):\s+([\d.]+) \(min ([\d.]+), max ([\d.]+)\)/.exec(text);
  const ms = (s) => Number((Number(s) * 1000).toFixed(3));
  return {
    sent: num(/Queries sent:\s+(\d+)/, text),
    completed: num(/Queries completed:\s+(\d+)/, text),
    lost: num(/Queries lost:\s+(\d+)/, text),
    interrupted: num(/Queries interrupted:\s+(\d+)/, text),
    responseCodes: codes,
    avgRequestBytes: num(/Average packet size:\s+request (\d+)/, text),
    avgResponseBytes: num(/Average packet size:\s+request \d+, response (\d+)/, text),
    runSeconds: num(/Run time \(s\):\s+([\d.]+)/, text),
    qps: num(/Queries per second:\s+([\d.]+)/, text) === null ? null : Number(num(/Queries per second:\s+([\d.]+)/, text).toFixed(1)),
    latencyMs: lat ? { avg: ms(lat[1]), min: ms(lat[2]), max: ms(lat[3]), stddev: ms(/Latency StdDev \(s\):\s+([\d.]+)/.exec(text)?.[1] ?? 'NaN') } : null,
    timeoutLines: (text.match(/\[Timeout\]/g) ?? []).length,
  };
}

/**
 * Runs `dnsperf -s 127.0.0.1 -p PORT -d FILE -l SECONDS -T threads -c clients -q inflight
 * [-Q maxQps] [-e] [extra...]`, bounded (duration + timeout + 30 s), killed on the way out.
 * Resolves with {args, ...parseDnsperf(), stderrTail}.
 */
export function runDnsperf({ port, file, seconds, threads, clients, inflight, maxQps = null, edns = false, extraArgs = [], timeoutS = 5 }) {
  const bin = which('dnsperf');
  if (!bin) throw new Error('dnsperf not found (Debian package dnsperf): sudo scripts/install-test-deps.sh scripts/bench-packages.txt');
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), '-T', String(threads), '-c', String(clients), '-q', String(inflight), '-t', String(timeoutS)];
  if (maxQps) args.push('-Q', String(Math.round(maxQps)));
  if (edns) args.push('-e');
  args.push(...extraArgs);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
    const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
    const release = register(`dnsperf (pid ${child.pid})`, { kill });
    const bound = setTimeout(kill, (seconds + timeoutS + 30) * 1000);
    child.on('error', (e) => { clearTimeout(bound); release(); reject(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(bound);
      release();
      const text = `${out}\n${err}`;
      const parsed = parseDnsperf(text);
      if (parsed.qps === null) {
        reject(new Error(`dnsperf ${args.join(' ')} exited ${code ?? signal} without statistics: ${text.trim().split('\n').slice(-8).join(' | ')}`));
        return;
      }
      resolve({ command: `dnsperf ${args.join(' ')}`, exit: code, ...parsed, stderrTail: err.trim().split('\n').filter((l) => !l.startsWith('[Timeout]')).slice(-5) });
    });
  });
}
