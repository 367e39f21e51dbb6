// The differential queries: generated from the corpus (every name the zones define or imply, names
// next to them, wildcard matches, names below cuts, out-of-zone names; every type; random letter
// case, transport, EDNS size, DO/RD/CD bits, all from one seed) plus hand-written edge cases.
import type { Transport } from './client.js';
import type { CorpusZone } from './corpus.js';
import { buildQuery, labelsToWire, nameToWire, T, wireLabels, type EdnsSpec, type QuerySpec } from './wire.js';

export interface DiffCase {
  /** Short description for reports. */
  label: string;
  transport: Transport;
  /** Generated or hand-written. */
  group: 'generated' | 'size' | 'edge';
  /** A well-formed query (the id is set at send time)… */
  spec?: Omit<QuerySpec, 'id'>;
  /** …or crafted octets for the given id. */
  raw?: (id: number) => Uint8Array;
}

export function caseBytes(c: DiffCase, id: number): Uint8Array {
  if (c.spec) return buildQuery({ ...c.spec, id });
  return c.raw!(id);
}

/** mulberry32: small, seedable, good enough to pick test variants reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Data types asked for every name. */
export const DATA_TYPES = [T.A, T.NS, T.CNAME, T.SOA, T.PTR, T.MX, T.TXT, T.AAAA, T.SRV, T.DS, T.SSHFP, T.TLSA, T.SVCB, T.HTTPS, T.CAA, T.ANY];
/** Types no corpus zone holds (DNSSEC types of an unsigned zone, obsolete and unassigned types). */
export const OTHER_TYPES = [T.DNSKEY, T.NSEC, T.RRSIG, T.NULL, T.HINFO, 99, 65280, 65535];

/** Names whose answers are large: asked with every type of interest over every variant. */
const SIZE_NAMES = ['bigrr', 'hugerr', 'longtxt', 'hugetxt', 'manytxt', 'tobig', 'tohuge', '@', 'www', 'c1', 'deleg', 'zz.deleg', 'zz.bigdeleg', 'bigdeleg', 'zz.sibl', '_sip._tcp', 'x.wild', '_svc'];

interface Variant {
  name: string;
  transport: Transport;
  edns: EdnsSpec | null;
}

export const VARIANTS: Variant[] = [
  { name: 'udp', transport: 'udp', edns: null },
  { name: 'udp+edns1232', transport: 'udp', edns: { udpSize: 1232 } },
  { name: 'udp+edns4096+do', transport: 'udp', edns: { udpSize: 4096, do: true } },
  { name: 'udp+edns512', transport: 'udp', edns: { udpSize: 512 } },
  { name: 'udp+edns600', transport: 'udp', edns: { udpSize: 600 } },
  { name: 'udp+edns100', transport: 'udp', edns: { udpSize: 100 } },
  { name: 'tcp', transport: 'tcp', edns: null },
  { name: 'tcp+edns1232+do', transport: 'tcp', edns: { udpSize: 1232, do: true } },
];
const VARIANT_WEIGHTS = [30, 22, 10, 10, 5, 5, 12, 6];

function pickVariant(rnd: () => number): Variant {
  const total = VARIANT_WEIGHTS.reduce((a, b) => a + b, 0);
  let x = rnd() * total;
  for (const [i, w] of VARIANT_WEIGHTS.entries()) {
    if (x < w) return VARIANTS[i]!;
    x -= w;
  }
  return VARIANTS[0]!;
}

/** Flips the case of ASCII letters at random (octets only; length octets are never letters). */
export function randomCase(wire: Uint8Array, rnd: () => number): Uint8Array {
  const out = Uint8Array.from(wire);
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    const isLetter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (isLetter && rnd() < 0.5) out[i] = c ^ 0x20;
  }
  return out;
}

function abs(name: string, zone: string): string {
  return name === '@' ? zone : `${name}.${zone}`;
}

/** Target names inside the canonical RDATA of name-bearing types. */
function rdataTargets(type: string, rdata: string): string[] {
  const words = rdata.split(' ');
  const pick = (w: string | undefined) => (w && w !== '.' && w.endsWith('.') ? [w.slice(0, -1)] : []);
  switch (type) {
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return pick(words[0]);
    case 'MX':
      return pick(words[1]);
    case 'SRV':
      return pick(words[3]);
    case 'SVCB':
    case 'HTTPS':
      return pick(words[1]);
    default:
      return [];
  }
}

