// Peer programs the interop suites run (ddclient, inadyn, curl, dig, ...): found on the PATH or at
// their Debian paths; a missing one fails the suite under CI=true and is a loud skip elsewhere.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

export interface Peer {
  /** The program's name (looked up on the PATH and in /usr/sbin, /usr/bin). */
  name: string;
  /** The Debian package that brings it (scripts/test-packages.txt). */
  pkg: string;
}

export function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs) {
    const p = path.join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/**
 * The paths of `peers` when all are installed; otherwise null, after registering a failing test
 * (CI=true: a missing peer never passes silently) or printing a loud warning (elsewhere).
 */
export function requirePeers(suite: string, peers: Peer[]): Record<string, string> | null {
  const found: Record<string, string> = {};
  const missing: Peer[] = [];
  for (const p of peers) {
    const at = findProgram(p.name);
    if (at) found[p.name] = at;
    else missing.push(p);
  }
  if (missing.length === 0) return found;
  const message = `${missing.map((p) => `${p.name} (Debian package ${p.pkg})`).join(', ')} not found; scripts/install-test-deps.sh installs them.`;
  if (process.env.CI === 'true') {
    describe(`${suite} [peers]`, () => {
      it(`needs ${missing.map((p) => p.name).join(', ')}`, () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`\n!!! SKIPPING "${suite}": ${message}\n`);
  }
  return null;
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a program to completion (stdout and stderr together); never rejects on a non-zero exit. */
export function runProgram(bin: string, args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
