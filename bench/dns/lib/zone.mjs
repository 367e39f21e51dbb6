// The bench zone and the dnsperf query file, generated deterministically (same --records and
// --seed = the same bytes), so every target serves the same data and gets the same queries.
//
// The zone holds exactly `records` resource records besides its apex (SOA + 2 NS, both names out
// of zone, so no glue). They come in groups of 10 per index j (host names as a small hosting
// customer's zone would have them):
//
//   host<j>  A      192.0.2.x / 198.51.100.x / 203.0.113.x (documentation ranges, RFC 5737)
//   host<j>  AAAA   2001:db8:… (RFC 3849)
//   host<j>  MX     10 mx<j>.<zone>.             (in-zone target: its A goes into additional)
//   host<j>  TXT    "v=spf1 ip4:<addr> -all"
//   mx<j>    A
//   www<j>   CNAME  host<j>.<zone>.              (in-zone chain: the answer carries CNAME + A)
//   svc<j>   A      two addresses (a 2-record RRset)
//   svc<j>   A
//   txt<j>   TXT    "site-verification=<40 hex>"
//   j%10==0: *.w<j> A  (a wildcard)   otherwise: ext<j> CNAME cdn<j>.example.net. (out of zone)
//
// So the zone is 40% A (plus 1% wildcard A), 10% AAAA, 10% MX, 20% TXT, 19% CNAME. A last partial
// group (records not a multiple of 10) holds the first records of the list above.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const DEFAULT_ZONE = 'bench.example.org';
export const NAMESERVERS = ['ns1.example.net', 'ns2.example.net']; // zonekeeper's default too

/** The query mix: percent of the query file per class (sums to 100). */
export const QUERY_MIX = [
  { cls: 'A', pct: 25, what: 'A at host<j> (1 record)', rcode: 'NOERROR' },
  { cls: 'A-rrset2', pct: 10, what: 'A at svc<j> (2 records)', rcode: 'NOERROR' },
  { cls: 'AAAA', pct: 15, what: 'AAAA at host<j>', rcode: 'NOERROR' },
  { cls: 'MX', pct: 10, what: 'MX at host<j> (+ A of mx<j> in additional)', rcode: 'NOERROR' },
  { cls: 'TXT', pct: 10, what: 'TXT at host<j> (SPF, 5%) and txt<j> (verification token, 5%)', rcode: 'NOERROR' },
  { cls: 'CNAME-in', pct: 10, what: 'A at www<j>: CNAME to host<j> in the zone, followed (CNAME + A)', rcode: 'NOERROR' },
  { cls: 'CNAME-out', pct: 5, what: 'A at ext<j>: CNAME to cdn<j>.example.net (answer = the CNAME only)', rcode: 'NOERROR' },
  { cls: 'wildcard', pct: 5, what: 'A at q<k>.w<j>: synthesized from *.w<j>', rcode: 'NOERROR' },
  { cls: 'NXDOMAIN', pct: 10, what: 'A at nx<k> (5%) and AAAA at x<k>.host<j> (5%): no such name', rcode: 'NXDOMAIN' },
];

/** mulberry32: a small deterministic PRNG (floats in [0, 1)). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NETS = ['192.0.2', '198.51.100', '203.0.113'];
export const v4 = (i) => `${NETS[i % 3]}.${1 + (Math.floor(i / 3) % 254)}`;
export const v6 = (i) => `2001:db8:${((i >>> 16) & 0xffff).toString(16)}:${(i & 0xffff).toString(16)}::1`;
const hex40 = (i) => {
  let s = '';
  let x = Math.imul(i + 1, 2654435761) >>> 0;
  for (let k = 0; k < 5; k++) {
    x = Math.imul(x ^ (x >>> 13), 0x5bd1e995) >>> 0;
    x = (x ^ (x >>> 15)) >>> 0;
    s += x.toString(16).padStart(8, '0');
  }
  return s;
};

/** The records of group j, relative owner names, as [owner, type, rdata] (first `count` of 10). */
export function groupRecords(j, zone, count = 10) {
  const rows = [
    [`host${j}`, 'A', v4(j)],
    [`host${j}`, 'AAAA', v6(j)],
    [`host${j}`, 'MX', `10 mx${j}.${zone}.`],
    [`host${j}`, 'TXT', `"v=spf1 ip4:${v4(j)} -all"`],
    [`mx${j}`, 'A', v4(j + 1)],
    [`www${j}`, 'CNAME', `host${j}.${zone}.`],
    [`svc${j}`, 'A', v4(j + 2)],
    [`svc${j}`, 'A', v4(j + 3)],
    [`txt${j}`, 'TXT', `"site-verification=${hex40(j)}"`],
    j % 10 === 0 ? [`*.w${j}`, 'A', v4(j + 4)] : [`ext${j}`, 'CNAME', `cdn${j}.example.net.`],
  ];
  return rows.slice(0, count);
}

export const groupsFor = (records) => Math.ceil(records / 10);