/** Every name the generator asks about, as presentation text (absolute, no trailing dot). */
export function corpusNames(zones: CorpusZone[]): string[] {
  const names = new Set<string>();
  const add = (n: string) => names.add(n);
  for (const z of zones) {
    add(z.name);
    const owners = new Set(z.records.map((r) => r.name));
    const nodes = new Set<string>([z.name]);
    for (const o of owners) {
      // the owner and every empty non-terminal between it and the apex
      let labels = wireLabels(nameToWire(o));
      const apexLen = wireLabels(nameToWire(z.name)).length;
      while (labels.length > apexLen) {
        nodes.add(wireToPresentation(labels));
        labels = labels.slice(1);
      }
    }
    const parents = new Set<string>();
    for (const n of nodes) {
      add(n);
      add(`zz.${n}`); // a child: NXDOMAIN, wildcard match, or below a cut
      const labels = wireLabels(nameToWire(n));
      if (n !== z.name) parents.add(wireToPresentation(labels.slice(1)));
      if (labels[0]?.length === 1 && labels[0][0] === 0x2a) {
        const parent = wireToPresentation(labels.slice(1));
        add(`anything.${parent}`);
        add(`two.labels.${parent}`);
        add(`_tcp.${parent}`);
      }
    }
    for (const p of parents) add(`nx-sibling.${p}`);
    for (const r of z.records) for (const t of rdataTargets(r.type, r.rdata)) add(t);
  }
  for (const n of ['example.com', 'com', '.', 'test', 'org', 'example.net', 'www.example.net', 'xexample.test', 'example.test.example.com', 'ample.test', 'example.org.example.test.zz']) add(n);
  return [...names];
}

/** Presentation text (no trailing dot) of wire labels, escaping like names.ts keeps them. */
function wireToPresentation(labels: Uint8Array[]): string {
  if (labels.length === 0) return '.';
  return labels
    .map((l) => Array.from(l, (b) => ((b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2a ? String.fromCharCode(b) : '\\' + String(b).padStart(3, '0'))).join(''))
    .join('.');
}

export function generateCases(zones: CorpusZone[], seed: number): DiffCase[] {
  const rnd = prng(seed);
  const cases: DiffCase[] = [];
  const q = (name: string, qtype: number, v: Variant, group: DiffCase['group'], caseFlip = rnd() < 0.4): DiffCase => {
    const wire = caseFlip ? randomCase(nameToWire(name), rnd) : nameToWire(name);
    const rd = rnd() < 0.5;
    const cd = rnd() < 0.05;
    return { label: `${name} ${typeLabel(qtype)} ${v.name}${rd ? ' +rd' : ''}${cd ? ' +cd' : ''}`, transport: v.transport, group, spec: { qname: wire, qtype, rd, cd, edns: v.edns } };
  };
  for (const name of corpusNames(zones)) {
    for (const t of DATA_TYPES) cases.push(q(name, t, pickVariant(rnd), 'generated'));
    for (const t of OTHER_TYPES) if (rnd() < 0.15) cases.push(q(name, t, pickVariant(rnd), 'generated'));
  }
  const main = zones[0]!.name;
  for (const n of SIZE_NAMES) {
    for (const t of [T.A, T.AAAA, T.TXT, T.ANY, T.NS, T.MX, T.SRV, T.DS]) for (const v of VARIANTS) cases.push(q(abs(n, main), t, v, 'size'));
  }
  cases.push(...edgeCases(main));
  return cases;
}

function typeLabel(t: number): string {
  const e = Object.entries(T).find(([, v]) => v === t);
  return e ? e[0] : `TYPE${t}`;
}

// ---------------------------------------------------------------- hand-written edge cases

function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [...u16(id), ...u16(flags), ...u16(qd), ...u16(an), ...u16(ns), ...u16(ar)];
}

function question(name: Uint8Array, type: number, klass = 1): number[] {
  return [...name, ...u16(type), ...u16(klass)];
}

