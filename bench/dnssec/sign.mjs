#!/usr/bin/env node
// DNSSEC signing benchmark (docs/dnssec.md): the time to sign a whole zone of N records, and the
// signatures per second, of zonekeeper's signer (dist/dns/dnssec/zone-signer.js, in this process)
// and of ldns-signzone (ldnsutils) on the same zone, same algorithm, NSEC, one CSK each.
// See bench/README.md ("bench/dnssec").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo, RESULTS_DIR, utcStamp, writeResults } from '../dns/lib/common.mjs';
import { REPO_ROOT } from '../dns/lib/servers.mjs';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    algorithms: { type: 'string', default: '13,15' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`usage: node bench/dnssec/sign.mjs [--records N (100000)] [--algorithms 13,15] [--rounds N (3)] [--out FILE]\n`);
  process.exit(0);
}
const N = Number(values.records);
const ROUNDS = Number(values.rounds);
const ALGS = values.algorithms.split(',').map(Number);
const ORIGIN = 'bench-dnssec.example.test';
const LDNS_ALG = { 13: 'ECDSAP256SHA256', 15: 'ED25519' };

const { generateSigningKey } = await import(join(REPO_ROOT, 'dist/core/dnssec/keys.js'));
const { signZone } = await import(join(REPO_ROOT, 'dist/dns/dnssec/zone-signer.js'));

/** N records: A records at host<i>, every 10th name also a TXT, every 50th an MX. */
function makeZone() {
  const rrs = [
    { name: ORIGIN, type: 'SOA', ttl: 3600, rdata: `ns1.${ORIGIN}. hostmaster.${ORIGIN}. 1 7200 3600 1209600 300` },
    { name: ORIGIN, type: 'NS', ttl: 3600, rdata: `ns1.${ORIGIN}.` },
    { name: `ns1.${ORIGIN}`, type: 'A', ttl: 3600, rdata: '192.0.2.53' },
  ];
  for (let i = 0; rrs.length < N; i++) {
    const name = `host${i}.${ORIGIN}`;
    rrs.push({ name, type: 'A', ttl: 3600, rdata: `198.51.${(i >> 8) & 255}.${i & 255}` });
    if (i % 10 === 0 && rrs.length < N) rrs.push({ name, type: 'TXT', ttl: 3600, rdata: `"record ${i}"` });
    if (i % 50 === 0 && rrs.length < N) rrs.push({ name, type: 'MX', ttl: 3600, rdata: `10 mail.${ORIGIN}.` });
  }
  return rrs;
}

const round = (x, d = 2) => Number(x.toFixed(d));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function timeLdns(dir, zoneFile, alg) {
  const keyBase = execFileSync('ldns-keygen', ['-a', LDNS_ALG[alg], '-k', ORIGIN], { cwd: dir, encoding: 'utf8' }).trim();
  const t0 = process.hrtime.bigint();
  // -n would be NSEC3; the default is NSEC. -f: output file.
  execFileSync('ldns-signzone', ['-f', join(dir, 'ldns.signed'), zoneFile, keyBase], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // RRSIG records: the type field (not an NSEC bitmap that lists RRSIG).
  const sigs = readFileSync(join(dir, 'ldns.signed'), 'utf8').split('\n').filter((l) => l.split(/\s+/)[3] === 'RRSIG').length;
  for (const f of readdirSync(dir)) if (f.startsWith('K')) rmSync(join(dir, f));
  return { seconds, signatures: sigs };
}

const report = { benchmark: 'dnssec-sign', startedAt: new Date().toISOString(), machine: machineInfo(), records: N, rounds: ROUNDS, results: {} };
const dir = mkdtempSync(join(tmpdir(), 'zk-bench-dnssec-'));
try {
  const rrs = makeZone();
  const zoneFile = join(dir, 'zone.txt');
  writeFileSync(zoneFile, rrs.map((r) => `${r.name}. ${r.ttl} IN ${r.type} ${r.rdata}`).join('\n') + '\n');
  const now = Math.floor(Date.now() / 1000);
  for (const alg of ALGS) {
    const zk = [];
    let signatures = 0;
    let rssMiB = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const { key } = generateSigningKey(alg);
      const t0 = process.hrtime.bigint();
      const signed = signZone(ORIGIN, rrs, { keys: [key], now });
      zk.push(Number(process.hrtime.bigint() - t0) / 1e9);
      signatures = signed.signatures;
      rssMiB = Math.max(rssMiB, process.memoryUsage().rss / 1048576);
    }
    const ldns = [];
    let ldnsSigs = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const r = timeLdns(dir, zoneFile, alg);
      ldns.push(r.seconds);
      ldnsSigs = r.signatures;
    }
    const zs = median(zk);
    const ls = median(ldns);
    report.results[alg] = {
      zonekeeper: { seconds: round(zs), signatures, signaturesPerSecond: Math.round(signatures / zs), rounds: zk.map((x) => round(x)), rssMiB: round(rssMiB, 0) },
      ldnsSignzone: { seconds: round(ls), signatures: ldnsSigs, signaturesPerSecond: Math.round(ldnsSigs / ls), rounds: ldns.map((x) => round(x)) },
    };
    console.error(`${LDNS_ALG[alg]}: zonekeeper ${round(zs)} s (${Math.round(signatures / zs)} sig/s), ldns-signzone ${round(ls)} s (${Math.round(ldnsSigs / ls)} sig/s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const out = values.out ?? join(RESULTS_DIR, `dnssec-sign-${utcStamp()}.json`);
writeResults(out, report);
console.log(`| algorithm | records | zonekeeper: time | signatures/s | ldns-signzone: time | signatures/s |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const alg of ALGS) {
  const r = report.results[alg];
  console.log(`| ${LDNS_ALG[alg]} | ${N} | ${r.zonekeeper.seconds} s | ${r.zonekeeper.signaturesPerSecond} | ${r.ldnsSignzone.seconds} s | ${r.ldnsSignzone.signaturesPerSecond} |`);
}
