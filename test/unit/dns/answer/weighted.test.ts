// Weighted and health-filtered A/AAAA answers (docs/smart-records.md): which records an answer
// carries, checked statistically over many queries, and how the zone keeps the policy through
// journal changes.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RR } from '../../../../src/core/model.js';
import { clearReplyCache, EQUAL_WEIGHT_PICK, replyCacheSize } from '../../../../src/dns/answer/respond.js';
import { Zone } from '../../../../src/dns/zone/zone.js';
import { ZoneSet } from '../../../../src/dns/zone/zone-set.js';
import { ask, show, TYPE } from './helpers.js';

const SOA: RR = { name: 'example.test', type: 'SOA', ttl: 300, rdata: 'ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300' };
const a = (rdata: string, extra: Partial<RR> = {}, name = 'www.example.test'): RR => ({ name, type: 'A', ttl: 60, rdata, ...extra });

function zones(...rrs: RR[]): { set: ZoneSet; zone: Zone } {
  const set = new ZoneSet();
  const zone = Zone.fromRRs('example.test', [SOA, ...rrs]);
  set.set(zone);
  return { set, zone };
}

function answers(set: ZoneSet, name = 'www.example.test', type: number = TYPE.A): string[] {
  return ask(set, name, type).answers.map((r) => show(r).split(' ').pop()!);
}

/** Pearson's chi-square statistic of observed counts against expected counts. */
function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((sum, o, i) => sum + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

beforeEach(() => clearReplyCache());

describe('weighted answers', () => {
  it('without weights or health data every record is answered', () => {
    const { set } = zones(a('192.0.2.1'), a('192.0.2.2'), a('192.0.2.3'), a('192.0.2.4'));
    expect(answers(set).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
  });

  it('equal weights: up to 3 distinct records at random, each equally often (chi-square, 3 df)', () => {
    const addrs = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];
    const { set } = zones(...addrs.map((x) => a(x, { weight: 10 })));
    const counts = new Map(addrs.map((x) => [x, 0]));
    const firsts = new Map(addrs.map((x) => [x, 0]));
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const got = answers(set);
      expect(got).toHaveLength(EQUAL_WEIGHT_PICK);
      expect(new Set(got).size).toBe(EQUAL_WEIGHT_PICK);
      for (const x of got) counts.set(x, counts.get(x)! + 1);
      firsts.set(got[0]!, firsts.get(got[0]!)! + 1);
    }
    // Each record is in 3/4 of the answers, and first in 1/4 of them. The 0.999 quantile of
    // chi-square with 3 degrees of freedom is 16.27: a fair choice fails this once in 1,000 runs.
    expect(chiSquare([...counts.values()], addrs.map(() => (N * 3) / 4))).toBeLessThan(16.27);
    expect(chiSquare([...firsts.values()], addrs.map(() => N / 4))).toBeLessThan(16.27);
    expect(replyCacheSize()).toBe(0); // chosen per query: never cached
  });

  it('equal weights with 2 records: both, in random order', () => {
    const { set } = zones(a('192.0.2.1', { weight: 5 }), a('192.0.2.2', { weight: 5 }));
    let firstIsOne = 0;
    for (let i = 0; i < 2000; i++) {
      const got = answers(set);
      expect([...got].sort()).toEqual(['192.0.2.1', '192.0.2.2']);
      if (got[0] === '192.0.2.1') firstIsOne++;
    }
    expect(chiSquare([firstIsOne, 2000 - firstIsOne], [1000, 1000])).toBeLessThan(10.83); // 1 df, 0.999
  });

  it('unequal weights: one record per answer, each exactly in proportion to its weight, evenly spread', () => {
    const { set } = zones(a('192.0.2.1', { weight: 1 }), a('192.0.2.2', { weight: 2 }), a('192.0.2.3', { weight: 7 }));
    const counts: Record<string, number> = {};
    const seq: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const got = answers(set);
      expect(got).toHaveLength(1);
      counts[got[0]!] = (counts[got[0]!] ?? 0) + 1;
      seq.push(got[0]!);
    }
    expect(counts).toEqual({ '192.0.2.1': 100, '192.0.2.2': 200, '192.0.2.3': 700 });
    // Smooth: every window of 10 answers (one period) holds the 1:2:7 mix exactly.
    for (let i = 0; i + 10 <= seq.length; i += 10) {
      const w = seq.slice(i, i + 10);
      expect(w.filter((x) => x === '192.0.2.1')).toHaveLength(1);
      expect(w.filter((x) => x === '192.0.2.3')).toHaveLength(7);
    }
    // Spread, not bunched: the heaviest (7 of 10) never runs four times in a row.
    expect(seq.join(',')).not.toContain(Array(4).fill('192.0.2.3').join(','));
  });

  it('a record without a weight among weighted ones counts as weight 0; weight 0 is never chosen', () => {
    const { set } = zones(a('192.0.2.1', { weight: 3 }), a('192.0.2.2', { weight: 1 }), a('192.0.2.3'), a('192.0.2.4', { weight: 0 }));
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) for (const x of answers(set)) seen.add(x);
    expect([...seen].sort()).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('AAAA sets are weighted the same way', () => {
    const { set } = zones(
      { name: 'v6.example.test', type: 'AAAA', ttl: 60, rdata: '2001:db8::1', weight: 3 },
      { name: 'v6.example.test', type: 'AAAA', ttl: 60, rdata: '2001:db8::2', weight: 1 },
    );
    const c: Record<string, number> = {};
    for (let i = 0; i < 400; i++) for (const x of answers(set, 'v6.example.test', TYPE.AAAA)) c[x] = (c[x] ?? 0) + 1;
    expect(c).toEqual({ '2001:db8::1': 300, '2001:db8::2': 100 });
  });
});

