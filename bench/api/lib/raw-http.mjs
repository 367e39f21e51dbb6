// A minimal HTTP/1.1 keep-alive client on one TCP connection, for latency measurements: the request
// is one prebuilt string written in one call, and the response is read by Content-Length only.
// node:http's client costs ~0.3-0.5 ms per request on this machine kind, which a latency benchmark
// would otherwise count as server time. Requests on one connection are sent one at a time.
import net from 'node:net';

export async function openRawClient(baseUrl) {
  const url = new URL(baseUrl);
  const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buf = Buffer.alloc(0);
  let pending = null;
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    tryComplete();
  });
  socket.on('error', (err) => pending?.reject(err));
  socket.on('close', () => pending?.reject(new Error('connection closed')));

  function tryComplete() {
    if (!pending) return;
    const headEnd = buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = buf.subarray(0, headEnd).toString('latin1');
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) {
      pending.reject(new Error(`response without Content-Length: ${head.slice(0, 200)}`));
      return;
    }
    const total = headEnd + 4 + Number(m[1]);
    if (buf.length < total) return;
    const status = Number(head.slice(9, 12));
    const body = buf.subarray(headEnd + 4, total).toString('utf8');
    const timing = /\r\nserver-timing:\s*app;dur=([\d.]+)/i.exec(head);
    buf = buf.subarray(total);
    const p = pending;
    pending = null;
    p.resolve({ status, body, serverMs: timing ? Number(timing[1]) : null });
  }

  return {
    /** One request; resolves with {status, body, serverMs} (serverMs from the Server-Timing header, or null). */
    request(method, path, headers, body) {
      if (pending) throw new Error('one request at a time on a raw client');
      const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      let text = `${method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\n`;
      for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
      if (payload) text += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
      text += `\r\n${payload}`;
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(text);
      });
    },
    close() {
      socket.destroy();
    },
  };
}
