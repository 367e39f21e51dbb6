// An EPP server over TLS (RFC 5734) in front of a Registry port: the sandbox registry speaks EPP through it.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { RateLimiter } from '../../core/rate-limit.js';
import type { Registry } from '../../core/registry/registry.port.js';
import { EPP_HEADER_BYTES, EppFrameDecoder, encodeEppFrame } from './framing.js';
import { EppServerSession, type LoginThrottle } from './server-session.js';

export interface EppServerOptions {
  /**
   * The registry behind the server: one for every client, or a function giving the registry of a
   * logged-in clID (called once per login), so the registry can refuse changes to another client's
   * objects with 2201 (RFC 5730 §3).
   */
  registry: Registry | ((clID: string) => Registry);
  /** clID → password of the registrars allowed to log in. */
  credentials: ReadonlyMap<string, string>;
  /** The server's key and certificate (PEM); null serves plain TCP (for framing tests only). */
  tls: { key: string | Buffer; cert: string | Buffer } | null;
  host: string;
  /** 0 picks a free port; listen() says which. */
  port: number;
  /** Server name in the greeting (RFC 5730 §2.4). */
  svID?: string;
  /** A connection with no traffic for this long is closed (default 10 minutes, above a client's 5-minute keep-alive). */
  idleTimeoutMs?: number;
  /**
   * A connection not logged in this long after it was accepted (after the TLS handshake, which has
   * the same limit of its own) is closed (default 30 s): the idle timeout is for sessions.
   */
  loginTimeoutMs?: number;
  /**
   * Open connections at most (default 100). One more is closed as soon as it is accepted, before
   * TLS and without a greeting: nothing is spent on it, and RFC 5730 defines no response to send
   * before the greeting (2502 "session limit exceeded" answers a <login>, §3).
   */
  maxConnections?: number;
  /**
   * Failed logins allowed per client address (IPv6: per /64) and, separately, per clID, across
   * connections: a token bucket of `burst` refilled over `perMs` (default 5 per minute). A login
   * while either is used up gets 2501 and the connection closes, its password unchecked.
   */
  loginFailures?: { burst: number; perMs: number };
  /** The server's clock in ms (login throttling, greeting and response dates); tests step it. */
  now?: () => number;
  /** Largest data unit accepted or sent (RFC 5734 §4; default 1 MiB). */
  maxFrameBytes?: number;
  /** Unexpected failures (a command answered with 2400). */
  onError?: (err: unknown) => void;
}

/** Counters for tests and monitoring. */
export interface EppServerStats {
  /** Connections open now. */
  connections: number;
  /** Connections not reading because their peer does not read what was sent to it. */
  awaitingDrain: number;
  /** The largest write buffer (octets queued in the process) any connection has had. */
  peakWriteBuffer: number;
  /** Connections closed at once because maxConnections were open. */
  refusedConnections: number;
  /** Frames answered, hello and commands, on all connections. */
  framesAnswered: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_LOGIN_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONNECTIONS = 100;
const DEFAULT_LOGIN_FAILURES = { burst: 5, perMs: 60_000 };
/** After close(), connections still busy are cut after this long. */
const CLOSE_GRACE_MS = 2_000;
/**
 * Frames read ahead of the one being answered. Beyond it the socket is paused and undecoded bytes
 * wait, so a client pipelining tiny frames cannot make the server hold thousands of them.
 */
const MAX_PENDING_FRAMES = 8;

/**
 * The throttling key of an address: IPv4 as is (also when mapped into IPv6), IPv6 by its /64,
 * since one host is commonly given a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const plain = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (mapped) return mapped[1]!;
  if (net.isIPv4(plain) || !net.isIPv6(plain)) return plain;
  const [head = '', tail] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (a.b.c.d) lies in the low 64 bits, so it never changes the /64.
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

interface ConnectionLimits {
  idleTimeoutMs: number;
  loginTimeoutMs: number;
  maxFrameBytes: number | undefined;
}

/**
 * One client connection. Frames are answered strictly in order, one at a time; reading stops while
 * MAX_PENDING_FRAMES wait or while the socket's write buffer is over its high-water mark, and
 * starts again only once it drained, so a client that does not read cannot grow the server's memory.
 */
class EppConnection {
  /** Bytes read but not yet given to the decoder (only while MAX_PENDING_FRAMES are waiting). */
  #inbox: Buffer[] = [];
  #inboxBytes = 0;
  /** Octets of the frame being decoded still to be given to the decoder; 0 at a frame boundary. */
  #frameLeft = 0;
  readonly #pending: Uint8Array[] = [];
  #busy = false;
  #awaitingDrain = false;
  #ending = false;
  #loginTimer: NodeJS.Timeout | null = null;
  readonly #decoder: EppFrameDecoder;

