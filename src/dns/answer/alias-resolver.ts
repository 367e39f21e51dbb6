// Addresses of ALIAS targets outside our zones, asked from a configured upstream recursive resolver
// and cached by TTL (docs/dns.md "dns/answer", ALIAS).
//
// - Query: one UDP datagram from a fresh socket (source port chosen by the OS), a random 16-bit ID,
//   RD=1, no EDNS. A reply counts only when it comes from the upstream's address and port, has
//   QR=1, our ID and our question (name case-insensitively, type, class IN); anything else is
//   ignored and the wait goes on. TC=1 → the same query over TCP (RFC 7766 framing).
// - Answer: the records of the asked type owned by the end of the CNAME chain the answer section
//   starts at the target; TTL = the minimum over the chain and that RRset. NXDOMAIN, or NOERROR
//   without such records → negative, cached for min(SOA TTL, SOA MINIMUM) from the authority
//   section (NEGATIVE_TTL_DEFAULT without one). Any other RCODE, a malformed reply or the timeout →
//   'servfail' (not cached; the client gets SERVFAIL).
// - Cache TTL = min(upstream TTL, the ALIAS record's TTL passed to `resolve`, MAX_CACHE_TTL); bounded
//   to `maxEntries` (the oldest entry goes first). One upstream query in flight per (target, type):
//   concurrent callers share its promise.
// - Without an upstream (`upstream: null`) every resolve is 'servfail'.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { CLASS, FLAG, RCODE, TYPE } from '../wire/constants.js';
import { nameEquals, nameToWire } from '../wire/name.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';

/** Addresses of a target: remaining TTL in seconds and the A or AAAA RDATAs (wire). */
export interface AliasAnswer {
  ttl: number;
  rdatas: Uint8Array[];
}

export type AliasResult = AliasAnswer | 'negative' | 'servfail';

export interface AliasResolverOptions {
  upstream: { host: string; port: number } | null;
  /** Time to wait for the upstream (per attempt: UDP, then TCP after TC), default 2000 ms. */
  timeoutMs?: number;
  /** Cache entries (target, type), default 10,000. */
  maxEntries?: number;
  /** Clock in milliseconds (tests), default Date.now. */
  now?: () => number;
}

export const NEGATIVE_TTL_DEFAULT = 60;
export const MAX_CACHE_TTL = 86400;

interface Entry {
  /** Expiry time (ms, the resolver's clock). */
  expires: number;
  rdatas: Uint8Array[] | null; // null = negative
}

export class AliasResolver {
  private readonly upstream: { host: string; port: number } | null;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<AliasResult>>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  constructor(opts: AliasResolverOptions) {
    this.upstream = opts.upstream;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.maxEntries = Math.max(1, opts.maxEntries ?? 10_000);
    this.now = opts.now ?? Date.now;
  }

  /**
   * The cached addresses of a target (`targetKey`: lowercase name text without trailing dot),
   * 'negative' for a cached "no such addresses", undefined when not cached or expired.
   */
  cached(targetKey: string, type: 1 | 28): AliasAnswer | 'negative' | undefined {
    const key = `${type}/${targetKey}`;
    const e = this.cache.get(key);
    if (e === undefined) return undefined;
    const left = e.expires - this.now();
    if (left <= 0) {
      this.cache.delete(key);
      return undefined;
    }
    if (e.rdatas === null) return 'negative';
    return { ttl: Math.ceil(left / 1000), rdatas: e.rdatas };
  }

