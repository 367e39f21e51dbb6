// Signing a whole zone (src/dns/dnssec), checked by the validators of other implementations: the
// signed zone must pass ldns-verify-zone (ldnsutils) and dnssec-verify (BIND), for both algorithms,
// with delegations (with and without DS), glue, a wildcard, a CNAME and an empty non-terminal; a
// broken signature must fail both. DS digests must equal what dnssec-dsfromkey computes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RR } from '../../src/core/model.js';
import { ALGORITHM, DIGEST, dsRdata, generateSigningKey, keyTag, loadSigningKey, type Algorithm } from '../../src/core/dnssec/keys.js';
import { signZone } from '../../src/dns/dnssec/zone-signer.js';
import { verifyRRset } from '../../src/dns/dnssec/sign.js';
import { TYPE } from '../../src/dns/wire/constants.js';
import { nameToWire } from '../../src/dns/wire/name.js';
import { rdataFromText, rdataToText } from '../../src/dns/wire/rdata.js';
import { requirePeers, runProgram } from '../helpers/peers.js';
import { createPublicKey } from 'node:crypto';

const peers = requirePeers('DNSSEC zone signing', [
  { name: 'ldns-verify-zone', pkg: 'ldnsutils' },
  { name: 'dnssec-verify', pkg: 'bind9-utils' },
  { name: 'dnssec-dsfromkey', pkg: 'bind9-utils' },
]);

const ORIGIN = 'example.test';
const r = (name: string, type: string, rdata: string, ttl = 3600): RR => ({ name: name === '@' ? ORIGIN : `${name}.${ORIGIN}`, type, ttl, rdata });
const ZONE: RR[] = [
  r('@', 'SOA', 'ns1.example.test. hostmaster.example.test. 2026120601 7200 3600 1209600 300'),
  r('@', 'NS', 'ns1.example.test.'),
  r('@', 'NS', 'ns2.example.org.'),
  r('@', 'MX', '10 mail.example.test.'),
  r('@', 'TXT', '"v=spf1 -all"'),
  r('ns1', 'A', '192.0.2.53'),
  r('mail', 'A', '192.0.2.25'),
  r('mail', 'AAAA', '2001:db8::25'),
  r('www', 'A', '192.0.2.80', 300),
  r('www', 'A', '192.0.2.81', 600), // mixed TTLs: served (and signed) with the lowest
  r('alias', 'CNAME', 'www.example.test.'),
  r('*.wild', 'TXT', '"any name below wild"'),
  r('a.b.deep', 'A', '192.0.2.9'), // b.deep and deep are empty non-terminals
  r('_sip._tcp', 'SRV', '10 5 5060 sip.example.org.'),
  r('@', 'CAA', '0 issue "ca.example.org"'),
  r('signed-child', 'NS', 'ns1.signed-child.example.test.'),
  r('signed-child', 'DS', '12345 13 2 ' + 'ab'.repeat(32)),
  r('ns1.signed-child', 'A', '192.0.2.54'), // glue
  r('plain-child', 'NS', 'ns.example.org.'),
  r('flat', 'ALIAS', 'www.example.org.'), // not DNS data: left out
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-dnssec-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});


function zoneText(rrs: readonly RR[]): string {
  return rrs.map((x) => `${x.name}. ${x.ttl} IN ${x.type} ${x.rdata}`).join('\n') + '\n';
}

describe('DNSSEC keys', () => {
  it.each([ALGORITHM.ECDSAP256SHA256, ALGORITHM.ED25519])('algorithm %i: PKCS#8 round trip keeps the DNSKEY and key tag', (alg) => {
    const { key, pkcs8 } = generateSigningKey(alg as Algorithm);
    expect(key.dnskey.length).toBe(alg === 13 ? 68 : 36);
    const again = loadSigningKey(alg as Algorithm, pkcs8);
    expect(Buffer.from(again.dnskey).equals(Buffer.from(key.dnskey))).toBe(true);
    expect(again.keyTag).toBe(keyTag(key.dnskey));
    expect(() => loadSigningKey((alg === 13 ? 15 : 13) as Algorithm, pkcs8)).toThrow(/not/);
  });
});

