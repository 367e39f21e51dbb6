// The Script sandbox (QuickJS in WebAssembly): scripts compile once and answer queries; syntax
// errors, a missing handleQuery, runaway loops and allocations, and attempts to reach Node's
// process, require, fetch or timers are all contained and reported; answers are validated.
import { describe, expect, it } from 'vitest';
import { CompiledScript, checkScript, ScriptError, validateAnswers } from '../../../src/core/scripts/script-sandbox.js';

const Q = { name: 'www.example.test', type: 'A', clientIp: '198.51.100.7' };

describe('Script sandbox', () => {
  it('compiles once and answers queries from handleQuery(query)', async () => {
    const s = await CompiledScript.compile(`
      let calls = 0;
      function handleQuery(q) {
        calls++;
        const last = Number(q.clientIp.split('.')[3]);
        return { answers: [
          { type: 'A', value: last % 2 ? '192.0.2.1' : '192.0.2.2', ttl: 30 },
          { type: 'TXT', value: q.name + ' ' + q.type + ' ' + calls },
        ] };
      }`);
    try {
      expect(s.run(Q)).toEqual([
        { type: 'A', rdata: '192.0.2.1', ttl: 30 },
        { type: 'TXT', rdata: '"www.example.test A 1"', ttl: 60 },
      ]);
      expect(s.run({ ...Q, clientIp: '198.51.100.8' })[0]).toEqual({ type: 'A', rdata: '192.0.2.2', ttl: 30 });
      expect(s.run(Q)[1]!.rdata).toBe('"www.example.test A 3"'); // state lives as long as the compiled script
    } finally {
      s.dispose();
    }
    expect(() => s.run(Q)).toThrow(ScriptError);
  });

  it.each([
    ['function handleQuery( {', /does not run: SyntaxError/],
    ['const x = 1;', /must define a function handleQuery/],
    ['var handleQuery = 42;', /must define a function handleQuery/],
    ['throw new Error("boom")', /does not run: Error: boom/],
    ['while (true) {}', /took too long/],
    ['const a = []; while (true) a.push({});', /out of memory|took too long/],
    // Inside a builtin QuickJS does not look at its deadline: the worker is stopped at the wall limit.
    ["const a = []; while (true) a.push('x'.repeat(1 << 20));", /out of memory|took too long/],
  ])('refuses %s at compile time, in a worker, without holding the event loop', async (source, message) => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    try {
      expect(await checkScript(source, undefined, 1500)).toMatch(message);
    } finally {
      clearInterval(timer);
    }
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(ticks).toBeGreaterThan((Date.now() - t0) / 10 / 4); // the event loop kept turning
  });

  it('accepts a good script in the checker', async () => {
    expect(await checkScript('function handleQuery(q) { return { answers: [] }; }')).toBeNull();
  });

  it('contains runaway handlers: an endless loop and a huge allocation fail that query only', async () => {
    const s = await CompiledScript.compile(`
      function handleQuery(q) {
        if (q.name.startsWith('loop')) while (true) {}
        if (q.name.startsWith('mem')) { const a = []; while (true) a.push({ q }); }
        return { answers: [{ type: 'A', value: '192.0.2.9' }] };
      }`);
    try {
      const t0 = Date.now();
      expect(() => s.run({ ...Q, name: 'loop.example.test' })).toThrow(/took too long/);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(() => s.run({ ...Q, name: 'mem.example.test' })).toThrow(/out of memory|took too long/);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(s.run(Q)).toEqual([{ type: 'A', rdata: '192.0.2.9', ttl: 60 }]); // still usable afterwards
    } finally {
      s.dispose();
    }
  });

  it('has no way out: process, require, fetch, timers, and constructor tricks find nothing', async () => {
    const s = await CompiledScript.compile(`
      function handleQuery() {
        const probes = [typeof process, typeof require, typeof fetch, typeof setTimeout, typeof module, typeof globalThis.process,
          (() => { try { return typeof (function () {}).constructor('return process')(); } catch (e) { return 'threw'; } })(),
          (() => { try { return typeof import.meta; } catch (e) { return 'threw'; } })()];
        return { answers: [{ type: 'TXT', value: probes.join(',') }] };
      }`).catch((e: Error) => e);
    if (s instanceof Error) {
      // import.meta is a syntax error outside modules: the sandbox refuses the whole script.
      expect(s.message).toMatch(/SyntaxError/);
      const t = await CompiledScript.compile(`function handleQuery() { return { answers: [{ type: 'TXT', value: [typeof process, typeof require, typeof fetch, typeof setTimeout, typeof module, (function(){ try { return typeof (function () {}).constructor('return process')(); } catch (e) { return 'threw'; } })()].join(',') }] }; }`);
      try {
        // The Function constructor runs inside QuickJS too: `process` is not defined there either.
        expect(t.run(Q)[0]!.rdata).toBe('"undefined,undefined,undefined,undefined,undefined,threw"');
      } finally {
        t.dispose();
      }
      return;
    }
    try {
      expect(s.run(Q)[0]!.rdata).toMatch(/^"undefined,undefined,undefined,undefined,undefined,undefined,undefined,/);
    } finally {
      s.dispose();
    }
  });

  it('validates what handleQuery returns', () => {
    expect(validateAnswers({ answers: [{ type: 'aaaa', value: '2001:DB8::1', ttl: 0 }, { type: 'CNAME', value: 'target.example.org' }] })).toEqual([
      { type: 'AAAA', rdata: '2001:db8::1', ttl: 0 },
      { type: 'CNAME', rdata: 'target.example.org.', ttl: 60 },
    ]);
    expect(() => validateAnswers(undefined)).toThrow(/must return \{ answers/);
    expect(() => validateAnswers({ answers: 'x' })).toThrow(/must return \{ answers/);
    expect(() => validateAnswers({ answers: [{ type: 'MX', value: 'x' }] })).toThrow(/type must be one of A, AAAA, CNAME, TXT/);
    expect(() => validateAnswers({ answers: [{ type: 'A', value: '999.0.0.1' }] })).toThrow(/answers\[0\]\.value/);
    expect(() => validateAnswers({ answers: [{ type: 'A', value: '192.0.2.1', ttl: -1 }] })).toThrow(/ttl/);
    expect(() => validateAnswers({ answers: [{ type: 'A', value: 7 }] })).toThrow(/value must be a string/);
    expect(() => validateAnswers({ answers: Array.from({ length: 65 }, () => ({ type: 'A', value: '192.0.2.1' })) })).toThrow(/at most 64/);
  });
});
