// DNS over UDP with batched I/O (Linux): the native addon in native/udp reads up to BATCH
// datagrams per recvmmsg into one shared buffer and calls back once per batch; the replies are
// written into one shared output buffer and sent with one sendmmsg. Same contract as UdpListener
// (udp.ts): one datagram in, at most one out, never larger than the client allows.
//
// A reply the responder computes later (a Promise: ALIAS targets outside our zones) is sent on its
// own with sendToAddr(); its client's address is copied out of the batch before the batch ends.
// The packet view handed to the responder is valid only during that call: the next batch reuses
// the memory (respond() copies what it keeps, see answer/respond.ts).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CLASSIC_UDP_SIZE } from '../wire/constants.js';
import { callResponder, emptyCounters, errorText, type DnsLogger, type Responder, type TransportCounters } from './types.js';
import { exceedsUdpLimit, udpReplyLimit } from './udp.js';

/** The addon's socket (native/udp/src/udp_batch.cc). */
interface NativeSocket {
  port(): number;
  /** Sends outDesc[0 .. 3*count): returns how many were sent (or queued on EAGAIN). */
  sendBatch(count: number): number;
  copyAddr(index: number, buf: Uint8Array): number;
  sendToAddr(addr: Uint8Array, data: Uint8Array): boolean;
  close(): void;
  stats(): NativeStats;
}

export interface NativeStats {
  wakeups: number;
  batches: number;
  received: number;
  sent: number;
  queued: number;
  queueDropped: number;
  sendErrors: number;
  recvErrors: number;
  truncated: number;
  pending: number;
}

interface NativeAddon {
  UdpBatchSocket: new (
    host: string,
    port: number,
    reusePort: boolean,
    inBuf: Uint8Array,
    inDesc: Int32Array,
    outBuf: Uint8Array,
    outDesc: Int32Array,
    slot: number,
    onBatch: (count: number) => void,
  ) => NativeSocket;
  addrText(addr: Uint8Array): string;
  maxBatch: number;
}

/** How UDP is read and written: `auto` = batch when the addon loads (Linux), else dgram. */
export type UdpIoMode = 'auto' | 'batch' | 'dgram';

/** Datagrams per recvmmsg/sendmmsg. */
export const BATCH = 64;
/** One receive slot per datagram: the largest UDP payload fits, so nothing is ever truncated. */
const SLOT = 65536;
/** Reply space per batch; a batch whose replies do not fit is sent in several sendmmsg calls. */
const OUT_SIZE = 256 * 1024;
const ADDR_SIZE = 28;

/** Relative to this file in src/ and in dist/ alike (both are two levels below the package root). */
const ADDON_PATH = new URL('../../../native/udp/build/Release/udp_batch.node', import.meta.url);

let loaded: { addon: NativeAddon } | { error: string } | undefined;

/** The addon, or why it is not available (cached). */
export function loadBatchAddon(): { addon: NativeAddon } | { error: string } {
  if (loaded !== undefined) return loaded;
  if (process.platform !== 'linux') return (loaded = { error: 'batched UDP I/O needs Linux' });
  try {
    const require = createRequire(import.meta.url);
    const addon = require(fileURLToPath(ADDON_PATH)) as NativeAddon;
    if (typeof addon.UdpBatchSocket !== 'function') throw new Error('not the zonekeeper UDP addon');
    loaded = { addon };
  } catch (err) {
    const text = errorText(err).split('\n')[0]!;
    loaded = { error: /Cannot find module/.test(text) ? 'native/udp was not built (npm run build:native)' : text };
  }
  return loaded;
}

let fallbackLogged = false;

/**
 * The UDP I/O this process uses: `batch` when asked for or (auto) when the addon loads, else
 * `dgram`. `auto` falling back to dgram logs one line (once per process); `batch` without the
 * addon throws.
 */
export function resolveUdpIo(mode: UdpIoMode, logger: DnsLogger): 'batch' | 'dgram' {
  if (mode === 'dgram') return 'dgram';
  const a = loadBatchAddon();
  if ('addon' in a) return 'batch';
  if (mode === 'batch') throw new Error(`--dns-udp-io batch: the batched UDP addon is not available: ${a.error}`);
  if (!fallbackLogged) {
    fallbackLogged = true;
    logger.warn({ reason: a.error }, 'dns: batched UDP I/O unavailable; answering UDP through node:dgram');
  }
  return 'dgram';
}

export interface BatchUdpListenerOptions {
  host: string;
  port: number;
  responder: Responder;
  logger: DnsLogger;
  /** SO_REUSEPORT: several processes (DNS workers) bind the same port; the kernel spreads datagrams. */
  reusePort?: boolean;
}

export class BatchUdpListener {
  readonly counters: TransportCounters = emptyCounters();
  #socket: NativeSocket | null = null;
  #addon: NativeAddon | null = null;
  #closed = false;
  readonly #in = Buffer.allocUnsafeSlow(BATCH * SLOT);
  readonly #inDesc = new Int32Array(2 * BATCH);
  readonly #out = Buffer.allocUnsafeSlow(OUT_SIZE);
  readonly #outDesc = new Int32Array(3 * BATCH);

  constructor(private readonly opts: BatchUdpListenerOptions) {}

