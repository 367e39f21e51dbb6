import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RR } from '../../../../src/core/model.js';
import { AliasResolver } from '../../../../src/dns/answer/alias-resolver.js';
import { clearReplyCache, replyCacheSize, respond } from '../../../../src/dns/answer/respond.js';
import { RCODE } from '../../../../src/dns/wire/constants.js';
import { decodeMessage, encodeMessage, type Message, type WireRR } from '../../../../src/dns/wire/message.js';
import { nameToWire } from '../../../../src/dns/wire/name.js';
import { rdataFromText } from '../../../../src/dns/wire/rdata.js';
import { exampleZone } from '../zone/fixture.js';
import { FLAG, flags, query, show, TYPE, zoneSet } from './helpers.js';

const rr = (name: string, type: string, rdata: string, ttl = 3600): RR => ({ name, type, ttl, rdata });
const wrr = (name: string, type: number, ttl: number, rdata: string): WireRR => ({ name: nameToWire(name), type, class: 1, ttl, rdata: rdataFromText(type, rdata) });

type Handler = (q: Message) => Partial<Message> | 'drop' | Buffer[];

/** A fake upstream resolver on loopback: UDP (and TCP with the same handler), ephemeral port. */
class FakeUpstream {
  udp = dgram.createSocket('udp4');
  tcp = net.createServer();
  queries: Message[] = [];
  tcpQueries = 0;
  handler: Handler = () => ({});
  tcpHandler: Handler | null = null;
  delayMs = 0;
  port = 0;

  /** Bind UDP and TCP on one ephemeral port (retrying when the TCP side of that port is taken). */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.listen();
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        this.udp.close();
        this.udp = dgram.createSocket('udp4');
        this.tcp = net.createServer();
      }
    }
  }

  private async listen(): Promise<void> {
    this.udp.on('message', (msg, rinfo) => {
      const q = decodeMessage(msg);
      this.queries.push(q);
      const send = (): void => {
        for (const out of this.render(q, this.handler)) this.udp.send(out, rinfo.port, rinfo.address);
      };
      if (this.delayMs > 0) setTimeout(send, this.delayMs);
      else send();
    });
    await new Promise<void>((resolve) => this.udp.bind(0, '127.0.0.1', resolve));
    this.port = this.udp.address().port;
    this.tcp.on('connection', (sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        const q = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        this.tcpQueries++;
        for (const out of this.render(q, this.tcpHandler ?? this.handler)) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len, out]));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(this.port, '127.0.0.1', resolve);
    });
  }

  private render(q: Message, h: Handler): Buffer[] {
    const r = h(q);
    if (r === 'drop') return [];
    if (Array.isArray(r)) return r;
    return [encodeMessage({ id: q.id, flags: FLAG.QR | FLAG.RD | FLAG.RA, opcode: 0, rcode: 0, questions: q.questions, answers: [], authorities: [], additionals: [], edns: null, ...r })];
  }

  async stop(): Promise<void> {
    this.udp.close();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}

let up: FakeUpstream;
let resolvers: AliasResolver[] = [];
const resolver = (opts: Partial<ConstructorParameters<typeof AliasResolver>[0]> = {}): AliasResolver => {
  const r = new AliasResolver({ upstream: { host: '127.0.0.1', port: up.port }, timeoutMs: 1000, ...opts });
  resolvers.push(r);
  return r;
};

beforeEach(async () => {
  up = new FakeUpstream();
  await up.start();
  clearReplyCache();
});

afterEach(async () => {
  for (const r of resolvers) r.close();
  resolvers = [];
  await up.stop();
});

const addresses = (q: Message): Partial<Message> => {
  const name = 'lb.example.org';
  return q.questions[0]!.type === TYPE.A
    ? { answers: [wrr(name, TYPE.A, 300, '198.51.100.1'), wrr(name, TYPE.A, 200, '198.51.100.2')] }
    : { answers: [wrr(name, TYPE.AAAA, 300, '2001:db8::1')] };
};

