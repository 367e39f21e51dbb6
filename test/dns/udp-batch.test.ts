// The batched UDP listener (native/udp addon: recvmmsg/sendmmsg) with a stub responder: single
// queries, a burst answered in batches, replies computed later (sent to the right client after
// the batch memory was reused), the size guard, IPv6, port 0, port in use, SO_REUSEPORT, close
// while busy, garbage; and the server's choice between batch and dgram.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsServer } from '../../src/dns/server/dns-server.js';
import { silentLogger, type Responder } from '../../src/dns/server/types.js';
import { BATCH, BatchUdpListener, loadBatchAddon, resolveUdpIo } from '../../src/dns/server/udp-batch.js';
import { encodeQuery, udpExchange, udpSendRaw } from '../helpers/dns.js';

function echo(packet: Uint8Array, pad = 0): Uint8Array {
  const out = new Uint8Array(packet.length + pad);
  out.set(packet);
  out[2] = out[2]! | 0x80;
  return out;
}
const idOf = (b: Uint8Array): number => (b[0]! << 8) | b[1]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const listeners: BatchUdpListener[] = [];
const sockets: dgram.Socket[] = [];
async function listen(responder: Responder, opts: { host?: string; port?: number; reusePort?: boolean } = {}): Promise<{ l: BatchUdpListener; port: number }> {
  const l = new BatchUdpListener({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, responder, logger: silentLogger, reusePort: opts.reusePort ?? false });
  listeners.push(l);
  const port = await l.listen();
  return { l, port };
}
function client(type: 'udp4' | 'udp6' = 'udp4'): dgram.Socket {
  const s = dgram.createSocket(type);
  sockets.push(s);
  return s;
}

/** Sends every packet at once from one socket; resolves the replies (by id) once `want` arrived or after `ms`. */
async function burst(port: number, packets: Uint8Array[], want = packets.length, ms = 5000, host = '127.0.0.1'): Promise<Map<number, Buffer>> {
  const s = client(host.includes(':') ? 'udp6' : 'udp4');
  const got = new Map<number, Buffer>();
  await new Promise<void>((resolve) => s.bind(0, host, () => resolve()));
  // The replies of a whole burst arrive before this process reads any: room for all of them.
  s.setRecvBufferSize(4 * 1024 * 1024);
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    s.on('message', (m) => {
      got.set(idOf(m), m);
      if (got.size >= want) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (const p of packets) s.send(p, port, host);
  await done;
  return got;
}

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  for (const s of sockets.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed
    }
  }
});

