// The Script runner of the DNS processes (docs/smart-records.md "Script"): a worker thread running
// QuickJS; the wall-clock limit counts from the start of a call (not queue time), equal calls share
// a run, results are cached by TTL, outputs and errors are cut, status reports are throttled.
import { afterEach, describe, expect, it } from 'vitest';
import type { RR } from '../../../../src/core/model.js';
import { scriptKey } from '../../../../src/core/scripts/script-sandbox.js';
import { ScriptRunner, type ScriptStatus } from '../../../../src/dns/answer/script-runner.js';
import { TYPE } from '../../../../src/dns/wire/constants.js';
import { rdataStringToBytes, Zone, ZONE_SCRIPT_TYPE, type RRset } from '../../../../src/dns/zone/zone.js';

const SOA: RR = { name: 'example.test', type: 'SOA', ttl: 300, rdata: 'ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300' };

function scriptSet(source: string, name = 'js.example.test'): RRset {
  const zone = Zone.fromRRs('example.test', [SOA, { name, type: 'SCRIPT', ttl: 60, rdata: source }]);
  return zone.node(name)!.rrset(ZONE_SCRIPT_TYPE)!;
}

const text = (rd: string): string => Buffer.from(rdataStringToBytes(rd).subarray(1)).toString('latin1');

let runner: ScriptRunner | null = null;
afterEach(() => {
  runner?.close();
  runner = null;
});

describe('ScriptRunner', () => {
  it('runs handleQuery with name, type and client; caches by the smallest TTL', async () => {
    let now = 1_000_000;
    runner = new ScriptRunner({ now: () => now });
    const set = scriptSet("function handleQuery(q) { return { answers: [{ type: 'A', value: q.clientIp === '192.0.2.9' ? '192.0.2.1' : '192.0.2.2', ttl: 30 }, { type: 'TXT', value: q.name + ' ' + q.type, ttl: 60 }] }; }");
    const r = await runner.run(set, 'example.test', 'js.example.test', 'js.example.test', 'A', '192.0.2.9');
    expect('answers' in r && r.answers.map((a) => a.type)).toEqual([TYPE.A, TYPE.TXT]);
    expect('answers' in r && text(r.answers[1]!.rd)).toBe('js.example.test A');
    expect(runner.cached(set, 'js.example.test', 'A', '192.0.2.9')).toEqual(r);
    expect(runner.cached(set, 'js.example.test', 'A', '192.0.2.10')).toBeUndefined(); // per client
    now += 29_000;
    expect(runner.cached(set, 'js.example.test', 'A', '192.0.2.9')).toEqual(r);
    now += 2_000;
    expect(runner.cached(set, 'js.example.test', 'A', '192.0.2.9')).toBeUndefined(); // the TTL of 30 s passed
  });

  it('a burst of calls queued behind each other all succeed: the limit counts from each call\'s start', async () => {
    runner = new ScriptRunner();
    const set = scriptSet("function handleQuery(q) { const end = Date.now() + 2; while (Date.now() < end) {} return { answers: [{ type: 'A', value: '192.0.2.1', ttl: 0 }] }; }");
    // 300 clients at once: ~2 ms each, ~600 ms in the queue for the last one (over the 250 ms limit).
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => runner!.run(set, 'example.test', 'js.example.test', 'js.example.test', 'A', `198.51.100.${i % 250}.${i}`)));
    expect(results.filter((r) => 'error' in r)).toEqual([]);
  });

  it('equal calls waiting at once share one run', async () => {
    runner = new ScriptRunner();
    const set = scriptSet("let n = 0; function handleQuery() { n++; return { answers: [{ type: 'TXT', value: String(n), ttl: 0 }] }; }");
    const same = await Promise.all(Array.from({ length: 20 }, () => runner!.run(set, 'example.test', 'js.example.test', 'js.example.test', 'TXT', '192.0.2.9')));
    expect(new Set(same.map((r) => ('answers' in r ? text(r.answers[0]!.rd) : 'error')))).toEqual(new Set(['1']));
    const later = await runner.run(set, 'example.test', 'js.example.test', 'js.example.test', 'TXT', '192.0.2.9');
    expect('answers' in later && text(later.answers[0]!.rd)).toBe('2'); // TTL 0: not cached, runs again
  });

  it('a runaway call is stopped and fails alone; the others waiting behind it still answer', async () => {
    runner = new ScriptRunner();
    const loop = scriptSet("function handleQuery(q) { if (q.type === 'TXT') { for (;;) {} } return { answers: [{ type: 'A', value: '192.0.2.3', ttl: 0 }] }; }", 'loop.example.test');
    const fine = scriptSet("function handleQuery() { return { answers: [{ type: 'A', value: '192.0.2.4', ttl: 0 }] }; }", 'fine.example.test');
    const [bad, ...good] = await Promise.all([
      runner.run(loop, 'example.test', 'loop.example.test', 'loop.example.test', 'TXT', '192.0.2.9'),
      ...Array.from({ length: 5 }, (_, i) => runner!.run(fine, 'example.test', 'fine.example.test', 'fine.example.test', 'A', `192.0.2.${i}`)),
    ]);
    expect(bad).toMatchObject({ error: expect.stringMatching(/took too long/) });
    for (const g of good) expect('answers' in g).toBe(true);
    expect('answers' in (await runner.run(loop, 'example.test', 'loop.example.test', 'loop.example.test', 'A', '192.0.2.9'))).toBe(true);
  });

  it('huge outputs and errors are cut in the worker', async () => {
    runner = new ScriptRunner();
    const junk = scriptSet("function handleQuery(q) { if (q.type === 'TXT') throw new Error('x'.repeat(100000)); return { answers: [{ type: 'A', value: '192.0.2.5', ttl: 0 }], junk: 'x'.repeat(400000) }; }");
    const ok = await runner.run(junk, 'example.test', 'js.example.test', 'js.example.test', 'A', '192.0.2.9');
    expect('answers' in ok && ok.answers).toHaveLength(1);
    const err = await runner.run(junk, 'example.test', 'js.example.test', 'js.example.test', 'TXT', '192.0.2.9');
    expect('error' in err && err.error.length).toBeLessThanOrEqual(500);
  });

  it('reports a name\'s first state, then changes between failing and answering, at most once per 10 s', async () => {
    let now = 5_000_000;
    const reports: ScriptStatus[] = [];
    runner = new ScriptRunner({ now: () => now, onStatus: (s) => void reports.push(s) });
    const source = "function handleQuery(q) { if (q.type === 'TXT') throw new Error('bad ' + q.clientIp); return { answers: [{ type: 'A', value: '192.0.2.6', ttl: 0 }] }; }";
    const set = scriptSet(source);
    const ask = (type: string, client: string) => runner!.run(set, 'example.test', 'js.example.test', 'js.example.test', type, client);
    for (let i = 0; i < 30; i++) await ask('TXT', `192.0.2.${i}`); // a new message each time, one state
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ origin: 'example.test', name: 'js.example.test', key: scriptKey(source), error: 'handleQuery failed: Error: bad 192.0.2.0' });
    await ask('A', '192.0.2.1'); // answering again, within the interval: waits
    expect(reports).toHaveLength(1);
    now += 11_000;
    await ask('A', '192.0.2.2');
    expect(reports).toHaveLength(2);
    expect(reports[1]!.error).toBeNull();
  });
});