/** An OPT RR (owner root unless given). */
function opt(udpSize: number, opts: { version?: number; do?: boolean; ext?: number; options?: number[]; owner?: Uint8Array; rdataOverride?: number[] } = {}): number[] {
  const rdata = opts.rdataOverride ?? opts.options ?? [];
  return [...(opts.owner ?? [0]), ...u16(T.OPT), ...u16(udpSize), opts.ext ?? 0, opts.version ?? 0, ...u16(opts.do ? 0x8000 : 0), ...u16(rdata.length), ...rdata];
}

function both(label: string, make: (transport: Transport) => Omit<DiffCase, 'label' | 'transport' | 'group'>): DiffCase[] {
  return (['udp', 'tcp'] as const).map((t) => ({ label: `${label} [${t}]`, transport: t, group: 'edge', ...make(t) }));
}

export function edgeCases(zone: string): DiffCase[] {
  const www = nameToWire(`www.${zone}`);
  const apex = nameToWire(zone);
  const out: DiffCase[] = [];
  const spec = (s: Omit<QuerySpec, 'id'>) => () => ({ spec: s });
  const raw = (f: (id: number) => number[]) => () => ({ raw: (id: number) => Uint8Array.from(f(id)) });

  // Opcodes other than QUERY (IQUERY, STATUS, unassigned, NOTIFY, UPDATE, DSO, 15).
  for (const op of [1, 2, 3, 4, 5, 6, 15]) out.push(...both(`opcode ${op}`, spec({ qname: www, qtype: T.A, opcode: op })));
  out.push(...both('opcode 5 (UPDATE) for the zone SOA', spec({ qname: apex, qtype: T.SOA, opcode: 5 })));
  // Odd header bits in a query.
  out.push(...both('QR=1 (a response): dropped', spec({ qname: www, qtype: T.A, extraFlags: 0x8000 })));
  out.push(...both('AA=1 in the query', spec({ qname: www, qtype: T.A, extraFlags: 0x0400 })));
  out.push(...both('TC=1 in the query', spec({ qname: www, qtype: T.A, extraFlags: 0x0200 })));
  out.push(...both('RA=1 in the query', spec({ qname: www, qtype: T.A, extraFlags: 0x0080 })));
  out.push(...both('Z=1 in the query', spec({ qname: www, qtype: T.A, extraFlags: 0x0040 })));
  out.push(...both('AD=1 in the query', spec({ qname: www, qtype: T.A, ad: true })));
  out.push(...both('CD=1 in the query', spec({ qname: www, qtype: T.A, cd: true, rd: true })));
  out.push(...both('rcode 5 set in the query', spec({ qname: www, qtype: T.A, extraFlags: 0x0005 })));
  // Question counts.
  out.push(...both('QDCOUNT=0', raw((id) => header(id, 0, 0))));
  out.push(...both('QDCOUNT=0 with EDNS', raw((id) => [...header(id, 0, 0, 0, 0, 1), ...opt(1232)])));
  out.push(...both('QDCOUNT=2 (same question twice)', raw((id) => [...header(id, 0, 2), ...question(www, T.A), ...question(www, T.A)])));
  out.push(...both('QDCOUNT=2, one question present', raw((id) => [...header(id, 0, 2), ...question(www, T.A)])));
  out.push(...both('ANCOUNT=1 with an answer RR', raw((id) => [...header(id, 0, 1, 1), ...question(www, T.A), ...www, ...u16(T.A), ...u16(1), 0, 0, 0, 60, ...u16(4), 192, 0, 2, 1])));
  out.push(...both('NSCOUNT=1 with an authority RR', raw((id) => [...header(id, 0, 1, 0, 1), ...question(www, T.A), ...apex, ...u16(T.NS), ...u16(1), 0, 0, 0, 60, ...u16(apex.length), ...apex])));
  out.push(...both('ARCOUNT=1 but no record', raw((id) => [...header(id, 0, 1, 0, 0, 1), ...question(www, T.A)])));
  // Truncated and trailing data.
  out.push(...both('trailing garbage after the question', raw((id) => [...header(id, 0, 1), ...question(www, T.A), 0xde, 0xad, 0xbe, 0xef])));
  out.push(...both('one trailing zero octet', raw((id) => [...header(id, 0, 1), ...question(www, T.A), 0])));
  out.push(...both('question without QCLASS', raw((id) => [...header(id, 0, 1), ...www, ...u16(T.A)])));
  out.push(...both('question without QTYPE/QCLASS', raw((id) => [...header(id, 0, 1), ...www])));
  out.push(...both('qname cut inside a label', raw((id) => [...header(id, 0, 1), ...www.subarray(0, 6)])));
  out.push(...both('header only, 11 octets', raw((id) => header(id, 0, 1).slice(0, 11))));
  // Names: compression pointers, label types, lengths.
  out.push(...both('qname is a pointer to itself', raw((id) => [...header(id, 0, 1), 0xc0, 12, ...u16(T.A), ...u16(1)])));
  out.push(...both('qname pointer forward', raw((id) => [...header(id, 0, 1), 0xc0, 20, ...u16(T.A), ...u16(1), 0, 0, 0, 0])));
  out.push(...both('qname pointer into the header', raw((id) => [...header(id, 0, 1), 0xc0, 4, ...u16(T.A), ...u16(1)])));
  out.push(...both('qname label then pointer loop', raw((id) => [...header(id, 0, 1), 3, 0x77, 0x77, 0x77, 0xc0, 12, ...u16(T.A), ...u16(1)])));
  out.push(...both('extended label type 0x40', raw((id) => [...header(id, 0, 1), 0x41, 0, ...u16(T.A), ...u16(1)])));
  out.push(...both('label type 0x80', raw((id) => [...header(id, 0, 1), 0x81, 0x61, 0, ...u16(T.A), ...u16(1)])));
  const label63 = 'a'.repeat(63);
  out.push(...both('qname of 255 octets below the zone', spec({ qname: nameToWire(`${label63}.${label63}.${label63}.${'b'.repeat(255 - 3 * 64 - apex.length - 1)}.${zone}`), qtype: T.A })));
  out.push(...both('qname of 256 octets', raw((id) => {
    const labels = [label63, label63, label63, 'c'.repeat(255 - 3 * 64 - apex.length)].map((l) => Uint8Array.from(Buffer.from(l)));
    const name = [...labelsToWire(labels).subarray(0, -1), ...apex];
    return [...header(id, 0, 1), ...name, ...u16(T.A), ...u16(1)];
  })));
  out.push(...both('root qname', spec({ qname: Uint8Array.of(0), qtype: T.NS })));
  out.push(...both('uppercase qname', spec({ qname: nameToWire(`WWW.${zone.toUpperCase()}`), qtype: T.A })));
  out.push(...both('mixed case qname at a mixed-case owner', spec({ qname: nameToWire(`mIxEd.${zone}`), qtype: T.ANY })));
  out.push(...both('escaped dot label, uppercase', spec({ qname: nameToWire(`A\\.B.${zone}`), qtype: T.A })));
  out.push(...both('binary label', spec({ qname: nameToWire(`\\200\\255BIN.${zone}`), qtype: T.TXT })));
  out.push(...both('label with a NUL octet', spec({ qname: nameToWire(`\\000.${zone}`), qtype: T.A })));
  out.push(...both('literal * query', spec({ qname: nameToWire(`*.wild.${zone}`), qtype: T.A })));
  out.push(...both('* in the middle', spec({ qname: nameToWire(`x.*.lit.${zone}`), qtype: T.A })));
  out.push(...both('* below the wildcard', spec({ qname: nameToWire(`*.zz.wild.${zone}`), qtype: T.A })));
  // Classes.
  for (const [klass, name] of [[3, 'version.bind'], [3, 'id.server'], [3, 'hostname.bind'], [3, 'version.server'], [3, `www.${zone}`], [4, `www.${zone}`], [254, `www.${zone}`], [255, `www.${zone}`], [0, `www.${zone}`], [2, `www.${zone}`]] as const) {
    out.push(...both(`class ${klass} ${name} TXT`, spec({ qname: nameToWire(name), qtype: T.TXT, qclass: klass })));
  }
  // Meta and special types.
  for (const t of [0, T.OPT, T.AXFR, T.IXFR, T.MAILA, T.MAILB, T.TKEY, T.TSIG, 128, 256, 32768, 65534]) {
    out.push(...both(`qtype ${t} at the apex`, spec({ qname: apex, qtype: t })));
    out.push(...both(`qtype ${t} at www`, spec({ qname: www, qtype: t, edns: { udpSize: 1232 } })));
  }
  out.push(...both('AXFR outside our zones', spec({ qname: nameToWire('example.com'), qtype: T.AXFR })));
  // EDNS.
  out.push(...both('EDNS version 1', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, version: 1 } })));
  out.push(...both('EDNS version 255 with DO', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, version: 255, do: true } })));
  out.push(...both('EDNS version 1 for a name outside our zones', spec({ qname: nameToWire('example.com'), qtype: T.A, edns: { udpSize: 1232, version: 1 } })));
  out.push(...both('EDNS version 1 with a bad opcode', spec({ qname: www, qtype: T.A, opcode: 2, edns: { udpSize: 1232, version: 1 } })));
  out.push(...both('EDNS UDP size 0', spec({ qname: nameToWire(`hugetxt.${zone}`), qtype: T.TXT, edns: { udpSize: 0 } })));
  out.push(...both('EDNS UDP size 65535', spec({ qname: nameToWire(`hugetxt.${zone}`), qtype: T.TXT, edns: { udpSize: 65535 } })));
  out.push(...both('EDNS UDP size 1233 for a 1.3 KiB answer', spec({ qname: nameToWire(`hugerr.${zone}`), qtype: T.AAAA, edns: { udpSize: 1233 } })));
  out.push(...both('EDNS extended RCODE bits in the query', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, extRcode: 1 } })));
  out.push(...both('EDNS unknown option', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 65001, data: Uint8Array.of(1, 2, 3) }] } })));
  out.push(...both('EDNS NSID request', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 3, data: new Uint8Array(0) }] } })));
  out.push(...both('EDNS client cookie', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 10, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }] } })));
  out.push(...both('EDNS cookie of bad length', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 10, data: Uint8Array.of(1, 2, 3) }] } })));
  out.push(...both('EDNS padding option', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 12, data: new Uint8Array(16) }] } })));
  out.push(...both('EDNS client subnet', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 8, data: Uint8Array.of(0, 1, 24, 0, 192, 0, 2) }] } })));
  out.push(...both('EDNS expire option', spec({ qname: apex, qtype: T.SOA, edns: { udpSize: 1232, options: [{ code: 9, data: new Uint8Array(0) }] } })));
  out.push(...both('EDNS tcp-keepalive option', spec({ qname: www, qtype: T.A, edns: { udpSize: 1232, options: [{ code: 11, data: new Uint8Array(0) }] } })));
  out.push(...both('EDNS option length past RDATA', raw((id) => [...header(id, 0, 1, 0, 0, 1), ...question(www, T.A), ...opt(1232, { rdataOverride: [0xfd, 0xe9, 0, 10, 1] })])));
  out.push(...both('EDNS Z bits set', raw((id) => {
    const o = opt(1232); // owner(1) type(2) class(2) ext(1) version(1) flags(2) rdlength(2)
    o[7] = 0x7f;
    o[8] = 0xff;
    return [...header(id, 0, 1, 0, 0, 1), ...question(www, T.A), ...o];
  })));
  out.push(...both('two OPT records', raw((id) => [...header(id, 0, 1, 0, 0, 2), ...question(www, T.A), ...opt(1232), ...opt(1232)])));
  out.push(...both('OPT with a non-root owner', raw((id) => [...header(id, 0, 1, 0, 0, 1), ...question(www, T.A), ...opt(1232, { owner: www })])));
  out.push(...both('OPT in the answer section', raw((id) => [...header(id, 0, 1, 1, 0, 0), ...question(www, T.A), ...opt(1232)])));
  out.push(...both('OPT RDLENGTH past the end', raw((id) => {
    const o = opt(1232);
    o[9] = 0;
    o[10] = 8;
    return [...header(id, 0, 1, 0, 0, 1), ...question(www, T.A), ...o];
  })));
  out.push(...both('OPT then another additional RR', raw((id) => [...header(id, 0, 1, 0, 0, 2), ...question(www, T.A), ...opt(1232), ...apex, ...u16(T.A), ...u16(1), 0, 0, 0, 60, ...u16(4), 192, 0, 2, 9])));
  return out;
}
