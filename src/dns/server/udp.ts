// DNS over UDP: one datagram in, at most one datagram out, never larger than the client allows.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { CLASSIC_UDP_SIZE, HEADER_SIZE, MAX_MESSAGE_SIZE, TYPE } from '../wire/constants.js';
import { callResponder, emptyCounters, errorText, type DnsLogger, type Responder, type TransportCounters } from './types.js';

export interface UdpListenerOptions {
  host: string;
  port: number;
  responder: Responder;
  logger: DnsLogger;
}

/**
 * The UDP payload size a query allows for its reply: its EDNS size (RFC 6891 6.2.3, at least 512),
 * or 512 without an OPT record (RFC 1035 4.2.1). Any malformation means 512: the responder decides
 * what to say about it; this is only the transport's last guard against oversize datagrams.
 */
export function udpReplyLimit(query: Uint8Array): number {
  const n = query.length;
  if (n < HEADER_SIZE) return CLASSIC_UDP_SIZE;
  const u16 = (o: number): number => (query[o]! << 8) | query[o + 1]!;
  const qd = u16(4);
  const an = u16(6);
  const ns = u16(8);
  const ar = u16(10);
  let off = HEADER_SIZE;
  /** Skips a possibly compressed name; -1 when it runs off the end. */
  const skipName = (o: number): number => {
    for (let guard = 0; guard < 128; guard++) {
      if (o >= n) return -1;
      const len = query[o]!;
      if (len === 0) return o + 1;
      if ((len & 0xc0) === 0xc0) return o + 2 <= n ? o + 2 : -1;
      if ((len & 0xc0) !== 0) return -1;
      o += 1 + len;
    }
    return -1;
  };
  for (let i = 0; i < qd; i++) {
    off = skipName(off);
    if (off < 0 || off + 4 > n) return CLASSIC_UDP_SIZE;
    off += 4;
  }
  for (let i = 0; i < an + ns + ar; i++) {
    off = skipName(off);
    if (off < 0 || off + 10 > n) return CLASSIC_UDP_SIZE;
    const type = u16(off);
    if (i >= an + ns && type === TYPE.OPT) return Math.max(CLASSIC_UDP_SIZE, u16(off + 2));
    off += 10 + u16(off + 8);
  }
  return CLASSIC_UDP_SIZE;
}

/**
 * Whether a reply of `size` octets is more than the client allows, `limit` being its query's
 * udpReplyLimit(). Replies of up to 512 octets always fit.
 */
export function exceedsUdpLimit(size: number, limit: number): boolean {
  return size > CLASSIC_UDP_SIZE && size > Math.min(MAX_MESSAGE_SIZE, limit);
}

export class UdpListener {
  readonly counters: TransportCounters = emptyCounters();
  #socket: dgram.Socket | null = null;
  #closed = false;

  constructor(private readonly opts: UdpListenerOptions) {}

  /** Binds the socket; rejects with the bind error (EADDRINUSE, EACCES, …). Resolves the bound port. */
  listen(): Promise<number> {
    const type = isIP(this.opts.host) === 6 ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type });
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#closed = true;
        try {
          socket.close();
        } catch {
          // not bound: nothing to close
        }
        reject(err);
      };
      socket.once('error', onError);
      socket.bind({ address: this.opts.host, port: this.opts.port }, () => {
        socket.off('error', onError);
        // After a successful bind, socket errors (ICMP unreachable reports and the like) must
        // never crash the process.
        socket.on('error', (err) => this.opts.logger.debug({ err: errorText(err) }, 'dns udp socket error'));
        socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
        resolve(socket.address().port);
      });
    });
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const c = this.counters;
    c.queries++;
    callResponder(
      this.opts.responder,
      msg,
      'udp',
      (reply) => {
        if (reply === null) {
          c.drops.responder++;
          return;
        }
        // The query is parsed for its EDNS size only when the reply is over 512 octets.
        const limit = reply.length > CLASSIC_UDP_SIZE ? udpReplyLimit(msg) : CLASSIC_UDP_SIZE;
        if (exceedsUdpLimit(reply.length, limit)) {
          c.drops.oversize++;
          this.opts.logger.debug({ size: reply.length, limit, client: rinfo.address }, 'dns udp reply larger than the client allows; dropped');
          return;
        }
        const socket = this.#socket;
        if (this.#closed || socket === null) {
          c.drops.send++;
          return;
        }
        try {
          socket.send(reply, rinfo.port, rinfo.address, (err) => {
            if (err) {
              c.drops.send++;
              this.opts.logger.debug({ err: errorText(err), client: rinfo.address }, 'dns udp send failed');
            } else {
              c.replies++;
            }
          });
        } catch (err) {
          c.drops.send++;
          this.opts.logger.debug({ err: errorText(err) }, 'dns udp send failed');
        }
      },
      (err) => {
        c.drops.error++;
        this.opts.logger.debug({ err: errorText(err), client: rinfo.address }, 'dns responder failed; query dropped');
      },
      () => rinfo.address
    );
  }

  /** Stops receiving; replies still being computed are dropped. */
  close(): Promise<void> {
    const socket = this.#socket;
    if (socket === null || this.#closed) {
      this.#closed = true;
      return Promise.resolve();
    }
    this.#closed = true;
    return new Promise((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
