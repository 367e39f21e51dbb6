// Whole DNS messages (RFC 1035 4.1) with EDNS (RFC 6891) parsed out of the OPT RR. The decoder is
// strict: every length is checked, trailing octets are an error, an OPT RR anywhere but the
// additional section, a second OPT, or an OPT whose owner is not the root is an error, and so is
// a TSIG RR that is not the last record (RFC 8945 5.1).
import { HEADER_SIZE, TYPE } from './constants.js';
import { WireError } from './errors.js';
import { ROOT_NAME } from './name.js';
import { readRdata } from './rdata.js';
import { WireReader } from './reader.js';
import { WireWriter } from './writer.js';

export interface Question {
  name: Uint8Array;
  type: number;
  class: number;
}

export interface WireRR {
  name: Uint8Array;
  type: number;
  class: number;
  /** The 32-bit TTL as sent (unsigned; RFC 2181 8 values above 2^31-1 are the caller's concern). */
  ttl: number;
  /** Uncompressed wire RDATA. */
  rdata: Uint8Array;
}

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

export interface Edns {
  /** Requestor's UDP payload size (the OPT CLASS). */
  udpSize: number;
  /** Upper 8 bits of the 12-bit RCODE (OPT TTL bits 24-31), as received. */
  extendedRcode: number;
  version: number;
  do: boolean;
  /** The 16-bit EDNS flags word, DO (0x8000) included. */
  flags: number;
  options: EdnsOption[];
}

export interface Message {
  id: number;
  /** The 16-bit header flags word as on the wire, opcode and low rcode bits included. */
  flags: number;
  opcode: number;
  /** Full RCODE: header bits plus the OPT's extended bits (decode); split again by encode. */
  rcode: number;
  questions: Question[];
  answers: WireRR[];
  authorities: WireRR[];
  /** Without the OPT RR (see `edns`). */
  additionals: WireRR[];
  edns: Edns | null;
}

function readOptions(rdata: Uint8Array): EdnsOption[] {
  const options: EdnsOption[] = [];
  const r = new WireReader(rdata);
  while (r.remaining() > 0) {
    const code = r.u16();
    const len = r.u16();
    options.push({ code, data: r.bytes(len) });
  }
  return options;
}

/** Decode a whole message; throws WireError for anything malformed. */
export function decodeMessage(buf: Uint8Array): Message {
  if (buf.length < HEADER_SIZE) throw new WireError(`message of ${buf.length} octets is shorter than a header`);
  const r = new WireReader(buf);
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const name = r.name();
    const type = r.u16();
    questions.push({ name, type, class: r.u16() });
  }
  let edns: Edns | null = null;
  let ednsHigh = 0;
  const sections: WireRR[][] = [[], [], []];
  const counts = [an, ns, ar];
  for (let s = 0; s < 3; s++) {
    const list = sections[s]!;
    const count = counts[s]!;
    for (let i = 0; i < count; i++) {
      const name = r.name();
      const type = r.u16();
      const klass = r.u16();
      const ttl = r.u32();
      const rdlength = r.u16();
      const rdata = readRdata(r, type, rdlength);
      if (type === TYPE.OPT) {
        if (s !== 2) throw new WireError('an OPT RR outside the additional section');
        if (edns !== null) throw new WireError('more than one OPT RR');
        if (name.length !== 1) throw new WireError('an OPT RR whose owner is not the root');
        ednsHigh = ttl >>> 24;
        edns = {
          udpSize: klass,
          extendedRcode: ednsHigh,
          version: (ttl >>> 16) & 0xff,
          do: (ttl & 0x8000) !== 0,
          flags: ttl & 0xffff,
          options: readOptions(rdata),
        };
        continue;
      }
      if (type === TYPE.TSIG && (s !== 2 || i !== count - 1)) throw new WireError('a TSIG RR that is not the last record');
      list.push({ name, type, class: klass, ttl, rdata });
    }
  }
  if (r.offset !== buf.length) throw new WireError(`${buf.length - r.offset} octets after the last record`);
  return {
    id,
    flags,
    opcode: (flags >>> 11) & 0xf,
    rcode: (ednsHigh << 4) | (flags & 0xf),
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    edns,
  };
}

function writeRRs(w: WireWriter, rrs: readonly WireRR[]): void {
  for (const rr of rrs) w.rr(rr.name, rr.type, rr.class, rr.ttl, rr.rdata);
}

function writeOpt(w: WireWriter, edns: Edns, rcode: number): void {
  let optLen = 0;
  for (const o of edns.options) optLen += 4 + o.data.length;
  if (optLen > 65535) throw new WireError('EDNS options are longer than 65535 octets');
  w.bytes(ROOT_NAME);
  w.u16(TYPE.OPT);
  w.u16(edns.udpSize);
  const flags = (edns.flags & 0x7fff) | (edns.do ? 0x8000 : 0);
  w.u32((((rcode >>> 4) & 0xff) << 24) | ((edns.version & 0xff) << 16) | flags);
  w.u16(optLen);
  for (const o of edns.options) {
    w.u16(o.code);
    w.u16(o.data.length);
    w.bytes(o.data);
  }
}

/**
 * Encode a message with name compression. The header flags come from `flags` with the opcode from
 * `opcode` and the low 4 bits of `rcode`; the upper 8 bits of `rcode` go into the OPT, which is
 * written last in the additional section (before a final TSIG). Throws WireError when the message
 * does not fit in `limit` octets, or when `rcode` > 15 without `edns`.
 */
export function encodeMessage(msg: Message, limit = 65535): Buffer {
  if (msg.rcode > 15 && msg.edns === null) throw new WireError(`RCODE ${msg.rcode} needs EDNS`);
  if (msg.rcode < 0 || msg.rcode > 0xfff) throw new WireError(`RCODE ${msg.rcode} is out of range`);
  const adds = msg.additionals;
  const arCount = adds.length + (msg.edns !== null ? 1 : 0);
  if (msg.questions.length > 65535 || msg.answers.length > 65535 || msg.authorities.length > 65535 || arCount > 65535) {
    throw new WireError('a section has more than 65535 entries');
  }
  const w = new WireWriter(limit);
  const flags = (msg.flags & 0x87f0) | ((msg.opcode & 0xf) << 11) | (msg.rcode & 0xf);
  const tsigLast = adds.length > 0 && adds[adds.length - 1]!.type === TYPE.TSIG;
  w.u16(msg.id);
  w.u16(flags);
  w.u16(msg.questions.length);
  w.u16(msg.answers.length);
  w.u16(msg.authorities.length);
  w.u16(arCount);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  writeRRs(w, msg.answers);
  writeRRs(w, msg.authorities);
  writeRRs(w, tsigLast ? adds.slice(0, -1) : adds);
  if (msg.edns !== null) writeOpt(w, msg.edns, msg.rcode);
  if (tsigLast) writeRRs(w, adds.slice(-1));
  if (w.overflow) throw new WireError(`message does not fit in ${limit} octets`);
  return w.finish();
}
