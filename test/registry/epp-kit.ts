// Shared pieces of the EPP tests: a throwaway TLS certificate (real openssl), a sandbox registry on a temp SQLite store, a raw frame client.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { coreSettings } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/config.js';
import { systemClock, type Store } from '../../src/core/ports.js';
import { SandboxRegistry } from '../../src/core/registry/sandbox-registry.js';
import { EppFrameDecoder, encodeEppFrame } from '../../src/registry/epp/framing.js';
import { openStore } from '../../src/storage/open-store.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { runProgram } from '../helpers/peers.js';

export interface TestCertificate {
  dir: string;
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
  dispose(): Promise<void>;
}

/** A P-256 self-signed certificate for localhost and 127.0.0.1, valid one day, made by the real openssl. */
export async function makeCertificate(openssl: string): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zk-epp-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const r = await runProgram(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ]);
  if (r.code !== 0) throw new Error(`openssl failed (${r.code}): ${r.output}`);
  return {
    dir, keyFile, certFile,
    key: await readFile(keyFile, 'utf8'),
    cert: await readFile(certFile, 'utf8'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TestSandbox {
  sandbox: SandboxRegistry;
  store: Store;
  close(): Promise<void>;
}

/** The sandbox registry (TLD `test`) over a fresh SQLite store in a temp directory. */
export async function openSandbox(): Promise<TestSandbox> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zk-epp-store-'));
  const store = await openStore({ dataDir, clock: systemClock, sqliteSynchronous: 'normal' });
  const settings = coreSettings(loadConfig({ 'log-level': 'silent' }, {}, process.cwd()));
  return {
    sandbox: new SandboxRegistry(store, systemClock, settings, ['test']),
    store,
    async close() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Speaks frames, not commands: for checks at the codec level (clTRID echo, svTRID, bad headers). */
export class RawEppClient {
  readonly #frames: string[] = [];
  readonly #waiters: ((frame: string | null) => void)[] = [];
  #ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    const decoder = new EppFrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const text = Buffer.from(frame).toString('utf8');
        const waiter = this.#waiters.shift();
        if (waiter) waiter(text);
        else this.#frames.push(text);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.#ended = true;
      for (const w of this.#waiters.splice(0)) w(null);
      resolve();
    }));
  }

  /** `localAddress` (e.g. 127.0.0.2) makes the connection come from another loopback address. */
  static async connect(port: number, ca?: string, localAddress?: string): Promise<RawEppClient> {
    const from = localAddress === undefined ? {} : { localAddress };
    const socket = ca === undefined ? net.connect({ port, host: '127.0.0.1', ...from }) : tls.connect({ host: '127.0.0.1', port, ca, ...from });
    await new Promise<void>((resolve, reject) => {
      socket.once(ca === undefined ? 'connect' : 'secureConnect', () => resolve());
      socket.once('error', reject);
    });
    return new RawEppClient(socket);
  }

  /** The next frame's XML, or null when the server closed the connection first. */
  next(timeoutMs = 2_000): Promise<string | null> {
    const queued = this.#frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame in time')), timeoutMs);
      this.#waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  send(xml: string): void {
    this.socket.write(encodeEppFrame(xml));
  }

  /** Sends a frame and returns the answer. */
  async exchange(xml: string): Promise<string> {
    this.send(xml);
    const answer = await this.next();
    if (answer === null) throw new Error('the server closed the connection instead of answering');
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** `zonekeeper registry serve-epp ARGS` as a child process; resolves once it listens. */
function env(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ZONEKEEPER_')));
}

/** Starts serve-epp and resolves with its port once it prints the listening line. */
export function startServeEpp(args: string[]): Promise<{ port: number; line: string; stop(): Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'registry', 'serve-epp', ...args], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve-epp did not start:\n${out}\n${err}`));
    }, 15_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^zonekeeper: EPP listening on 127\.0\.0\.1:(\d+) \(sandbox TLDs: test\)$/m.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ port: Number(m[1]), line: m[0], stop: () => (child.kill('SIGTERM'), exited) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve-epp exited with ${code}:\n${out}\n${err}`));
    });
  });
}
