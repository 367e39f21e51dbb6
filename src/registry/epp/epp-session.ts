// An EPP client session over TLS (RFC 5734): greeting, login, one command at a time, keep-alive, reconnect.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { RegistryError } from '../../core/registry/registry.port.js';
import { helloFrame, loginCommand, logoutCommand } from './commands.js';
import { EppInputError } from './errors.js';
import { EppFrameDecoder, encodeEppFrame } from './framing.js';
import { classifyEppResponse, type EppOutcomeKind } from './result-codes.js';
import { parseEppGreeting, parseEppResponse, type EppGreeting, type EppResponse } from './responses.js';
import { DOMAIN_NS, HOST_NS } from './namespaces.js';

export interface EppSessionOptions {
  host: string;
  port: number;
  /** The name the certificate must carry (and SNI); default `host`. */
  servername?: string;
  /** Trusted CA certificates (PEM); default Node's bundled roots. */
  ca?: string | Buffer;
  /** A client certificate and key, for registries that require one (RFC 5734 §9). */
  cert?: string | Buffer;
  key?: string | Buffer;
  clID: string;
  password: string;
  /** How long a command may wait for its response (default 15 s); then the connection is dropped. */
  commandTimeoutMs?: number;
  /** Idle time after which a <hello> keeps the connection open (default 5 minutes; 0: never). */
  keepaliveMs?: number;
  /** TCP + TLS + greeting (default 10 s). */
  connectTimeoutMs?: number;
  /** Client transaction ids are this prefix, a dash and a counter (default ZK- and random hex). */
  clTRIDPrefix?: string;
  maxFrameBytes?: number;
}

export interface EppCommandOptions {
  /**
   * Safe to send twice (check, info, hello). Only such a command is sent again, once, when a connection
   * that had been idle turns out to be dead under it; a create or update never is.
   */
  idempotent?: boolean;
}

/** Why a transport failed: the connection closed or broke, an answer did not come in time, or the peer is not EPP. */
export type EppTransportFailure = 'closed' | 'timeout' | 'protocol';

/** The session could not carry a command to the registry and back: always kind `unavailable`. */
export class EppTransportError extends RegistryError {
  constructor(readonly failure: EppTransportFailure, message: string) {
    super('unavailable', message);
    this.name = 'EppTransportError';
  }
}

/** One TLS connection: frames in, frames out; frames that arrive before anyone waits are kept in order. */
class FrameLink {
  readonly #inbox: Uint8Array[] = [];
  #waiter: { resolve: (frame: Uint8Array) => void; reject: (err: Error) => void } | null = null;
  #down: string | null = null;

