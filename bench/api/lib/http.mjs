// Loopback HTTP client (node:http, keep-alive agent) and free-port helpers for the bench harness.
import { createSocket } from 'node:dgram';
import http from 'node:http';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (also free for UDP when `udp` is set). */
export async function freePort({ udp = false } = {}) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise((resolve) => {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}

export function makeAgent(concurrency) {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/**
 * One request; resolves with {status, body, ms} (body as text) or rejects on network errors and
 * on timeout. `ms` is the wall time from issuing the request to the end of the response body.
 */
export function request(agent, baseUrl, { method, path, headers = {}, body }, timeoutMs = 15_000) {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const hdrs = { ...headers };
  if (payload !== undefined) {
    hdrs['content-type'] ??= 'application/json';
    hdrs['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: hdrs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), ms });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => {
      const err = new Error(`timeout after ${timeoutMs} ms`);
      err.code = 'TIMEOUT';
      req.destroy(err);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** JSON request that must succeed (2xx); returns the parsed body (or null when empty). */
export async function requestJson(agent, baseUrl, spec, what) {
  const res = await request(agent, baseUrl, spec);
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
  }
  if (!res.body) return null;
  try {
    return JSON.parse(res.body);
  } catch {
    throw new Error(`${what}: HTTP ${res.status} with a body that is not JSON: ${res.body.slice(0, 300)}`);
  }
}

/**
 * Polls until `path` answers with any HTTP status (the server is listening and speaking HTTP).
 * Fails early when `hasExited()` reports the server process is gone.
 */
export async function waitForHttp(baseUrl, path, { timeoutMs, hasExited, headers }) {
  const agent = new http.Agent({ keepAlive: false });
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    const gone = hasExited();
    if (gone) throw new Error(`server exited before answering HTTP (${gone})`);
    try {
      const res = await request(agent, baseUrl, { method: 'GET', path, headers }, 2000);
      agent.destroy();
      return res;
    } catch (err) {
      last = err.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  agent.destroy();
  throw new Error(`server did not answer HTTP on ${baseUrl} within ${timeoutMs} ms (last: ${last})`);
}
