// Script records at query time (docs/smart-records.md "Script"): each DNS process runs the scripts of
// its zones in one worker thread holding the compiled scripts (QuickJS in WebAssembly, one runtime
// per script: its own heap cap and an interrupt deadline per call; no I/O exists in there). The
// event loop never runs a script: a call that holds the worker past a hard wall-clock limit gets
// the worker terminated (and restarted on the next call), so a builtin that overruns QuickJS's own
// deadline costs that one script its answer, not the server its DNS.
//
// - Compiled once per source: the worker keeps up to MAX_COMPILED scripts by key (SHA-256 of the
//   source), evicting the least recently used, and drops them all when its WebAssembly memory
//   passes WASM_MEMORY_CAP (WebAssembly memory never shrinks, but freed runtimes are reused); the
//   main thread sends the source only when the worker does not hold it.
// - The wall-clock limit counts from the moment the worker starts a call (it tells the main thread),
//   not while the call waits behind others; when the worker must be stopped, the call it was
//   running is the one that fails. Equal calls waiting at once (same script, name, type, client)
//   share one run.
// - The worker sends back only what validation reads (≤ 65 answers, strings cut at 4 KiB, errors
//   at 500 characters), so a script cannot make the DNS thread copy megabytes.
// - Results are cached by the smallest TTL among the answers (0: not cached), per script, query
//   name, type and client address; failures for ERROR_CACHE_MS (a failing script is not re-run per
//   query).
// - A failure (the script throws, runs out of time or memory, returns bad answers) is a result
//   `{ error }`: DNS answers SERVFAIL. `onStatus` reports a script's state per zone and owner name
//   for the API to show: the first one this process sees, then each change between failing and
//   answering (not each new message), at most once per STATUS_INTERVAL_MS per name.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DEFAULT_SCRIPT_LIMITS, ScriptError, scriptKey, validateAnswers, type ScriptLimits } from '../../core/scripts/script-sandbox.js';
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
  /** The script's key (SHA-256 of its source, base64url): a state belongs to one version of it. */
  key: string;
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
/** WebAssembly memory of the worker past which it drops every compiled script. */
export const WASM_MEMORY_CAP = 256 * 1024 * 1024;
/** Least time between two state reports of one script name. */
export const STATUS_INTERVAL_MS = 10_000;
/** Longest error message kept (reports, cache). */
export const MAX_ERROR_TEXT = 500;
/** How long a failure is reused before the script runs again. */
export const ERROR_CACHE_MS = 5_000;
export const DEFAULT_WALL_MS = 250;

