// Differential test: zonekeeper's DNS answers against Knot DNS's over the same corpus (see
// corpus.ts, ./corpus/*.zone) for thousands of generated queries plus hand-written edge cases,
// with and without EDNS, over UDP and TCP. Each difference must be listed in accepted.ts (and
// docs/dns.md, "Accepted differences from Knot DNS"); anything else fails with a report grouped
// by class. Set ZK_DIFF_REPORT=path to also write the full report (accepted classes included).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfKnot, startKnot, type KnotServer } from '../../helpers/knot.js';
import { ACCEPTED } from './accepted.js';
import { loadCorpus, writeKnotZoneFile, type CorpusZone } from './corpus.js';
import { generateCases } from './queries.js';
import { buildQuery, hex, lowerWire, nameToWire, parseMessage, T } from './wire.js';
import { classify, report, runDifferential, type RunStats } from './runner.js';
import { startZonekeeperDns, type ZonekeeperDns } from './zonekeeper.js';

const SEED = 0x20250601;

describeIfKnot('differential: zonekeeper DNS against Knot DNS', () => {
  let dir: string;
  let zones: CorpusZone[];
  let knot: KnotServer;
  let zk: ZonekeeperDns;
  let run: RunStats;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zk-diff-'));
    zones = await loadCorpus();
    zk = await startZonekeeperDns(zones);
    const files = await Promise.all(zones.map(async (z) => ({ name: z.name, file: await writeKnotZoneFile(z, zk.soas.get(z.name)!, dir) })));
    knot = await startKnot(files);
    const existingNames = new Set(zones.flatMap((z) => [z.name, ...z.records.map((r) => r.name)]).map((n) => hex(lowerWire(nameToWire(n)))));
    run = await runDifferential(generateCases(zones, SEED), knot, zk, { rules: ACCEPTED, ctx: { existingNames } });
    const accepted = new Map<string, number>();
    for (const r of run.results) for (const id of new Set(r.accepted.values())) accepted.set(id, (accepted.get(id) ?? 0) + 1);
    console.log(
      `differential: ${run.results.length} cases, ${run.queries} queries (both servers) in ${Math.round(run.ms)} ms; ` +
        `${run.results.filter((r) => r.diffs.length === 0).length} identical; accepted: ${JSON.stringify(Object.fromEntries(accepted))}`,
    );
    if (process.env.ZK_DIFF_REPORT) await writeFile(process.env.ZK_DIFF_REPORT, report(classify(run.results, true), true));
  }, 120_000);

  afterAll(async () => {
    await knot?.stop();
    await zk?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers every query as Knot does, up to the accepted differences', () => {
    expect(run.results.length).toBeGreaterThan(5000);
    expect(report(classify(run.results))).toBe('');
  });

  it('sends only replies that decode, carry the query id and copy the question', () => {
    const bad = run.results
      .filter((r) => r.zk.kind === 'bad' || (r.zk.kind === 'ok' && r.zk.problems.length > 0))
      .map((r) => `${r.c.label}: ${r.zk.kind === 'bad' ? r.zk.error : r.zk.kind === 'ok' ? r.zk.problems.join('; ') : ''}`);
    expect(bad).toEqual([]);
  });

  it('still needs every accepted difference (each one matched at least one query)', () => {
    const used = new Set(run.results.flatMap((r) => [...r.accepted.values()]));
    expect(ACCEPTED.map((a) => a.id).filter((id) => !used.has(id))).toEqual([]);
  });

  it('over TCP, answers what precedes a broken frame, a FIN or a byte-by-byte write as Knot does', async () => {
    const www = buildQuery({ id: 0x1234, qname: nameToWire('www.example.test'), qtype: T.A });
    const frame = (q: Uint8Array) => Buffer.concat([Buffer.of(q.length >> 8, q.length & 0xff), q]);
    const scenarios: { name: string; chunks: Buffer[]; end?: boolean }[] = [
      { name: 'query, then a length of 1', chunks: [Buffer.concat([frame(www), Buffer.of(0, 1, 0xff)])] },
      { name: 'query, then a length of 0', chunks: [Buffer.concat([frame(www), Buffer.of(0, 0)])] },
      { name: 'query, then half a frame and FIN', chunks: [Buffer.concat([frame(www), frame(www).subarray(0, 10)])], end: true },
      { name: 'query and FIN', chunks: [frame(www)], end: true },
      { name: 'two queries in one write', chunks: [Buffer.concat([frame(www), frame(www)])] },
      { name: 'one query written octet by octet', chunks: [...frame(www)].map((b) => Buffer.of(b)) },
    ];
    const outcome = async (target: { host: string; port: number }, sc: (typeof scenarios)[number]) => {
      const sock = net.connect({ host: target.host, port: target.port, noDelay: true });
      sock.on('error', () => {});
      let got = Buffer.alloc(0);
      let closed = false;
      sock.on('data', (d) => (got = Buffer.concat([got, d])));
      sock.on('close', () => (closed = true));
      await new Promise((r) => sock.once('connect', r));
      for (const c of sc.chunks) {
        sock.write(c);
        await new Promise((r) => setTimeout(r, 1));
      }
      if (sc.end) sock.end();
      const until = Date.now() + 400;
      while (!closed && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      sock.destroy();
      const replies: string[] = [];
      for (let b = got; b.length >= 2 && b.length >= 2 + b.readUInt16BE(0); b = b.subarray(2 + b.readUInt16BE(0))) {
        const m = parseMessage(new Uint8Array(b.subarray(2, 2 + b.readUInt16BE(0))));
        replies.push(`id ${m.id} rcode ${m.rcode} an ${m.answer.length}`);
      }
      return replies.join(', ') || 'no reply';
    };
    const results = [];
    for (const sc of scenarios) results.push({ scenario: sc.name, knot: await outcome(knot, sc), zonekeeper: await outcome(zk, sc) });
    expect(results.filter((r) => r.knot !== r.zonekeeper)).toEqual([]);
  });

  it('is still running', () => {
    expect(zk.alive()).toBe(true);
  });
});