(peers ? describe : describe.skip)('signZone, checked by ldns-verify-zone and dnssec-verify', () => {
  for (const alg of [ALGORITHM.ECDSAP256SHA256, ALGORITHM.ED25519] as Algorithm[]) {
    it(`algorithm ${alg}: the signed zone verifies; a broken signature does not`, async () => {
      const { key } = generateSigningKey(alg);
      const signed = signZone(ORIGIN, ZONE, { keys: [key] });
      expect(signed.rrs.some((x) => x.type === 'ALIAS')).toBe(false);
      // The chain: every name not below a cut and owning data (no empty non-terminals, no glue).
      const nsecOwners = signed.rrs.filter((x) => x.type === 'NSEC').map((x) => x.name);
      expect(nsecOwners).not.toContain(`ns1.signed-child.${ORIGIN}`);
      expect(nsecOwners).not.toContain(`deep.${ORIGIN}`);
      expect(nsecOwners).toContain(`signed-child.${ORIGIN}`);
      expect(signed.chain).toBe(nsecOwners.length);
      // No RRSIG over a delegation's NS or over glue; one over the DS.
      const sigs = signed.rrs.filter((x) => x.type === 'RRSIG');
      expect(sigs.some((x) => x.name === `signed-child.${ORIGIN}` && x.rdata.startsWith('NS '))).toBe(false);
      expect(sigs.some((x) => x.name === `signed-child.${ORIGIN}` && x.rdata.startsWith('DS '))).toBe(true);
      expect(sigs.some((x) => x.name === `ns1.signed-child.${ORIGIN}`)).toBe(false);
      expect(signed.rrs.filter((x) => x.type === 'A' && x.name === `www.${ORIGIN}`).map((x) => x.ttl)).toEqual([300, 300]);

      const file = path.join(dir, `signed-${alg}.zone`);
      await writeFile(file, zoneText(signed.rrs));
      const ldns = await runProgram(peers!['ldns-verify-zone']!, ['-V', '2', file]);
      expect(ldns.code, ldns.output).toBe(0);
      // -z: one combined signing key (CSK) signs everything; there is no separate ZSK.
      const bind = await runProgram(peers!['dnssec-verify']!, ['-z', '-o', ORIGIN, file]);
      expect(bind.code, bind.output).toBe(0);

      // Break one signature (the www A RRset's): both validators must refuse the zone.
      const broken = signed.rrs.map((x) => {
        if (x.type !== 'RRSIG' || x.name !== `www.${ORIGIN}`) return x;
        const sig = rdataFromText(TYPE.RRSIG, x.rdata);
        sig[sig.length - 5]! ^= 0x01;
        return { ...x, rdata: rdataToText(TYPE.RRSIG, sig) };
      });
      const bad = path.join(dir, `broken-${alg}.zone`);
      await writeFile(bad, zoneText(broken));
      expect((await runProgram(peers!['ldns-verify-zone']!, [bad])).code).not.toBe(0);
      expect((await runProgram(peers!['dnssec-verify']!, ['-z', '-o', ORIGIN, bad])).code).not.toBe(0);
    });
  }

  it('our own check agrees: every RRSIG verifies against the key', () => {
    const { key } = generateSigningKey(ALGORITHM.ECDSAP256SHA256);
    const signed = signZone(ORIGIN, ZONE, { keys: [key], cds: false });
    const pub = createPublicKey(key.privateKey);
    const sets = new Map<string, Uint8Array[]>();
    for (const x of signed.rrs) {
      if (x.type === 'RRSIG') continue;
      const k = `${x.name}|${x.type}`;
      sets.set(k, [...(sets.get(k) ?? []), rdataFromText(TYPE[x.type as keyof typeof TYPE] ?? 0, x.rdata)]);
    }
    let checked = 0;
    for (const s of signed.rrs.filter((x) => x.type === 'RRSIG')) {
      const covered = s.rdata.split(' ')[0]!;
      const rdatas = sets.get(`${s.name}|${covered}`)!;
      expect(verifyRRset(rdataFromText(TYPE.RRSIG, s.rdata), nameToWire(s.name), TYPE[covered as keyof typeof TYPE], rdatas, pub, 13), `${s.name} ${covered}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(signed.signatures);
  });

  it('DS digests (SHA-256, SHA-384) equal dnssec-dsfromkey\'s', async () => {
    for (const alg of [ALGORITHM.ECDSAP256SHA256, ALGORITHM.ED25519] as Algorithm[]) {
      const { key } = generateSigningKey(alg);
      const file = path.join(dir, `key-${alg}.dnskey`);
      await writeFile(file, `${ORIGIN}. 3600 IN DNSKEY ${rdataToText(TYPE.DNSKEY, key.dnskey)}\n`);
      for (const [digest, flag] of [[DIGEST.SHA256, '-2'], [DIGEST.SHA384, '-a']] as const) {
        const args = flag === '-a' ? ['-a', 'SHA-384', '-f', file, ORIGIN] : ['-2', '-f', file, ORIGIN];
        const out = await runProgram(peers!['dnssec-dsfromkey']!, args);
        expect(out.code, out.output).toBe(0);
        const theirs = out.output.trim().split(/\s+/).slice(-4).join(' ').toLowerCase();
        expect(rdataToText(TYPE.DS, dsRdata(nameToWire(ORIGIN), key.dnskey, digest)).toLowerCase()).toBe(theirs);
      }
    }
  });
});

(peers ? describe : describe.skip)('ZoneSignerState: incremental changes keep the zone valid', () => {
  it('adds, removes and changes names, types and cuts; the result verifies and its chain equals a fresh signing\'s', async () => {
    const { key } = generateSigningKey(ALGORITHM.ED25519);
    const { ZoneSignerState } = await import('../../src/dns/dnssec/zone-signer-state.js');
    const keyRRs: RR[] = [{ name: ORIGIN, type: 'DNSKEY', ttl: 3600, rdata: rdataToText(TYPE.DNSKEY, key.dnskey) }];
    const data = new Map<string, RR>();
    const k = (x: RR): string => `${x.name} ${x.type} ${x.rdata}`;
    for (const x of [...ZONE.filter((z) => z.type !== 'ALIAS'), ...keyRRs]) data.set(k(x), x);
    const state = new ZoneSignerState(ORIGIN, [key]);
    const extras = new Map<string, RR>();
    for (const x of state.load([...data.values()])) extras.set(k(x), x);
    let serial = 2026120601;
    const soa = (n: number): RR => r('@', 'SOA', `ns1.example.test. hostmaster.example.test. ${n} 7200 3600 1209600 300`);
    const step = (removed: RR[], added: RR[]): void => {
      const rem = [soa(serial), ...removed];
      serial++;
      const add = [soa(serial), ...added];
      for (const x of rem) data.delete(k(x));
      for (const x of add) data.set(k(x), x);
      const delta = state.change(rem, add);
      for (const x of delta.removed) expect(extras.delete(k(x)), `removed ${k(x)} was served`).toBe(true);
      for (const x of delta.added) extras.set(k(x), x);
    };
    step([], [r('new', 'A', '192.0.2.200')]); // a new name: joins the chain
    step([], [r('new', 'TXT', '"more"')]); // a new type at it: its NSEC changes
    step([r('mail', 'AAAA', '2001:db8::25')], []); // a type leaves
    step([r('*.wild', 'TXT', '"any name below wild"')], []); // a name leaves the chain
    step([], [r('zz', 'A', '192.0.2.201'), r('aa', 'A', '192.0.2.202')]); // last and first in the chain
    step([], [r('new-child', 'NS', 'ns.example.org.'), r('x.new-child', 'A', '192.0.2.203')]); // a new cut with occluded data
    step([r('plain-child', 'NS', 'ns.example.org.')], []); // a cut goes away
    step([r('www', 'A', '192.0.2.80', 300)], [r('www', 'A', '192.0.2.82', 60)]); // a changed RRset (and its TTL)

    const all = [...data.values(), ...extras.values()];
    const file = path.join(dir, 'incremental.zone');
    await writeFile(file, zoneText(all));
    const ldns = await runProgram(peers!['ldns-verify-zone']!, [file]);
    expect(ldns.code, ldns.output).toBe(0);
    const bind = await runProgram(peers!['dnssec-verify']!, ['-z', '-o', ORIGIN, file]);
    expect(bind.code, bind.output).toBe(0);
    // The same NSEC chain as signing the final data from scratch.
    const fresh = new ZoneSignerState(ORIGIN, [key]).load([...data.values()]).filter((x) => x.type === 'NSEC');
    const mine = [...extras.values()].filter((x) => x.type === 'NSEC');
    expect(mine.map(k).sort()).toEqual(fresh.map(k).sort());
  });
});

describe('SigningSink', () => {
  it('signs whole loads, passes unsigned zones through, and re-signs everything at half the validity', async () => {
    const { SigningSink } = await import('../../src/dns/dnssec/signing-sink.js');
    const { RESIGN_AFTER_S, SIGNATURE_BACKDATE_S } = await import('../../src/dns/dnssec/zone-signer-state.js');
    let t = 1_800_000_000;
    const calls: { kind: string; origin: string; removed: RR[]; added: RR[] }[] = [];
    const inner = {
      replace: (origin: string, rrs: readonly RR[]) => void calls.push({ kind: 'replace', origin, removed: [], added: [...rrs] }),
      apply: (origin: string, removed: readonly RR[], added: readonly RR[]) => void calls.push({ kind: 'apply', origin, removed: [...removed], added: [...added] }),
      remove: () => {},
    };
    const sink = new SigningSink(inner, { debug() {}, info() {}, warn() {}, error() {} }, () => t);
    const { key } = generateSigningKey(ALGORITHM.ED25519);
    const data = ZONE.filter((z) => z.type !== 'ALIAS');
    sink.replace('other.test', [{ name: 'other.test', type: 'SOA', ttl: 60, rdata: 'ns1.example.test. h.example.test. 1 2 3 4 5' }], 1);
    expect(calls[0]!.added.some((r) => r.type === 'RRSIG')).toBe(false);
    sink.setKeys(ORIGIN, [key]);
    sink.replace(ORIGIN, data, 1);
    const sigs = calls[1]!.added.filter((r) => r.type === 'RRSIG');
    expect(sigs.length).toBeGreaterThan(data.length / 2);
    expect(sink.isSigned(ORIGIN)).toBe(true);
    t += RESIGN_AFTER_S - 60;
    expect(sink.refresh()).toBe(0);
    t += 120;
    expect(sink.refresh()).toBe(1);
    const refreshed = calls[2]!;
    expect(refreshed.kind).toBe('apply');
    expect(refreshed.removed.filter((r) => r.type === 'RRSIG').length).toBe(sigs.length);
    const inception = (r: RR) => r.rdata.split(' ')[5]!;
    const stamp = (s: number) => new Date(s * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    expect(new Set(refreshed.added.filter((r) => r.type === 'RRSIG').map(inception))).toEqual(new Set([stamp(t - SIGNATURE_BACKDATE_S)]));
  });
});
