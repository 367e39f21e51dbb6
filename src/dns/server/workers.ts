// The primary's side of `--dns-workers N`: forks the DNS worker processes (node:cluster shares the
// TCP socket between them; UDP too with dgram I/O, while with batched I/O each worker binds its own
// SO_REUSEPORT socket on the port chosen here), keeps them in sync with the DnsEngine, and tells the write
// path when every worker serves a change (`settled()`).
//
// It is the engine's ZoneSink: every replace/apply/remove updates an in-memory mirror of the zones
// (RR lists, for the snapshot of a worker that starts later or restarts) and is forwarded to every
// worker that has joined. A joining worker gets the mirror zone by zone (yielding between zones);
// changes made meanwhile reach it in order: a change to a zone it does not have yet is ignored by
// the worker, and that zone's snapshot, taken later from the mirror, already contains it.
import cluster, { type Worker } from 'node:cluster';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { RR } from '../../core/model.js';
import type { ScriptStatus } from '../answer/script-runner.js';
import { rrKey, type ZoneSink } from '../engine.js';
import { DnsListenError, formatHostPort } from './dns-server.js';
import { isFromWorker, LOAD_CHUNK, type FromWorker, type SignerKey, type ToWorker, type WorkerSettings } from './ipc.js';
import type { SigningKey } from '../../core/dnssec/keys.js';
import { errorText, type DnsLogger } from './types.js';
import { resolveUdpIo } from './udp-batch.js';

export interface DnsWorkerPoolOptions {
  count: number;
  /** Where and how the workers answer; port 0 is resolved to one free port before forking. */
  settings: WorkerSettings;
  logger: DnsLogger;
  /** The worker entry module (default: worker-main.js next to this file). */
  exec?: string;
  /** How long a write waits for a worker's acknowledgement before that worker is restarted. */
  ackTimeoutMs?: number;
  /** How long start() waits for every worker to listen. */
  startTimeoutMs?: number;
  /** Script status reports of the workers. */
  onScriptStatus?: (status: ScriptStatus) => void;
}

interface WorkerState {
  worker: Worker;
  /** Receives changes (set on its hello, before its snapshot is sent). */
  joined: boolean;
  listening: boolean;
  sentId: number;
  ackedId: number;
  waiters: { target: number; resolve: () => void }[];
  startedAt: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A port free for both UDP and TCP on `host` (bound briefly, then released). */
export async function pickFreeDnsPort(host: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = dgram.createSocket(net.isIP(host) === 6 ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: host, port: 0, exclusive: true }, () => resolve(udp.address().port));
    });
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen({ host, port, exclusive: true }, () => resolve(true));
    });
    await new Promise<void>((resolve) => (ok ? tcp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (ok) return port;
  }
  throw new DnsListenError(`cannot find a free port for DNS on ${host}`, 'EADDRINUSE');
}

export class DnsWorkerPool implements ZoneSink {
  readonly #mirror = new Map<string, { serial: number; rrs: Map<string, RR> }>();
  readonly #workers = new Map<number, WorkerState>();
  #nextId = 1;
  #stopping = false;
  #started = false;
  #respawnDelay = 1000;
  #settings: WorkerSettings;
  readonly #logger: DnsLogger;

  constructor(private readonly opts: DnsWorkerPoolOptions) {
    this.#settings = opts.settings;
    this.#logger = opts.logger;
  }

  get port(): number {
    return this.#settings.port;
  }

  get workerCount(): number {
    return this.#workers.size;
  }

  get zoneCount(): number {
    return this.#mirror.size;
  }

  // --- ZoneSink ---------------------------------------------------------------------------------

