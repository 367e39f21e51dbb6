// Comparing two servers' replies to one query.
//
// What is compared (anything else is ignored):
// - reply or no reply (a server may drop a query; both must agree);
// - the reply parses strictly (wire.ts) and with dns-packet, echoes the query id, and copies the
//   question section byte for byte (qname case included) — checked against the query itself;
// - the full RCODE (header + EDNS extended bits) and every header flag (QR, opcode, AA, TC, RD,
//   RA, Z, AD, CD);
// - EDNS: OPT present or not, and its version, DO bit, UDP payload size, and option codes;
// - each section as a multiset of (owner lowercased, type, class, TTL, normalized RDATA).
//   Owners: case-insensitive (RFC 4343), except that an owner equal to the qname must carry the
//   qname's exact case (both servers copy the question's name into answers; checked per server
//   as `qname-case`). TTL: exact (authoritative data, nothing decrements it). RDATA: octet for
//   octet after normalizedRdata(): names inside RDATA and the CAA tag case-folded (see the
//   accepted differences in docs/dns.md).
import dnsPacket from 'dns-packet';
import { bytesEqual, hex, lowerWire, messageText, normalizedRdata, parseMessage, rrText, type Message, type RR } from './wire.js';

export type Field = string;

export interface Difference {
  /** e.g. `rcode`, `flag.aa`, `answer`, `edns.present`, `noreply`. */
  field: Field;
  knot: string;
  zk: string;
}

export interface Decoded {
  ok: true;
  msg: Message;
}
export interface Undecodable {
  ok: false;
  error: string;
}

/** Strict parse plus dns-packet; any failure makes the reply undecodable. */
export function decodeReply(bytes: Uint8Array): Decoded | Undecodable {
  let msg: Message;
  try {
    msg = parseMessage(bytes);
  } catch (e) {
    return { ok: false, error: `strict parser: ${(e as Error).message}` };
  }
  try {
    dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    return { ok: false, error: `dns-packet: ${(e as Error).message}` };
  }
  return { ok: true, msg };
}

export function rrKey(rr: RR): string {
  return `${hex(lowerWire(rr.name))}|${rr.type}|${rr.klass}|${rr.ttl}|${hex(normalizedRdata(rr.type, rr.rdata))}`;
}

/** Multiset difference: RRs only in a, only in b (as texts). */
export function sectionDiff(a: RR[], b: RR[]): { onlyA: RR[]; onlyB: RR[] } {
  const counts = new Map<string, { n: number; rrs: RR[] }>();
  for (const rr of a) {
    const k = rrKey(rr);
    const e = counts.get(k) ?? { n: 0, rrs: [] };
    e.n++;
    e.rrs.push(rr);
    counts.set(k, e);
  }
  const onlyB: RR[] = [];
  for (const rr of b) {
    const e = counts.get(rrKey(rr));
    if (e && e.n > 0) {
      e.n--;
      e.rrs.pop();
    } else onlyB.push(rr);
  }
  const onlyA: RR[] = [];
  for (const e of counts.values()) onlyA.push(...e.rrs.slice(0, e.n));
  return { onlyA, onlyB };
}

/** Problems of one reply judged against its own query (not against the other server). */
export function selfCheck(query: Uint8Array, reply: Message): string[] {
  const problems: string[] = [];
  const qid = (query[0]! << 8) | query[1]!;
  if (reply.id !== qid) problems.push(`id ${reply.id} != query id ${qid}`);
  if (!reply.qr) problems.push('QR not set');
  if (reply.optCount > 1) problems.push(`${reply.optCount} OPT records`);
  if (reply.opt && !reply.opt.ownerIsRoot) problems.push('OPT owner is not the root');
  // The question is copied from the query when there is exactly one, whole question.
  let q: Message | null = null;
  try {
    q = parseMessage(query);
  } catch {
    q = null;
  }
  if (q && q.question.length === 1 && reply.question.length > 0) {
    const a = q.question[0]!;
    const b = reply.question[0]!;
    if (reply.question.length !== 1 || !bytesEqual(a.name, b.name) || a.type !== b.type || a.klass !== b.klass) problems.push('question not copied exactly');
    const qname = lowerWire(a.name);
    for (const rr of reply.answer) {
      if (bytesEqual(lowerWire(rr.name), qname) && !bytesEqual(rr.name, a.name)) {
        problems.push('answer owner equal to the qname does not keep its case');
        break;
      }
    }
  }
  return problems;
}

