// The health checks themselves (docs/smart-records.md "Health monitoring"), behind the core's
// HealthProbes port:
// - Ping: the system's `ping` (Debian: iputils-ping) sends one ICMP echo request; online when a
//   reply arrives within 2.5 s. The program is used rather than a raw socket of our own because
//   ICMP needs privileges (CAP_NET_RAW or net.ipv4.ping_group_range) that ping is installed with.
// - Http: GET / on the configured port (80) of the address, with the record's name as Host
//   header; online on any status below 500 within 10 s (a redirect or a 404 is a live server).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { isIP } from 'node:net';
import type { HealthProbes } from '../core/monitoring/health-monitor.js';

export const PING_TIMEOUT_MS = 2500;
export const HTTP_TIMEOUT_MS = 10_000;

export interface ProbeOptions {
  httpPort: number;
  /** The ping program (default `ping` from PATH). */
  pingCommand?: string;
  pingTimeoutMs?: number;
  httpTimeoutMs?: number;
}

export class SystemProbes implements HealthProbes {
  constructor(private readonly opts: ProbeOptions) {}

  ping(target: string): Promise<boolean> {
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

  http(target: string, host: string): Promise<boolean> {
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
