// Knot DNS (Debian `knot`) for tests: finding knotd, a free loopback port, and a throwaway knotd
// serving given zone files from a temporary folder, run in the foreground as our child process.
// A missing knotd fails the suite under CI=true and is a loud skip elsewhere (like requirePg).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';

/** knotd to run: `$KNOTD`, else /usr/sbin/knotd, else the first `knotd` on the PATH. */
export function knotdPath(): string | null {
  const candidates = [process.env.KNOTD, '/usr/sbin/knotd', '/usr/local/sbin/knotd'].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'knotd');
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** `knotd --version` output, or the reason it cannot run. */
export function knotVersion(): { ok: true; version: string } | { ok: false; reason: string } {
  const bin = knotdPath();
  if (!bin) return { ok: false, reason: 'knotd was not found (install the Debian package `knot`, or set KNOTD)' };
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) return { ok: false, reason: `${bin} --version failed: ${r.error?.message ?? r.stderr}` };
  return { ok: true, version: r.stdout.trim() };
}

/**
 * Decides whether a Knot-backed suite runs. Without a working knotd: under CI=true registers a
 * failing test (a missing Knot never passes silently); elsewhere warns loudly and returns false.
 */
export function requireKnot(suite: string): boolean {
  const v = knotVersion();
  if (v.ok) return true;
  const message = `Knot DNS is not available: ${v.reason}.`;
  if (process.env.CI === 'true') {
    describe(`${suite} [knot]`, () => {
      it('needs knotd (Debian package `knot`)', () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`\n!!! SKIPPING Knot DNS tests of "${suite}": ${message}\n`);
  }
  return false;
}

/** `describe` that runs only when knotd is available (see requireKnot). */
export function describeIfKnot(name: string, fn: () => void): void {
  if (requireKnot(name)) describe(name, fn);
  else describe.skip(name, fn);
}

/** A loopback port free for both UDP and TCP at the time of the call. */
export async function freeDnsPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
    });
    const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const udpOk = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    udp.close();
    await new Promise((r) => server.close(r));
    if (udpOk) return port;
  }
  throw new Error('no free port for both UDP and TCP');
}

export interface KnotZone {
  /** Zone name, no trailing dot needed. */
  name: string;
  /** Path of the zone file. */
  file: string;
}

export interface KnotServer {
  host: string;
  port: number;
  dir: string;
  /** What knotd wrote on stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

function buildSoaQuery(id: number, zone: string): Buffer {
  const labels = zone.replace(/\.$/, '').split('.').filter(Boolean);
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l, 'latin1')])), Buffer.of(0)]);
  const header = Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, name, Buffer.from([0, 6, 0, 1])]);
}

/** Resolves true once `host:port` answers a SOA query for `zone` with NOERROR and AA over UDP. */
export async function answersSoa(host: string, port: number, zone: string, timeoutMs = 300): Promise<boolean> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.on('error', () => {});
  const id = Math.floor(Math.random() * 0xffff);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      sock.on('message', (m) => {
        if (m.length >= 12 && m.readUInt16BE(0) === id) {
          clearTimeout(timer);
          resolve((m[3]! & 0x0f) === 0 && (m[2]! & 0x04) !== 0);
        }
      });
      sock.send(buildSoaQuery(id, zone), port, host);
    });
  } finally {
    sock.close();
  }
}

/**
 * Starts knotd in the foreground on `host:port` (a free port when not given) serving `zones`,
 * with all run-time state (config, rundir, databases, control socket) in a fresh temp folder,
 * no DNSSEC, no journal, no zone-file sync, `semantic-checks: off`. Resolves once every zone
 * answers its SOA; rejects (with knotd's log) when a zone fails to load or knotd exits.
 */
export async function startKnot(zones: KnotZone[], opts: { host?: string; port?: number; udpMaxPayload?: number } = {}): Promise<KnotServer> {
  const bin = knotdPath();
  if (!bin) throw new Error('knotd not found');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freeDnsPort(host));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zk-knot-'));
  await mkdir(path.join(dir, 'run'));
  await mkdir(path.join(dir, 'db'));
  const q = (s: string) => JSON.stringify(s);
  const conf = [
    'server:',
    `    rundir: ${q(path.join(dir, 'run'))}`,
    `    listen: ${host}@${port}`,
    '    udp-workers: 2',
    '    tcp-workers: 2',
    '    background-workers: 1',
    '    identity: ""',
    '    version: ""',
    '    nsid: ""',
    `    udp-max-payload: ${opts.udpMaxPayload ?? 1232}`,
    'database:',
    `    storage: ${q(path.join(dir, 'db'))}`,
    'control:',
    `    listen: ${q(path.join(dir, 'run', 'knot.sock'))}`,
    'log:',
    '  - target: stderr',
    '    any: info',
    'template:',
    '  - id: default',
    `    storage: ${q(dir)}`,
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    '    semantic-checks: off',
    'zone:',
    ...zones.flatMap((z) => [`  - domain: ${q(z.name.replace(/\.$/, '') + '.')}`, `    file: ${q(path.resolve(z.file))}`]),
    '',
  ].join('\n');
  const confPath = path.join(dir, 'knot.conf');
  await writeFile(confPath, conf);
  const child: ChildProcess = spawn(bin, ['-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let dead = false;
  child.once('exit', () => (dead = true));
  const stop = async () => {
    if (!dead) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  const waiting = new Set(zones.map((z) => z.name.replace(/\.$/, '')));
  while (waiting.size > 0) {
    const failed = /error: \[([^\]]+)\] (?:zone event 'load' failed|failed to (?:load|parse))/.exec(log);
    if (dead || failed || Date.now() > deadline) {
      await stop();
      throw new Error(`knotd did not serve ${[...waiting].join(', ')}${dead ? ' (it exited)' : ''}:\n${log}`);
    }
    for (const z of [...waiting]) if (await answersSoa(host, port, z)) waiting.delete(z);
    if (waiting.size > 0) await new Promise((r) => setTimeout(r, 50));
  }
  return { host, port, dir, log: () => log, stop };
}
