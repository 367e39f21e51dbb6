// The DNS transports with a stub responder: UDP size limits and failure handling, TCP framing
// (partial reads, pipelining answered out of order), idle timeout, connection limit, in-flight
// limit, malformed lengths, garbage, port 0 and port-in-use, graceful close.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsListenError, DnsServer } from '../../src/dns/server/dns-server.js';
import type { Responder } from '../../src/dns/server/types.js';
import { udpReplyLimit } from '../../src/dns/server/udp.js';
import { encodeQuery, frame, TcpClient, tcpExchange, udpExchange, udpSendRaw } from '../helpers/dns.js';

/** A stub reply: the query with QR set, plus `pad` zero octets. */
function echo(packet: Uint8Array, pad = 0): Uint8Array {
  const out = new Uint8Array(packet.length + pad);
  out.set(packet);
  out[2] = out[2]! | 0x80;
  return out;
}

const idOf = (b: Uint8Array): number => (b[0]! << 8) | b[1]!;

const servers: DnsServer[] = [];
async function start(responder: Responder, opts: Partial<ConstructorParameters<typeof DnsServer>[0]> = {}): Promise<{ server: DnsServer; port: number }> {
  const server = new DnsServer({ host: '127.0.0.1', port: 0, responder, ...opts });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(200)));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('udpReplyLimit', () => {
  it('is 512 without EDNS, the OPT size (at least 512) with it, and 512 for anything malformed', () => {
    expect(udpReplyLimit(encodeQuery('example.test', 'A'))).toBe(512);
    expect(udpReplyLimit(encodeQuery('example.test', 'A', { edns: 1232 }))).toBe(1232);
    expect(udpReplyLimit(encodeQuery('example.test', 'A', { edns: 100 }))).toBe(512);
    expect(udpReplyLimit(encodeQuery('example.test', 'A', { edns: 65535 }))).toBe(65535);
    expect(udpReplyLimit(new Uint8Array([1, 2, 3]))).toBe(512);
    const truncated = encodeQuery('example.test', 'A', { edns: 4096 }).subarray(0, 30);
    expect(udpReplyLimit(truncated)).toBe(512);
    for (let i = 0; i < 200; i++) expect(udpReplyLimit(randomBytes(Math.floor(Math.random() * 80)))).toBeGreaterThanOrEqual(512);
  });
});

describe('UDP', () => {
  it('answers synchronously and through a Promise, and counts', async () => {
    let n = 0;
    const { server, port } = await start((p) => (n++ % 2 === 0 ? echo(p) : Promise.resolve(echo(p))));
    for (let i = 0; i < 4; i++) {
      const q = encodeQuery('www.example.test', 'A', { id: 100 + i });
      const r = await udpExchange(port, q);
      expect(idOf(r)).toBe(100 + i);
      expect(r[2]! & 0x80).toBe(0x80);
    }
    await sleep(20);
    expect(server.stats().udp).toMatchObject({ queries: 4, replies: 4 });
  });

  it('drops on null, a throw and a rejection — no crash, no unhandled rejection — and keeps answering', async () => {
    const { server, port } = await start((p) => {
      const kind = p[12]; // first label length byte of the qname: selects the behaviour
      if (kind === 1) return null;
      if (kind === 2) throw new Error('boom');
      if (kind === 3) return Promise.reject(new Error('async boom'));
      return echo(p);
    });
    expect(await udpSendRaw(port, encodeQuery('a.example.test', 'A'))).toBeNull();
    expect(await udpSendRaw(port, encodeQuery('ab.example.test', 'A'))).toBeNull();
    expect(await udpSendRaw(port, encodeQuery('abc.example.test', 'A'))).toBeNull();
    expect(await udpExchange(port, encodeQuery('abcd.example.test', 'A'))).toBeInstanceOf(Buffer);
    const s = server.stats().udp;
    expect(s.drops).toMatchObject({ responder: 1, error: 2 });
    expect(s.replies).toBe(1);
  });

  it('never sends more than the client allows (512 without EDNS, the EDNS size with it)', async () => {
    const { server, port } = await start((p) => echo(p, 700));
    expect(await udpSendRaw(port, encodeQuery('big.example.test', 'A'))).toBeNull();
    expect(server.stats().udp.drops.oversize).toBe(1);
    const ok = await udpExchange(port, encodeQuery('big.example.test', 'A', { edns: 1232 }));
    expect(ok.length).toBeGreaterThan(700);
    expect(await udpSendRaw(port, encodeQuery('big.example.test', 'A', { edns: 600 }))).toBeNull();
  });

  it('survives random datagrams', async () => {
    const { port } = await start((p) => {
      if (p.length < 12) return null;
      if (p[2]! & 0x80) throw new Error('a response');
      return echo(p);
    });
    const sock = dgram.createSocket('udp4');
    for (let i = 0; i < 500; i++) sock.send(randomBytes(Math.floor(Math.random() * 600)), port, '127.0.0.1');
    sock.send(Buffer.alloc(0), port, '127.0.0.1');
    await sleep(100);
    sock.close();
    const r = await udpExchange(port, encodeQuery('still.example.test', 'A', { id: 7 }));
    expect(idOf(r)).toBe(7);
  });
});