const FLAGS = ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const;

function rrsText(rrs: RR[]): string {
  return rrs.length === 0 ? '-' : rrs.map(rrText).join(' | ');
}

export type ReplyState = { kind: 'none' } | { kind: 'bad'; error: string } | { kind: 'ok'; msg: Message; problems: string[] };

export function replyState(query: Uint8Array, bytes: Uint8Array | null): ReplyState {
  if (bytes === null) return { kind: 'none' };
  const d = decodeReply(bytes);
  if (!d.ok) return { kind: 'bad', error: d.error };
  return { kind: 'ok', msg: d.msg, problems: selfCheck(query, d.msg) };
}

export function stateText(s: ReplyState): string {
  if (s.kind === 'none') return '(no reply)';
  if (s.kind === 'bad') return `(undecodable: ${s.error})`;
  return messageText(s.msg) + (s.problems.length ? `\n  problems: ${s.problems.join('; ')}` : '');
}

/** Every difference between Knot's reply and zonekeeper's to the same query. */
export function compareReplies(knot: ReplyState, zk: ReplyState): Difference[] {
  const diffs: Difference[] = [];
  if (knot.kind !== 'ok' || zk.kind !== 'ok') {
    if (knot.kind !== zk.kind) diffs.push({ field: knot.kind === 'none' || zk.kind === 'none' ? 'noreply' : 'undecodable', knot: stateText(knot), zk: stateText(zk) });
    else if (knot.kind === 'bad') diffs.push({ field: 'undecodable', knot: stateText(knot), zk: stateText(zk) });
    return diffs;
  }
  const a = knot.msg;
  const b = zk.msg;
  const pa = knot.problems.join('; ');
  const pb = zk.problems.join('; ');
  if (pa !== pb) diffs.push({ field: 'self-check', knot: pa || 'ok', zk: pb || 'ok' });
  if (a.fullRcode !== b.fullRcode) diffs.push({ field: 'rcode', knot: String(a.fullRcode), zk: String(b.fullRcode) });
  if (a.opcode !== b.opcode) diffs.push({ field: 'opcode', knot: String(a.opcode), zk: String(b.opcode) });
  for (const f of FLAGS) if (a[f] !== b[f]) diffs.push({ field: `flag.${f}`, knot: String(a[f]), zk: String(b[f]) });
  if (a.question.length !== b.question.length) diffs.push({ field: 'question.count', knot: String(a.question.length), zk: String(b.question.length) });
  if (!!a.opt !== !!b.opt) diffs.push({ field: 'edns.present', knot: String(!!a.opt), zk: String(!!b.opt) });
  else if (a.opt && b.opt) {
    if (a.opt.version !== b.opt.version) diffs.push({ field: 'edns.version', knot: String(a.opt.version), zk: String(b.opt.version) });
    if (a.opt.do !== b.opt.do) diffs.push({ field: 'edns.do', knot: String(a.opt.do), zk: String(b.opt.do) });
    if (a.opt.udpSize !== b.opt.udpSize) diffs.push({ field: 'edns.udpsize', knot: String(a.opt.udpSize), zk: String(b.opt.udpSize) });
    const oa = a.opt.options.map((o) => o.code).join(',');
    const ob = b.opt.options.map((o) => o.code).join(',');
    if (oa !== ob) diffs.push({ field: 'edns.options', knot: oa || '-', zk: ob || '-' });
  }
  for (const s of ['answer', 'authority', 'additional'] as const) {
    const d = sectionDiff(a[s], b[s]);
    if (d.onlyA.length || d.onlyB.length) diffs.push({ field: s, knot: rrsText(d.onlyA), zk: rrsText(d.onlyB) });
  }
  return diffs;
}
