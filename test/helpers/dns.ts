// DNS for tests: send a query over UDP or TCP to a loopback port and get the reply bytes (decoded
// with dns-packet), and run dig/kdig (failing in CI when they are missing, skipping loudly elsewhere).
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { describe, it } from 'vitest';

export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

export interface QueryOptions {
  id?: number;
  /** EDNS UDP size; omitted = no OPT record. */
  edns?: number;
  /** Recursion desired (default false). */
  rd?: boolean;
}

/** A query message for `name`/`type`. */
export function encodeQuery(name: string, type: RecordType, opts: QueryOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? Math.floor(Math.random() * 0xffff),
    flags: opts.rd ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type, name, class: 'IN' }],
    ...(opts.edns !== undefined ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns } as dnsPacket.Answer] } : {}),
  });
}

/** The numeric RCODE of a reply (header only; no EDNS extension). */
export function rcodeOf(reply: Uint8Array): number {
  return reply[3]! & 0x0f;
}

export function rcodeName(reply: Uint8Array): string {
  return RCODE_NAMES[rcodeOf(reply)] ?? `RCODE${rcodeOf(reply)}`;
}

/** The answer section as text: the data of each RR (dns-packet's rendering), in order. */
export function answerData(p: DecodedPacket, withType = false): string[] {
  return (p.answers ?? []).map((a) => {
    const data = 'data' in a ? (a as { data: unknown }).data : '';
    const text = Buffer.isBuffer(data) ? data.toString('hex') : Array.isArray(data) ? data.map(String).join(' ') : typeof data === 'object' && data !== null ? JSON.stringify(data) : String(data);
    return withType ? `${a.type} ${text}` : text;
  });
}

export function decode(reply: Uint8Array): DecodedPacket {
  return dnsPacket.decode(Buffer.from(reply));
}

/** One UDP exchange; rejects after `timeoutMs` without a reply. */
export function udpExchange(port: number, packet: Uint8Array, opts: { host?: string; timeoutMs?: number } = {}): Promise<Buffer> {
  const host = opts.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIP(host) === 6 ? 'udp6' : 'udp4');
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP reply from ${host}:${port} within ${opts.timeoutMs ?? 2000} ms`));
    }, opts.timeoutMs ?? 2000);
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(packet, port, host);
  });
}

/** Sends raw bytes over UDP and waits `waitMs` for any reply (null when none came). */
export function udpSendRaw(port: number, bytes: Uint8Array, waitMs = 200, host = '127.0.0.1'): Promise<Buffer | null> {
  const socket = dgram.createSocket(net.isIP(host) === 6 ? 'udp6' : 'udp4');
  return new Promise<Buffer | null>((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, waitMs);
    socket.on('error', () => {});
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(bytes, port, host);
  });
}

/** 2-octet length prefix (RFC 1035 4.2.2). */
export function frame(packet: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + packet.length);
  out.writeUInt16BE(packet.length, 0);
  out.set(packet, 2);
  return out;
}

/** A TCP connection that collects framed replies. */
export class TcpClient {
  readonly socket: net.Socket;
  readonly replies: Buffer[] = [];
  closed = false;
  #buf = Buffer.alloc(0);
  #wakers: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      while (this.#buf.length >= 2 && this.#buf.length >= 2 + this.#buf.readUInt16BE(0)) {
        const len = this.#buf.readUInt16BE(0);
        this.replies.push(this.#buf.subarray(2, 2 + len));
        this.#buf = this.#buf.subarray(2 + len);
      }
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new TcpClient(socket));
      });
    });
  }

  #wake(): void {
    for (const w of this.#wakers.splice(0)) w();
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Waits until `n` replies arrived (or the connection closed, or the timeout passed). */
  async waitFor(n: number, timeoutMs = 3000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wakers.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies.slice(0, n);
  }

  /** Resolves true once the server closed the connection, false after the timeout. */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wakers.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One TCP exchange on a fresh connection. */
export async function tcpExchange(port: number, packet: Uint8Array, opts: { host?: string; timeoutMs?: number } = {}): Promise<Buffer> {
  const c = await TcpClient.connect(port, opts.host);
  try {
    c.write(frame(packet));
    const [reply] = await c.waitFor(1, opts.timeoutMs ?? 3000);
    if (reply === undefined) throw new Error(`no TCP reply from port ${port}`);
    return reply;
  } finally {
    c.close();
  }
}

/** Query by name and type over one transport; the reply decoded, plus its raw bytes. */
export async function query(
  port: number,
  name: string,
  type: RecordType,
  opts: QueryOptions & { transport?: 'udp' | 'tcp'; host?: string } = {},
): Promise<DecodedPacket & { rcodeName: string; raw: Buffer }> {
  const packet = encodeQuery(name, type, opts);
  const hostOpt = opts.host !== undefined ? { host: opts.host } : {};
  const raw = opts.transport === 'tcp' ? await tcpExchange(port, packet, hostOpt) : await udpExchange(port, packet, hostOpt);
  return Object.assign(decode(raw), { rcodeName: rcodeName(raw), raw });
}

// --- dig and kdig --------------------------------------------------------------------------------

export const DIG = process.env.ZONEKEEPER_TEST_DIG ?? '/usr/bin/dig';
export const KDIG = process.env.ZONEKEEPER_TEST_KDIG ?? '/usr/bin/kdig';

/**
 * Whether dig and kdig are installed. When one is missing: in CI (`CI=true`) registers a failing
 * test, so the end-to-end DNS suite can never pass silently; elsewhere warns loudly and returns
 * false (the caller skips).
 */
export function requireDigTools(suite: string): boolean {
  const missing = [DIG, KDIG].filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  const message = `${missing.join(' and ')} not found; install bind9-dnsutils and knot-dnsutils (scripts/test-packages.txt).`;
  if (process.env.CI === 'true') {
    describe(`${suite} [dig/kdig]`, () => {
      it('needs dig and kdig', () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`\n!!! SKIPPING "${suite}": ${message}\n`);
  }
  return false;
}

/** Runs a dig-style tool; resolves its stdout (rejects on a non-zero exit). */
export function runTool(bin: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `dig @127.0.0.1 -p PORT NAME TYPE +short-ish`: the whole output (status line and sections). */
export function dig(port: number, name: string, type: string, extra: string[] = []): Promise<string> {
  return runTool(DIG, ['@127.0.0.1', '-p', String(port), '+norecurse', '+time=2', '+tries=1', ...extra, name, type]);
}

export function kdig(port: number, name: string, type: string, extra: string[] = []): Promise<string> {
  return runTool(KDIG, ['@127.0.0.1', '-p', String(port), '+norecurse', '+time=2', '+retry=0', ...extra, name, type]);
}

/** The rcode from a dig/kdig header line (`status: NXDOMAIN` / `status: NOERROR`). */
export function statusOf(output: string): string | undefined {
  return /status: ([A-Z]+)/.exec(output)?.[1];
}