describe('round robin after a change', () => {
  it('a weight-0 record is never chosen, also right after another record goes offline', () => {
    const { set, zone } = zones(a('192.0.2.9', { weight: 0 }), a('192.0.2.1', { weight: 1 }), a('192.0.2.2', { weight: 1 }));
    for (let round = 0; round < 5; round++) {
      answers(set);
      const off = round % 2 === 0 ? '192.0.2.2' : '192.0.2.1';
      const on = round % 2 === 0 ? '192.0.2.1' : '192.0.2.2';
      zone.apply([a(off, { weight: 1 }), a(on, { weight: 1, offline: true })], [a(off, { weight: 1, offline: true }), a(on, { weight: 1 })], 10 + round);
      set.touched();
      for (let i = 0; i < 4; i++) expect(answers(set)).toEqual([on]);
    }
  });

  it('a Flatten (ALIAS) pointing at a Script name in our zones is SERVFAIL, never an empty answer', () => {
    const { set } = zones({ name: 'flat.example.test', type: 'ALIAS', ttl: 60, rdata: 'js.example.test.' }, { name: 'js.example.test', type: 'SCRIPT', ttl: 60, rdata: 'function handleQuery() { return { answers: [] }; }' });
    const m = ask(set, 'flat.example.test', TYPE.A);
    expect(m.rcode).toBe(2);
  });
});

describe('health: offline records', () => {
  it('offline records leave answers while another record of the set is not offline', () => {
    const { set } = zones(a('192.0.2.1'), a('192.0.2.2', { offline: true }), a('192.0.2.3'));
    for (let i = 0; i < 20; i++) expect(answers(set).sort()).toEqual(['192.0.2.1', '192.0.2.3']);
  });

  it('when every record is offline, all are answered (nothing better exists)', () => {
    const { set } = zones(a('192.0.2.1', { offline: true }), a('192.0.2.2', { offline: true }));
    expect(answers(set).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('weights apply among the records that are not offline', () => {
    const { set } = zones(a('192.0.2.1', { weight: 9, offline: true }), a('192.0.2.2', { weight: 1 }), a('192.0.2.3', { weight: 2 }));
    const c: Record<string, number> = {};
    for (let i = 0; i < 300; i++) for (const x of answers(set)) c[x] = (c[x] ?? 0) + 1;
    expect(c).toEqual({ '192.0.2.2': 100, '192.0.2.3': 200 });
  });

  it('journal changes move the policy with the record; a set without policy is answered (and cached) as usual', () => {
    const { set, zone } = zones(a('192.0.2.1'), a('192.0.2.2'));
    expect(zone.node('www.example.test')!.rrset(TYPE.A)!.policy).toBeNull();
    zone.apply([a('192.0.2.2')], [a('192.0.2.2', { offline: true })], 2);
    set.touched();
    expect(answers(set)).toEqual(['192.0.2.1']);
    zone.apply([a('192.0.2.2', { offline: true })], [a('192.0.2.2')], 3);
    set.touched();
    expect(zone.node('www.example.test')!.rrset(TYPE.A)!.policy).toBeNull();
    expect(answers(set).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
    answers(set);
    expect(replyCacheSize()).toBe(1);
    // Removing a policed record keeps the others' policy aligned.
    zone.apply([], [a('192.0.2.3', { weight: 1 }), a('192.0.2.4', { weight: 3 })], 4);
    zone.apply([a('192.0.2.1')], [], 5);
    set.touched();
    const policy = zone.node('www.example.test')!.rrset(TYPE.A)!.policy!;
    expect(policy.weights).toEqual([-1, 1, 3]);
    const c: Record<string, number> = {};
    for (let i = 0; i < 40; i++) for (const x of answers(set)) c[x] = (c[x] ?? 0) + 1;
    expect(c).toEqual({ '192.0.2.3': 10, '192.0.2.4': 30 });
  });

  it('policy fields on other types are ignored', () => {
    const { zone } = zones({ name: 'example.test', type: 'TXT', ttl: 60, rdata: '"x"', weight: 5, offline: true });
    expect(zone.apex.rrset(TYPE.TXT)!.policy).toBeNull();
  });
});