describe.skipIf(process.platform !== 'linux')('BatchUdpListener (native recvmmsg/sendmmsg)', () => {
  it('the addon is built and loads', () => {
    const a = loadBatchAddon();
    expect('addon' in a ? 'loaded' : a.error).toBe('loaded');
    expect(resolveUdpIo('auto', silentLogger)).toBe('batch');
    expect(resolveUdpIo('dgram', silentLogger)).toBe('dgram');
  });

  it('answers single queries on the port it bound (port 0 → a real port) and counts', async () => {
    const { l, port } = await listen((p) => echo(p));
    expect(port).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const r = await udpExchange(port, encodeQuery('www.example.test', 'A', { id: 200 + i }));
      expect(idOf(r)).toBe(200 + i);
      expect(r[2]! & 0x80).toBe(0x80);
    }
    expect(l.counters).toMatchObject({ queries: 3, replies: 3, drops: { responder: 0, error: 0, oversize: 0, send: 0 } });
  });

  it('answers a burst of 500 queries sent at once, every id once, in batches', async () => {
    const { l, port } = await listen((p) => echo(p));
    const packets = Array.from({ length: 500 }, (_, i) => encodeQuery(`q${i}.example.test`, 'A', { id: 1000 + i }));
    const got = await burst(port, packets);
    expect(got.size).toBe(500);
    for (let i = 0; i < 500; i++) expect(got.get(1000 + i)?.subarray(12).equals(Buffer.from(packets[i]!.subarray(12)))).toBe(true);
    expect(l.counters.replies).toBe(500);
    const ns = l.nativeStats()!;
    expect(ns.received).toBe(500);
    expect(ns.batches).toBeLessThan(500); // more than one datagram per recvmmsg
    expect(ns.sent).toBe(500);
  });

  it('sends replies computed later (Promise) to the right client, after the batch memory was reused', async () => {
    const { l, port } = await listen((p) => {
      const id = idOf(p);
      const reply = echo(p);
      if (id % 3 === 0) return new Promise((resolve) => setTimeout(() => resolve(reply), 30 + (id % 7)));
      if (id % 3 === 1) return Promise.resolve(reply);
      return reply;
    });
    const a = Array.from({ length: 150 }, (_, i) => encodeQuery(`a${i}.example.test`, 'A', { id: i }));
    const b = Array.from({ length: 150 }, (_, i) => encodeQuery(`b${i}.example.test`, 'TXT', { id: 5000 + i }));
    const [ga, gb] = await Promise.all([burst(port, a), burst(port, b)]);
    expect([...ga.keys()].sort((x, y) => x - y)).toEqual(a.map(idOf));
    expect([...gb.keys()].sort((x, y) => x - y)).toEqual(b.map(idOf));
    for (const p of a) expect(ga.get(idOf(p))!.subarray(12).equals(Buffer.from(p.subarray(12)))).toBe(true);
    expect(l.counters).toMatchObject({ queries: 300, replies: 300 });
  });

  it('drops replies larger than the client allows (sync and async), sends those that fit', async () => {
    const { l, port } = await listen((p) => (p[12] === 5 ? Promise.resolve(echo(p, 700)) : echo(p, 700)));
    expect(await udpSendRaw(port, encodeQuery('sync.example.test', 'A'))).toBeNull();
    expect(await udpSendRaw(port, encodeQuery('async.example.test', 'A'))).toBeNull();
    expect(l.counters.drops.oversize).toBe(2);
    const ok = await udpExchange(port, encodeQuery('sync.example.test', 'A', { edns: 1232 }));
    expect(ok.length).toBeGreaterThan(700);
    const ok2 = await udpExchange(port, encodeQuery('async.example.test', 'A', { edns: 1232 }));
    expect(ok2.length).toBeGreaterThan(700);
    expect(l.counters.replies).toBe(2);
  });

  it('a throwing or rejecting responder drops the query; null is not answered', async () => {
    const { l, port } = await listen((p) => {
      if (p[12] === 1) return null;
      if (p[12] === 2) throw new Error('boom');
      if (p[12] === 3) return Promise.reject(new Error('async boom'));
      return echo(p);
    });
    for (const name of ['a', 'ab', 'abc']) expect(await udpSendRaw(port, encodeQuery(`${name}.example.test`, 'A'))).toBeNull();
    expect(await udpExchange(port, encodeQuery('abcd.example.test', 'A'))).toBeInstanceOf(Buffer);
    expect(l.counters.drops).toMatchObject({ responder: 1, error: 2 });
  });

  it('works on IPv6 loopback', async () => {
    let port: number;
    try {
      port = (await listen((p) => echo(p), { host: '::1' })).port;
    } catch {
      return; // no IPv6 on this host
    }
    expect(idOf(await udpExchange(port, encodeQuery('v6.example.test', 'A', { id: 66 }), { host: '::1' }))).toBe(66);
    const got = await burst(port, Array.from({ length: 100 }, (_, i) => encodeQuery('v6.example.test', 'A', { id: i })), 100, 5000, '::1');
    expect(got.size).toBe(100);
  });

  it('EADDRINUSE when a socket without SO_REUSEPORT holds the port (with or without reusePort here)', async () => {
    const holder = client();
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
    const port = holder.address().port;
    for (const reusePort of [false, true]) {
      const l = new BatchUdpListener({ host: '127.0.0.1', port, responder: (p) => echo(p), logger: silentLogger, reusePort });
      const err = await l.listen().then(
        () => null,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      expect(err?.code).toBe('EADDRINUSE');
      expect(err?.syscall).toBe('bind');
    }
    // …and a plain (non-reuseport) batch socket holds its port against a second one
    const { port: p2 } = await listen((p) => echo(p));
    await expect(new BatchUdpListener({ host: '127.0.0.1', port: p2, responder: (p) => echo(p), logger: silentLogger }).listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('SO_REUSEPORT: two sockets of the same user share a port; each query is answered once', async () => {
    const seen = [0, 0];
    const { port } = await listen((p) => ((seen[0] = seen[0]! + 1), echo(p)), { reusePort: true });
    await listen((p) => ((seen[1] = seen[1]! + 1), echo(p)), { port, reusePort: true });
    // Datagrams are spread by the source address/port hash: use many client sockets.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => udpExchange(port, encodeQuery('r.example.test', 'A', { id: i }))));
    expect(results.map(idOf)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(seen[0]! + seen[1]!).toBe(20);
  });

  it('close() while busy: no crash, pending replies are dropped, the port is free at once', async () => {
    let closeNow: (() => void) | null = null;
    let n = 0;
    const { l, port } = await listen((p) => {
      n++;
      if (n === 100) closeNow?.(); // close from inside a batch
      return n % 2 === 0 ? new Promise((resolve) => setTimeout(() => resolve(echo(p)), 20)) : echo(p);
    });
    closeNow = () => void l.close();
    await burst(port, Array.from({ length: 400 }, (_, i) => encodeQuery('busy.example.test', 'A', { id: i })), 400, 300);
    await sleep(50);
    expect(l.counters.queries).toBeLessThan(400);
    expect(l.counters.queries).toBeGreaterThanOrEqual(100);
    expect(l.counters.replies + l.counters.drops.send).toBeGreaterThan(0);
    await l.close(); // twice is fine
    const again = await listen((p) => echo(p), { port });
    expect(again.port).toBe(port);
    expect(idOf(await udpExchange(port, encodeQuery('again.example.test', 'A', { id: 9 })))).toBe(9);
  });

  it('survives garbage datagrams (empty, short, random, huge) and keeps answering', async () => {
    const { l, port } = await listen((p) => (p.length >= 12 && (p[2]! & 0x80) === 0 ? echo(p) : null));
    const s = client();
    for (let i = 0; i < 300; i++) s.send(randomBytes(Math.floor(Math.random() * 600)), port, '127.0.0.1');
    s.send(Buffer.alloc(0), port, '127.0.0.1');
    s.send(Buffer.alloc(60_000, 0xff), port, '127.0.0.1');
    await sleep(100);
    expect(idOf(await udpExchange(port, encodeQuery('fine.example.test', 'A', { id: 77 })))).toBe(77);
    expect(l.counters.queries).toBeGreaterThanOrEqual(250);
    expect(l.nativeStats()!.truncated).toBe(0);
  });

  it('BATCH is a sane batch size', () => {
    expect(BATCH).toBeGreaterThanOrEqual(16);
  });
});

describe('DnsServer UDP I/O choice', () => {
  it('auto uses batch when the addon loads; dgram on request; both answer', async () => {
    for (const udpIo of ['auto', 'dgram'] as const) {
      const server = new DnsServer({ host: '127.0.0.1', port: 0, responder: (p) => echo(p), udpIo });
      const { port } = await server.listen();
      try {
        expect(server.udpIo).toBe(udpIo === 'dgram' || !('addon' in loadBatchAddon()) ? 'dgram' : 'batch');
        expect(idOf(await udpExchange(port, encodeQuery('x.example.test', 'A', { id: 42 })))).toBe(42);
        expect(server.stats().udp).toMatchObject({ queries: 1, replies: 1 });
      } finally {
        await server.close(100);
      }
    }
  });
});
