// Differences from Knot DNS that the differential suite accepts: legitimate choices, each listed
// with its reason in docs/dns.md ("Accepted differences from Knot DNS", same ids). A rule looks
// at one result and returns the difference fields it accepts there; a difference no rule
// accepts fails the suite. Rules are narrow on purpose: each names the exact situation.
import type { Difference, ReplyState } from './compare.js';
import type { DiffCase } from './queries.js';
import { bytesEqual, hex, lowerWire, parseMessage, T, type Message, type RR } from './wire.js';

export interface RuleContext {
  /** Lowercased wire names (hex) of every owner name in the corpus. */
  existingNames: Set<string>;
}

export interface RuleInput {
  c: DiffCase;
  query: Uint8Array;
  knot: ReplyState;
  zk: ReplyState;
  diffs: Difference[];
  ctx: RuleContext;
}

export interface AcceptedRule {
  /** Short id, also used in docs/dns.md. */
  id: string;
  accepts(r: RuleInput): string[];
}

function parsedQuery(q: Uint8Array): Message | null {
  try {
    return parseMessage(q);
  } catch {
    return null;
  }
}

function both(r: RuleInput): { k: Message; z: Message } | null {
  return r.knot.kind === 'ok' && r.zk.kind === 'ok' ? { k: r.knot.msg, z: r.zk.msg } : null;
}

function fields(r: RuleInput, allowed: string[]): string[] {
  return r.diffs.map((d) => d.field).filter((f) => allowed.includes(f));
}

function qtypeOf(q: Uint8Array): number | null {
  return parsedQuery(q)?.question[0]?.type ?? null;
}

const rrId = (rr: RR) => `${hex(lowerWire(rr.name))}|${rr.type}|${hex(rr.rdata)}`;
const ANSWER_FIELDS = ['rcode', 'flag.aa', 'answer', 'authority', 'additional'];