/** The worker: an eval'd CommonJS script, so it runs the same from dist/ and under vitest. */
const RUN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { getQuickJS } = require(workerData.quickjs);
const limits = workerData.limits;
const compiled = new Map();
function cut(t, n) {
  t = String(t);
  return t.length > n ? t.slice(0, n) + '…' : t;
}
function text(vm, h) {
  const e = vm.dump(h);
  h.dispose();
  if (e && e.message === 'interrupted') return 'took too long (interrupted)';
  if (e && typeof e === 'object') return cut((e.name || 'Error') + ': ' + e.message, ${MAX_ERROR_TEXT});
  return cut(e, ${MAX_ERROR_TEXT});
}
// Only what validation reads: primitives as they are (strings cut), anything else null.
function prim(v) {
  if (typeof v === 'string') return v.length > 4096 ? v.slice(0, 4096) : v;
  return v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined ? v : null;
}
function shrink(out) {
  if (out === null || typeof out !== 'object' || !Array.isArray(out.answers)) return null;
  return { answers: out.answers.slice(0, 65).map((a) => (a !== null && typeof a === 'object' ? { type: prim(a.type), value: prim(a.value), ttl: prim(a.ttl) } : prim(a))) };
}
function wasmBytes(QuickJS) {
  try {
    return QuickJS.getWasmMemory().buffer.byteLength;
  } catch (err) {
    return 0;
  }
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
      parentPort.postMessage({ s: m.id });
      if (wasmBytes(QuickJS) > ${WASM_MEMORY_CAP}) {
        for (const e of compiled.values()) drop(e);
        compiled.clear();
      }
      if (compiled.size >= ${MAX_COMPILED}) {
        const [oldest] = compiled.keys();
        drop(compiled.get(oldest));
        compiled.delete(oldest);
      }
      try {
        entry = compile(QuickJS, m.source);
      } catch (err) {
        return parentPort.postMessage({ id: m.id, error: cut('The script does not run: ' + err.message, ${MAX_ERROR_TEXT}) });
      }
    } else {
      parentPort.postMessage({ s: m.id });
      compiled.delete(m.key);
    }
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
      return parentPort.postMessage({ id: m.id, error: cut('handleQuery failed: ' + err.message, ${MAX_ERROR_TEXT}) });
    }
    arg.dispose();
    if (r.error) return parentPort.postMessage({ id: m.id, error: 'handleQuery failed: ' + text(vm, r.error) });
    let out;
    try {
      out = shrink(vm.dump(r.value));
    } catch (err) {
      out = null;
    }
    r.value.dispose();
    parentPort.postMessage({ id: m.id, out });
  });
  parentPort.postMessage({ ready: true });
}).catch((err) => parentPort.postMessage({ fatal: err.message }));
`;

interface Pending {
  resolve: (r: ScriptResult) => void;
  /** The wall-clock limit, started when the worker starts this call. */
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

/** What was last reported for one script name, and a report waiting for the interval to pass. */
interface StatusState {
  key: string;
  failing: boolean;
  lastAt: number;
  waiting: ScriptStatus | null;
  timer: NodeJS.Timeout | null;
}

type WorkerMessage = { id?: number; s?: number; need?: boolean; error?: string; out?: unknown; fatal?: string; ready?: boolean };

export class ScriptRunner {
  readonly #limits: ScriptLimits;
  readonly #wallMs: number;
  readonly #maxPending: number;
  readonly #maxCached: number;
  readonly #now: () => number;
  readonly #onStatus: ((s: ScriptStatus) => void) | undefined;
  #worker: Worker | null = null;
  #startTimer: NodeJS.Timeout | null = null;
  /** The call the worker is running (it said it started it and has not answered it yet). */
  #running: number | null = null;
  /** Keys the current worker has been sent the source of (it may have evicted some since). */
  #sent = new Set<string>();
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** Runs in progress by cache key: equal calls share one. */
  readonly #inflight = new Map<string, Promise<ScriptResult>>();
  readonly #results = new Map<string, CachedResult>();
  readonly #keys = new WeakMap<RRset, ScriptKey>();
  readonly #status = new Map<string, StatusState>();
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
    const source = Buffer.from(rd, 'latin1').toString('utf8');
    const k: ScriptKey = { rd, key: scriptKey(source), source };
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
    const ck = this.#cacheKey(key, name, type, clientIp);
    const running = this.#inflight.get(ck);
    if (running !== undefined) return running;
    const p = this.#call(key, source, { name, type, clientIp }).then((result) => {
      this.#inflight.delete(ck);
      this.#remember(ck, result);
      this.#report(origin, owner, key, 'error' in result ? result.error : null);
      return result;
    });
    this.#inflight.set(ck, p);
    return p;
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

  /**
   * The first state of a script name this process sees, then each change between failing and
   * answering (or to another version of the script), at most once per STATUS_INTERVAL_MS: a
   * change within the interval is sent when it ends, if it still holds.
   */
  #report(origin: string, owner: string, key: string, error: string | null): void {
    if (this.#onStatus === undefined) return;
    const k = `${origin}\u0000${owner}`;
    const failing = error !== null;
    const now = this.#now();
    const status: ScriptStatus = { origin, name: owner, key, error: error === null ? null : error.slice(0, MAX_ERROR_TEXT), at: new Date(now).toISOString() };
    const st = this.#status.get(k);
    if (st === undefined) {
      if (this.#status.size >= 100_000) this.#clearStatus(); // bounded; names report afresh
      this.#status.set(k, { key, failing, lastAt: now, waiting: null, timer: null });
      this.#onStatus(status);
      return;
    }
    if (st.key === key && st.failing === failing) {
      st.waiting = null; // back to what was reported: nothing to send
      return;
    }
    if (now - st.lastAt >= STATUS_INTERVAL_MS) {
      if (st.timer !== null) clearTimeout(st.timer);
      st.timer = null;
      this.#send(st, status);
      return;
    }
    st.waiting = status;
    if (st.timer === null) {
      st.timer = setTimeout(() => {
        st.timer = null;
        if (st.waiting !== null) this.#send(st, st.waiting);
      }, Math.max(0, st.lastAt + STATUS_INTERVAL_MS - now));
      st.timer.unref();
    }
  }

  #send(st: StatusState, status: ScriptStatus): void {
    st.key = status.key;
    st.failing = status.error !== null;
    st.lastAt = this.#now();
    st.waiting = null;
    this.#onStatus?.(status);
  }

  #clearStatus(): void {
    for (const st of this.#status.values()) if (st.timer !== null) clearTimeout(st.timer);
    this.#status.clear();
  }

  #call(key: string, source: string, query: Pending['query']): Promise<ScriptResult> {
    if (this.#closed) return Promise.resolve({ error: 'The DNS server is stopping.' });
    if (this.#pending.size >= this.#maxPending) return Promise.resolve({ error: 'Too many script calls waiting; try again.' });
    return new Promise((resolve) => {
      const id = this.#nextId++;
      const p: Pending = { resolve, timer: null, resent: 0, key, source, query, sentSource: false };
      this.#pending.set(id, p);
      this.#dispatch(id, p);
    });
  }

  #dispatch(id: number, p: Pending): void {
    const worker = this.#ensureWorker();
    const withSource = !this.#sent.has(p.key);
    if (withSource) {
      this.#sent.add(p.key);
      if (this.#sent.size > MAX_COMPILED * 4) this.#sent.clear(); // the worker answers `need` for what it lost
    }
    p.sentSource = withSource;
    worker.postMessage(withSource ? { id, key: p.key, source: p.source, query: p.query } : { id, key: p.key, query: p.query });
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
    this.#running = null;
    // Loading QuickJS takes a moment (more on a busy machine), but not this long.
    this.#startTimer = setTimeout(() => this.#restart(worker, 'The script runner did not start.', null), 10_000);
    this.#startTimer.unref();
    worker.on('message', (m: WorkerMessage) => this.#onMessage(worker, m));
    worker.on('error', (err) => this.#restart(worker, /memory/i.test(err.message) ? 'handleQuery failed: out of memory' : `The script runner failed: ${err.message}`, this.#running));
    worker.on('exit', () => this.#restart(worker, 'The script runner stopped.', this.#running));
    this.#worker = worker;
    this.#sent = new Set();
    return worker;
  }

  #onMessage(worker: Worker, m: WorkerMessage): void {
    if (worker !== this.#worker) return;
    if (m.fatal !== undefined) return this.#restart(worker, `The script runner failed: ${m.fatal}`, null);
    if (m.ready === true) {
      if (this.#startTimer !== null) clearTimeout(this.#startTimer);
      this.#startTimer = null;
      return;
    }
    if (m.s !== undefined) {
      // The worker starts this call now: its wall-clock limit runs from here.
      const p = this.#pending.get(m.s);
      this.#running = m.s;
      if (p !== undefined && p.timer === null) p.timer = setTimeout(() => this.#timeout(m.s!), this.#wallMs);
      return;
    }
    if (m.id === undefined) return;
    if (this.#running === m.id) this.#running = null;
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    if (m.need === true) {
      if (p.sentSource) return this.#finish(m.id, { error: 'The script runner lost the script.' });
      this.#sent.delete(p.key);
      this.#dispatch(m.id, p);
      return;
    }
    if (m.error !== undefined) return this.#finish(m.id, { error: m.error.length > MAX_ERROR_TEXT ? `${m.error.slice(0, MAX_ERROR_TEXT - 1)}…` : m.error });
    try {
      const answers = validateAnswers(m.out).map((a) => {
        const type = a.type === 'A' ? TYPE.A : a.type === 'AAAA' ? TYPE.AAAA : a.type === 'CNAME' ? TYPE.CNAME : typeCode(a.type)!;
        return { type, ttl: a.ttl, rd: encodeRdata(type, a.rdata) };
      });
      this.#finish(m.id, { answers });
    } catch (err) {
      const why = err instanceof ScriptError ? err.message : `handleQuery returned answers that cannot be served: ${(err as Error).message}`;
      this.#finish(m.id, { error: why.slice(0, MAX_ERROR_TEXT) });
    }
  }

  #finish(id: number, result: ScriptResult): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    if (p.timer !== null) clearTimeout(p.timer);
    p.resolve(result);
  }

  /** A call held the worker past the wall-clock limit: stop the worker; the other calls go to a new one. */
  #timeout(id: number): void {
    if (!this.#pending.has(id) || this.#worker === null) return;
    this.#restart(this.#worker, `handleQuery failed: took too long (stopped after ${this.#wallMs} ms)`, id);
  }

  /**
   * Stops `worker`. The culprit's call (the one it was running) fails with `why`; the others are
   * sent again to a new worker (once: a call that was resent already fails too). `culprit` null:
   * every call fails when the worker could not start or failed as a whole.
   */
  #restart(worker: Worker, why: string, culprit: number | null): void {
    if (worker !== this.#worker) return;
    this.#worker = null;
    this.#running = null;
    if (this.#startTimer !== null) clearTimeout(this.#startTimer);
    this.#startTimer = null;
    void worker.terminate();
    const everyone = culprit === null && /did not start|failed:/.test(why);
    const others: [number, Pending][] = [];
    for (const [id, p] of this.#pending) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.timer = null;
      if (everyone || id === culprit) this.#finish(id, { error: why });
      else if (p.resent > 0) this.#finish(id, { error: 'The script runner was stopped twice during this call.' });
      else others.push([id, p]);
    }
    for (const [id, p] of others) {
      p.resent++;
      if (this.#closed) this.#finish(id, { error: 'The DNS server is stopping.' });
      else this.#dispatch(id, p);
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
    this.#clearStatus();
    if (w !== null) void w.terminate();
    for (const id of [...this.#pending.keys()]) this.#finish(id, { error: 'The DNS server is stopping.' });
  }
}