describe('TCP', () => {
  it('reassembles a query sent one octet at a time', async () => {
    const { port } = await start((p) => echo(p));
    const c = await TcpClient.connect(port);
    const f = frame(encodeQuery('slow.example.test', 'A', { id: 42 }));
    for (const byte of f) {
      c.write(Buffer.from([byte]));
      await sleep(2);
    }
    const [r] = await c.waitFor(1);
    expect(idOf(r!)).toBe(42);
    c.close();
  });

  it('answers pipelined queries (one write), each as it completes, out of order', async () => {
    const { server, port } = await start(async (p) => {
      await sleep(idOf(p) % 2 === 0 ? 60 : 5); // even ids are slow
      return echo(p);
    });
    const c = await TcpClient.connect(port);
    const ids = Array.from({ length: 20 }, (_, i) => 1000 + i);
    c.write(Buffer.concat(ids.map((id) => frame(encodeQuery(`q${id}.example.test`, 'A', { id })))));
    const replies = await c.waitFor(ids.length);
    expect(replies.map(idOf).sort()).toEqual(ids);
    expect(idOf(replies[0]!) % 2).toBe(1); // a fast one overtook the slow first query
    c.close();
    expect(server.stats().tcp).toMatchObject({ queries: 20, replies: 20 });
  });

  it('a frame split across writes, with the next frame in the same write, is handled', async () => {
    const { port } = await start((p) => echo(p));
    const c = await TcpClient.connect(port);
    const a = frame(encodeQuery('a.example.test', 'A', { id: 1 }));
    const b = frame(encodeQuery('b.example.test', 'A', { id: 2 }));
    c.write(a.subarray(0, 5));
    await sleep(10);
    c.write(Buffer.concat([a.subarray(5), b.subarray(0, 1)]));
    await sleep(10);
    c.write(b.subarray(1));
    expect((await c.waitFor(2)).map(idOf)).toEqual([1, 2]);
    c.close();
  });

  it('closes the connection on a zero or too-short length', async () => {
    const { server, port } = await start((p) => echo(p));
    for (const bad of [Buffer.from([0, 0]), Buffer.from([0, 5, 1, 2, 3, 4, 5])]) {
      const c = await TcpClient.connect(port);
      c.write(bad);
      expect(await c.waitClosed(2000)).toBe(true);
    }
    expect(server.stats().tcp.closed.bad_length).toBe(2);
  });

  it('answers the queries before a broken length (sync and async), then closes', async () => {
    const { server, port } = await start(async (p) => {
      if (idOf(p) === 2) await sleep(50); // still in progress when the broken frame arrives
      return echo(p);
    });
    const c = await TcpClient.connect(port);
    c.write(Buffer.concat([frame(encodeQuery('a.example.test', 'A', { id: 1 })), frame(encodeQuery('b.example.test', 'A', { id: 2 })), Buffer.from([0, 1, 0xff])]));
    expect((await c.waitFor(2)).map(idOf).sort()).toEqual([1, 2]);
    expect(await c.waitClosed(2000)).toBe(true);
    expect(server.stats().tcp.closed.bad_length).toBe(1);
  });

  it('closes an idle connection after the idle timeout, and not one that is busy', async () => {
    const { server, port } = await start((p) => echo(p), { tcpIdleTimeoutMs: 300 });
    const idle = await TcpClient.connect(port);
    const t0 = Date.now();
    expect(await idle.waitClosed(3000)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const busy = await TcpClient.connect(port);
    for (let i = 0; i < 5; i++) {
      busy.write(frame(encodeQuery('busy.example.test', 'A', { id: i })));
      await sleep(150);
    }
    expect(busy.closed).toBe(false);
    expect(await busy.waitFor(5)).toHaveLength(5);
    expect(await busy.waitClosed(3000)).toBe(true);
    expect(server.stats().tcp.closed.idle).toBe(2);
  });

  it('closes connections over the limit at once; a slot frees when one closes', async () => {
    const { server, port } = await start((p) => echo(p), { tcpMaxConnections: 2 });
    const a = await TcpClient.connect(port);
    const b = await TcpClient.connect(port);
    await sleep(50);
    const c = await TcpClient.connect(port);
    expect(await c.waitClosed(1000)).toBe(true);
    expect(server.stats().tcp).toMatchObject({ rejected: 1, open: 2 });
    a.close();
    await sleep(100);
    const d = await TcpClient.connect(port);
    d.write(frame(encodeQuery('d.example.test', 'A', { id: 9 })));
    expect((await d.waitFor(1)).map(idOf)).toEqual([9]);
    expect(b.closed).toBe(false);
    b.close();
    d.close();
  });

  it('holds back reading while too many queries of a connection are in progress', async () => {
    const release: (() => void)[] = [];
    let calls = 0;
    const { port } = await start(
      (p) => {
        calls++;
        return new Promise((resolve) => release.push(() => resolve(echo(p))));
      },
      { tcpMaxInflight: 4 },
    );
    const c = await TcpClient.connect(port);
    c.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(encodeQuery('w.example.test', 'A', { id: i })))));
    await sleep(100);
    expect(calls).toBe(4);
    while (calls < 10 || release.length > 0) {
      release.shift()?.();
      await sleep(5);
    }
    expect((await c.waitFor(10)).map(idOf).sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    c.close();
  });

  it('survives garbage streams and keeps answering', async () => {
    const { port } = await start((p) => {
      if (p[2]! & 0x80) throw new Error('not a query');
      return Math.random() < 0.5 ? echo(p) : Promise.resolve(echo(p));
    });
    for (let i = 0; i < 30; i++) {
      const c = await TcpClient.connect(port);
      c.write(randomBytes(Math.floor(Math.random() * 3000)));
      if (i % 3 === 0) c.socket.end();
      await sleep(5);
      c.close();
    }
    const r = await tcpExchange(port, encodeQuery('after.example.test', 'A', { id: 77 }));
    expect(idOf(r)).toBe(77);
  });

  it('answers queries in progress when the peer half-closes', async () => {
    const { port } = await start(async (p) => {
      await sleep(30);
      return echo(p);
    });
    const c = await TcpClient.connect(port);
    c.write(Buffer.concat([frame(encodeQuery('x.example.test', 'A', { id: 5 })), frame(encodeQuery('y.example.test', 'A', { id: 6 }))]));
    c.socket.end();
    expect((await c.waitFor(2)).map(idOf).sort()).toEqual([5, 6]);
    expect(await c.waitClosed()).toBe(true);
  });
});