export const ACCEPTED: AcceptedRule[] = [
  {
    // RFC 4035 section 3: "a security-aware name server MUST copy the CD bit from a query into
    // the corresponding response"; section 3.1.6 says an authoritative response SHOULD clear it.
    // Knot clears it, zonekeeper copies it (as BIND does).
    id: 'cd-bit-copied',
    accepts(r) {
      const m = both(r);
      const q = parsedQuery(r.query);
      return m && q?.cd && m.z.cd && !m.k.cd ? fields(r, ['flag.cd']) : [];
    },
  },
  {
    // Optional EDNS options Knot adds and zonekeeper does not implement: Extended DNS Errors
    // (RFC 8914, code 15, e.g. "Not Authoritative" on REFUSED) and EDNS EXPIRE (RFC 7314, code 9).
    id: 'optional-edns-options',
    accepts(r) {
      const m = both(r);
      if (!m || !m.k.opt || !m.z.opt) return [];
      const extra = m.k.opt.options.map((o) => o.code);
      return extra.every((c) => c === 15 || c === 9) && m.z.opt.options.length === 0 ? fields(r, ['edns.options']) : [];
    },
  },
  {
    // Knot follows at most 5 CNAMEs in one answer, zonekeeper at most 16 (dns.md: dns/answer).
    // RFC 1034 4.3.2 sets no limit; each answer is a valid prefix of the chain.
    id: 'cname-chain-limit',
    accepts(r) {
      const m = both(r);
      if (!m) return [];
      const kc = m.k.answer.filter((rr) => rr.type === T.CNAME);
      const zc = m.z.answer.filter((rr) => rr.type === T.CNAME);
      if (kc.length !== 5 || m.k.answer.length !== 5 || zc.length <= 5) return [];
      const zIds = new Set(m.z.answer.map(rrId));
      if (!kc.every((rr) => zIds.has(rrId(rr)))) return [];
      return fields(r, [...ANSWER_FIELDS, 'flag.tc']);
    },
  },
  {
    // A wildcard CNAME that points back at the name it was synthesized for: Knot repeats the
    // CNAME once more before it stops, zonekeeper lists it once (the same RRset either way).
    id: 'cname-loop-repeat',
    accepts(r) {
      const m = both(r);
      if (!m) return [];
      const ks = new Set(m.k.answer.map(rrId));
      const zs = new Set(m.z.answer.map(rrId));
      const same = ks.size === zs.size && [...ks].every((x) => zs.has(x));
      return same && m.k.answer.length > ks.size && m.z.answer.length === zs.size ? fields(r, ['answer']) : [];
    },
  },
  {
    // QTYPE RRSIG or NSEC at a CNAME owner in an unsigned zone: Knot answers NODATA (RFC 2181
    // 10.1 lets those types stand beside a CNAME), zonekeeper follows the CNAME as RFC 1034
    // 4.3.2 step 3a says for any type but CNAME. To revisit when zones get signed.
    id: 'dnssec-qtype-at-cname',
    accepts(r) {
      const m = both(r);
      const qt = qtypeOf(r.query);
      if (!m || (qt !== T.RRSIG && qt !== T.NSEC)) return [];
      const q = parsedQuery(r.query)!;
      const first = m.z.answer[0];
      const knotNodata = m.k.answer.length === 0 && m.k.rcode === 0;
      const zkFollows = !!first && first.type === T.CNAME && bytesEqual(lowerWire(first.name), lowerWire(q.question[0]!.name));
      return knotNodata && zkFollows ? fields(r, ANSWER_FIELDS) : [];
    },
  },
  {
    // Additional-section data is optional (RFC 1034 4.3.2 step 6, RFC 2181 9): Knot also adds
    // addresses synthesized from a wildcard for an MX/SRV/NS target; zonekeeper adds only names
    // that exist in the zone.
    id: 'wildcard-additional',
    accepts(r) {
      const m = both(r);
      if (!m) return [];
      const zIds = new Set(m.z.additional.map(rrId));
      const kIds = new Set(m.k.additional.map(rrId));
      if (![...zIds].every((x) => kIds.has(x))) return [];
      const missing = m.k.additional.filter((rr) => !zIds.has(rrId(rr)));
      const synthesized = missing.every((rr) => !r.ctx.existingNames.has(hex(lowerWire(rr.name))));
      return missing.length > 0 && synthesized ? fields(r, ['additional']) : [];
    },
  },
  {
    // A query with a readable header but a malformed question (QDCOUNT != 1, truncated,
    // compression loops or forward pointers, bad label types, names over 255 octets): Knot
    // drops it, zonekeeper answers FORMERR (RFC 1035 4.1.1) with the header only.
    id: 'malformed-formerr',
    accepts(r) {
      if (r.knot.kind !== 'none' || r.zk.kind !== 'ok' || r.zk.msg.rcode !== 1) return [];
      const q = parsedQuery(r.query);
      return !q || q.question.length !== 1 ? fields(r, ['noreply']) : [];
    },
  },
  {
    // A qname that is a compression pointer into the header (a "prior" offset, RFC 1035 4.1.4):
    // Knot drops the query, zonekeeper decodes it (there: the root name) and answers.
    id: 'qname-pointer-into-header',
    accepts(r) {
      const b = r.query;
      const pointsIntoHeader = b.length > 13 && (b[12]! & 0xc0) === 0xc0 && (((b[12]! & 0x3f) << 8) | b[13]!) < 12;
      return r.knot.kind === 'none' && r.zk.kind === 'ok' && pointsIntoHeader ? fields(r, ['noreply']) : [];
    },
  },
  {
    // QTYPEs that name no data (RFC 6895 3.1): 0 (reserved), OPT, TKEY, TSIG, the unassigned
    // meta range 128-248, MAILB and MAILA (obsolete). Nothing mandates one reply: Knot answers
    // NODATA (NOTIMP for 0), zonekeeper FORMERR for the meta types, NOTIMP for MAILA/MAILB and
    // NODATA for 0.
    id: 'meta-qtypes',
    accepts(r) {
      const qt = qtypeOf(r.query);
      if (qt === null || !(qt === 0 || qt === T.OPT || (qt >= 128 && qt <= 254 && qt !== T.AXFR && qt !== T.IXFR))) return [];
      return both(r) ? fields(r, ANSWER_FIELDS) : [];
    },
  },
  {
    // Zone transfers (AXFR, IXFR) are not served yet: zonekeeper REFUSED, Knot NOTAUTH (TCP,
    // no ACL) or NOTIMP (AXFR over UDP, RFC 5936 4.2).
    id: 'transfers-refused',
    accepts(r) {
      const qt = qtypeOf(r.query);
      const m = both(r);
      return m && (qt === T.AXFR || qt === T.IXFR) && m.z.rcode === 5 ? fields(r, ['rcode']) : [];
    },
  },
  {
    // Opcodes other than QUERY: zonekeeper NOTIMP for all (RFC 1035 4.1.1), also before it
    // checks the EDNS version; Knot implements NOTIFY and UPDATE (NOTAUTH or FORMERR without an
    // ACL) and checks the EDNS version first (BADVERS).
    id: 'opcode-notimp',
    accepts(r) {
      const m = both(r);
      return m && m.z.opcode !== 0 && m.z.rcode === 4 ? fields(r, ['rcode']) : [];
    },
  },
  {
    // QCLASS ANY (255): zonekeeper answers REFUSED as for any class but IN (dns.md: dns/answer);
    // Knot answers it from its IN data.
    id: 'qclass-any-refused',
    accepts(r) {
      const q = parsedQuery(r.query);
      const m = both(r);
      return m && q?.question[0]?.klass === 255 && m.z.rcode === 5 ? fields(r, ANSWER_FIELDS) : [];
    },
  },
  {
    // An OPT record where RFC 6891 6.1.1 does not allow it (owner not the root, or outside the
    // additional section): zonekeeper answers FORMERR for a non-root owner and ignores records in
    // a query's answer section; Knot ignores the owner and answers FORMERR for the latter.
    id: 'misplaced-opt',
    accepts(r) {
      const q = parsedQuery(r.query);
      if (!q) return [];
      const optElsewhere = [...q.answer, ...q.authority].some((rr) => rr.type === T.OPT);
      const badOwner = q.opt !== null && !q.opt.ownerIsRoot;
      return optElsewhere || badOwner ? fields(r, [...ANSWER_FIELDS, 'edns.present']) : [];
    },
  },
  {
    // A referral whose glue does not fit: both set TC (RFC 9471 3.1), but which glue records
    // make it into the truncated reply differs (Knot skips an AAAA that does not fit and goes on
    // with the next name's A). Neither is complete; the client retries over TCP.
    id: 'truncated-glue',
    accepts(r) {
      const m = both(r);
      if (!m || !m.k.tc || !m.z.tc || m.k.answer.length > 0 || m.z.answer.length > 0) return [];
      if (r.diffs.some((d) => d.field === 'authority' || d.field === 'rcode')) return [];
      const glue = [...m.k.additional, ...m.z.additional].every((rr) => rr.type === T.A || rr.type === T.AAAA);
      return glue && m.k.authority.length > 0 && m.k.authority.every((rr) => rr.type === T.NS) ? fields(r, ['additional']) : [];
    },
  },
];
