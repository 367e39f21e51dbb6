// The DNS worker pool driven directly (it is the engine's ZoneSink), with the real worker processes
// of dist/ (built by `npm test`'s pretest): zones in chunks, changes while a replacement worker is
// receiving its snapshot, settled() waiting for acknowledgements.
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RR } from '../../src/core/model.js';
import type { ScriptStatus } from '../../src/dns/answer/script-runner.js';
import { DnsWorkerPool } from '../../src/dns/server/workers.js';
import { createPublicKey } from 'node:crypto';
import { ALGORITHM, generateSigningKey } from '../../src/core/dnssec/keys.js';
import { verifyRRset } from '../../src/dns/dnssec/sign.js';
import { ZoneSignerState } from '../../src/dns/dnssec/zone-signer-state.js';
import { TYPE } from '../../src/dns/wire/constants.js';
import { decodeMessage } from '../../src/dns/wire/message.js';
import { nameToWire } from '../../src/dns/wire/name.js';
import { query as askPacket } from '../unit/dns/answer/helpers.js';
import { ROOT } from '../helpers/cli.js';
import { answerData, decode, encodeQuery, frame, query, TcpClient, tcpExchange } from '../helpers/dns.js';

const EXEC = path.join(ROOT, 'dist/dns/server/worker-main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BIG = 'big.example.test';
const SMALL = 'small.example.test';

function soa(origin: string, serial: number): RR {
  return { name: origin, type: 'SOA', ttl: 3600, rdata: `ns1.example.net. hostmaster.example.net. ${serial} 10800 3600 1209600 300` };
}
const ns = (origin: string): RR[] => [
  { name: origin, type: 'NS', ttl: 3600, rdata: 'ns1.example.net.' },
  { name: origin, type: 'NS', ttl: 3600, rdata: 'ns2.example.net.' },
];
const a = (origin: string, label: string, ip: string): RR => ({ name: `${label}.${origin}`, type: 'A', ttl: 60, rdata: ip });

/** TCP connections are handed to the workers round-robin: 2n queries reach each of n workers. */
async function everyWorker(name: string, n = 8): Promise<string[][]> {
  return Promise.all(Array.from({ length: n }, () => query(pool.port, name, 'A', { transport: 'tcp' }).then((r) => answerData(r))));
}

/** Many names pipelined on each of `connections` TCP connections: the answers per connection. */
async function pipelined(names: string[], connections = 4): Promise<Map<string, string[]>[]> {
  return Promise.all(
    Array.from({ length: connections }, async () => {
      const c = await TcpClient.connect(pool.port);
      try {
        c.write(Buffer.concat(names.map((n, i) => frame(encodeQuery(n, 'A', { id: i })))));
        const replies = await c.waitFor(names.length, 10_000);
        const out = new Map<string, string[]>();
        for (const r of replies) out.set(names[r.readUInt16BE(0)]!, answerData(decode(r)));
        return out;
      } finally {
        c.close();
      }
    }),
  );
}

let pool: DnsWorkerPool;
const logged: string[] = [];
const scriptStatuses: ScriptStatus[] = [];

describe.skipIf(!existsSync(EXEC))('DnsWorkerPool', () => {
  beforeAll(async () => {
    pool = new DnsWorkerPool({
      count: 2,
      settings: { host: '127.0.0.1', port: 0, tcpIdleTimeoutMs: 5000, tcpMaxConnections: 100, alias: null, logLevel: 'warn' },
      logger: { debug() {}, info() {}, warn: (_o, m) => void logged.push(m ?? ''), error: (_o, m) => void logged.push(m ?? '') },
      exec: EXEC,
      onScriptStatus: (st) => void scriptStatuses.push(st),
    });
    const big: RR[] = [soa(BIG, 1), ...ns(BIG)];
    for (let i = 0; i < 30_000; i++) big.push(a(BIG, `n${i}`, `198.51.100.${(i % 250) + 1}`));
    pool.replace(BIG, big, 1);
    pool.replace(SMALL, [soa(SMALL, 1), ...ns(SMALL), a(SMALL, 'www', '192.0.2.1')], 1);
    await pool.start();
  }, 60_000);
  afterAll(async () => {
    await pool?.stop();
  });

  it('every worker serves the zones of the snapshot, big ones sent in chunks', async () => {
    expect(pool.workerCount).toBe(2);
    for (const r of await everyWorker(`n29999.${BIG}`)) expect(r).toEqual(['198.51.100.250']);
    for (const r of await everyWorker(`www.${SMALL}`)) expect(r).toEqual(['192.0.2.1']);
  });

  it('workers answer weighted sets and Script records, and report script failures to the primary', async () => {
    const weighted = [a(SMALL, 'wrr', '192.0.2.31'), a(SMALL, 'wrr', '192.0.2.32')].map((r, i) => ({ ...r, weight: i === 0 ? 1 : 3 }));
    const script: RR = {
      name: `js.${SMALL}`,
      type: 'SCRIPT',
      ttl: 60,
      rdata: "function handleQuery(q) { if (q.type === 'TXT') throw new Error('TXT refused'); return { answers: [{ type: 'A', value: '192.0.2.77', ttl: 0 }] }; }",
    };
    pool.apply(SMALL, [], [...weighted, script], 5);
    await pool.settled();
    // The failure first: a worker's first report of a script name is sent at once.
    const txt = await query(pool.port, `js.${SMALL}`, 'TXT', { transport: 'tcp' });
    expect(txt.rcodeName).toBe('SERVFAIL');
    for (let i = 0; i < 100 && !scriptStatuses.some((st) => st.error !== null); i++) await sleep(20);
    const failed = scriptStatuses.find((st) => st.error !== null);
    expect(failed).toMatchObject({ origin: SMALL, name: `js.${SMALL}` });
    expect(failed!.error).toContain('TXT refused');
    // One record per answer (unequal weights), on every worker; the script answers A everywhere.
    for (const r of await everyWorker(`wrr.${SMALL}`)) expect(r).toHaveLength(1);
    for (const r of await everyWorker(`js.${SMALL}`)) expect(r).toEqual(['192.0.2.77']);
  });

  it('workers sign per-query answers of a signed zone with the keys the primary hands them', async () => {
    const SIGNED = 'signed.example.test';
    const { key } = generateSigningKey(ALGORITHM.ECDSAP256SHA256);
    const data: RR[] = [soa(SIGNED, 1), ...ns(SIGNED), a(SIGNED, 'www', '192.0.2.80'), { name: `flat.${SIGNED}`, type: 'ALIAS', ttl: 60, rdata: `www.${SIGNED}.` }];
    const extras = new ZoneSignerState(SIGNED, [key]).load(data);
    pool.replace(SIGNED, [...data, ...extras], 1);
    pool.setSigner(SIGNED, [key]);
    await pool.settled();
    const pub = createPublicKey(key.privateKey);
    for (let i = 0; i < 4; i++) {
      const reply = decodeMessage(await tcpExchange(pool.port, askPacket(`flat.${SIGNED}`, TYPE.A, { edns: { do: true } })));
      const addr = reply.answers.find((r) => r.type === TYPE.A)!;
      const sig = reply.answers.find((r) => r.type === TYPE.RRSIG)!;
      expect(sig, 'an RRSIG made by the worker').toBeDefined();
      expect(verifyRRset(sig.rdata, nameToWire(`flat.${SIGNED}`), TYPE.A, [addr.rdata], pub, 13)).toBe(true);
    }
  });

  it('settled() resolves once every worker applied the changes sent so far', async () => {
    pool.apply(SMALL, [a(SMALL, 'www', '192.0.2.1')], [a(SMALL, 'www', '192.0.2.2')], 2);
    await pool.settled();
    for (const r of await everyWorker(`www.${SMALL}`)) expect(r).toEqual(['192.0.2.2']);
    pool.remove(SMALL);
    await pool.settled();
    for (const r of await everyWorker(`www.${SMALL}`)) expect(r).toEqual([]);
  });

  it('a replacement worker gets the current zones, including changes made while it loads them', async () => {
    const victim = Object.values(cluster.workers ?? {})[0]!;
    const victimId = victim.id;
    victim.process.kill('SIGKILL');
    let serial = 1;
    let i = 0;
    // Keep changing the big zone until the replacement worker has joined and loaded everything.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      pool.apply(BIG, [], [a(BIG, `late${i}`, '203.0.113.1')], ++serial);
      i++;
      if (i % 20 === 0) await pool.settled();
      await sleep(2);
      const ids = Object.values(cluster.workers ?? {}).map((w) => w!.id);
      if (ids.length === 2 && !ids.includes(victimId) && i > 1500) break;
    }
    await pool.settled();
    expect(Object.keys(cluster.workers ?? {})).toHaveLength(2);
    // Every change — from before the worker started, during its snapshot, and after it — on both
    // workers (TCP connections alternate between them).
    const names = Array.from({ length: i }, (_, k) => `late${k}.${BIG}`);
    for (const answers of await pipelined(names)) {
      expect(answers.size).toBe(i);
      const missing = names.filter((n) => answers.get(n)?.[0] !== '203.0.113.1');
      expect(missing, `${missing.length} of ${i} changes missing`).toEqual([]);
    }
    for (const r of await everyWorker(`n12345.${BIG}`, 4)) expect(r).toEqual(['198.51.100.96']);
  }, 30_000);
});