  constructor(
    readonly socket: net.Socket,
    private readonly session: EppServerSession,
    private readonly limits: ConnectionLimits,
    private readonly stats: EppServerStats,
  ) {
    this.#decoder = new EppFrameDecoder(limits.maxFrameBytes === undefined ? undefined : { maxFrameBytes: limits.maxFrameBytes });
  }

  get awaitingDrain(): boolean {
    return this.#awaitingDrain;
  }

  start(): void {
    const { socket } = this;
    socket.setTimeout(this.limits.idleTimeoutMs, () => socket.destroy());
    this.#loginTimer = setTimeout(() => {
      if (this.session.clID === null) socket.destroy();
    }, this.limits.loginTimeoutMs);
    this.#loginTimer.unref();
    socket.on('close', () => this.#clearLoginTimer());
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#send(this.session.greeting()); // RFC 5730 §2.4: the server speaks first
  }

  /** Ends the connection once the frame being answered has its response. */
  shutdown(): void {
    this.#ending = true;
    this.socket.pause();
    if (!this.#busy) this.socket.end();
  }

  #clearLoginTimer(): void {
    if (this.#loginTimer) clearTimeout(this.#loginTimer);
    this.#loginTimer = null;
  }

  #send(xml: string): void {
    const { socket } = this;
    if (socket.destroyed || socket.writableEnded) return;
    const maxFrameBytes = this.limits.maxFrameBytes;
    const flushed = socket.write(encodeEppFrame(xml, maxFrameBytes === undefined ? undefined : { maxFrameBytes }));
    this.stats.peakWriteBuffer = Math.max(this.stats.peakWriteBuffer, socket.writableLength);
    if (!flushed && !this.#awaitingDrain) {
      // The peer is not reading: stop reading (and so answering) until what is queued has gone out.
      this.#awaitingDrain = true;
      this.stats.awaitingDrain += 1;
      socket.pause();
      const drained = (): void => {
        socket.off('drain', drained);
        socket.off('close', drained);
        this.#awaitingDrain = false;
        this.stats.awaitingDrain -= 1;
        this.#flow();
        void this.#pump();
      };
      socket.on('drain', drained);
      socket.on('close', drained);
    }
  }

  #receive(chunk: Buffer): void {
    if (this.#ending) return;
    this.#inbox.push(chunk);
    this.#inboxBytes += chunk.length;
    if (!this.#decode()) return;
    this.#flow();
    void this.#pump();
  }

  /** Gives the decoder up to `n` octets from the inbox, without copying; returns the frames completed. */
  #feed(n: number): Uint8Array[] {
    const frames: Uint8Array[] = [];
    while (n > 0 && this.#inbox.length > 0) {
      const head = this.#inbox[0]!;
      const piece = head.length <= n ? head : head.subarray(0, n);
      if (piece === head) this.#inbox.shift();
      else this.#inbox[0] = head.subarray(n);
      this.#inboxBytes -= piece.length;
      n -= piece.length;
      frames.push(...this.#decoder.push(piece));
    }
    return frames;
  }

  /** The Total Length in the inbox's first 4 octets (RFC 5734 §4), which may span chunks. */
  #peekTotalLength(): number {
    const header = Buffer.alloc(EPP_HEADER_BYTES);
    let filled = 0;
    for (const chunk of this.#inbox) {
      filled += chunk.copy(header, filled, 0, EPP_HEADER_BYTES - filled);
      if (filled === EPP_HEADER_BYTES) break;
    }
    return header.readUInt32BE(0);
  }

  /**
   * Decodes frames one at a time until MAX_PENDING_FRAMES wait; the decoder gets a frame's octets
   * only when its turn comes. False when the stream is broken and the connection was cut.
   */
  #decode(): boolean {
    try {
      while (this.#pending.length < MAX_PENDING_FRAMES && this.#inboxBytes > 0) {
        if (this.#frameLeft === 0) {
          if (this.#inboxBytes < EPP_HEADER_BYTES) break;
          const total = this.#peekTotalLength();
          this.#feed(EPP_HEADER_BYTES); // the decoder checks the length here, before any body is buffered
          this.#frameLeft = total - EPP_HEADER_BYTES;
        }
        const before = this.#inboxBytes;
        const frames = this.#feed(this.#frameLeft);
        this.#frameLeft -= before - this.#inboxBytes;
        this.#pending.push(...frames);
      }
      return true;
    } catch {
      // RFC 5734 §4: a bad length leaves no trustworthy frame boundary; the connection cannot go on.
      this.#ending = true;
      this.socket.destroy();
      return false;
    }
  }

