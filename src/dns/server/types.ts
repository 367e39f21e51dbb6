// What the DNS transports share: the responder they call, a small logger interface and the counters.

export type Transport = 'udp' | 'tcp';

/**
 * Turns one query into one reply: bytes to send, null to send nothing. A Promise only when the
 * answer needs I/O (an ALIAS target outside our zones, a Script to run); the transports await only
 * then. `client`: the client's address as text (read only when needed, synchronously).
 */
export type Responder = (packet: Uint8Array, transport: Transport, client?: () => string) => Uint8Array | null | Promise<Uint8Array | null>;

/** The part of a pino logger the DNS code uses. */
export interface DnsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: DnsLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Why a query got no reply. */
export type DropReason =
  /** The responder returned null (not a query, a response, garbage below a header, …). */
  | 'responder'
  /** The responder threw or its promise rejected (logged at debug). */
  | 'error'
  /** The reply was larger than the transport allows (a responder bug; never sent). */
  | 'oversize'
  /** The socket refused the datagram (UDP) or the connection was gone before the reply (TCP). */
  | 'send';

export interface TransportCounters {
  queries: number;
  replies: number;
  drops: Record<DropReason, number>;
}

/** Why the server closed a TCP connection itself. */
export type TcpCloseReason = 'idle' | 'bad_length' | 'overflow' | 'shutdown';

export interface DnsStatsSnapshot {
  udp: TransportCounters;
  tcp: TransportCounters & {
    /** Connections accepted. */
    accepted: number;
    /** Connections closed at once because the limit was reached. */
    rejected: number;
    /** Connections open now. */
    open: number;
    closed: Record<TcpCloseReason, number>;
  };
}

export function emptyCounters(): TransportCounters {
  return { queries: 0, replies: 0, drops: { responder: 0, error: 0, oversize: 0, send: 0 } };
}

/**
 * Calls the responder without ever letting it throw at the caller or leave an unhandled
 * rejection: `done(reply)` or `onError(error)` runs once (onError also when done throws), synchronously when the responder
 * answered synchronously.
 */
export function callResponder(
  responder: Responder,
  packet: Uint8Array,
  transport: Transport,
  done: (reply: Uint8Array | null) => void,
  onError: (error: unknown) => void,
  client?: () => string,
): void {
  const fail = (err: unknown): void => {
    try {
      onError(err);
    } catch {
      // the error handler only counts and logs; nothing may escape from here
    }
  };
  let result: Uint8Array | null | Promise<Uint8Array | null>;
  try {
    result = responder(packet, transport, client);
  } catch (err) {
    fail(err);
    return;
  }
  const settle = (reply: unknown): void => {
    try {
      done(reply instanceof Uint8Array ? reply : null);
    } catch (err) {
      fail(err);
    }
  };
  if (result instanceof Uint8Array || result === null || result === undefined) {
    settle(result);
    return;
  }
  if (typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<Uint8Array | null>).then(settle, fail);
    return;
  }
  settle(null);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
