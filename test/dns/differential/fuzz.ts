// Property-test machinery: valid queries, mutations of them (bit flips, truncation, count fields,
// compression pointers, garbage), and the checks every reply must pass. Packets are sent in
// batches (one fast-check run = one batch) so that dropped packets cost one short quiet period
// per batch instead of a timeout each.
import dgram from 'node:dgram';
import net from 'node:net';
import fc from 'fast-check';
import type { Target } from './client.js';
import { decodeReply } from './compare.js';
import { prng, randomCase } from './queries.js';
import { buildQuery, bytesEqual, nameToWire, parseMessage, rcodeName, T, type EdnsSpec, type Message } from './wire.js';

/** The server's own largest UDP payload (both Knot's default and zonekeeper's). */
export const SERVER_MAX_UDP = 1232;

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'count'; which: number; value: number }
  | { kind: 'pointer'; at: number; target: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'append'; bytes: Uint8Array };

/** Applies mutations in order; positions are taken modulo the current length. */
export function mutate(packet: Uint8Array, mutations: Mutation[]): Uint8Array {
  let p = Uint8Array.from(packet);
  for (const m of mutations) {
    const n = p.length;
    switch (m.kind) {
      case 'flip':
        if (n > 0) p[m.at % n]! ^= 1 << m.bit;
        break;
      case 'truncate':
        p = p.subarray(0, n === 0 ? 0 : m.at % n);
        break;
      case 'count':
        if (n >= 12) {
          p[4 + m.which * 2] = m.value >> 8;
          p[5 + m.which * 2] = m.value & 0xff;
        }
        break;
      case 'pointer':
        // A compression pointer written over two octets (in the qname, usually: offset >= 12).
        if (n >= 2) {
          const at = n > 14 ? 12 + (m.at % (n - 13)) : m.at % (n - 1);
          p[at] = 0xc0 | ((m.target >> 8) & 0x3f);
          p[at + 1] = m.target & 0xff;
        }
        break;
      case 'set':
        if (n > 0) p[m.at % n] = m.value;
        break;
      case 'insert': {
        const at = n === 0 ? 0 : m.at % (n + 1);
        const q = new Uint8Array(n + m.bytes.length);
        q.set(p.subarray(0, at), 0);
        q.set(m.bytes, at);
        q.set(p.subarray(at), at + m.bytes.length);
        p = q;
        break;
      }
      case 'append': {
        const q = new Uint8Array(n + m.bytes.length);
        q.set(p, 0);
        q.set(m.bytes, n);
        p = q;
        break;
      }
    }
  }
  return p;
}

const TYPES = [T.A, T.AAAA, T.NS, T.SOA, T.MX, T.TXT, T.CNAME, T.SRV, T.DS, T.HTTPS, T.SVCB, T.CAA, T.TLSA, T.SSHFP, T.PTR, T.ANY, T.AXFR, T.IXFR, T.OPT, 0, 65535];

export interface QueryShape {
  name: string;
  caseSeed: number;
  qtype: number;
  qclass: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  edns: EdnsSpec | null;
}