  /** Reads only while there is room for frames and nothing waits to be written. */
  #flow(): void {
    const { socket } = this;
    if (socket.destroyed) return;
    if (!this.#ending && !this.#awaitingDrain && this.#pending.length < MAX_PENDING_FRAMES) socket.resume();
    else socket.pause();
  }

  /** Answers pending frames in order, one command in flight at a time. */
  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.#ending && !this.#awaitingDrain && !this.socket.destroyed) {
        const frame = this.#pending.shift();
        if (!frame) break;
        const reply = await this.session.handle(frame);
        this.stats.framesAnswered += 1;
        if (this.session.clID !== null) this.#clearLoginTimer();
        this.#send(reply.xml);
        if (reply.close) {
          this.#ending = true;
          this.socket.end();
        }
        if (!this.#decode()) return;
        this.#flow();
      }
    } catch {
      this.#ending = true;
      this.socket.destroy();
    } finally {
      this.#busy = false;
    }
    if (this.#ending) {
      if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end(); // close() came during a command
      return;
    }
    this.#flow();
  }
}

export class EppServer {
  #server: net.Server | null = null;
  readonly #connections = new Set<EppConnection>();
  readonly #svTRIDPrefix = `ZK${randomBytes(4).toString('hex').toUpperCase()}`;
  #svTRIDCounter = 0;
  readonly #stats: EppServerStats = { connections: 0, awaitingDrain: 0, peakWriteBuffer: 0, refusedConnections: 0, framesAnswered: 0 };
  readonly #failedLogins: RateLimiter;

  constructor(private readonly options: EppServerOptions) {
    const { burst, perMs } = options.loginFailures ?? DEFAULT_LOGIN_FAILURES;
    this.#failedLogins = new RateLimiter({ enabled: true, burst, perSecond: (burst * 1000) / perMs }, options.now ?? Date.now);
  }

  /** A snapshot of the counters. */
  stats(): EppServerStats {
    return { ...this.#stats, connections: this.#connections.size };
  }

  /** Binds the port; resolves with the address actually bound. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.#server) throw new Error('EppServer is already listening');
    const { tls: keys } = this.options;
    const loginTimeoutMs = this.options.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
    // RFC 5734 §8 asks for TLS; 1.2 is the oldest version still considered safe (RFC 9325 §3.1.1).
    const server = keys
      ? tls.createServer({ key: keys.key, cert: keys.cert, minVersion: 'TLSv1.2', handshakeTimeout: loginTimeoutMs }, (socket) => this.#accept(socket))
      : net.createServer((socket) => this.#accept(socket));
    // Counted by node at accept, TLS handshakes included; the one over the limit is closed there.
    server.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    server.on('drop', () => (this.#stats.refusedConnections += 1));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address() as net.AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** Stops accepting, lets each connection finish the command it is on, then closes it. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of this.#connections) {
      connection.shutdown();
      setTimeout(() => connection.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    await closed;
  }

  /** Test hook: cuts every open connection at once, as a network failure would. */
  dropConnections(): void {
    for (const connection of this.#connections) connection.socket.destroy();
  }

  /** Failed-login throttling for one connection: its address's bucket and the clID's, shared by all connections. */
  #throttle(socket: net.Socket): LoginThrottle {
    const address = `addr ${addressKey(socket.remoteAddress)}`;
    return {
      admit: (clID) => {
        // The address first: a throttled address cannot even fill the limiter with clIDs of its choosing.
        if (!this.#failedLogins.take(address).allowed) return false;
        if (this.#failedLogins.take(`clID ${clID}`).allowed) return true;
        // Refused unchecked, so the attempt costs the address nothing.
        this.#failedLogins.giveBack(address);
        return false;
      },
      succeeded: (clID) => {
        this.#failedLogins.giveBack(address);
        this.#failedLogins.giveBack(`clID ${clID}`);
      },
    };
  }

  #accept(socket: net.Socket): void {
    const now = this.options.now;
    const session = new EppServerSession({
      registry: this.options.registry,
      credentials: this.options.credentials,
      svID: this.options.svID ?? 'zonekeeper EPP server',
      nextSvTRID: () => `${this.#svTRIDPrefix}-${++this.#svTRIDCounter}`,
      now: now ? () => new Date(now()) : () => new Date(),
      loginThrottle: this.#throttle(socket),
      ...(this.options.onError ? { onError: this.options.onError } : {}),
    });
    const connection = new EppConnection(socket, session, {
      idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      loginTimeoutMs: this.options.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
      maxFrameBytes: this.options.maxFrameBytes,
    }, this.#stats);
    this.#connections.add(connection);
    socket.on('close', () => this.#connections.delete(connection));
    socket.on('error', () => {}); // resets and failed handshakes are the peer's business; 'close' follows
    connection.start();
  }
}