describe('AliasResolver', () => {
  it('asks the upstream over UDP (RD, random ID) and caches by TTL', async () => {
    let now = 1_000_000;
    up.handler = addresses;
    const r = resolver({ now: () => now });
    expect(r.cached('lb.example.org', 1)).toBeUndefined();
    const res = await r.resolve('lb.example.org', 1);
    expect(res).toMatchObject({ ttl: 200 });
    expect(res !== 'negative' && res !== 'servfail' && res.rdatas.map((d) => [...d])).toEqual([
      [198, 51, 100, 1],
      [198, 51, 100, 2],
    ]);
    expect(up.queries).toHaveLength(1);
    const q = up.queries[0]!;
    expect(q.flags & FLAG.RD).toBe(FLAG.RD);
    expect(q.questions[0]!.type).toBe(TYPE.A);
    expect(r.cached('lb.example.org', 1)).toMatchObject({ ttl: 200 });
    now += 150_000;
    expect(r.cached('lb.example.org', 1)).toMatchObject({ ttl: 50 });
    now += 50_000;
    expect(r.cached('lb.example.org', 1)).toBeUndefined();
    await r.resolve('lb.example.org', 28);
    expect(r.cached('lb.example.org', 28)).toMatchObject({ ttl: 300 });
  });

  it('caps the cache TTL by the ALIAS TTL', async () => {
    up.handler = addresses;
    const r = resolver();
    expect(await r.resolve('lb.example.org', 1, 30)).toMatchObject({ ttl: 30 });
    expect((r.cached('lb.example.org', 1) as { ttl: number }).ttl).toBeLessThanOrEqual(30);
  });

  it('follows a CNAME chain in the upstream answer', async () => {
    up.handler = () => ({
      answers: [wrr('lb.example.org', TYPE.CNAME, 100, 'edge.example.net.'), wrr('edge.example.net', TYPE.A, 300, '203.0.113.9'), wrr('other.example.net', TYPE.A, 300, '203.0.113.10')],
    });
    const res = await resolver().resolve('lb.example.org', 1);
    expect(res).toMatchObject({ ttl: 100 });
    expect(res !== 'negative' && res !== 'servfail' && res.rdatas).toHaveLength(1);
  });

  it('caches negative answers with the SOA TTL', async () => {
    let now = 0;
    up.handler = () => ({ rcode: RCODE.NXDOMAIN, authorities: [wrr('example.org', TYPE.SOA, 600, 'ns.example.org. h.example.org. 1 1 1 1 45')] });
    const r = resolver({ now: () => now });
    expect(await r.resolve('lb.example.org', 1)).toBe('negative');
    expect(r.cached('lb.example.org', 1)).toBe('negative');
    now += 44_000;
    expect(r.cached('lb.example.org', 1)).toBe('negative');
    now += 2_000;
    expect(r.cached('lb.example.org', 1)).toBeUndefined();
    up.handler = () => ({});
    expect(await r.resolve('lb.example.org', 28)).toBe('negative'); // NOERROR, no data, no SOA
  });

  it('SERVFAIL from the upstream is a failure, not cached', async () => {
    up.handler = () => ({ rcode: RCODE.SERVFAIL });
    const r = resolver();
    expect(await r.resolve('lb.example.org', 1)).toBe('servfail');
    expect(r.cached('lb.example.org', 1)).toBeUndefined();
  });

  it('one query in flight per target and type', async () => {
    up.handler = addresses;
    up.delayMs = 100;
    const r = resolver();
    const a = r.resolve('lb.example.org', 1);
    const b = r.resolve('lb.example.org', 1);
    const c = r.resolve('lb.example.org', 28);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    const [ra, rb] = await Promise.all([a, b, c]);
    expect(ra).toBe(rb);
    expect(up.queries.map((q) => q.questions[0]!.type)).toEqual([TYPE.A, TYPE.AAAA]);
  });

  it('times out to servfail', async () => {
    up.handler = () => 'drop';
    const r = resolver({ timeoutMs: 100 });
    const t0 = Date.now();
    expect(await r.resolve('lb.example.org', 1)).toBe('servfail');
    expect(Date.now() - t0).toBeLessThan(900);
  });

  it('ignores replies with another ID or question, takes the matching one', async () => {
    up.handler = (q) => {
      const ok = addresses(q);
      const base = { flags: FLAG.QR, opcode: 0, rcode: 0, authorities: [], additionals: [], edns: null, answers: ok.answers! };
      return [
        encodeMessage({ ...base, id: (q.id + 1) & 0xffff, questions: q.questions }),
        encodeMessage({ ...base, id: q.id, questions: [{ name: nameToWire('evil.example.org'), type: q.questions[0]!.type, class: 1 }] }),
        encodeMessage({ ...base, id: q.id, questions: q.questions, answers: [wrr('lb.example.org', TYPE.A, 300, '198.51.100.66')] }),
      ];
    };
    const res = await resolver().resolve('lb.example.org', 1);
    expect(res !== 'negative' && res !== 'servfail' && res.rdatas.map((d) => [...d])).toEqual([[198, 51, 100, 66]]);
  });

  it('retries over TCP when the UDP reply is truncated', async () => {
    up.handler = () => ({ flags: FLAG.QR | FLAG.TC });
    up.tcpHandler = addresses;
    const res = await resolver().resolve('lb.example.org', 1);
    expect(res).toMatchObject({ ttl: 200 });
    expect(up.tcpQueries).toBe(1);
  });

  it('without an upstream every resolve is servfail', async () => {
    const r = new AliasResolver({ upstream: null });
    expect(await r.resolve('lb.example.org', 1)).toBe('servfail');
    r.close();
  });

  it('bounds the cache', async () => {
    up.handler = (q) => ({ answers: [{ ...wrr('x.example.org', TYPE.A, 300, '198.51.100.1'), name: q.questions[0]!.name }] });
    const r = resolver({ maxEntries: 2 });
    await r.resolve('a.example.org', 1);
    await r.resolve('b.example.org', 1);
    await r.resolve('c.example.org', 1);
    expect(r.size).toBe(2);
    expect(r.cached('a.example.org', 1)).toBeUndefined();
    expect(r.cached('c.example.org', 1)).toBeDefined();
  });

  it('close() ends queries in flight as servfail', async () => {
    up.handler = () => 'drop';
    const r = resolver({ timeoutMs: 5000 });
    const p = r.resolve('lb.example.org', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    r.close();
    expect(await p).toBe('servfail');
  });
});

describe('respond with an ALIAS target outside our zones', () => {
  const zones = (): ReturnType<typeof zoneSet> =>
    zoneSet(['example.test', [...exampleZone(), rr('example.test', 'ALIAS', 'lb.example.org.', 120)].filter((x) => !(x.name === 'example.test' && x.type === 'A'))]);

  it('returns a Promise the first time, then answers from the cache synchronously', async () => {
    up.handler = addresses;
    const z = zones();
    const alias = resolver();
    const first = respond(query('Example.Test', TYPE.A), z, { transport: 'udp', alias });
    expect(first).toBeInstanceOf(Promise);
    const m = decodeMessage((await first)!);
    expect(m.rcode).toBe(RCODE.NOERROR);
    expect(flags(m).aa).toBe(true);
    expect(m.answers.map(show)).toEqual(['Example.Test 120 A 198.51.100.1', 'Example.Test 120 A 198.51.100.2']);
    for (let i = 0; i < 3; i++) {
      const again = respond(query('example.test', TYPE.A), z, { transport: 'udp', alias });
      expect(again).toBeInstanceOf(Uint8Array);
      expect(decodeMessage(again as Uint8Array).answers).toHaveLength(2);
    }
    expect(up.queries).toHaveLength(1);
    // Not in the reply cache: the upstream's TTL governs these.
    expect(replyCacheSize()).toBe(0);
    const aaaa = decodeMessage((await respond(query('example.test', TYPE.AAAA), z, { transport: 'udp', alias }))!);
    expect(aaaa.answers.map(show)).toEqual(['example.test 120 AAAA 2001:db8::1']);
  });

  it('NODATA for a negative upstream answer, SERVFAIL on timeout', async () => {
    up.handler = () => ({ rcode: RCODE.NXDOMAIN });
    const z = zones();
    const neg = decodeMessage((await respond(query('example.test', TYPE.A), z, { transport: 'udp', alias: resolver() }))!);
    expect(neg.rcode).toBe(RCODE.NOERROR);
    expect(neg.answers).toHaveLength(0);
    expect(neg.authorities.map((a) => a.type)).toEqual([TYPE.SOA]);
    up.handler = () => 'drop';
    const fail = decodeMessage((await respond(query('example.test', TYPE.A, { id: 99 }), z, { transport: 'udp', alias: resolver({ timeoutMs: 100 }) }))!);
    expect(fail.rcode).toBe(RCODE.SERVFAIL);
    expect(fail.id).toBe(99);
    expect(fail.questions).toHaveLength(1);
  });

  it('serves a TTL-0 upstream answer once without caching it', async () => {
    up.handler = () => ({ answers: [wrr('lb.example.org', TYPE.A, 0, '198.51.100.7')] });
    const alias = resolver();
    const m = decodeMessage((await respond(query('example.test', TYPE.A), zones(), { transport: 'udp', alias }))!);
    expect(m.answers.map(show)).toEqual(['example.test 0 A 198.51.100.7']);
    expect(alias.cached('lb.example.org', 1)).toBeUndefined();
  });
});
