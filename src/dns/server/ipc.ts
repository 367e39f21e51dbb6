// Messages between the primary (HTTP, store, DnsEngine) and the DNS worker processes.
// Every primary → worker message has an `id` (one counter per primary); a worker acknowledges the
// highest id it has processed, and IPC keeps order, so an acknowledged id means every earlier
// message is applied too.
import type { RR } from '../../core/model.js';
import type { ScriptStatus } from '../answer/script-runner.js';

export interface WorkerSettings {
  host: string;
  port: number;
  tcpIdleTimeoutMs: number;
  tcpMaxConnections: number;
  /**
   * UDP I/O of the workers (default auto); the primary resolves auto before forking: `batch` =
   * each worker binds its own SO_REUSEPORT socket (native addon); `dgram` = node:cluster shares
   * one socket.
   */
  udpIo?: 'auto' | 'batch' | 'dgram';
  alias: { host: string; port: number } | null;
  logLevel: string;
}

export type ToWorker =
  | { t: 'config'; id: number; settings: WorkerSettings }
  /**
   * A whole zone, possibly in several messages: `rrs` chunks, the first with `first`, the last with
   * `final` (then it replaces the zone). `apply`s for the origin that arrive between the first and
   * the final chunk are changes made after the copy was taken: the worker applies them after it.
   */
  | { t: 'load'; id: number; origin: string; serial: number; rrs: RR[]; first: boolean; final: boolean }
  | { t: 'apply'; id: number; origin: string; removed: RR[]; added: RR[]; toSerial: number }
  | { t: 'remove'; id: number; origin: string }
  /**
   * The keys a signed zone's per-query answers are signed with (docs/dnssec.md), null for none.
   * Sent after the zone's load; the worker keeps them for later loads of the origin.
   */
  | { t: 'signer'; id: number; origin: string; keys: SignerKey[] | null }
  /** The initial snapshot is complete: start listening. */
  | { t: 'ready'; id: number }
  | { t: 'stop'; id: number };

export type FromWorker =
  | { t: 'hello' }
  | { t: 'ack'; id: number }
  | { t: 'listening'; port: number; zones: number }
  | { t: 'listen-error'; message: string }
  /** A Script record of this worker's zones started failing or answers again. */
  | { t: 'script-status'; status: ScriptStatus };

/** A signing key over IPC: its algorithm, flags and PKCS#8 private key (base64). */
export interface SignerKey {
  algorithm: number;
  flags: number;
  pkcs8: string;
}

/** RRs per `load` message. */
export const LOAD_CHUNK = 5000;

export function isFromWorker(m: unknown): m is FromWorker {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string';
}

export function isToWorker(m: unknown): m is ToWorker {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string' && typeof (m as { id?: unknown }).id === 'number';
}
