// Child processes, temp dirs and other resources of a bench run, all released on every way out.
//
// Every resource registers a graceful async `stop` and a brutal sync `kill`. The normal path and
// signals (Ctrl-C, SIGTERM, SIGHUP) run the graceful stops (bounded); the process 'exit' handler
// runs the sync kills of whatever is left, so an uncaught error still leaves nothing behind. Each
// child runs in its own process group under coreutils `timeout`, so even if this process is
// SIGKILLed the child dies by itself once the run's deadline has passed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const resources = []; // LIFO
let exiting = false;
let deadlineEpochMs = Date.now() + 30 * 60_000;

/** Sets the wall-clock bound of the whole run; children spawned later inherit it. */
export function setRunDeadline(seconds) {
  deadlineEpochMs = Date.now() + seconds * 1000;
}

export function secondsLeft() {
  return Math.max(1, Math.ceil((deadlineEpochMs - Date.now()) / 1000));
}

/** Registers a resource; returns a function that releases it gracefully (and unregisters it). */
export function register(name, { stop, kill }) {
  const entry = { name, stop, kill, done: false };
  resources.push(entry);
  return async () => {
    if (entry.done) return;
    entry.done = true;
    resources.splice(resources.indexOf(entry), 1);
    try {
      await (stop ?? kill)();
    } catch (err) {
      console.error(`bench: stopping ${name} failed: ${err.message}`);
    }
  };
}

/** Graceful release of everything still registered, newest first. */
export async function releaseAll() {
  while (resources.length) {
    const entry = resources.pop();
    if (entry.done) continue;
    entry.done = true;
    try {
      await (entry.stop ?? entry.kill)();
    } catch (err) {
      console.error(`bench: stopping ${entry.name} failed: ${err.message}`);
    }
  }
}

function killAllSync() {
  while (resources.length) {
    const entry = resources.pop();
    if (entry.done) continue;
    entry.done = true;
    try {
      entry.kill();
    } catch {
      // best effort on the way out
    }
  }
}

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (exiting) return killAllSync();
    exiting = true;
    console.error(`\nbench: ${signal}, stopping servers and removing temp files...`);
    const force = setTimeout(() => process.exit(130), 8000);
    force.unref();
    releaseAll().finally(() => process.exit(130));
  });
}

/** True once a signal started the shutdown. */
export function shuttingDown() {
  return exiting;
}

/** A fresh temp dir, removed at the end of the run. */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  return { dir, release: register(`temp dir ${dir}`, { kill: remove }) };
}

function which(cmd) {
  for (const p of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    if (p && existsSync(join(p, cmd))) return join(p, cmd);
  }
  return null;
}
export { which };

const PROBLEM = /error|exception|fail|fatal|locked|busy|\bISE\b/i;

/** Log line with request ids, numbers in names and timestamps blanked, to count alike errors. */
export function normalizeLogLine(line) {
  return line
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\bw\d+\b/g, 'w<N>')
    .replace(/\bbench\d+\./g, 'bench<k>.')
    .replace(/\b\d{4}-\d\d-\d\dT[\d:.]+Z?\b/g, '<time>')
    .slice(0, 400);
}

/**
 * Starts a long-running child in its own process group, bounded by the run deadline.
 * Keeps the last lines of its output for error messages; `echo` copies output to stderr.
 */
export function startChild(name, cmd, args, { env, cwd, echo = false } = {}) {
  const timeoutBin = which('timeout');
  const [file, argv] = timeoutBin
    ? [timeoutBin, ['-k', '5', String(secondsLeft()), cmd, ...args]]
    : [cmd, args];
  const child = spawn(file, argv, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const problems = new Map(); // normalized error line -> count, over the whole run of the child
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      if (PROBLEM.test(line)) {
        const key = normalizeLogLine(line);
        if (problems.has(key) || problems.size < 50) problems.set(key, (problems.get(key) ?? 0) + 1);
      }
      tail.push(line);
      if (tail.length > 400) tail.shift();
      if (echo) process.stderr.write(`[${name}] ${line}\n`);
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      exitInfo = { code: null, signal: null, error: err.message };
      resolve(exitInfo);
    });
  });
  const signalGroup = (sig) => {
    if (exitInfo || !child.pid) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // group already gone
    }
  };
  const stop = async () => {
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const release = register(`${name} (pid ${child.pid})`, { stop, kill: () => signalGroup('SIGKILL') });
  return {
    child,
    tail,
    problems,
    exited,
    get exitInfo() {
      return exitInfo;
    },
    stop: release,
  };
}

/** Runs a short command to completion (bounded); returns {status, stdout, stderr}. */
export function runSync(cmd, args, { env, input, timeoutMs = 60_000, cwd } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    input,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? `\n${r.error.message}` : ''),
  };
}
