// Property tests of zonekeeper's DNS listener: random octets and mutated valid queries (bit flips,
// truncation, count fields, compression pointers, inserted and appended garbage) over UDP and
// TCP, and a TCP byte stream with broken length prefixes. The server must stay up, and every
// reply must decode (strict parser and dns-packet), carry the query's id and opcode, set QR, copy
// a well-formed question, and fit the UDP size. Fixed fast-check seed; batches keep it fast.
import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersSoa } from '../../helpers/knot.js';
import type { Target } from './client.js';
import { loadCorpus } from './corpus.js';
import { checkBatch, packetArb, streamChunksArb, tcpBatch, tcpStream, udpBatch } from './fuzz.js';
import { corpusNames } from './queries.js';
import { startZonekeeperDns, type ZonekeeperDns } from './zonekeeper.js';

const SEED = 20240611;
const BATCH = 48;

describe('zonekeeper DNS: random and mutated packets', () => {
  let zk: ZonekeeperDns;
  let target: Target;
  let names: string[];

  beforeAll(async () => {
    const zones = await loadCorpus();
    names = corpusNames(zones);
    zk = await startZonekeeperDns(zones);
    target = { host: zk.host, port: zk.port };
  }, 90_000);

  afterAll(async () => {
    await zk?.stop();
  });

  async function healthy(): Promise<boolean> {
    for (let i = 0; i < 3; i++) if (await answersSoa(target.host, target.port, 'example.test', 500)) return true;
    return false;
  }

  const batchArb = () => fc.array(packetArb(names), { minLength: BATCH, maxLength: BATCH });

  /** What came back, by transport: so a run that silently got no replies cannot pass. */
  const stats = { udp: new Map<string, number>(), tcp: new Map<string, number>() };
  function count(transport: 'udp' | 'tcp', packets: Uint8Array[], replies: Map<number, Uint8Array[]>): void {
    const m = stats[transport];
    for (const p of packets) {
      const r = p.length >= 2 ? replies.get((p[0]! << 8) | p[1]!)?.[0] : undefined;
      const key = r ? `rcode ${r[3]! & 0xf}` : 'no reply';
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }

  it('UDP: replies are valid, and the server keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb(), async (batch) => {
        const packets = batch.map((p, i) => p.make(i * 1361 + 5));
        const got = await udpBatch(target, packets);
        count('udp', packets, got.replies);
        const problems = checkBatch(batch, packets, got, 'udp');
        if (!(await healthy())) problems.push(`the server stopped answering (alive: ${zk.alive()})`);
        expect(problems).toEqual([]);
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
  }, 60_000);

  it('TCP: replies are valid, and the server keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb(), async (batch) => {
        const packets = batch.map((p, i) => p.make(i * 1361 + 5));
        const got = await tcpBatch(target, packets);
        count('tcp', packets, got.replies);
        const problems = [...checkBatch(batch, packets, got, 'tcp'), ...got.framing];
        if (!(await healthy())) problems.push(`the server stopped answering (alive: ${zk.alive()})`);
        expect(problems).toEqual([]);
      }),
      { seed: SEED + 1, numRuns: 15, endOnFailure: true },
    );
  }, 60_000);

  it('TCP: broken length prefixes and split frames never give an invalid reply', async () => {
    await fc.assert(
      fc.asyncProperty(streamChunksArb(names), async (chunks) => {
        const { replies, framing } = await tcpStream(target, chunks);
        const problems = [...framing];
        for (const r of replies) problems.push(...r.problems);
        if (!(await healthy())) problems.push(`the server stopped answering (alive: ${zk.alive()})`);
        expect(problems).toEqual([]);
      }),
      { seed: SEED + 2, numRuns: 25, endOnFailure: true },
    );
  }, 60_000);

  it('a client that connects and sends nothing, or half a length prefix, does not block others', async () => {
    const idle = net.connect({ host: target.host, port: target.port });
    const half = net.connect({ host: target.host, port: target.port });
    idle.on('error', () => {});
    half.on('error', () => {});
    await new Promise((r) => half.once('connect', r));
    half.write(Buffer.of(0));
    expect(await healthy()).toBe(true);
    idle.destroy();
    half.destroy();
  });

  it('is still running, and the runs above got replies of several kinds', () => {
    expect(zk.alive()).toBe(true);
    console.log(`property replies: udp ${JSON.stringify(Object.fromEntries(stats.udp))}; tcp ${JSON.stringify(Object.fromEntries(stats.tcp))}`);
    for (const m of [stats.udp, stats.tcp]) {
      expect(m.get('rcode 0') ?? 0).toBeGreaterThan(50);
      expect(m.get('rcode 1') ?? 0).toBeGreaterThan(10);
    }
  });
});