export function queryArb(names: string[]): fc.Arbitrary<{ shape: QueryShape; bytes: (id: number) => Uint8Array }> {
  const edns: fc.Arbitrary<EdnsSpec | null> = fc.option(
    fc.record({
      udpSize: fc.oneof(fc.constantFrom(0, 512, 1232, 4096, 65535), fc.integer({ min: 0, max: 65535 })),
      do: fc.boolean(),
      version: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }) }),
      options: fc.array(fc.record({ code: fc.integer({ min: 0, max: 65535 }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 3 }),
    }),
    { freq: 2 },
  );
  const shape: fc.Arbitrary<QueryShape> = fc.record({
    name: fc.constantFrom(...names),
    caseSeed: fc.integer(),
    qtype: fc.oneof(fc.constantFrom(...TYPES), fc.integer({ min: 0, max: 65535 })),
    qclass: fc.oneof({ weight: 10, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 3, 4, 254, 255) }),
    opcode: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 15 }) }),
    rd: fc.boolean(),
    cd: fc.boolean(),
    edns,
  });
  return shape.map((s) => {
    const qname = randomCase(nameToWire(s.name), prng(s.caseSeed));
    return { shape: s, bytes: (id: number) => buildQuery({ id, qname, qtype: s.qtype, qclass: s.qclass, opcode: s.opcode, rd: s.rd, cd: s.cd, edns: s.edns }) };
  });
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('count' as const), which: fc.integer({ min: 0, max: 3 }), value: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), target: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0x3fff })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 0x3f, 0x40, 0x80, 0xc0, 0xff), fc.integer({ min: 0, max: 255 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
);

/** One packet of a batch: a mutated valid query, or plain random bytes. */
export function packetArb(names: string[]): fc.Arbitrary<{ describe: string; make: (id: number) => Uint8Array }> {
  const mutated = fc.tuple(queryArb(names), fc.array(mutationArb, { minLength: 0, maxLength: 3 })).map(([q, ms]) => ({
    describe: `${JSON.stringify(q.shape)} mutated ${JSON.stringify(ms, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`,
    make: (id: number) => withId(mutate(q.bytes(id), ms), id),
  }));
  const random = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((b) => ({ describe: `random ${Buffer.from(b).toString('hex')}`, make: (id: number) => withId(b, id) }));
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: random });
}

/** Sets the id (first two octets) so replies can be matched; shorter packets are left alone. */
function withId(p: Uint8Array, id: number): Uint8Array {
  const q = Uint8Array.from(p);
  if (q.length >= 2) {
    q[0] = id >> 8;
    q[1] = id & 0xff;
  }
  return q;
}

/** Problems of a reply to `query` (empty = valid). */
export function replyProblems(query: Uint8Array, reply: Uint8Array, transport: 'udp' | 'tcp'): string[] {
  const d = decodeReply(reply);
  if (!d.ok) return [`undecodable reply: ${d.error}`];
  const m: Message = d.msg;
  const problems: string[] = [];
  if (query.length < 12) problems.push(`a reply to a ${query.length}-octet packet that has no full header`);
  if (query.length >= 2 && m.id !== ((query[0]! << 8) | query[1]!)) problems.push(`id ${m.id} is not the query's`);
  if (!m.qr) problems.push('QR is not set');
  if (query.length >= 3 && m.opcode !== ((query[2]! >> 3) & 0xf)) problems.push(`opcode ${m.opcode} is not the query's`);
  if (m.fullRcode === 2) problems.push('SERVFAIL (an internal error) for a static zone');
  if (m.question.length > 1) problems.push(`${m.question.length} questions in a reply`);
  let q: Message | null = null;
  try {
    q = parseMessage(query);
  } catch {
    q = null;
  }
  if (q) {
    if (q.qr) problems.push('a reply to a response (QR=1 in the query)');
    if (q.question.length === 1 && m.question.length === 1) {
      const a = q.question[0]!;
      const b = m.question[0]!;
      if (!bytesEqual(a.name, b.name) || a.type !== b.type || a.klass !== b.klass) problems.push('question not copied');
    }
  }
  if (transport === 'udp') {
    const limit = q ? (q.opt ? Math.max(512, Math.min(q.opt.udpSize, SERVER_MAX_UDP)) : 512) : SERVER_MAX_UDP;
    if (reply.length > limit) problems.push(`UDP reply of ${reply.length} octets over the limit ${limit}`);
  }
  return problems.map((p) => `${p} [rcode ${rcodeName(m.fullRcode)}]`);
}

