// A minimal UDP DNS client for the harness's checks: readiness probes, answer checks and the
// record-change poller. Just enough of RFC 1035 to build one question and read the answer section
// (names decompressed, A/AAAA/CNAME/MX/TXT RDATA turned into text); nothing here is on the
// measured path of dnsperf.
import { createSocket } from 'node:dgram';

export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 };
const TYPE_NAME = Object.fromEntries(Object.entries(QTYPE).map(([k, v]) => [v, k]));
export const RCODE_NAME = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** Query message: RD=0, one question, optional EDNS(0) OPT with a 1232-octet payload size. */
export function encodeQuery(id, name, type, { edns = false } = {}) {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const qname = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(edns ? 1 : 0, 10);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(typeof type === 'number' ? type : QTYPE[type], 0);
  q.writeUInt16BE(1, 2);
  const opt = edns ? Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([header, qname, q, opt]);
}

function readName(buf, offset) {
  const labels = [];
  let pos = offset;
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (pos >= buf.length) throw new Error('name past the end');
    const len = buf[pos];
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: labels.join('.'), end };
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error('compression loop');
}

function rdataText(buf, type, start, len) {
  switch (type) {
    case 1:
      return [...buf.subarray(start, start + 4)].join('.');
    case 28: {
      const parts = [];
      for (let i = 0; i < 16; i += 2) parts.push(buf.readUInt16BE(start + i).toString(16));
      return parts.join(':'); // uncompressed form, compare with normalizeV6()
    }
    case 5:
    case 2:
      return `${readName(buf, start).name}.`;
    case 15:
      return `${buf.readUInt16BE(start)} ${readName(buf, start + 2).name}.`;
    case 16: {
      const strings = [];
      let p = start;
      while (p < start + len) {
        const l = buf[p];
        strings.push(`"${buf.toString('latin1', p + 1, p + 1 + l)}"`);
        p += 1 + l;
      }
      return strings.join(' ');
    }
    default:
      return buf.subarray(start, start + len).toString('hex');
  }
}

/** Full 8-group form of an IPv6 address, for comparing with what rdataText() gives. */
export function normalizeV6(text) {
  const [head, tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = text.includes('::') ? (tail ? tail.split(':') : []) : [];
  const fill = text.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16).toString(16)).join(':');
}

/** Decodes header, question and the answer section (and counts of the others). */
export function decodeResponse(buf) {
  if (buf.length < 12) throw new Error('short message');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  let pos = 12;
  for (let i = 0; i < counts[0]; i++) pos = readName(buf, pos).end + 4;
  const answers = [];
  for (let i = 0; i < counts[1]; i++) {
    const { name, end } = readName(buf, pos);
    const type = buf.readUInt16BE(end);
    const ttl = buf.readUInt32BE(end + 4);
    const len = buf.readUInt16BE(end + 8);
    const start = end + 10;
    answers.push({ name, type: TYPE_NAME[type] ?? String(type), ttl, data: rdataText(buf, type, start, len) });
    pos = start + len;
  }
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rcode: RCODE_NAME[flags & 0xf] ?? String(flags & 0xf),
    qdcount: counts[0],
    ancount: counts[1],
    nscount: counts[2],
    arcount: counts[3],
    answers,
    size: buf.length,
  };
}

/**
 * One UDP socket for many sequential or parallel queries to one server.
 * query(name, type, {timeoutMs}) resolves with the decoded response, or rejects on timeout.
 */
export async function openClient(port, host = '127.0.0.1') {
  const sock = createSocket('udp4');
  await new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      sock.off('error', reject);
      resolve();
    });
  });
  const pending = new Map();
  let nextId = Math.floor(Math.random() * 65536);
  sock.on('message', (msg) => {
    if (msg.length < 2) return;
    const p = pending.get(msg.readUInt16BE(0));
    if (!p) return;
    pending.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    try {
      p.resolve(decodeResponse(msg));
    } catch (err) {
      p.reject(err);
    }
  });
  sock.on('error', () => {}); // ICMP port unreachable while a server starts: the query times out
  return {
    query(name, type, { timeoutMs = 1000, edns = false } = {}) {
      return new Promise((resolve, reject) => {
        let id;
        do id = (nextId = (nextId + 1) & 0xffff); while (pending.has(id));
        const timer = setTimeout(() => {
          pending.delete(id);
          const err = new Error(`no answer to ${name}/${type} within ${timeoutMs} ms`);
          err.code = 'TIMEOUT';
          reject(err);
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        sock.send(encodeQuery(id, name, type, { edns }), port, host, (err) => {
          if (err && pending.delete(id)) {
            clearTimeout(timer);
            reject(err);
          }
        });
      });
    },
    close() {
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      sock.close();
    },
  };
}

/**
 * Polls until `check(response)` is true for name/type; returns {ms, attempts, response}. Each
 * attempt waits `attemptTimeoutMs` for its answer, then `intervalMs` before the next one.
 * `t0` (process.hrtime.bigint()) is where ms counts from. Fails when `hasExited()` says so.
 */
export async function waitForAnswer(port, name, type, check, { t0 = process.hrtime.bigint(), timeoutMs = 60_000, intervalMs = 5, attemptTimeoutMs = 20, hasExited = () => null } = {}) {
  const client = await openClient(port);
  const until = Date.now() + timeoutMs;
  let attempts = 0;
  let last = 'no answer';
  try {
    while (Date.now() < until) {
      const gone = hasExited();
      if (gone) throw new Error(`server exited before answering (${gone})`);
      attempts++;
      try {
        const res = await client.query(name, type, { timeoutMs: attemptTimeoutMs });
        if (check(res)) return { ms: Number(process.hrtime.bigint() - t0) / 1e6, attempts, response: res };
        last = `${res.rcode}, ${res.ancount} answers`;
      } catch (err) {
        last = err.code ?? err.message;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    client.close();
  }
  throw new Error(`no correct answer to ${name}/${type} on port ${port} within ${timeoutMs} ms (last: ${last})`);
}
