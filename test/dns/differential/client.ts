// A loopback DNS client for tests: many queries in flight over one UDP socket and a small pool of
// pipelined TCP connections (RFC 7766 6.2.1), replies matched by message id. No process per query.
import dgram from 'node:dgram';
import net from 'node:net';

export interface Target {
  host: string;
  port: number;
}

export type Transport = 'udp' | 'tcp';

interface Pending {
  resolve: (reply: Uint8Array | null) => void;
  timer: NodeJS.Timeout;
}

function idOf(b: Uint8Array): number {
  return b.length >= 2 ? (b[0]! << 8) | b[1]! : -1;
}

/** UDP: one socket; a query is resent on timeout; `null` when no reply came at all. */
export class UdpClient {
  private readonly socket: dgram.Socket;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  /** Replies whose id matched nothing in flight (late duplicates, or a server echoing a wrong id). */
  readonly strays: Uint8Array[] = [];

  constructor(private readonly target: Target, private readonly opts: { timeoutMs?: number; tries?: number } = {}) {
    this.socket = dgram.createSocket({ type: target.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
    this.socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== this.target.port) return;
      const id = idOf(msg);
      const p = this.pending.get(id);
      if (!p) {
        this.strays.push(new Uint8Array(msg));
        return;
      }
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(new Uint8Array(msg));
    });
    this.ready = new Promise((resolve) => this.socket.bind(0, target.host.includes(':') ? '::1' : '127.0.0.1', () => resolve()));
  }

  /**
   * Sends `query` (its first two octets are the id the reply is matched by; callers keep ids
   * unique among queries in flight). Resolves with the reply or null after every try timed out.
   */
  async send(query: Uint8Array): Promise<Uint8Array | null> {
    await this.ready;
    const id = idOf(query);
    if (id < 0) throw new Error('a UDP query needs at least two octets (the id)');
    if (this.pending.has(id)) throw new Error(`id ${id} already in flight`);
    const tries = this.opts.tries ?? 3;
    const timeoutMs = this.opts.timeoutMs ?? 1000;
    return new Promise((resolve) => {
      let left = tries;
      const attempt = () => {
        left--;
        this.socket.send(query, this.target.port, this.target.host);
        const timer = setTimeout(() => {
          if (left > 0) attempt();
          else {
            this.pending.delete(id);
            resolve(null);
          }
        }, timeoutMs);
        this.pending.set(id, { resolve, timer });
      };
      attempt();
    });
  }

  /** Sends bytes that may have no usable id (fuzzing) and collects whatever arrives within `waitMs`. */
  async sendRaw(bytes: Uint8Array, waitMs: number): Promise<Uint8Array[]> {
    await this.ready;
    const got: Uint8Array[] = [];
    const before = this.strays.length;
    this.socket.send(bytes, this.target.port, this.target.host);
    await new Promise((r) => setTimeout(r, waitMs));
    got.push(...this.strays.splice(before));
    return got;
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.pending.clear();
    this.socket.close();
  }
}

/** One TCP connection with 2-octet length framing; several queries may be in flight on it. */
export class TcpConnection {
  private readonly socket: net.Socket;
  private readonly pending = new Map<number, Pending>();
  private buffer: Buffer = Buffer.alloc(0);
  readonly connected: Promise<void>;
  closed = false;
  /** Every framed message received, in order (also those matching no query). */
  readonly received: Uint8Array[] = [];
  /** Framing problems seen (for the property tests). */
  readonly problems: string[] = [];

  constructor(target: Target, private readonly timeoutMs = 3000) {
    this.socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.connected.catch(() => {});
    this.socket.on('error', () => {});
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('close', () => {
      this.closed = true;
      if (this.buffer.length > 0) this.problems.push(`connection closed with ${this.buffer.length} octets of an incomplete message`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.resolve(null);
      }
      this.pending.clear();
    });
  }

  private onData(d: Buffer): void {
    this.buffer = this.buffer.length === 0 ? d : Buffer.concat([this.buffer, d]);
    while (this.buffer.length >= 2) {
      const len = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + len) break;
      const msg = new Uint8Array(this.buffer.subarray(2, 2 + len));
      this.buffer = this.buffer.subarray(2 + len);
      this.received.push(msg);
      const p = this.pending.get(idOf(msg));
      if (p) {
        this.pending.delete(idOf(msg));
        clearTimeout(p.timer);
        p.resolve(msg);
      }
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends one framed query; resolves with the reply of the same id, or null (timeout, closed). */
  async send(query: Uint8Array): Promise<Uint8Array | null> {
    await this.connected;
    if (this.closed) return null;
    const id = idOf(query);
    if (this.pending.has(id)) throw new Error(`id ${id} already in flight on this connection`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer });
      const frame = Buffer.alloc(2 + query.length);
      frame.writeUInt16BE(query.length, 0);
      frame.set(query, 2);
      this.socket.write(frame);
    });
  }

  /** Writes raw octets (no framing added). */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    await this.connected;
    if (!this.closed) this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A pool of pipelined TCP connections; a closed connection is replaced on the next query. */
export class TcpClient {
  private readonly conns: TcpConnection[] = [];
  private next = 0;

  constructor(private readonly target: Target, private readonly size = 4, private readonly timeoutMs = 3000) {}

  async send(query: Uint8Array): Promise<Uint8Array | null> {
    const i = this.next++ % this.size;
    let c = this.conns[i];
    if (!c || c.closed) {
      c = new TcpConnection(this.target, this.timeoutMs);
      this.conns[i] = c;
    }
    const reply = await c.send(query);
    if (reply === null && c.closed) {
      // The server may close a connection at any time (RFC 7766 6.2.3); retry once on a new one.
      const fresh = new TcpConnection(this.target, this.timeoutMs);
      this.conns[i] = fresh;
      return fresh.send(query);
    }
    return reply;
  }

  close(): void {
    for (const c of this.conns) c?.close();
  }
}

/** Both transports towards one server. */
export class DnsClient {
  readonly udp: UdpClient;
  readonly tcp: TcpClient;
  constructor(readonly target: Target, opts: { tcpConnections?: number; timeoutMs?: number } = {}) {
    this.udp = new UdpClient(target, { timeoutMs: opts.timeoutMs ?? 1000, tries: 3 });
    this.tcp = new TcpClient(target, opts.tcpConnections ?? 4, (opts.timeoutMs ?? 1000) * 3);
  }
  send(query: Uint8Array, transport: Transport): Promise<Uint8Array | null> {
    return transport === 'udp' ? this.udp.send(query) : this.tcp.send(query);
  }
  close(): void {
    this.udp.close();
    this.tcp.close();
  }
}

/** Runs `fn` over `items` with at most `window` calls in flight; results keep the input order. */
export async function mapWindow<T, R>(items: readonly T[], window: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker));
  return out;
}