/** Sends a UDP batch (ids = index + base) and collects replies until `quietMs` pass without one. */
export async function udpBatch(target: Target, packets: Uint8Array[], quietMs = 80): Promise<{ replies: Map<number, Uint8Array[]>; strays: Uint8Array[] }> {
  const sock = dgram.createSocket('udp4');
  const replies = new Map<number, Uint8Array[]>();
  const strays: Uint8Array[] = [];
  const ids = new Set(packets.filter((p) => p.length >= 2).map((p) => (p[0]! << 8) | p[1]!));
  let last = Date.now();
  sock.on('message', (msg, rinfo) => {
    if (rinfo.port !== target.port) return;
    last = Date.now();
    const id = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
    if (!ids.has(id)) strays.push(new Uint8Array(msg));
    else replies.set(id, [...(replies.get(id) ?? []), new Uint8Array(msg)]);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  for (const p of packets) sock.send(p, target.port, target.host);
  last = Date.now();
  while (Date.now() - last < quietMs) await new Promise((r) => setTimeout(r, 10));
  sock.close();
  return { replies, strays };
}

/**
 * Sends a TCP batch: packets are pipelined in groups of up to 8 on their own connections (several
 * connections at once). A packet too short for a header goes alone on its connection, as the
 * server may close the connection on such a frame (RFC 7766 allows closing on a malformed
 * stream). Every framed reply is collected by id until the connection is closed or quiet.
 */
export async function tcpBatch(target: Target, packets: Uint8Array[], quietMs = 80): Promise<{ replies: Map<number, Uint8Array[]>; strays: Uint8Array[]; framing: string[] }> {
  const replies = new Map<number, Uint8Array[]>();
  const strays: Uint8Array[] = [];
  const framing: string[] = [];
  const ids = new Set(packets.filter((p) => p.length >= 2).map((p) => (p[0]! << 8) | p[1]!));
  const groups: Uint8Array[][] = [];
  let group: Uint8Array[] = [];
  for (const p of packets) {
    if (p.length < 12) {
      groups.push([p]); // on a connection of its own: the server may drop the connection at once
      continue;
    }
    group.push(p);
    if (group.length === 8) {
      groups.push(group);
      group = [];
    }
  }
  if (group.length > 0) groups.push(group);
  const one = async (g: Uint8Array[]) => {
    const sock = net.connect({ host: target.host, port: target.port, noDelay: true });
    sock.on('error', () => {});
    let buf: Buffer = Buffer.alloc(0);
    let closed = false;
    let last = Date.now();
    let answered = 0;
    sock.on('data', (d) => {
      last = Date.now();
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + msg.length);
        const id = msg.length >= 2 ? (msg[0]! << 8) | msg[1]! : -1;
        answered++;
        if (!ids.has(id)) strays.push(msg);
        else replies.set(id, [...(replies.get(id) ?? []), msg]);
      }
    });
    sock.on('close', () => {
      closed = true;
      if (buf.length > 0) framing.push(`connection closed inside a reply (${buf.length} octets pending)`);
    });
    const ok = await new Promise<boolean>((r) => {
      sock.once('connect', () => r(true));
      sock.once('error', () => r(false));
    });
    if (!ok) throw new Error(`cannot connect to ${target.host}:${target.port}`);
    const frames = g.map((p) => {
      const frame = Buffer.alloc(2 + p.length);
      frame.writeUInt16BE(p.length, 0);
      frame.set(p, 2);
      return frame;
    });
    sock.write(Buffer.concat(frames));
    last = Date.now();
    while (!closed && answered < g.length && Date.now() - last < quietMs) await new Promise((r) => setTimeout(r, 5));
    sock.destroy();
  };
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < groups.length) await one(groups[next++]!);
  }));
  return { replies, strays, framing };
}

/** Checks one batch's replies: strays, duplicates, and replyProblems for each reply. */
export function checkBatch(
  batch: { describe: string }[],
  packets: Uint8Array[],
  got: { replies: Map<number, Uint8Array[]>; strays: Uint8Array[] },
  transport: 'udp' | 'tcp',
): string[] {
  const problems: string[] = [];
  for (const s of got.strays) problems.push(`a reply whose id matches no packet sent: ${Buffer.from(s).toString('hex')}`);
  packets.forEach((p, i) => {
    if (p.length < 2) return;
    const replies = got.replies.get((p[0]! << 8) | p[1]!) ?? [];
    if (replies.length > 1) problems.push(`${replies.length} replies to one packet: ${batch[i]!.describe}`);
    for (const r of replies) {
      const ps = replyProblems(p, r, transport);
      if (ps.length > 0) problems.push(`${ps.join('; ')}\n    packet ${Buffer.from(p).toString('hex')}\n    reply  ${Buffer.from(r).toString('hex')}\n    from   ${batch[i]!.describe}`);
    }
  });
  return problems;
}