/** SOA fields of the generated file (zonekeeper keeps only the timers; see docs/records.md). */
export function apexLines(zone, serial = 2026112301) {
  return [
    `$ORIGIN ${zone}.`,
    '$TTL 3600',
    `@ 3600 IN SOA ${NAMESERVERS[0]}. hostmaster.${zone}. ${serial} 10800 3600 1209600 3600`,
    ...NAMESERVERS.map((ns) => `@ 3600 IN NS ${ns}.`),
  ];
}

/**
 * Writes the zone file (RFC 1035 master file, absolute apex via $ORIGIN, relative owners).
 * Streams, so 1,000,000 records need little memory. Resolves with {path, records, bytes}.
 */
export async function writeZoneFile(path, { zone = DEFAULT_ZONE, records }) {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${apexLines(zone).join('\n')}\n`);
  const groups = groupsFor(records);
  let chunk = '';
  for (let j = 0; j < groups; j++) {
    const n = Math.min(10, records - j * 10);
    for (const [owner, type, rdata] of groupRecords(j, zone, n)) {
      chunk += `${owner} ${type === 'TXT' || type === 'MX' ? 3600 : 300} IN ${type} ${rdata}\n`;
    }
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  out.end();
  await once(out, 'finish');
  return { path, records, bytes };
}

/** True when group j has record number `k` (0-9) of the list above. */
const has = (j, k, records) => j * 10 + k < records;

/**
 * Builds the dnsperf query file: `lines` queries, "name TYPE" per line, fully qualified, in a
 * deterministic shuffled order drawn from QUERY_MIX. Returns {text, counts, expected}.
 * `expected` is the expected rcode count per class for a check of the targets.
 */
export function buildQueries({ zone = DEFAULT_ZONE, records, lines = 100_000, seed = 1 }) {
  const rnd = prng(seed);
  const groups = groupsFor(records);
  const pick = (ok) => {
    // a random group j that has what the class needs (bounded retries, then a linear scan)
    for (let t = 0; t < 64; t++) {
      const j = Math.floor(rnd() * groups);
      if (ok(j)) return j;
    }
    for (let j = 0; j < groups; j++) if (ok(j)) return j;
    return null;
  };
  const makers = {
    A: () => { const j = pick((j) => has(j, 0, records)); return j === null ? null : `host${j}.${zone} A`; },
    'A-rrset2': () => { const j = pick((j) => has(j, 7, records)); return j === null ? null : `svc${j}.${zone} A`; },
    AAAA: () => { const j = pick((j) => has(j, 1, records)); return j === null ? null : `host${j}.${zone} AAAA`; },
    MX: () => { const j = pick((j) => has(j, 4, records)); return j === null ? null : `host${j}.${zone} MX`; },
    TXT: () => {
      if (rnd() < 0.5) { const j = pick((j) => has(j, 3, records)); return j === null ? null : `host${j}.${zone} TXT`; }
      const j = pick((j) => has(j, 8, records));
      return j === null ? null : `txt${j}.${zone} TXT`;
    },
    'CNAME-in': () => { const j = pick((j) => has(j, 5, records)); return j === null ? null : `www${j}.${zone} A`; },
    'CNAME-out': () => { const j = pick((j) => j % 10 !== 0 && has(j, 9, records)); return j === null ? null : `ext${j}.${zone} A`; },
    wildcard: () => {
      const j = pick((j) => j % 10 === 0 && has(j, 9, records));
      return j === null ? null : `q${Math.floor(rnd() * 1e6)}.w${j}.${zone} A`;
    },
    NXDOMAIN: () => {
      if (rnd() < 0.5) return `nx${Math.floor(rnd() * 1e9)}.${zone} A`;
      const j = pick((j) => has(j, 0, records));
      return j === null ? `nx${Math.floor(rnd() * 1e9)}.${zone} AAAA` : `x${Math.floor(rnd() * 1e6)}.host${j}.${zone} AAAA`;
    },
  };
  // exact counts per class, then a deterministic shuffle
  const classes = [];
  let assigned = 0;
  for (const [i, m] of QUERY_MIX.entries()) {
    const n = i === QUERY_MIX.length - 1 ? lines - assigned : Math.round((lines * m.pct) / 100);
    assigned += n;
    for (let k = 0; k < n; k++) classes.push(m.cls);
  }
  for (let i = classes.length - 1; i > 0; i--) {
    const k = Math.floor(rnd() * (i + 1));
    [classes[i], classes[k]] = [classes[k], classes[i]];
  }
  const counts = {};
  const out = [];
  const samples = {};
  for (const cls of classes) {
    const q = makers[cls]();
    if (q === null) continue; // zone too small for this class
    counts[cls] = (counts[cls] ?? 0) + 1;
    (samples[cls] ??= []).length < 3 && samples[cls].push(q);
    out.push(q);
  }
  return { text: `${out.join('\n')}\n`, counts, samples, lines: out.length };
}
