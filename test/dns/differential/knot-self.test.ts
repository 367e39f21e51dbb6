// Proves the differential harness on a pair whose answer is known: two Knot DNS servers loaded
// with the same corpus must show no difference at all over the same queries (a sample of the
// generated ones plus every edge case), and Knot passes the reply checks of the property tests
// (properties.test.ts). A failure here is a bug in the harness, not in a server.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfKnot, startKnot, type KnotServer } from '../../helpers/knot.js';
import { loadCorpus, writeKnotZoneFile } from './corpus.js';
import fc from 'fast-check';
import { checkBatch, packetArb, streamChunksArb, tcpBatch, tcpStream, udpBatch } from './fuzz.js';
import { corpusNames, generateCases } from './queries.js';
import { classify, report, runDifferential } from './runner.js';

describeIfKnot('differential harness: Knot DNS against itself', () => {
  let dir: string;
  const servers: KnotServer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zk-knot-self-'));
    const zones = await loadCorpus();
    const files = await Promise.all(zones.map(async (z) => ({ name: z.name, file: await writeKnotZoneFile(z, z.soa, dir) })));
    servers.push(await startKnot(files), await startKnot(files));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds no difference between two identical Knot servers', async () => {
    const zones = await loadCorpus();
    const all = generateCases(zones, 0x5eed);
    const cases = all.filter((c, i) => c.group !== 'generated' || i % 5 === 0);
    const run = await runDifferential(cases, servers[0]!, servers[1]!);
    const classes = classify(run.results);
    console.log(`knot vs knot: ${run.queries} queries in ${Math.round(run.ms)} ms`);
    expect(report(classes)).toBe('');
    // Every case got an answer from both, or a drop from both.
    expect(run.results.filter((r) => r.knot.kind === 'bad').map((r) => r.c.label)).toEqual([]);
  });

  it('Knot passes the property tests\' reply checks (mutated packets over UDP and TCP)', async () => {
    const names = corpusNames(await loadCorpus());
    const target = servers[0]!;
    const batch = fc.array(packetArb(names), { minLength: 48, maxLength: 48 });
    await fc.assert(
      fc.asyncProperty(batch, async (b) => {
        const packets = b.map((p, i) => p.make(i * 1361 + 5));
        expect(checkBatch(b, packets, await udpBatch(target, packets), 'udp')).toEqual([]);
        const tcp = await tcpBatch(target, packets);
        expect([...checkBatch(b, packets, tcp, 'tcp'), ...tcp.framing]).toEqual([]);
      }),
      { seed: 7, numRuns: 6, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(streamChunksArb(names), async (chunks) => {
        const r = await tcpStream(target, chunks);
        expect([...r.framing, ...r.replies.flatMap((x) => x.problems)]).toEqual([]);
      }),
      { seed: 8, numRuns: 10, endOnFailure: true },
    );
  });
});
