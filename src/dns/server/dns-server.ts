// The DNS listener pair: UDP and TCP on one address and port, a shared responder, counters, and
// an orderly close. Port 0 picks one free port for both.
import { TcpListener } from './tcp.js';
import { UdpListener } from './udp.js';
import { BatchUdpListener, resolveUdpIo, type UdpIoMode } from './udp-batch.js';
import { errorText, silentLogger, type DnsLogger, type DnsStatsSnapshot, type Responder } from './types.js';

export interface DnsServerOptions {
  host: string;
  /** 0 = any free port (the same one for UDP and TCP). */
  port: number;
  responder: Responder;
  logger?: DnsLogger;
  /** Default 10 s. */
  tcpIdleTimeoutMs?: number;
  /** Default 1000. */
  tcpMaxConnections?: number;
  /** Queries of one TCP connection answered at once before reading pauses (default 64). */
  tcpMaxInflight?: number;
  /** Log the counters at info this often while they change (default 300 s; 0 = never). */
  statsLogIntervalMs?: number;
  /** UDP I/O: batched (native addon, recvmmsg/sendmmsg), node:dgram, or auto (default: batch when available). */
  udpIo?: UdpIoMode;
  /**
   * Batched UDP only: bind with SO_REUSEPORT so that several DNS worker processes each bind their
   * own socket on the port (the kernel spreads datagrams over them). Default false.
   */
  reusePort?: boolean;
}

/** A listen failure with the one-line message `serve` prints (`cannot listen on …: EADDRINUSE`). */
export class DnsListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DnsListenError';
  }
}

/** `host:port`, IPv6 in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class DnsServer {
  #udp: UdpListener | BatchUdpListener | null = null;
  #udpIo: 'batch' | 'dgram' | null = null;
  #tcp: TcpListener | null = null;
  #port = 0;
  #closing: Promise<void> | null = null;
  #statsTimer: NodeJS.Timeout | null = null;
  readonly #logger: DnsLogger;

  constructor(private readonly opts: DnsServerOptions) {
    this.#logger = opts.logger ?? silentLogger;
  }

  /** The bound address (after listen). */
  get address(): { host: string; port: number } {
    return { host: this.opts.host, port: this.#port };
  }

  /** The UDP I/O in use (after listen). */
  get udpIo(): 'batch' | 'dgram' | null {
    return this.#udpIo;
  }

  /** Binds UDP then TCP on the same port; throws DnsListenError (nothing left open) on failure. */
  async listen(): Promise<{ host: string; port: number }> {
    try {
      this.#udpIo = resolveUdpIo(this.opts.udpIo ?? 'auto', this.#logger);
    } catch (err) {
      throw new DnsListenError(`cannot listen on ${formatHostPort(this.opts.host, this.opts.port)} (udp): ${errorText(err)}`, undefined);
    }
    const attempts = this.opts.port === 0 ? 20 : 1;
    for (let i = 1; ; i++) {
      try {
        await this.#bind(this.opts.port);
        return this.address;
      } catch (err) {
        // Port 0: the free UDP port may be taken for TCP; try another.
        if (i < attempts && err instanceof DnsListenError && err.code === 'EADDRINUSE') continue;
        throw err;
      }
    }
  }

  async #bind(port: number): Promise<void> {
    const where = (p: number): string => formatHostPort(this.opts.host, p);
    const udpOpts = { host: this.opts.host, port, responder: this.opts.responder, logger: this.#logger };
    const udp = this.#udpIo === 'batch' ? new BatchUdpListener({ ...udpOpts, reusePort: this.opts.reusePort === true }) : new UdpListener(udpOpts);
    let bound: number;
    try {
      bound = await udp.listen();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new DnsListenError(`cannot listen on ${where(port)} (udp): ${code ?? errorText(err)}`, code);
    }
    const tcp = new TcpListener({
      host: this.opts.host,
      port: bound,
      responder: this.opts.responder,
      logger: this.#logger,
      idleTimeoutMs: this.opts.tcpIdleTimeoutMs ?? 10_000,
      maxConnections: this.opts.tcpMaxConnections ?? 1000,
      ...(this.opts.tcpMaxInflight !== undefined ? { maxInflight: this.opts.tcpMaxInflight } : {}),
    });
    try {
      await tcp.listen();
    } catch (err) {
      await udp.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new DnsListenError(`cannot listen on ${where(bound)} (tcp): ${code ?? errorText(err)}`, code);
    }
    this.#udp = udp;
    this.#tcp = tcp;
    this.#port = bound;
    const every = this.opts.statsLogIntervalMs ?? 300_000;
    if (every > 0) {
      let last = '';
      this.#statsTimer = setInterval(() => {
        const stats = this.stats();
        const text = JSON.stringify(stats);
        if (text === last) return;
        last = text;
        this.#logger.info({ dns: stats }, 'dns: counters');
      }, every);
      this.#statsTimer.unref();
    }
  }

  stats(): DnsStatsSnapshot {
    const u = this.#udp?.counters;
    const t = this.#tcp?.counters;
    const zero = { queries: 0, replies: 0, drops: { responder: 0, error: 0, oversize: 0, send: 0 } };
    return {
      udp: structuredClone(u ?? zero),
      tcp: {
        ...structuredClone(t ?? { ...zero, accepted: 0, rejected: 0, closed: { idle: 0, bad_length: 0, overflow: 0, shutdown: 0 } }),
        open: this.#tcp?.open ?? 0,
      },
    };
  }

  /** Stops UDP at once and TCP after the queries in progress (at most `graceMs`). */
  close(graceMs = 2000): Promise<void> {
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#closing ??= Promise.all([this.#udp?.close(), this.#tcp?.close(graceMs)]).then(() => undefined);
    return this.#closing;
  }
}