  constructor(readonly socket: tls.TLSSocket, private readonly where: string, private readonly maxFrameBytes: number | undefined) {
    const decoder = new EppFrameDecoder(maxFrameBytes === undefined ? undefined : { maxFrameBytes });
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.#fail('protocol', `${where} broke the framing: ${(err as Error).message}`);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        const waiter = this.#waiter;
        this.#waiter = null;
        if (waiter) waiter.resolve(frame);
        else this.#inbox.push(frame);
      }
    });
    socket.on('error', (err) => this.#fail('closed', `${where}: ${err.message}`));
    socket.on('close', () => this.#fail('closed', `${where} closed the connection`));
  }

  get alive(): boolean {
    return this.#down === null && !this.socket.destroyed;
  }

  #fail(failure: EppTransportFailure, reason: string): void {
    this.#down ??= reason;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(new EppTransportError(failure, reason));
  }

  send(xml: string): void {
    if (!this.alive) throw new EppTransportError('closed', this.#down ?? `${this.where} closed the connection`);
    this.socket.write(encodeEppFrame(xml, this.maxFrameBytes === undefined ? undefined : { maxFrameBytes: this.maxFrameBytes }));
  }

  /** The next frame; after `timeoutMs` the connection is dropped (a late answer must not meet the next command). */
  next(timeoutMs: number, what: string): Promise<Uint8Array> {
    const queued = this.#inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#down !== null) return Promise.reject(new EppTransportError('closed', this.#down));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        this.#down ??= `${this.where}: timed out`;
        this.socket.destroy();
        reject(new EppTransportError('timeout', `${this.where} sent no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
    });
  }

  destroy(): void {
    this.#down ??= 'closed by us';
    this.socket.destroy();
  }
}

/** A failed EPP result as the port's error: kind from RFC 5730 §3, the registry's code and reasons kept. */
export function failureFromResponse(response: EppResponse, context: string): RegistryError {
  const outcome = classifyEppResponse(response);
  const kinds: Partial<Record<EppOutcomeKind, RegistryError['kind']>> = {
    not_found: 'not_found', exists: 'exists', rejected: 'rejected', auth: 'auth', unavailable: 'unavailable',
  };
  // bad_command: the server cannot take what we sent; retrying the same command will not help.
  const kind = kinds[outcome.kind] ?? 'rejected';
  const reason = outcome.reasons.length > 0 ? outcome.reasons.join('; ') : undefined;
  return new RegistryError(kind, `${context}: ${outcome.message} (EPP ${outcome.code})`, outcome.code, reason);
}

export function isSuccess(response: EppResponse): boolean {
  const kind = classifyEppResponse(response).kind;
  return kind === 'ok' || kind === 'pending';
}

export class EppSession {
  #link: FrameLink | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #counter = 0;
  #logins = 0;
  #closed = false;
  #keepalive: NodeJS.Timeout | null = null;
  #greeting: EppGreeting | null = null;
  readonly #prefix: string;
  readonly #where: string;

  constructor(private readonly options: EppSessionOptions) {
    this.#prefix = options.clTRIDPrefix ?? `ZK-${randomBytes(4).toString('hex')}`;
    this.#where = `EPP server ${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  }

  /** The last greeting the server sent (null before the first connection). */
  get greeting(): EppGreeting | null {
    return this.#greeting;
  }

  /** Successful logins so far: one per connection this session opened. */
  get logins(): number {
    return this.#logins;
  }

  get connected(): boolean {
    return this.#link?.alive === true;
  }

  /**
   * Sends one command (built for the clTRID given) once the commands before it are answered, and
   * resolves with the response of that transaction, whatever its result code. Transport failures
   * reject with EppTransportError (kind `unavailable`).
   */
  command(build: (clTRID: string) => string, options: EppCommandOptions = {}): Promise<EppResponse> {
    if (this.#closed) return Promise.reject(new EppTransportError('closed', 'the EPP session is closed'));
    return this.#enqueue(() => this.#run(build, options.idempotent === true));
  }

  /** RFC 5730 §2.3: asks for a greeting (logs in first if the session has no connection). */
  async hello(): Promise<EppGreeting> {
    if (this.#closed) throw new EppTransportError('closed', 'the EPP session is closed');
    return this.#enqueue(async () => {
      const link = await this.#connection();
      return this.#helloOn(link);
    });
  }

  /** Logs out (RFC 5730 §2.9.1.2) after the queued commands, and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopKeepalive();
    await this.#enqueue(async () => {
      const link = this.#link;
      this.#link = null;
      if (!link?.alive) return;
      try {
        const clTRID = this.#nextClTRID();
        link.send(logoutCommand({ clTRID }));
        await link.next(Math.min(this.#commandTimeout(), 5_000), 'logout response');
      } catch {
        // Logging out is a courtesy; the connection goes either way.
      } finally {
        link.destroy();
      }
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.then(() => this.#armKeepalive(), () => this.#armKeepalive());
    return run;
  }

  #commandTimeout(): number {
    return this.options.commandTimeoutMs ?? 15_000;
  }

  #nextClTRID(): string {
    this.#counter += 1;
    return `${this.#prefix}-${this.#counter}`;
  }

  async #run(build: (clTRID: string) => string, idempotent: boolean): Promise<EppResponse> {
    this.#stopKeepalive();
    const reused = this.#link?.alive === true;
    try {
      return await this.#exchange(build);
    } catch (err) {
      // An idle connection can die unnoticed; a command that is safe to repeat gets one fresh connection.
      if (reused && idempotent && err instanceof EppTransportError && err.failure === 'closed') return this.#exchange(build);
      throw err;
    }
  }

  async #exchange(build: (clTRID: string) => string): Promise<EppResponse> {
    const link = await this.#connection();
    const clTRID = this.#nextClTRID();
    let xml: string;
    try {
      xml = build(clTRID);
    } catch (err) {
      if (err instanceof EppInputError) throw new RegistryError('rejected', `Cannot send this to the registry: ${err.message}`);
      throw err;
    }
    return this.#roundTrip(link, xml, clTRID, this.#commandTimeout());
  }

  /** Sends a command and reads its response; a response for another transaction breaks the session. */
  async #roundTrip(link: FrameLink, xml: string, clTRID: string, timeoutMs: number): Promise<EppResponse> {
    link.send(xml);
    const payload = await link.next(timeoutMs, 'response');
    let response: EppResponse;
    try {
      response = parseEppResponse(payload);
    } catch (err) {
      link.destroy();
      throw new EppTransportError('protocol', `${this.#where} sent something that is not an EPP response: ${(err as Error).message}`);
    }
    if (response.trID.clTRID !== clTRID) {
      link.destroy();
      throw new EppTransportError('protocol', `${this.#where} answered transaction ${response.trID.clTRID ?? '(none)'} instead of ${clTRID}`);
    }
    // RFC 5730 §3: after 1500 and 25xx the server closes the connection; do not wait for it.
    if (classifyEppResponse(response).closesSession) link.destroy();
    return response;
  }

  async #helloOn(link: FrameLink): Promise<EppGreeting> {
    link.send(helloFrame());
    try {
      this.#greeting = parseEppGreeting(await link.next(this.#commandTimeout(), 'greeting'));
    } catch (err) {
      if (err instanceof EppTransportError) throw err;
      link.destroy();
      throw new EppTransportError('protocol', `${this.#where} answered <hello> with something other than a greeting: ${(err as Error).message}`);
    }
    return this.#greeting;
  }

  /** The live connection, or a new one: TLS, greeting, login (RFC 5730 §2.9.1.1). */
  async #connection(): Promise<FrameLink> {
    if (this.#link?.alive) return this.#link;
    this.#link = null;
    const link = await this.#connect();
    try {
      await this.#readGreeting(link);
      const clTRID = this.#nextClTRID();
      const login = loginCommand({ clID: this.options.clID, pw: this.options.password, objURIs: [DOMAIN_NS, HOST_NS], clTRID });
      const response = await this.#roundTrip(link, login, clTRID, this.#commandTimeout());
      if (!isSuccess(response)) throw failureFromResponse(response, `${this.#where} refused the login of ${this.options.clID}`);
    } catch (err) {
      link.destroy();
      if (err instanceof EppInputError) throw new RegistryError('auth', `The EPP credentials are not usable: ${err.message}`);
      throw err;
    }
    this.#logins += 1;
    this.#link = link;
    return link;
  }

  async #connect(): Promise<FrameLink> {
    const { host, port, servername, ca, cert, key } = this.options;
    // RFC 6066 §3: SNI carries host names only, so an address is checked against the certificate without it.
    const name = servername ?? (isIP(host) === 0 ? host : undefined);
    const socket = tls.connect({ host, port, minVersion: 'TLSv1.2', ...(name ? { servername: name } : {}), ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
    const link = new FrameLink(socket, this.#where, this.options.maxFrameBytes);
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        link.destroy();
        reject(new EppTransportError('timeout', `${this.#where}: no TLS connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new EppTransportError('closed', `cannot connect to ${this.#where}: ${err.message}`));
      });
    });
    return link;
  }

  /** RFC 5730 §2.4: the server speaks first; it must offer the domain and host services we log in with. */
  async #readGreeting(link: FrameLink): Promise<void> {
    const payload = await link.next(this.options.connectTimeoutMs ?? 10_000, 'greeting');
    let greeting: EppGreeting;
    try {
      greeting = parseEppGreeting(payload);
    } catch (err) {
      throw new EppTransportError('protocol', `${this.#where} did not greet with EPP: ${(err as Error).message}`);
    }
    const missing = [DOMAIN_NS, HOST_NS].filter((uri) => !greeting.objURIs.includes(uri));
    if (!greeting.versions.includes('1.0') || missing.length > 0) {
      throw new EppTransportError('protocol', `${this.#where} does not offer EPP 1.0 with ${missing.join(', ') || 'the domain and host services'}`);
    }
    this.#greeting = greeting;
  }

  #armKeepalive(): void {
    this.#stopKeepalive();
    const every = this.options.keepaliveMs ?? 5 * 60_000;
    if (every <= 0 || this.#closed || !this.#link?.alive) return;
    this.#keepalive = setTimeout(() => {
      this.#keepalive = null;
      void this.#enqueue(async () => {
        // Only a live connection is kept alive; a dead one is replaced when the next command needs it.
        const link = this.#link;
        if (link?.alive && !this.#closed) await this.#helloOn(link);
      }).catch(() => {});
    }, every);
    this.#keepalive.unref();
  }

  #stopKeepalive(): void {
    if (this.#keepalive) clearTimeout(this.#keepalive);
    this.#keepalive = null;
  }
}
