// Script records (organization API type 11): JavaScript that defines `handleQuery(query)` and
// returns the answers, run in QuickJS compiled to WebAssembly (not node:vm) — its own heap with a
// memory cap, an interrupt deadline, and no I/O: no process, require, fetch or timers exist there.
// QuickJS checks its deadline between bytecodes, not inside a builtin (a huge String.repeat ran 12 s
// near the memory cap here), so untrusted source is first checked in a worker thread that is
// terminated at a hard wall-clock limit (`checkScript`): the event loop is never held by a script.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { buildRdata } from '../records/record-types.js';

export interface ScriptLimits {
  /** Heap of one script, bytes. */
  memoryBytes: number;
  /** Time for compiling (running the top level), ms. */
  compileMs: number;
  /** Time for one handleQuery call, ms. */
  runMs: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { memoryBytes: 8 * 1024 * 1024, compileMs: 200, runMs: 20 };
export const MAX_SCRIPT_ANSWERS = 64;
export const SCRIPT_ANSWER_TYPES = ['A', 'AAAA', 'CNAME', 'TXT'] as const;

export interface ScriptQuery {
  name: string;
  type: string;
  clientIp: string;
}

export interface ScriptAnswer {
  type: (typeof SCRIPT_ANSWER_TYPES)[number];
  /** Canonical presentation RDATA. */
  rdata: string;
  ttl: number;
}

/** SHA-256 of a script's source (UTF-8), base64url: the key of a compiled script and of its state. */
export function scriptKey(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('base64url');
}

/** Why a script cannot be used or did not answer: shown to users (API errors, logs). */
export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

let quickjs: Promise<QuickJSWASMModule> | undefined;

/** The QuickJS module, loaded on first use (most servers never run a script). */
function loadQuickJS(): Promise<QuickJSWASMModule> {
  quickjs ??= import('quickjs-emscripten').then((m) => m.getQuickJS());
  return quickjs;
}

function deadline(ms: number): () => boolean {
  const end = Date.now() + ms;
  return () => Date.now() > end;
}

function errorText(vm: QuickJSContext, handle: QuickJSHandle): string {
  const e = vm.dump(handle) as { name?: string; message?: string } | string;
  if (typeof e === 'string') return e;
  if (e?.message === 'interrupted') return 'took too long (interrupted)';
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`;
}

/**
 * A compiled script: its own QuickJS runtime, kept while the record is unchanged. `run` is
 * synchronous and bounded by QuickJS's deadline, which a builtin can overrun (see the top): the
 * DNS side must call it from a worker it can stop, never on the event loop of the server.
 */
export class CompiledScript {
  #disposed = false;

  private constructor(
    private readonly rt: QuickJSRuntime,
    private readonly vm: QuickJSContext,
    private readonly handler: QuickJSHandle,
    private readonly limits: ScriptLimits,
  ) {}

  /** Compiles `source`: runs its top level within the limits and finds `handleQuery`. */
  static async compile(source: string, limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS): Promise<CompiledScript> {
    const QuickJS = await loadQuickJS();
    const rt = QuickJS.newRuntime();
    rt.setMemoryLimit(limits.memoryBytes);
    rt.setMaxStackSize(256 * 1024);
    const vm = rt.newContext();
    try {
      rt.setInterruptHandler(deadline(limits.compileMs));
      const r = vm.evalCode(source, 'script.js');
      if (r.error) {
        const why = errorText(vm, r.error);
        r.error.dispose();
        throw new ScriptError(`The script does not run: ${why}`);
      }
      r.value.dispose();
      const handler = vm.getProp(vm.global, 'handleQuery');
      if (vm.typeof(handler) !== 'function') {
        handler.dispose();
        throw new ScriptError('The script must define a function handleQuery(query).');
      }
      return new CompiledScript(rt, vm, handler, limits);
    } catch (err) {
      vm.dispose();
      rt.dispose();
      throw err instanceof ScriptError ? err : new ScriptError(`The script does not run: ${(err as Error).message}`);
    }
  }

  /** Calls handleQuery(query) within the limits; the answers, validated and canonical. */
  run(query: ScriptQuery): ScriptAnswer[] {
    if (this.#disposed) throw new ScriptError('The script was replaced.');
    const { vm } = this;
    const arg = vm.newObject();
    for (const [k, v] of Object.entries(query)) {
      const s = vm.newString(v);
      vm.setProp(arg, k, s);
      s.dispose();
    }
    this.rt.setInterruptHandler(deadline(this.limits.runMs));
    const r = vm.callFunction(this.handler, vm.undefined, arg);
    arg.dispose();
    if (r.error) {
      const why = errorText(vm, r.error);
      r.error.dispose();
      throw new ScriptError(`handleQuery failed: ${why}`);
    }
    let out: unknown;
    try {
      out = vm.dump(r.value);
    } finally {
      r.value.dispose();
    }
    return validateAnswers(out);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.handler.dispose();
    this.vm.dispose();
    this.rt.dispose();
  }
}

/** `{answers: [{type, value, ttl}]}` → canonical answers, or a ScriptError naming what is wrong. */
export function validateAnswers(out: unknown): ScriptAnswer[] {
  if (typeof out !== 'object' || out === null || !Array.isArray((out as { answers?: unknown }).answers)) {
    throw new ScriptError('handleQuery must return { answers: [...] }.');
  }
  const list = (out as { answers: unknown[] }).answers;
  if (list.length > MAX_SCRIPT_ANSWERS) throw new ScriptError(`handleQuery returned ${list.length} answers; at most ${MAX_SCRIPT_ANSWERS}.`);
  return list.map((a, i) => {
    const x = a as { type?: unknown; value?: unknown; ttl?: unknown };
    if (typeof x !== 'object' || x === null) throw new ScriptError(`answers[${i}] must be an object {type, value, ttl}.`);
    if (typeof x.type !== 'string' || !(SCRIPT_ANSWER_TYPES as readonly string[]).includes(x.type.toUpperCase())) {
      throw new ScriptError(`answers[${i}].type must be one of ${SCRIPT_ANSWER_TYPES.join(', ')}.`);
    }
    const type = x.type.toUpperCase() as ScriptAnswer['type'];
    const ttl = x.ttl === undefined ? 60 : x.ttl;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 86_400) throw new ScriptError(`answers[${i}].ttl must be a whole number of seconds, 0-86400.`);
    if (typeof x.value !== 'string') throw new ScriptError(`answers[${i}].value must be a string.`);
    const built = buildRdata({ type, value: x.value });
    if (!built.ok) throw new ScriptError(`answers[${i}].value: ${built.errors.map((e) => e.detail).join(' ')}`);
    return { type, rdata: built.rdata, ttl };
  });
}

/** The checking worker: an eval'd CommonJS script, so it runs the same from dist/ and under vitest. */
const CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { getQuickJS } = require(workerData.quickjs);
getQuickJS().then((QuickJS) => {
  const rt = QuickJS.newRuntime();
  rt.setMemoryLimit(workerData.limits.memoryBytes);
  rt.setMaxStackSize(256 * 1024);
  const end = Date.now() + workerData.limits.compileMs;
  rt.setInterruptHandler(() => Date.now() > end);
  const vm = rt.newContext();
  const text = (h) => { const e = vm.dump(h); h.dispose(); return e && e.message === 'interrupted' ? 'took too long (interrupted)' : (e && e.name ? e.name + ': ' + e.message : String(e)); };
  const r = vm.evalCode(workerData.source, 'script.js');
  if (r.error) return parentPort.postMessage({ error: 'The script does not run: ' + text(r.error) });
  r.value.dispose();
  const fn = vm.getProp(vm.global, 'handleQuery');
  const ok = vm.typeof(fn) === 'function';
  fn.dispose();
  parentPort.postMessage({ error: ok ? null : 'The script must define a function handleQuery(query).' });
}).catch((err) => parentPort.postMessage({ error: 'The script does not run: ' + err.message }));
`;

/** Wall-clock limit of a write-time check (loading QuickJS included), ms. */
export const CHECK_WALL_MS = 3000;

/**
 * Write-time check of a Script record's source, in a worker thread: null when it compiles and
 * defines handleQuery, else why not. A script that holds the worker past `wallMs` is stopped.
 */
export function checkScript(source: string, limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS, wallMs = CHECK_WALL_MS): Promise<string | null> {
  const quickjsPath = createRequire(import.meta.url).resolve('quickjs-emscripten');
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHECK_WORKER, {
      eval: true,
      workerData: { source, limits, quickjs: quickjsPath },
      // A hard cap on what a script can make the worker allocate outside QuickJS's own heap.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(() => finish(() => resolve(`The script does not run: took too long (stopped after ${wallMs} ms)`)), wallMs);
    worker.once('message', (m: { error: string | null }) => finish(() => resolve(m.error)));
    worker.once('error', (err) => finish(() => (/memory/i.test(err.message) ? resolve('The script does not run: out of memory') : reject(err))));
    worker.once('exit', () => finish(() => resolve('The script does not run: the checker stopped')));
  });
}
