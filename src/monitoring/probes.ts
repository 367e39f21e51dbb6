// The health checks themselves (docs/smart-records.md "Health monitoring"), behind the core's
// HealthProbes port:
// - Ping: the system's `ping` (Debian: iputils-ping) sends one ICMP echo request; online when a
//   reply arrives within 2.5 s. The program is used rather than a raw socket of our own because
//   ICMP needs privileges (CAP_NET_RAW or net.ipv4.ping_group_range) that ping is installed with.
// - Http: GET / on the configured port (80) of the address, with the record's name as Host
//   header; online on any status below 500 within 10 s (a redirect or a 404 is a live server).
// - Where: a host name (a CNAME's target) is resolved once here and its address probed. Loopback,
//   private, link-local (the cloud metadata address too), shared (CGNAT), multicast and unspecified
//   addresses are not probed unless the operator allows it (`--monitor-private-addresses allow`):
//   a customer's record must not turn the server into a scanner of its own networks.
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { HealthProbes } from '../core/monitoring/health-monitor.js';

export const PING_TIMEOUT_MS = 2500;
export const HTTP_TIMEOUT_MS = 10_000;

export interface ProbeOptions {
  httpPort: number;
  /** Probe loopback, private and link-local addresses too (default false). */
  allowPrivate?: boolean;
  /** The ping program (default `ping` from PATH). */
  pingCommand?: string;
  pingTimeoutMs?: number;
  httpTimeoutMs?: number;
}

/** Address ranges (ipaddr.js names) that are not probed unless allowed. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'carrierGradeNat', 'unspecified', 'broadcast', 'multicast', 'uniqueLocal']);

/** True when `address` is in one of the ranges health checks leave alone by default. */
export function isPrivateAddress(address: string): boolean {
  let a = ipaddr.parse(address);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return PRIVATE_RANGES.has(a.range());
}

export class SystemProbes implements HealthProbes {
  constructor(private readonly opts: ProbeOptions) {}

  /** The address to probe for `target` (an address, or a host name resolved now), or a throw saying why not. */
  async #address(target: string): Promise<string> {
    let address = target;
    if (isIP(target) === 0) {
      try {
        address = (await lookup(target, { verbatim: true })).address;
      } catch (err) {
        throw new Error(`${target} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    if (!this.opts.allowPrivate && isPrivateAddress(address)) {
      throw new Error(`${address}${address === target ? '' : ` (${target})`} is a loopback, private or link-local address; such addresses are not probed (--monitor-private-addresses)`);
    }
    return address;
  }

  async ping(target: string): Promise<boolean> {
    return this.#ping(await this.#address(target));
  }

  async http(target: string, host: string): Promise<boolean> {
    return this.#http(await this.#address(target), host);
  }

  #ping(target: string): Promise<boolean> {
    const timeoutMs = this.opts.pingTimeoutMs ?? PING_TIMEOUT_MS;
    // -n: no reverse lookups; -c 1: one request; -W: ping's own wait (whole seconds, rounded up).
    const args = ['-n', '-c', '1', '-W', String(Math.ceil(timeoutMs / 1000))];
    if (isIP(target) === 6) args.push('-6');
    else if (isIP(target) === 4) args.push('-4');
    args.push(target);
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.pingCommand ?? 'ping', args, { stdio: 'ignore' });
      let done = false;
      const finish = (fn: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        fn();
      };
      // Our own limit: a reply after 2.5 s counts as none.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => resolve(false));
      }, timeoutMs);
      child.once('error', (err: NodeJS.ErrnoException) =>
        finish(() => reject(new Error(err.code === 'ENOENT' ? 'the ping program is not installed (Debian: apt-get install iputils-ping)' : err.message))),
      );
      child.once('exit', (code) => finish(() => resolve(code === 0)));
    });
  }

  #http(target: string, host: string): Promise<boolean> {
    const timeoutMs = this.opts.httpTimeoutMs ?? HTTP_TIMEOUT_MS;
    return new Promise((resolve) => {
      let done = false;
      const finish = (online: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.destroy();
        resolve(online);
      };
      const req = http.request({
        host: target,
        port: this.opts.httpPort,
        path: '/',
        method: 'GET',
        headers: { host, 'user-agent': 'zonekeeper-health-check/1', connection: 'close' },
        agent: false,
      });
      // The whole exchange, from connecting to the status line, within the limit.
      const timer = setTimeout(() => finish(false), timeoutMs);
      req.once('response', (res) => {
        res.resume();
        finish((res.statusCode ?? 500) < 500);
      });
      req.once('error', () => finish(false));
      req.end();
    });
  }
}
