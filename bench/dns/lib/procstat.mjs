// Resident memory and CPU time of a server's processes, read from /proc (Linux only).
//
// startChild() runs each server under coreutils `timeout`, so the pid we hold is timeout's; the
// server is its child, and node:cluster workers are the server's children. These helpers walk the
// process tree below a pid and leave out `timeout` itself.
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ; 100 on every Linux we run on

function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const f = text.slice(close + 2).split(' '); // f[0] = state (field 3)
    return { pid, comm, ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]) };
  } catch {
    return null;
  }
}

/** Every process below `rootPid` (not the root itself), with comm and ppid. */
export function descendants(rootPid) {
  const all = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(Number(d));
    if (s) all.push(s);
  }
  const byParent = new Map();
  for (const s of all) {
    if (!byParent.has(s.ppid)) byParent.set(s.ppid, []);
    byParent.get(s.ppid).push(s);
  }
  const out = [];
  const stack = [rootPid];
  while (stack.length) {
    for (const c of byParent.get(stack.pop()) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

/** The server's own processes: the tree below the `timeout` wrapper (or the pid itself). */
export function serverProcesses(wrapperPid) {
  const self = stat(wrapperPid);
  if (!self) return [];
  return self.comm === 'timeout' ? descendants(wrapperPid) : [self, ...descendants(wrapperPid)];
}

function kb(text, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * Memory of the server's processes: VmRSS and VmHWM summed over all of them (what `ps` would
 * add up; shared pages such as the node binary count once per process) and PSS (shared pages
 * split between the processes sharing them: the fair sum). MiB.
 */
export function memoryOf(wrapperPid) {
  const procs = serverProcesses(wrapperPid);
  let rss = 0;
  let hwm = 0;
  let pss = 0;
  const per = [];
  for (const p of procs) {
    try {
      const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
      const r = kb(status, 'VmRSS');
      const h = kb(status, 'VmHWM');
      let ps = 0;
      try {
        ps = kb(readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8'), 'Pss');
      } catch {
        // older kernels: no smaps_rollup
      }
      rss += r;
      hwm += h;
      pss += ps;
      per.push({ pid: p.pid, comm: p.comm, rssMiB: mib(r), pssMiB: mib(ps) });
    } catch {
      // exited meanwhile
    }
  }
  return { rssMiB: mib(rss), peakRssMiB: mib(hwm), pssMiB: mib(pss), processes: per };
}

const mib = (kib) => Number((kib / 1024).toFixed(1));

/** CPU seconds (user + system) used so far by the server's processes. */
export function cpuSecondsOf(wrapperPid) {
  let ticks = 0;
  for (const p of serverProcesses(wrapperPid)) ticks += p.utime + p.stime;
  return ticks / CLK_TCK;
}
