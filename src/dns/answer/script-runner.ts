// Script records at query time (docs/smart-records.md "Script"): each DNS process runs the scripts of
// its zones in one worker thread holding the compiled scripts (QuickJS in WebAssembly, one runtime
// per script: its own heap cap and an interrupt deadline per call; no I/O exists in there). The
// event loop never runs a script: a call that holds the worker past a hard wall-clock limit gets
// the worker terminated (and restarted on the next call), so a builtin that overruns QuickJS's own
// deadline costs that one script its answer, not the server its DNS.
//
// - Compiled once per source: the worker keeps up to MAX_COMPILED scripts by key (SHA-256 of the
//   source), evicting the least recently used; the main thread sends the source only when the
//   worker does not hold it.
// - Results are cached by the smallest TTL among the answers (0: not cached), per script, query
//   name, type and client address; failures for ERROR_CACHE_MS (a failing script is not re-run per
//   query).
// - A failure (the script throws, runs out of time or memory, returns bad answers) is a result
//   `{ error }`: DNS answers SERVFAIL, and `onStatus` reports it (and the recovery) per zone and
//   owner name, once per change, for the API to show.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DEFAULT_SCRIPT_LIMITS, ScriptError, validateAnswers, type ScriptLimits } from '../../core/scripts/script-sandbox.js';
import { TYPE, typeCode } from '../wire/constants.js';
import { encodeRdata, type RRset } from '../zone/zone.js';

/** One answer ready for the wire: type code, TTL, RDATA as a one-byte string. */
export interface ScriptRR {
  type: number;
  ttl: number;
  rd: string;
}

export type ScriptResult = { answers: readonly ScriptRR[] } | { error: string };

/** A script's state as the API shows it: the last failure, or null once it answers again. */
export interface ScriptStatus {
  origin: string;
  name: string;
  error: string | null;
  at: string;
}

export interface ScriptRunnerOptions {
  limits?: ScriptLimits;
  /** Wall-clock limit of one call (compiling included), ms; past it the worker is terminated. */
  wallMs?: number;
  /** Calls waiting for the worker at most; more fail at once (SERVFAIL). */
  maxPending?: number;
  /** Cached results at most. */
  maxCached?: number;
  onStatus?: (status: ScriptStatus) => void;
  now?: () => number;
}

/** Scripts the worker keeps compiled. */
export const MAX_COMPILED = 256;
/** How long a failure is reused before the script runs again. */
export const ERROR_CACHE_MS = 5_000;
export const DEFAULT_WALL_MS = 250;

