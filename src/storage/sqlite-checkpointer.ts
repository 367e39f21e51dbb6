// WAL checkpoints off the request path: a worker thread with its own connection to the same SQLite
// file copies committed WAL frames into the database (and fsyncs it) while the main thread keeps
// answering.
//
// Why: with SQLite's default (wal_autocheckpoint = 1000 pages) the commit that crosses the
// threshold runs the checkpoint itself, synchronously, on the event loop: every few hundred writes
// one API request (and every DNS query queued behind it) waits for a copy and an fsync of the
// database file (measured: max write latency 12-16 ms with it, ~7 ms without; docs/benchmarks.md).
// A PASSIVE checkpoint never blocks writers or readers (https://www.sqlite.org/wal.html), so the
// worker can run it at any time. But the WAL is rewound only by a writer that finds every frame
// copied, and under a steady stream of commits a PASSIVE checkpoint never catches up with the last
// frame: the WAL grew past 1 GB in bench/dyndns. So once a PASSIVE run leaves more than
// `resetFrames` frames in the WAL, the worker tells the main thread (`onWalLarge`), which holds
// its writers back (the file's queue) while the worker runs one more PASSIVE checkpoint: with no
// commit interleaving, that one completes, and the next commit starts the WAL over. The event
// loop stays free meanwhile (DNS keeps answering); only writes wait, ~20-30 ms at 2,000 writes/s.
// A small threshold keeps that wait short: the checkpoint syncs what the WAL got since the last
// run. (A RESTART checkpoint from the worker blocks writers for its whole copy and fsync, and an
// inline checkpoint on the main thread blocks the event loop: 60-110 ms stalls, both measured.)
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** How often the worker checkpoints (default 250 ms). */
  intervalMs?: number;
  /** WAL frames (pages) past which the WAL is started over (default 2048: 8 MiB of 4 KiB pages). */
  resetFrames?: number;
  /**
   * Told when the WAL should be started over: runs `checkpoint` (in the worker) while no commit of
   * this process can interleave. At most one at a time.
   */
  onWalLarge?: (checkpoint: () => Promise<CheckpointStats>) => Promise<void>;
  /** Called once when the worker fails; the caller then turns autocheckpoint back on. */
  onFailure?: (err: Error) => void;
}

/** The worker's code. An eval'd CommonJS script: it runs the same way from dist/ and under vitest. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
db.pragma('busy_timeout = 5000');
let busy = 0, runs = 0, frames = 0;
const run = () => {
  const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  runs++;
  if (r.busy) busy++;
  frames += r.checkpointed > 0 ? r.checkpointed : 0;
  if (r.log > workerData.resetFrames) parentPort.postMessage({ walLarge: r.log });
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { run(); } catch {}
    db.close();
    parentPort.postMessage({ stopped: true, runs, busy, frames });
    parentPort.close();
  } else if (m === 'now') {
    run();
    parentPort.postMessage({ runs, busy, frames });
  }
});
parentPort.postMessage({ ready: true });
`;

export interface CheckpointStats {
  runs: number;
  busy: number;
  /** WAL frames copied into the database file so far (counted per run, so repeated frames recount). */
  frames: number;
  /** Checkpoints run with the writers held back because the WAL had grown past `resetFrames`. */
  resets: number;
}

export class SqliteCheckpointer {
  readonly #worker: Worker;
  #failed = false;
  #stopped: Promise<CheckpointStats> | null = null;
  #resetting = false;
  #resets = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts the worker on `file` and resolves once its connection is open. */
  static async start(file: string, opts: CheckpointerOptions = {}): Promise<SqliteCheckpointer> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: opts.intervalMs ?? 250, resetFrames: opts.resetFrames ?? 2048 } });
    const cp = new SqliteCheckpointer(worker);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('message', () => {
        worker.off('error', onError);
        resolve();
      });
    });
    worker.on('error', (err) => {
      if (cp.#failed || cp.#stopped) return;
      cp.#failed = true;
      opts.onFailure?.(err);
    });
    worker.on('message', (m: { walLarge?: number }) => {
      if (m.walLarge === undefined || !opts.onWalLarge || cp.#resetting || cp.#stopped) return;
      cp.#resetting = true;
      cp.#resets++;
      opts.onWalLarge(() => cp.checkpointNow()).catch(() => {}).finally(() => (cp.#resetting = false));
    });
    // The worker must not keep the process alive on its own.
    worker.unref();
    return cp;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Runs one checkpoint now and returns the totals (tests). */
  checkpointNow(): Promise<CheckpointStats> {
    return this.#ask('now');
  }

  /** Runs a last checkpoint, closes the worker's connection and ends the thread (idempotent). */
  stop(): Promise<CheckpointStats> {
    this.#stopped ??= this.#failed ? Promise.resolve({ runs: 0, busy: 0, frames: 0, resets: this.#resets }) : this.#ask('stop').finally(() => this.#worker.terminate());
    return this.#stopped;
  }

  #ask(message: 'now' | 'stop'): Promise<CheckpointStats> {
    // The worker is unref'd so it never keeps the process alive on its own; while a reply is
    // awaited it must (else the process could exit with the await pending, and exit code 0).
    this.#worker.ref();
    return new Promise<CheckpointStats>((resolve, reject) => {
      const onMessage = (m: CheckpointStats & { walLarge?: number }): void => {
        if (m.walLarge !== undefined) {
          this.#worker.once('message', onMessage); // not the reply: keep waiting
          return;
        }
        this.#worker.off('error', onError);
        resolve({ runs: m.runs, busy: m.busy, frames: m.frames, resets: this.#resets });
      };
      const onError = (err: Error): void => {
        this.#worker.off('message', onMessage);
        reject(err);
      };
      this.#worker.once('message', onMessage);
      this.#worker.once('error', onError);
      this.#worker.postMessage(message);
    }).finally(() => this.#worker.unref());
  }
}