describe('listening and closing', () => {
  it('port 0 binds UDP and TCP on the same port', async () => {
    const { server, port } = await start((p) => echo(p));
    expect(server.address.port).toBe(port);
    expect(idOf(await udpExchange(port, encodeQuery('u.example.test', 'A', { id: 3 })))).toBe(3);
    expect(idOf(await tcpExchange(port, encodeQuery('t.example.test', 'A', { id: 4 })))).toBe(4);
  });

  it('a port in use is a DnsListenError naming the address and EADDRINUSE', async () => {
    const { port } = await start((p) => echo(p));
    const other = new DnsServer({ host: '127.0.0.1', port, responder: (p) => echo(p) });
    const err = await other.listen().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DnsListenError);
    expect((err as DnsListenError).code).toBe('EADDRINUSE');
    expect((err as Error).message).toBe(`cannot listen on 127.0.0.1:${port} (udp): EADDRINUSE`);
  });

  it('close() answers TCP queries in progress, then closes', async () => {
    let started!: () => void;
    const begun = new Promise<void>((r) => (started = r));
    const { server, port } = await start(async (p) => {
      started();
      await sleep(100);
      return echo(p);
    });
    const c = await TcpClient.connect(port);
    c.write(frame(encodeQuery('late.example.test', 'A', { id: 11 })));
    await begun;
    await server.close(2000);
    expect((await c.waitFor(1)).map(idOf)).toEqual([11]);
    expect(await c.waitClosed()).toBe(true);
    expect(server.stats().tcp.closed.shutdown).toBe(1);
  });

  it('IPv6 loopback works for both transports', async () => {
    const server = new DnsServer({ host: '::1', port: 0, responder: (p) => echo(p) });
    servers.push(server);
    let port: number;
    try {
      port = (await server.listen()).port;
    } catch {
      return; // no IPv6 on this host
    }
    expect(idOf(await udpExchange(port, encodeQuery('v6.example.test', 'A', { id: 6 }), { host: '::1' }))).toBe(6);
    expect(idOf(await tcpExchange(port, encodeQuery('v6.example.test', 'A', { id: 7 }), { host: '::1' }))).toBe(7);
  });
});