/** The worker: an eval'd CommonJS script, so it runs the same from dist/ and under vitest. */
const RUN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { getQuickJS } = require(workerData.quickjs);
const limits = workerData.limits;
const compiled = new Map();
function text(vm, h) {
  const e = vm.dump(h);
  h.dispose();
  if (e && e.message === 'interrupted') return 'took too long (interrupted)';
  if (e && typeof e === 'object') return (e.name || 'Error') + ': ' + e.message;
  return String(e);
}
function drop(entry) {
  if (entry.fn) entry.fn.dispose();
  entry.vm.dispose();
  entry.rt.dispose();
}
function compile(QuickJS, source) {
  const rt = QuickJS.newRuntime();
  rt.setMemoryLimit(limits.memoryBytes);
  rt.setMaxStackSize(256 * 1024);
  const vm = rt.newContext();
  const end = Date.now() + limits.compileMs;
  rt.setInterruptHandler(() => Date.now() > end);
  const entry = { rt, vm, fn: null, error: null };
  const r = vm.evalCode(source, 'script.js');
  if (r.error) { entry.error = 'The script does not run: ' + text(vm, r.error); return entry; }
  r.value.dispose();
  const fn = vm.getProp(vm.global, 'handleQuery');
  if (vm.typeof(fn) !== 'function') { fn.dispose(); entry.error = 'The script must define a function handleQuery(query).'; return entry; }
  entry.fn = fn;
  return entry;
}
getQuickJS().then((QuickJS) => {
  parentPort.on('message', (m) => {
    let entry = compiled.get(m.key);
    if (entry === undefined) {
      if (m.source === undefined) return parentPort.postMessage({ id: m.id, need: true });
      if (compiled.size >= ${MAX_COMPILED}) {
        const [oldest] = compiled.keys();
        drop(compiled.get(oldest));
        compiled.delete(oldest);
      }
      try {
        entry = compile(QuickJS, m.source);
      } catch (err) {
        return parentPort.postMessage({ id: m.id, error: 'The script does not run: ' + err.message });
      }
    } else compiled.delete(m.key);
    compiled.set(m.key, entry);
    if (entry.error !== null) return parentPort.postMessage({ id: m.id, error: entry.error });
    const { vm, rt } = entry;
    const arg = vm.newObject();
    for (const k of ['name', 'type', 'clientIp']) {
      const s = vm.newString(m.query[k]);
      vm.setProp(arg, k, s);
      s.dispose();
    }
    const end = Date.now() + limits.runMs;
    rt.setInterruptHandler(() => Date.now() > end);
    let r;
    try {
      r = vm.callFunction(entry.fn, vm.undefined, arg);
    } catch (err) {
      arg.dispose();
      return parentPort.postMessage({ id: m.id, error: 'handleQuery failed: ' + err.message });
    }
    arg.dispose();
    if (r.error) return parentPort.postMessage({ id: m.id, error: 'handleQuery failed: ' + text(vm, r.error) });
    let out;
    try {
      out = vm.dump(r.value);
    } catch (err) {
      out = undefined;
    }
    r.value.dispose();
    parentPort.postMessage({ id: m.id, out });
  });
  parentPort.postMessage({ ready: true });
}).catch((err) => parentPort.postMessage({ fatal: err.message }));
`;

interface Pending {
  resolve: (r: ScriptResult) => void;
  /** The wall-clock limit, started once the worker is ready (loading QuickJS does not count). */
  timer: NodeJS.Timeout | null;
  /** Times this call was sent again to a new worker (after another call's failure stopped the old one). */
  resent: number;
  key: string;
  source: string;
  query: { name: string; type: string; clientIp: string };
  /** The source was sent with this call (a `need` reply then means the worker lost it: fail). */
  sentSource: boolean;
}

interface CachedResult {
  expires: number;
  result: ScriptResult;
}

/** A script's identity, computed once per RRset (the RDATA string is kept to notice a change). */
interface ScriptKey {
  rd: string;
  key: string;
  source: string;
}

export class ScriptRunner {
  readonly #limits: ScriptLimits;
  readonly #wallMs: number;
  readonly #maxPending: number;
  readonly #maxCached: number;
  readonly #now: () => number;
  readonly #onStatus: ((s: ScriptStatus) => void) | undefined;
  #worker: Worker | null = null;
  #ready = false;
  #startTimer: NodeJS.Timeout | null = null;
  /** Keys the current worker has been sent the source of (it may have evicted some since). */
  #sent = new Set<string>();
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #results = new Map<string, CachedResult>();
  readonly #keys = new WeakMap<RRset, ScriptKey>();
  /** Last reported error per zone and owner ('' = fine). */
  readonly #status = new Map<string, string>();
  #closed = false;

  constructor(opts: ScriptRunnerOptions = {}) {
    this.#limits = opts.limits ?? DEFAULT_SCRIPT_LIMITS;
    this.#wallMs = opts.wallMs ?? DEFAULT_WALL_MS;
    this.#maxPending = opts.maxPending ?? 1000;
    this.#maxCached = opts.maxCached ?? 50_000;
    this.#now = opts.now ?? Date.now;
    this.#onStatus = opts.onStatus;
  }

  #scriptKey(set: RRset): ScriptKey {
    const rd = set.rdataString(0);
    const known = this.#keys.get(set);
    if (known !== undefined && known.rd === rd) return known;
    const bytes = Buffer.from(rd, 'latin1');
    const k: ScriptKey = { rd, key: createHash('sha256').update(bytes).digest('base64url'), source: bytes.toString('utf8') };
    this.#keys.set(set, k);
    return k;
  }

  #cacheKey(key: string, name: string, type: string, clientIp: string): string {
    return `${key}\u0000${name}\u0000${type}\u0000${clientIp}`;
  }

  /** The cached result of the script in `set` for this query, or undefined (then `run`). */
  cached(set: RRset, name: string, type: string, clientIp: string): ScriptResult | undefined {
    const ck = this.#cacheKey(this.#scriptKey(set).key, name, type, clientIp);
    const hit = this.#results.get(ck);
    if (hit === undefined) return undefined;
    if (hit.expires <= this.#now()) {
      this.#results.delete(ck);
      return undefined;
    }
    return hit.result;
  }

  /** Runs the script in `set` (origin/owner: where it lives, for status reports). Never rejects. */
  run(set: RRset, origin: string, owner: string, name: string, type: string, clientIp: string): Promise<ScriptResult> {
    const { key, source } = this.#scriptKey(set);
    return this.#call(key, source, { name, type, clientIp }).then((result) => {
      this.#remember(this.#cacheKey(key, name, type, clientIp), result);
      this.#report(origin, owner, 'error' in result ? result.error : null);
      return result;
    });
  }

  #remember(ck: string, result: ScriptResult): void {
    let ms: number;
    if ('error' in result) ms = ERROR_CACHE_MS;
    else {
      let ttl = result.answers.length === 0 ? 60 : Infinity;
      for (const a of result.answers) ttl = Math.min(ttl, a.ttl);
      ms = ttl * 1000;
    }
    if (ms <= 0) return;
    if (this.#results.size >= this.#maxCached) {
      const [oldest] = this.#results.keys();
      this.#results.delete(oldest!);
    }
    this.#results.set(ck, { expires: this.#now() + ms, result });
  }

  #report(origin: string, owner: string, error: string | null): void {
    const k = `${origin}\u0000${owner}`;
    const before = this.#status.get(k);
    const now = error ?? '';
    if (before === now || (before === undefined && error === null)) {
      if (before === undefined) this.#status.set(k, now);
      return;
    }
    this.#status.set(k, now);
    if (this.#status.size > 100_000) this.#status.clear(); // bounded; reports resume on the next change
    this.#onStatus?.({ origin, name: owner, error, at: new Date(this.#now()).toISOString() });
  }

  #call(key: string, source: string, query: Pending['query']): Promise<ScriptResult> {
    if (this.#closed) return Promise.resolve({ error: 'The DNS server is stopping.' });
    if (this.#pending.size >= this.#maxPending) return Promise.resolve({ error: 'Too many script calls waiting; try again.' });
    return new Promise((resolve) => {
      const id = this.#nextId++;
      const p: Pending = { resolve, timer: null, resent: 0, key, source, query, sentSource: false };
      this.#pending.set(id, p);
      this.#send(id, p);
    });
  }

  #arm(id: number, p: Pending): void {
    if (p.timer === null) p.timer = setTimeout(() => this.#timeout(id), this.#wallMs);
  }

  #send(id: number, p: Pending): void {
    const worker = this.#ensureWorker();
    const withSource = !this.#sent.has(p.key);
    if (withSource) {
      this.#sent.add(p.key);
      if (this.#sent.size > MAX_COMPILED * 4) this.#sent.clear(); // the worker answers `need` for what it lost
      p.sentSource = true;
    }
    worker.postMessage(withSource ? { id, key: p.key, source: p.source, query: p.query } : { id, key: p.key, query: p.query });
    if (this.#ready) this.#arm(id, p);
  }

  #ensureWorker(): Worker {
    if (this.#worker !== null) return this.#worker;
    const quickjs = createRequire(import.meta.url).resolve('quickjs-emscripten');
    const worker = new Worker(RUN_WORKER, {
      eval: true,
      workerData: { limits: this.#limits, quickjs },
      // A cap on what scripts can make the worker allocate outside QuickJS's own heaps.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    });
    worker.unref();
    this.#ready = false;
    // Loading QuickJS takes a moment (more on a busy machine), but not this long.
    this.#startTimer = setTimeout(() => this.#restart(worker, 'The script runner did not start.', null), 10_000);
    this.#startTimer.unref();
    worker.on('message', (m: { id?: number; need?: boolean; error?: string; out?: unknown; fatal?: string }) => this.#onMessage(worker, m));
    worker.on('error', (err) => this.#restart(worker, /memory/i.test(err.message) ? 'handleQuery failed: out of memory' : `The script runner failed: ${err.message}`, this.#oldest()));
    worker.on('exit', () => this.#restart(worker, 'The script runner stopped.', this.#oldest()));
    this.#worker = worker;
    this.#sent = new Set();
    return worker;
  }

  #onMessage(worker: Worker, m: { id?: number; need?: boolean; error?: string; out?: unknown; fatal?: string }): void {
    if (worker !== this.#worker) return;
    if (m.fatal !== undefined) return this.#restart(worker, `The script runner failed: ${m.fatal}`, null);
    if ((m as { ready?: boolean }).ready === true) {
      this.#ready = true;
      if (this.#startTimer !== null) clearTimeout(this.#startTimer);
      for (const [id, p] of this.#pending) this.#arm(id, p);
      return;
    }
    if (m.id === undefined) return;
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    if (m.need === true) {
      if (p.sentSource) return this.#finish(m.id, { error: 'The script runner lost the script.' });
      this.#sent.delete(p.key);
      this.#send(m.id, p);
      return;
    }
    if (m.error !== undefined) return this.#finish(m.id, { error: m.error });
    try {
      const answers = validateAnswers(m.out).map((a) => {
        const type = a.type === 'A' ? TYPE.A : a.type === 'AAAA' ? TYPE.AAAA : a.type === 'CNAME' ? TYPE.CNAME : typeCode(a.type)!;
        return { type, ttl: a.ttl, rd: encodeRdata(type, a.rdata) };
      });
      this.#finish(m.id, { answers });
    } catch (err) {
      this.#finish(m.id, { error: err instanceof ScriptError ? err.message : `handleQuery returned answers that cannot be served: ${(err as Error).message}` });
    }
  }

  #finish(id: number, result: ScriptResult): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    if (p.timer !== null) clearTimeout(p.timer);
    p.resolve(result);
  }

  /** The call the worker is running: it takes calls in order, so the oldest one waiting. */
  #oldest(): number | null {
    for (const id of this.#pending.keys()) return id;
    return null;
  }

  /** A call held the worker past the wall-clock limit: stop the worker; the other calls go to a new one. */
  #timeout(id: number): void {
    const p = this.#pending.get(id);
    if (p === undefined || this.#worker === null) return;
    this.#restart(this.#worker, `handleQuery failed: took too long (stopped after ${this.#wallMs} ms)`, id);
  }

  /**
   * Stops `worker`. The culprit's call fails with `why`; the others are sent again to a new worker
   * (once: a call that was resent already fails too). `culprit` null: every call fails.
   */
  #restart(worker: Worker, why: string, culprit: number | null): void {
    if (worker !== this.#worker) return;
    this.#worker = null;
    this.#ready = false;
    if (this.#startTimer !== null) clearTimeout(this.#startTimer);
    void worker.terminate();
    const others: [number, Pending][] = [];
    for (const [id, p] of this.#pending) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.timer = null;
      if (culprit === null || id === culprit || p.resent > 0) this.#finish(id, { error: culprit === null || id === culprit ? why : 'The script runner was stopped twice during this call.' });
      else others.push([id, p]);
    }
    for (const [id, p] of others) {
      p.resent++;
      p.sentSource = false;
      if (!this.#closed) this.#send(id, p);
      else this.#finish(id, { error: 'The DNS server is stopping.' });
    }
  }

  /** Number of calls waiting for the worker (tests, metrics). */
  get pending(): number {
    return this.#pending.size;
  }

  close(): void {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = null;
    if (this.#startTimer !== null) clearTimeout(this.#startTimer);
    if (w !== null) void w.terminate();
    for (const id of [...this.#pending.keys()]) this.#finish(id, { error: 'The DNS server is stopping.' });
  }
}
