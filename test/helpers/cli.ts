// Runs the real `zonekeeper` command (bin/zonekeeper.js over dist/, built by `npm test`'s pretest)
// as a child process, and starts `zonekeeper serve` children on free loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/zonekeeper.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `zonekeeper ...args` to completion (stdin optional), with a clean ZONEKEEPER_* environment. */
export function runCli(args: string[], opts: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ZONEKEEPER_')) env[k] = v;
  return { ...env, ...extra };
}

export interface ServeChild {
  child: ChildProcess;
  url: string;
  /** Where DNS listens (UDP and TCP), unless started with `--dns off`. */
  dns: { host: string; port: number } | null;
  /** Everything the child printed on stdout so far. */
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `zonekeeper serve` with HTTP and DNS on free loopback ports (`args` may override either,
 * e.g. `--dns off`) and resolves once it prints its HTTP address (printed after the DNS line).
 */
export function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--http', '127.0.0.1:0', '--dns', '127.0.0.1:0', '--log-level', 'warn', ...args], {
      cwd: ROOT,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start in time:\n${out}\n${err}`));
    }, 20_000);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /HTTP API listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const d = /DNS listening on (?:\[([^\]]+)\]|([^\s:]+)):(\d+)/.exec(out);
        resolve({
          child,
          url: m[1]!,
          dns: d ? { host: (d[1] ?? d[2])!, port: Number(d[3]) } : null,
          output: () => out,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}\n${err}`));
    });
  });
}