  /** Binds the socket; rejects with the bind error (code EADDRINUSE, EACCES, …). Resolves the bound port. */
  listen(): Promise<number> {
    try {
      const a = loadBatchAddon();
      if (!('addon' in a)) throw new Error(a.error);
      this.#addon = a.addon;
      const socket = new a.addon.UdpBatchSocket(
        this.opts.host,
        this.opts.port,
        this.opts.reusePort === true,
        this.#in,
        this.#inDesc,
        this.#out,
        this.#outDesc,
        SLOT,
        (count) => this.#onBatch(count),
      );
      this.#socket = socket;
      return Promise.resolve(socket.port());
    } catch (err) {
      this.#closed = true;
      this.#socket?.close();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The addon's own counters (batches, EAGAIN queue, errors); null before listen. */
  nativeStats(): NativeStats | null {
    return this.#socket?.stats() ?? null;
  }

  #onBatch(count: number): void {
    const socket = this.#socket;
    if (socket === null) return;
    const c = this.counters;
    const inBuf = this.#in;
    const inDesc = this.#inDesc;
    const out = this.#out;
    const outDesc = this.#outDesc;
    let used = 0;
    let n = 0;
    for (let i = 0; i < count && !this.#closed; i++) {
      const len = inDesc[2 * i + 1]!;
      c.queries++;
      if (len < 0) {
        // truncated datagram (cannot happen with 64 KiB slots)
        c.drops.responder++;
        continue;
      }
      const off = inDesc[2 * i]!;
      const packet = inBuf.subarray(off, off + len);
      let reply: Uint8Array | null | Promise<Uint8Array | null>;
      try {
        this.#current = i;
        reply = this.opts.responder(packet, 'udp', this.#currentClient);
      } catch (err) {
        c.drops.error++;
        this.opts.logger.debug({ err: errorText(err), client: this.#client(i) }, 'dns responder failed; query dropped');
        continue;
      }
      if (reply === null || reply === undefined) {
        c.drops.responder++;
        continue;
      }
      if (!(reply instanceof Uint8Array)) {
        this.#later(reply, i, udpReplyLimit(packet));
        continue;
      }
      const limit = reply.length > CLASSIC_UDP_SIZE ? udpReplyLimit(packet) : CLASSIC_UDP_SIZE;
      if (exceedsUdpLimit(reply.length, limit)) {
        this.#oversize(reply.length, limit, this.#client(i));
        continue;
      }
      if (used + reply.length > out.length || n === BATCH) {
        this.#flush(n);
        used = 0;
        n = 0;
      }
      out.set(reply, used);
      outDesc[3 * n] = used;
      outDesc[3 * n + 1] = reply.length;
      outDesc[3 * n + 2] = i;
      used += reply.length;
      n++;
    }
    if (n > 0) this.#flush(n);
  }

  #flush(n: number): void {
    const c = this.counters;
    if (this.#closed || this.#socket === null) {
      c.drops.send += n;
      return;
    }
    let sent = 0;
    try {
      sent = this.#socket.sendBatch(n);
    } catch (err) {
      this.opts.logger.debug({ err: errorText(err) }, 'dns udp send failed');
    }
    c.replies += sent;
    c.drops.send += n - sent;
  }

  /** A reply still being computed: keep the client's address, send it on its own when it is ready. */
  #later(pending: Promise<Uint8Array | null>, index: number, limit: number): void {
    const c = this.counters;
    const socket = this.#socket;
    if (socket === null) {
      c.drops.send++;
      pending.catch(() => {});
      return;
    }
    const addr = new Uint8Array(ADDR_SIZE);
    socket.copyAddr(index, addr);
    callResponder(
      () => pending,
      addr,
      'udp',
      (reply) => {
        if (reply === null) {
          c.drops.responder++;
          return;
        }
        if (exceedsUdpLimit(reply.length, limit)) {
          this.#oversize(reply.length, limit, this.#addon!.addrText(addr));
          return;
        }
        if (this.#closed || this.#socket === null) {
          c.drops.send++;
          return;
        }
        if (this.#socket.sendToAddr(addr, reply)) c.replies++;
        else c.drops.send++;
      },
      (err) => {
        c.drops.error++;
        this.opts.logger.debug({ err: errorText(err), client: this.#addon?.addrText(addr) }, 'dns responder failed; query dropped');
      },
    );
  }

  #oversize(size: number, limit: number, client: string): void {
    this.counters.drops.oversize++;
    this.opts.logger.debug({ size, limit, client }, 'dns udp reply larger than the client allows; dropped');
  }

  /** Index of the packet being answered, for #currentClient. */
  #current = 0;
  /** The address of the packet being answered (one function for all: read synchronously by the responder). */
  readonly #currentClient = (): string => this.#client(this.#current);

  /** The address of packet i of the current batch, for logs. */
  #client(i: number): string {
    if (this.#socket === null || this.#addon === null) return '?';
    const addr = new Uint8Array(ADDR_SIZE);
    this.#socket.copyAddr(i, addr);
    return this.#addon.addrText(addr);
  }

  /** Stops receiving (the port is free when this resolves); replies still being computed are dropped. */
  close(): Promise<void> {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    return Promise.resolve();
  }
}
