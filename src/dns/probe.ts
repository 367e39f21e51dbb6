// Small UDP questions to DNS servers: whether a server (our own) answers authoritatively for a zone
// — a SOA query without recursion that must come back NOERROR with the AA bit and an answer (the
// zone precheck after a domain is pointed here) — and which DS records a recursive resolver returns
// for a name (automatic DNSSEC, for parents not served here).
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import { CLASS, TYPE } from './wire/constants.js';
import { nameToWire } from './wire/name.js';
import { WireWriter } from './wire/writer.js';
import { decodeMessage } from './wire/message.js';
import { rdataToText } from './wire/rdata.js';

/**
 * Sends one question (`flags`: the header's flags word) and resolves with the reply carrying its
 * id, or a string saying why there is none (a timeout, a socket error).
 */
function exchange(host: string, port: number, name: string, type: number, flags: number, timeoutMs: number): Promise<Buffer | string> {
  // A wildcard listen address is reached on the loopback of its family.
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const id = randomInt(0, 65536);
  const w = new WireWriter(512);
  for (const v of [id, flags, 1, 0, 0, 0]) w.u16(v);
  w.name(nameToWire(name), false);
  w.u16(type);
  w.u16(CLASS.IN);
  const query = w.finish();
  return new Promise((resolve) => {
    const sock = dgram.createSocket(isIP(target) === 6 ? 'udp6' : 'udp4');
    const done = (out: Buffer | string) => {
      clearTimeout(timer);
      sock.close();
      resolve(out);
    };
    const timer = setTimeout(() => done(`no answer from ${target}:${port} within ${timeoutMs} ms`), timeoutMs);
    sock.on('error', (err) => done(`cannot ask ${target}:${port}: ${err.message}`));
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) done(msg);
    });
    sock.send(query, port, target);
  });
}

/** Why a zone does not answer, or null when it does. */
export async function probeSoa(host: string, port: number, zone: string, timeoutMs = 2000): Promise<string | null> {
  const msg = await exchange(host, port, zone, TYPE.SOA, 0, timeoutMs);
  if (typeof msg === 'string') return msg;
  const flags = msg.readUInt16BE(2);
  const rcode = flags & 0x0f;
  if (rcode !== 0) return `the server answers ${zone} SOA with rcode ${rcode}`;
  if ((flags & 0x0400) === 0) return `the server is not authoritative for ${zone}`;
  if (msg.readUInt16BE(6) === 0) return `the server has no SOA for ${zone}`;
  return null;
}

/**
 * The DS records a recursive resolver returns for `name` (presentation RDATA), or null when it does
 * not answer usably: how automatic DNSSEC sees a parent zone that is not served here.
 */
export async function probeDs(host: string, port: number, name: string, timeoutMs = 3000): Promise<string[] | null> {
  const msg = await exchange(host, port, name, TYPE.DS, 0x0100 /* RD */, timeoutMs);
  if (typeof msg === 'string') return null;
  try {
    const m = decodeMessage(msg);
    if ((m.rcode & 0x0f) !== 0 && (m.rcode & 0x0f) !== 3) return null;
    return m.answers.filter((a) => a.type === TYPE.DS).map((a) => rdataToText(TYPE.DS, a.rdata));
  } catch {
    return null;
  }
}
