// An EPP server over TLS (RFC 5734) in front of a Registry port: the sandbox registry speaks EPP through it.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Registry } from '../../core/registry/registry.port.js';
import { EppFrameDecoder, encodeEppFrame } from './framing.js';
import { EppServerSession } from './server-session.js';

export interface EppServerOptions {
  registry: Registry;
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
  /** Largest data unit accepted or sent (RFC 5734 §4; default 1 MiB). */
  maxFrameBytes?: number;
  /** Unexpected failures (a command answered with 2400). */
  onError?: (err: unknown) => void;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
/** After close(), connections still busy are cut after this long. */
const CLOSE_GRACE_MS = 2_000;

/** One client connection: its frames are answered strictly in order, one at a time. */
class EppConnection {
  #queue: Promise<void> = Promise.resolve();
  #ending = false;
  readonly #decoder: EppFrameDecoder;

  constructor(
    readonly socket: net.Socket,
    private readonly session: EppServerSession,
    private readonly maxFrameBytes: number | undefined,
  ) {
    this.#decoder = new EppFrameDecoder(maxFrameBytes === undefined ? undefined : { maxFrameBytes });
  }

  start(idleTimeoutMs: number): void {
    const { socket } = this;
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('end', () => {
      try {
        this.#decoder.end();
      } catch {
        // A data unit cut short by the peer's close: nothing to answer.
      }
    });
    this.#send(this.session.greeting()); // RFC 5730 §2.4: the server speaks first
  }

  /** Ends the connection once the frame being answered has its response. */
  shutdown(): void {
    this.#ending = true;
    void this.#queue.then(() => this.socket.end());
  }

  #send(xml: string): void {
    if (!this.socket.destroyed) this.socket.write(encodeEppFrame(xml, this.maxFrameBytes === undefined ? undefined : { maxFrameBytes: this.maxFrameBytes }));
  }

  #receive(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.push(chunk);
    } catch {
      // RFC 5734 §4: a bad length leaves no trustworthy frame boundary; the connection cannot go on.
      this.socket.destroy();
      return;
    }
    if (frames.length === 0 || this.#ending) return;
    // Read no more until these are answered: a client that pipelines cannot pile up work.
    this.socket.pause();
    this.#queue = this.#queue.then(async () => {
      for (const frame of frames) {
        if (this.#ending || this.socket.destroyed) return;
        const reply = await this.session.handle(frame);
        this.#send(reply.xml);
        if (reply.close) {
          this.#ending = true;
          this.socket.end();
        }
      }
      if (!this.#ending) this.socket.resume();
    }).catch(() => {
      this.socket.destroy();
    });
  }
}

export class EppServer {
  #server: net.Server | null = null;
  readonly #connections = new Set<EppConnection>();
  readonly #svTRIDPrefix = `ZK${randomBytes(4).toString('hex').toUpperCase()}`;
  #svTRIDCounter = 0;

  constructor(private readonly options: EppServerOptions) {}

  /** Binds the port; resolves with the address actually bound. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.#server) throw new Error('EppServer is already listening');
    const { tls: keys } = this.options;
    // RFC 5734 §8 asks for TLS; 1.2 is the oldest version still considered safe (RFC 9325 §3.1.1).
    const server = keys
      ? tls.createServer({ key: keys.key, cert: keys.cert, minVersion: 'TLSv1.2' }, (socket) => this.#accept(socket))
      : net.createServer((socket) => this.#accept(socket));
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

  #accept(socket: net.Socket): void {
    const session = new EppServerSession({
      registry: this.options.registry,
      credentials: this.options.credentials,
      svID: this.options.svID ?? 'zonekeeper EPP server',
      nextSvTRID: () => `${this.#svTRIDPrefix}-${++this.#svTRIDCounter}`,
      now: () => new Date(),
      ...(this.options.onError ? { onError: this.options.onError } : {}),
    });
    const connection = new EppConnection(socket, session, this.options.maxFrameBytes);
    this.#connections.add(connection);
    socket.on('close', () => this.#connections.delete(connection));
    socket.on('error', () => {}); // resets and failed handshakes are the peer's business; 'close' follows
    connection.start(this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  }
}