  replace(origin: string, rrs: readonly RR[], serial: number): void {
    const set = new Map<string, RR>();
    for (const rr of rrs) set.set(rrKey(rr), rr);
    this.#mirror.set(origin, { serial, rrs: set });
    for (const w of this.#joined()) this.#sendZone(w, origin);
  }

  apply(origin: string, removed: readonly RR[], added: readonly RR[], toSerial: number): void {
    const z = this.#mirror.get(origin);
    if (z === undefined) return;
    for (const rr of removed) z.rrs.delete(rrKey(rr));
    for (const rr of added) z.rrs.set(rrKey(rr), rr);
    z.serial = toSerial;
    for (const w of this.#joined()) this.#send(w, { t: 'apply', id: 0, origin, removed: [...removed], added: [...added], toSerial });
  }

  remove(origin: string): void {
    this.#signers.delete(origin);
    if (!this.#mirror.delete(origin)) return;
    for (const w of this.#joined()) this.#send(w, { t: 'remove', id: 0, origin });
  }

  /** Signing keys of signed zones, for the workers' per-query signatures (kept for new workers). */
  readonly #signers = new Map<string, SignerKey[]>();

  setSigner(origin: string, keys: readonly SigningKey[] | null): void {
    const payload = keys === null || keys.length === 0 ? null : keys.map((k) => ({ algorithm: k.algorithm, flags: k.flags, pkcs8: k.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64') }));
    if (payload === null) this.#signers.delete(origin);
    else this.#signers.set(origin, payload);
    for (const w of this.#joined()) this.#send(w, { t: 'signer', id: 0, origin, keys: payload });
  }

  /**
   * Resolves once every joined worker has processed every message sent to it so far. A worker
   * that does not acknowledge within ackTimeoutMs is killed (and restarted with a fresh snapshot),
   * so a stuck worker can delay writes but never serve stale data for long.
   */
  settled(): Promise<void> {
    const waits: Promise<void>[] = [];
    const behind: WorkerState[] = [];
    for (const w of this.#joined()) {
      if (w.ackedId >= w.sentId) continue;
      behind.push(w);
      const target = w.sentId;
      waits.push(new Promise<void>((resolve) => w.waiters.push({ target, resolve })));
    }
    if (waits.length === 0) return Promise.resolve();
    const timer = setTimeout(() => {
      for (const w of behind) {
        if (w.waiters.length === 0 || !this.#workers.has(w.worker.id)) continue;
        this.#logger.error({ worker: w.worker.id, sent: w.sentId, acked: w.ackedId }, 'dns: a worker did not acknowledge a change in time; restarting it');
        w.worker.process.kill('SIGKILL');
      }
    }, this.opts.ackTimeoutMs ?? 5000);
    return Promise.all(waits).then(() => clearTimeout(timer));
  }

  // --- processes --------------------------------------------------------------------------------

  /** Forks the workers; resolves once every one listens, rejects (after stopping them) if one cannot. */
  async start(): Promise<void> {
    // Decided here, once, so every worker does the same: batched workers bind SO_REUSEPORT sockets,
    // which a dgram worker's (cluster-shared, non-reuseport) socket could not join.
    let udpIo: 'batch' | 'dgram';
    try {
      udpIo = resolveUdpIo(this.#settings.udpIo ?? 'auto', this.#logger);
    } catch (err) {
      throw new DnsListenError(`cannot listen on ${formatHostPort(this.#settings.host, this.#settings.port)} (udp): ${errorText(err)}`, undefined);
    }
    this.#settings = { ...this.#settings, udpIo };
    this.#logger.info({ udpIo }, udpIo === 'batch' ? 'dns: UDP I/O batched (recvmmsg/sendmmsg), one SO_REUSEPORT socket per worker' : 'dns: UDP I/O node:dgram (cluster-shared socket)');
    // Port 0: the primary picks a port free for UDP and TCP and releases it; it keeps no UDP socket
    // of its own (a socket in the SO_REUSEPORT group would get its share of the queries).
    if (this.#settings.port === 0) this.#settings = { ...this.#settings, port: await pickFreeDnsPort(this.#settings.host) };
    const exec = this.opts.exec ?? fileURLToPath(new URL('./worker-main.js', import.meta.url));
    cluster.setupPrimary({ exec, args: [], silent: false });
    const started: Promise<void>[] = [];
    for (let i = 0; i < this.opts.count; i++) started.push(this.#fork());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('DNS workers did not start in time')), this.opts.startTimeoutMs ?? 60_000);
    });
    try {
      await Promise.race([Promise.all(started), timeout]);
      this.#started = true;
    } catch (err) {
      await this.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forks one worker; resolves when it listens, rejects when it fails before that. */
  #fork(): Promise<void> {
    const worker = cluster.fork();
    const state: WorkerState = { worker, joined: false, listening: false, sentId: 0, ackedId: 0, waiters: [], startedAt: Date.now() };
    this.#workers.set(worker.id, state);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      worker.on('message', (m: unknown) => {
        if (!isFromWorker(m)) return;
        this.#onMessage(state, m, () => {
          if (!settled) {
            settled = true;
            resolve();
          }
        }, fail);
      });
      worker.on('error', (err) => this.#logger.debug({ worker: worker.id, err: errorText(err) }, 'dns worker IPC error'));
      worker.on('exit', (code, signal) => {
        this.#workers.delete(worker.id);
        for (const w of state.waiters.splice(0)) w.resolve();
        fail(new Error(`DNS worker exited before listening (${signal ?? `code ${code}`})`));
        if (this.#stopping) return;
        this.#logger.error({ worker: worker.id, code, signal }, 'dns: worker exited; starting another');
        if (this.#started) this.#respawn(state);
      });
    });
  }

  #respawn(dead: WorkerState): void {
    // Crash loops back off; a worker that ran for a while is replaced after 1 s.
    this.#respawnDelay = Date.now() - dead.startedAt < 10_000 ? Math.min(this.#respawnDelay * 2, 30_000) : 1000;
    setTimeout(() => {
      if (this.#stopping) return;
      this.#fork().catch((err) => this.#logger.error({ err: errorText(err) }, 'dns: replacement worker failed to start'));
    }, this.#respawnDelay).unref();
  }

  #onMessage(w: WorkerState, m: FromWorker, listening: () => void, failed: (err: Error) => void): void {
    switch (m.t) {
      case 'hello':
        w.joined = true;
        this.#send(w, { t: 'config', id: 0, settings: this.#settings });
        void this.#snapshot(w);
        return;
      case 'ack':
        w.ackedId = Math.max(w.ackedId, m.id);
        if (w.waiters.length > 0) {
          const still: WorkerState['waiters'] = [];
          for (const x of w.waiters) {
            if (w.ackedId >= x.target) x.resolve();
            else still.push(x);
          }
          w.waiters = still;
        }
        return;
      case 'listening':
        w.listening = true;
        this.#logger.debug({ worker: w.worker.id, port: m.port, zones: m.zones }, 'dns worker listening');
        listening();
        return;
      case 'listen-error':
        failed(new DnsListenError(m.message, /EADDRINUSE/.test(m.message) ? 'EADDRINUSE' : undefined));
        return;
      case 'script-status':
        this.opts.onScriptStatus?.(m.status);
        return;
    }
  }

  /** Sends the mirror to a worker that just joined, zone by zone, then `ready`. */
  async #snapshot(w: WorkerState): Promise<void> {
    const origins = [...this.#mirror.keys()];
    let sent = 0;
    for (const origin of origins) {
      if (!this.#workers.has(w.worker.id) || this.#stopping) return;
      sent += await this.#sendZoneGradually(w, origin);
      const keys = this.#signers.get(origin);
      if (keys !== undefined && this.#workers.has(w.worker.id)) this.#send(w, { t: 'signer', id: 0, origin, keys });
      // Yield now and then: the primary serves HTTP meanwhile.
      if (sent >= LOAD_CHUNK) {
        sent = 0;
        await yieldToEventLoop();
      }
    }
    this.#send(w, { t: 'ready', id: 0 });
  }

  /** A whole zone in one go (a broadcast: the messages after it must find it complete). */
  #sendZone(w: WorkerState, origin: string): void {
    const z = this.#mirror.get(origin);
    if (z === undefined) return;
    const rrs = [...z.rrs.values()];
    for (let i = 0; i < rrs.length || i === 0; i += LOAD_CHUNK) {
      this.#send(w, { t: 'load', id: 0, origin, serial: z.serial, rrs: rrs.slice(i, i + LOAD_CHUNK), first: i === 0, final: i + LOAD_CHUNK >= rrs.length });
    }
  }

  /**
   * A zone of a snapshot: a copy taken now, sent in chunks with yields between them. Changes made
   * meanwhile are broadcast as usual; the worker holds them until the last chunk. When the zone is
   * replaced or removed meanwhile (its whole new state was broadcast), the rest is dropped.
   * Returns the number of RRs sent.
   */
  async #sendZoneGradually(w: WorkerState, origin: string): Promise<number> {
    const z = this.#mirror.get(origin);
    if (z === undefined) return 0;
    const serial = z.serial;
    const rrs = [...z.rrs.values()];
    for (let i = 0; i < rrs.length || i === 0; i += LOAD_CHUNK) {
      if (i > 0) {
        await yieldToEventLoop();
        if (this.#mirror.get(origin) !== z || !this.#workers.has(w.worker.id) || this.#stopping) return i;
      }
      this.#send(w, { t: 'load', id: 0, origin, serial, rrs: rrs.slice(i, i + LOAD_CHUNK), first: i === 0, final: i + LOAD_CHUNK >= rrs.length });
    }
    return rrs.length;
  }

  *#joined(): Iterable<WorkerState> {
    for (const w of this.#workers.values()) if (w.joined) yield w;
  }

  #send(w: WorkerState, m: ToWorker): void {
    const msg = { ...m, id: this.#nextId++ };
    if (!w.worker.isConnected()) return;
    try {
      w.worker.send(msg);
      w.sentId = msg.id;
    } catch (err) {
      this.#logger.debug({ worker: w.worker.id, err: errorText(err) }, 'dns: sending to a worker failed');
    }
  }

  /** Stops every worker (they finish the TCP queries in progress), killing those that linger. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#stopping = true;
    const exits: Promise<void>[] = [];
    for (const w of this.#workers.values()) {
      exits.push(
        new Promise<void>((resolve) => {
          if (w.worker.isDead()) return resolve();
          const timer = setTimeout(() => w.worker.process.kill('SIGKILL'), timeoutMs);
          w.worker.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          this.#send(w, { t: 'stop', id: 0 });
          if (!w.worker.isConnected()) w.worker.process.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(exits);
  }

  /** For logs: where the workers listen. */
  describe(): string {
    return `${formatHostPort(this.#settings.host, this.#settings.port)} (${this.opts.count} workers)`;
  }
}