export type StreamChunk = { kind: 'frame'; packet: Uint8Array; lengthDelta: number } | { kind: 'raw'; bytes: Uint8Array };

/** A TCP byte stream: frames (some with a wrong length prefix) and raw octets, cut at random points. */
export function streamChunksArb(names: string[]): fc.Arbitrary<{ chunks: StreamChunk[]; cuts: number[] }> {
  const frame = fc.record({
    kind: fc.constant('frame' as const),
    packet: queryArb(names).map((q) => q.bytes(0x4242)),
    lengthDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }) }),
  });
  const raw = fc.record({ kind: fc.constant('raw' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) });
  return fc.record({
    chunks: fc.array(fc.oneof({ weight: 4, arbitrary: frame }, { weight: 1, arbitrary: raw }), { minLength: 1, maxLength: 12 }),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
  });
}

/**
 * Writes the stream in pieces (split at `cuts`) on one connection and reads framed replies until
 * the connection is quiet or closed. With a wrong length prefix the stream is out of step, so
 * replies are only checked for validity (decoding, QR), not matched to a query.
 */
export async function tcpStream(target: Target, input: { chunks: StreamChunk[]; cuts: number[] }, quietMs = 80): Promise<{ replies: { problems: string[] }[]; framing: string[] }> {
  const parts: Uint8Array[] = [];
  let inStep = true;
  for (const c of input.chunks) {
    if (c.kind === 'raw') {
      parts.push(c.bytes);
      inStep = false;
    } else {
      const len = Math.max(0, Math.min(0xffff, c.packet.length + c.lengthDelta));
      if (c.lengthDelta !== 0) inStep = false;
      parts.push(Uint8Array.of(len >> 8, len & 0xff), c.packet);
    }
  }
  const all = Buffer.concat(parts);
  const cuts = [...new Set(input.cuts.map((x) => (all.length === 0 ? 0 : x % all.length)))].sort((a, b) => a - b);
  const sock = net.connect({ host: target.host, port: target.port, noDelay: true });
  sock.on('error', () => {});
  const replies: { problems: string[] }[] = [];
  const framing: string[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let closed = false;
  let last = Date.now();
  sock.on('data', (d) => {
    last = Date.now();
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + msg.length);
      const d2 = decodeReply(msg);
      const problems: string[] = [];
      if (!d2.ok) problems.push(`undecodable reply on a TCP stream: ${d2.error} (${Buffer.from(msg).toString('hex')})`);
      else {
        if (!d2.msg.qr) problems.push('QR not set');
        if (d2.msg.fullRcode === 2) problems.push('SERVFAIL');
        if (inStep && d2.msg.id !== 0x4242) problems.push(`id ${d2.msg.id} on an in-step stream`);
      }
      replies.push({ problems: problems.map((p) => `${p} (stream ${all.toString('hex')})`) });
    }
  });
  sock.on('close', () => {
    closed = true;
    if (buf.length > 0) framing.push(`connection closed inside a reply (${buf.length} octets pending)`);
  });
  await new Promise<void>((r, j) => {
    sock.once('connect', () => r());
    sock.once('error', j);
  });
  let from = 0;
  for (const cut of [...cuts, all.length]) {
    if (closed) break;
    if (cut > from) sock.write(all.subarray(from, cut));
    from = cut;
    await new Promise((r) => setTimeout(r, 2));
  }
  last = Date.now();
  while (!closed && Date.now() - last < quietMs) await new Promise((r) => setTimeout(r, 10));
  sock.destroy();
  return { replies, framing };
}
