// DNS over TCP (RFC 1035 4.2.2, RFC 7766): 2-octet length framing, pipelined queries answered as
// each completes (so possibly out of order), idle timeout, a connection limit, backpressure.
import net from 'node:net';
import { HEADER_SIZE, MAX_MESSAGE_SIZE } from '../wire/constants.js';
import { callResponder, emptyCounters, errorText, type DnsLogger, type Responder, type TcpCloseReason, type TransportCounters } from './types.js';

export interface TcpListenerOptions {
  host: string;
  port: number;
  responder: Responder;
  logger: DnsLogger;
  /** A connection with no traffic and no query in progress for this long is closed. */
  idleTimeoutMs: number;
  /** Open connections; one more is closed as soon as it is accepted. */
  maxConnections: number;
  /** Queries of one connection being answered at once before reading pauses (default 64). */
  maxInflight?: number;
}

/** Unparsed bytes a connection may hold: one whole frame plus one read's worth. */
const MAX_PENDING = 2 + MAX_MESSAGE_SIZE + 64 * 1024;
/** After an orderly close (FIN), how long the peer has to close its side before we destroy. */
const END_GRACE_MS = 2000;

export interface TcpCounters extends TransportCounters {
  accepted: number;
  rejected: number;
  closed: Record<TcpCloseReason, number>;
}

class Connection {
  #pending: Buffer = Buffer.alloc(0);
  #inflight = 0;
  #paused = false;
  #closed = false;
  /** The peer sent FIN: answer what it sent, then close our side. */
  #peerEnded = false;
  /**
   * Shutdown or a broken frame: read nothing more, answer the queries already in progress, then
   * close (with this reason).
   */
  #closeAfterInflight: TcpCloseReason | null = null;

  constructor(
    readonly socket: net.Socket,
    private readonly owner: TcpListener,
    private readonly opts: TcpListenerOptions,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(opts.idleTimeoutMs);
    socket.on('timeout', () => {
      if (this.#inflight === 0) this.end('idle');
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#process());
    socket.on('end', () => {
      this.#peerEnded = true;
      this.#process();
    });
    socket.on('error', (err) => opts.logger.debug({ err: errorText(err) }, 'dns tcp connection error'));
    socket.on('close', () => {
      this.#closed = true;
      owner.forget(this);
    });
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#closeAfterInflight !== null) return;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.#pending.length > MAX_PENDING) {
      this.destroy('overflow');
      return;
    }
    this.#process();
  }

  /** Answers every complete frame, unless the peer is not reading or too much is in progress. */
  #process(): void {
    if (this.#closed) return;
    if (this.#closeAfterInflight !== null) {
      if (this.#inflight === 0) this.end(this.#closeAfterInflight);
      return;
    }
    const max = this.opts.maxInflight ?? 64;
    const socket = this.socket;
    socket.cork();
    try {
      while (this.#pending.length >= 2 && !this.#closed) {
        if (this.#inflight >= max || socket.writableNeedDrain) {
          if (!this.#paused) {
            this.#paused = true;
            socket.pause();
          }
          return;
        }
        const len = this.#pending.readUInt16BE(0);
        // Zero, or too short to hold a DNS header: not a DNS stream. Nothing after it can be
        // framed, but the queries before it are answered before the connection closes.
        if (len < HEADER_SIZE) {
          this.#stopReading('bad_length');
          return;
        }
        if (this.#pending.length < 2 + len) break;
        // A copy: the responder may keep the bytes across an await.
        const query = Uint8Array.prototype.slice.call(this.#pending, 2, 2 + len);
        this.#pending = this.#pending.subarray(2 + len);
        this.#query(query);
      }
      if (this.#closed) return;
      if (this.#peerEnded) {
        // Nothing more will arrive; a partial frame can never complete.
        if (this.#inflight === 0) this.end(null);
      } else if (this.#paused) {
        this.#paused = false;
        socket.resume();
      }
    } finally {
      socket.uncork();
    }
  }

  /** The peer's address, for Script records (one closure per connection). */
  readonly #clientAddress = (): string => this.socket.remoteAddress ?? '';

  #query(query: Uint8Array): void {
    const c = this.owner.counters;
    c.queries++;
    this.#inflight++;
    callResponder(
      this.opts.responder,
      query,
      'tcp',
      (reply) => {
        this.#inflight--;
        if (reply === null) c.drops.responder++;
        else if (reply.length > MAX_MESSAGE_SIZE) {
          c.drops.oversize++;
          this.opts.logger.debug({ size: reply.length }, 'dns tcp reply over 65535 octets; dropped');
        } else if (this.socket.destroyed || !this.socket.writable) c.drops.send++;
        else {
          const frame = Buffer.allocUnsafe(2 + reply.length);
          frame.writeUInt16BE(reply.length, 0);
          frame.set(reply, 2);
          this.socket.write(frame);
          c.replies++;
        }
        this.#afterQuery();
      },
      (err) => {
        this.#inflight--;
        c.drops.error++;
        this.opts.logger.debug({ err: errorText(err) }, 'dns responder failed; query dropped');
        this.#afterQuery();
      },
      this.#clientAddress
    );
  }

  /** A query finished: continue with held-back frames, or finish a close that waited for it. */
  #afterQuery(): void {
    if (this.#closed) return;
    if (this.#closeAfterInflight !== null || this.#peerEnded || this.#paused) queueMicrotask(() => this.#process());
  }

  /** Orderly close: FIN now, destroy if the peer does not close within a grace period. */
  end(reason: TcpCloseReason | null): void {
    if (this.#closed) return;
    this.#closed = true;
    if (reason !== null) this.owner.counters.closed[reason]++;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  destroy(reason: TcpCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.owner.counters.closed[reason]++;
    this.socket.destroy();
  }

  /** Shutdown: read nothing more; close once the queries in progress are answered. */
  shutdown(): void {
    if (this.#closed) return;
    this.#stopReading('shutdown');
    this.#process();
  }

  #stopReading(reason: TcpCloseReason): void {
    this.#closeAfterInflight ??= reason;
    this.#pending = Buffer.alloc(0);
    this.socket.pause();
    if (this.#inflight === 0) this.end(reason);
  }
}

export class TcpListener {
  readonly counters: TcpCounters = { ...emptyCounters(), accepted: 0, rejected: 0, closed: { idle: 0, bad_length: 0, overflow: 0, shutdown: 0 } };
  readonly #connections = new Set<Connection>();
  #server: net.Server | null = null;

  constructor(private readonly opts: TcpListenerOptions) {}

  get open(): number {
    return this.#connections.size;
  }

  /** Listens; rejects with the listen error (EADDRINUSE, EACCES, …). Resolves the bound port. */
  listen(): Promise<number> {
    const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.#accept(socket));
    this.#server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host: this.opts.host, port: this.opts.port, exclusive: false }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.opts.logger.warn({ err: errorText(err) }, 'dns tcp server error'));
        const addr = server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : this.opts.port);
      });
    });
  }

  #accept(socket: net.Socket): void {
    if (this.#connections.size >= this.opts.maxConnections) {
      this.counters.rejected++;
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.counters.accepted++;
    this.#connections.add(new Connection(socket, this, this.opts));
  }

  /** @internal a connection closed. */
  forget(conn: Connection): void {
    this.#connections.delete(conn);
  }

  /**
   * Stops accepting, lets every connection finish the queries in progress (then FIN), and
   * destroys whatever is still open after `graceMs`.
   */
  async close(graceMs = 2000): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.#connections) c.shutdown();
    const timer = setTimeout(() => {
      for (const c of this.#connections) c.socket.destroy();
    }, graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }
}