  /**
   * Ask the upstream (or join the query already in flight for the same target and type). Never
   * rejects. `maxTtl` (the ALIAS record's TTL) caps how long the result is cached.
   */
  resolve(targetKey: string, type: 1 | 28, maxTtl = MAX_CACHE_TTL): Promise<AliasResult> {
    const hit = this.cached(targetKey, type);
    if (hit !== undefined) return Promise.resolve(hit);
    const key = `${type}/${targetKey}`;
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const p = this.ask(targetKey, type).then(
      (outcome) => {
        this.inflight.delete(key);
        if (outcome.kind === 'servfail' || this.closed) return 'servfail' as const;
        const ttl = Math.max(0, Math.min(outcome.ttl, maxTtl, MAX_CACHE_TTL));
        this.store(key, ttl, outcome.kind === 'answer' ? outcome.rdatas : null);
        return outcome.kind === 'answer' ? { ttl, rdatas: outcome.rdatas } : ('negative' as const);
      },
      () => {
        this.inflight.delete(key);
        return 'servfail' as const;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  /** Close open sockets; queries in flight end as 'servfail'. */
  close(): void {
    this.closed = true;
    for (const c of [...this.closers]) c();
    this.closers.clear();
    this.cache.clear();
  }

  /** Cached entries (tests, metrics). */
  get size(): number {
    return this.cache.size;
  }

  private store(key: string, ttl: number, rdatas: Uint8Array[] | null): void {
    if (ttl <= 0) return;
    this.cache.delete(key);
    while (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(key, { expires: this.now() + ttl * 1000, rdatas });
  }

  private async ask(targetKey: string, type: 1 | 28): Promise<Outcome> {
    if (this.upstream === null || this.closed) return SERVFAIL;
    const qname = nameToWire(targetKey);
    const id = randomInt(0, 0x10000);
    const query = buildQuery(id, qname, type);
    const udp = await this.exchangeUdp(query, id, qname, type);
    if (udp === null) return SERVFAIL;
    let reply = udp;
    if ((((udp[2]! << 8) | udp[3]!) & FLAG.TC) !== 0) {
      const tcp = await this.exchangeTcp(query, id, qname, type);
      if (tcp === null) return SERVFAIL;
      reply = tcp;
    }
    return parseReply(reply, qname, type);
  }

  /** Send over UDP from a fresh socket; the first matching reply, or null on timeout/error. */
  private exchangeUdp(query: Uint8Array, id: number, qname: Uint8Array, type: number): Promise<Uint8Array | null> {
    const up = this.upstream!;
    return new Promise((resolve) => {
      const family = net.isIPv6(up.host) ? 'udp6' : 'udp4';
      const sock = dgram.createSocket(family);
      let done = false;
      const finish = (v: Uint8Array | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.closers.delete(closer);
        try {
          sock.close();
        } catch {
          // already closed
        }
        resolve(v);
      };
      const closer = (): void => finish(null);
      this.closers.add(closer);
      const timer = setTimeout(() => finish(null), this.timeoutMs);
      sock.on('error', () => finish(null));
      sock.on('message', (msg, rinfo) => {
        if (net.isIP(up.host) !== 0 && (rinfo.address !== up.host || rinfo.port !== up.port)) return;
        if (matches(msg, id, qname, type)) finish(msg);
      });
      sock.send(query, up.port, up.host, (err) => {
        if (err) finish(null);
      });
    });
  }

  /** The same query over TCP (2-octet length framing); the reply, or null on timeout/error. */
  private exchangeTcp(query: Uint8Array, id: number, qname: Uint8Array, type: number): Promise<Uint8Array | null> {
    const up = this.upstream!;
    return new Promise((resolve) => {
      const sock = net.connect({ host: up.host, port: up.port });
      let buf = Buffer.alloc(0);
      let done = false;
      const finish = (v: Uint8Array | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.closers.delete(closer);
        sock.destroy();
        resolve(v);
      };
      const closer = (): void => finish(null);
      this.closers.add(closer);
      const timer = setTimeout(() => finish(null), this.timeoutMs);
      sock.on('error', () => finish(null));
      sock.on('close', () => finish(null));
      sock.on('connect', () => {
        const frame = Buffer.allocUnsafe(2 + query.length);
        frame.writeUInt16BE(query.length, 0);
        frame.set(query, 2);
        sock.write(frame);
      });
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2) {
          const len = buf.readUInt16BE(0);
          if (buf.length < 2 + len) return;
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          if (matches(msg, id, qname, type)) {
            finish(Uint8Array.prototype.slice.call(msg));
            return;
          }
        }
      });
    });
  }
}

type Outcome = { kind: 'answer'; ttl: number; rdatas: Uint8Array[] } | { kind: 'negative'; ttl: number } | { kind: 'servfail' };

const SERVFAIL: Outcome = { kind: 'servfail' };

function buildQuery(id: number, qname: Uint8Array, type: number): Uint8Array {
  const w = new WireWriter(512);
  w.u16(id);
  w.u16(FLAG.RD);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.name(qname, false);
  w.u16(type);
  w.u16(CLASS.IN);
  return w.finish();
}

/** A response to our query: QR=1, our ID, one question equal to ours. */
function matches(msg: Uint8Array, id: number, qname: Uint8Array, type: number): boolean {
  try {
    if (msg.length < 12) return false;
    if (((msg[0]! << 8) | msg[1]!) !== id) return false;
    if ((msg[2]! & 0x80) === 0) return false;
    if (((msg[4]! << 8) | msg[5]!) !== 1) return false;
    const r = new WireReader(msg, 12);
    const n = r.name();
    return nameEquals(n, qname) && r.u16() === type && r.u16() === CLASS.IN;
  } catch {
    return false;
  }
}

/** The addresses (or the negative answer) in a matching reply; malformed → servfail. */
function parseReply(msg: Uint8Array, qname: Uint8Array, type: number): Outcome {
  try {
    const rcode = msg[3]! & 0xf;
    if (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) return SERVFAIL;
    const an = (msg[6]! << 8) | msg[7]!;
    const ns = (msg[8]! << 8) | msg[9]!;
    const r = new WireReader(msg, 12);
    r.name();
    r.skip(4);
    const answers: { owner: Uint8Array; type: number; ttl: number; rdata: Uint8Array }[] = [];
    for (let i = 0; i < an; i++) {
      const owner = r.name();
      const t = r.u16();
      const c = r.u16();
      const ttl = r.u32();
      const len = r.u16();
      if (t === TYPE.CNAME) {
        const start = r.offset;
        const target = r.name();
        if (r.offset !== start + len) throw new Error('CNAME RDATA length');
        if (c === CLASS.IN) answers.push({ owner, type: t, ttl, rdata: target });
        continue;
      }
      const rdata = r.bytes(len);
      if (c === CLASS.IN) answers.push({ owner, type: t, ttl, rdata });
    }
    // Follow the CNAME chain from the target (at most 16 links).
    let name = qname;
    let ttl = MAX_CACHE_TTL;
    for (let links = 0; links <= 16; links++) {
      const rdatas: Uint8Array[] = [];
      let setTtl = MAX_CACHE_TTL;
      let cname: { rdata: Uint8Array; ttl: number } | undefined;
      for (const a of answers) {
        if (!nameEquals(a.owner, name)) continue;
        if (a.type === type) {
          const want = type === TYPE.A ? 4 : 16;
          if (a.rdata.length !== want) return SERVFAIL;
          if (!rdatas.some((x) => bytesEqual(x, a.rdata))) rdatas.push(a.rdata.slice());
          setTtl = Math.min(setTtl, a.ttl);
        } else if (a.type === TYPE.CNAME && cname === undefined) {
          cname = a;
        }
      }
      if (rdatas.length > 0) return { kind: 'answer', ttl: Math.min(ttl, setTtl), rdatas };
      if (cname === undefined) break;
      ttl = Math.min(ttl, cname.ttl);
      name = cname.rdata;
    }
    let negTtl = NEGATIVE_TTL_DEFAULT;
    for (let i = 0; i < ns; i++) {
      r.name();
      const t = r.u16();
      r.u16();
      const soaTtl = r.u32();
      const len = r.u16();
      const start = r.offset;
      if (t === TYPE.SOA) {
        r.name();
        r.name();
        r.skip(16);
        const minimum = r.u32();
        negTtl = Math.min(soaTtl, minimum);
      }
      r.offset = start;
      r.skip(len);
    }
    return { kind: 'negative', ttl: Math.min(ttl, negTtl) };
  } catch {
    return SERVFAIL;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
