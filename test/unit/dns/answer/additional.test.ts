// The additional section beyond NS/MX/SRV answers: SVCB/HTTPS targets (RFC 9460 4.1) and the glue
// of referrals (RFC 9471: in-domain glue, sibling glue, in-zone addresses). Expected replies follow
// what Knot DNS 3.2 answers for the same data (the differential suite's oracle), except that a
// target listed twice is added once (RFC 2181 5).
import { beforeEach, describe, expect, it } from 'vitest';
import type { RR } from '../../../../src/core/model.js';
import { clearReplyCache } from '../../../../src/dns/answer/respond.js';
import { decodeMessage, type Message } from '../../../../src/dns/wire/message.js';
import { flags, query, reply, show, TYPE, zoneSet } from './helpers.js';

const rr = (name: string, type: string, rdata: string, ttl = 3600): RR => ({ name, type, ttl, rdata });
const soa = rr('example.test', 'SOA', 'ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300');

beforeEach(() => clearReplyCache());

/** Each reply built three times with the cache (built, admitted, served from it) and once without: all the same bytes. */
function askChecked(zones: ReturnType<typeof zoneSet>, name: string, type: number, o: Parameters<typeof query>[2] = {}, transport: 'udp' | 'tcp' = 'udp'): Message {
  const q = query(name, type, o);
  const uncached = reply(q, zones, { transport, cache: false });
  for (let i = 0; i < 3; i++) expect(Buffer.from(reply(q, zones, { transport }))).toEqual(Buffer.from(uncached));
  return decodeMessage(uncached);
}

describe('respond: additional data of SVCB and HTTPS answers (RFC 9460 4.1)', () => {
  const zones = zoneSet(
    [
      'example.test',
      [
        soa,
        rr('example.test', 'NS', 'ns1.example.test.'),
        rr('example.test', 'A', '192.0.2.1'),
        rr('example.test', 'HTTPS', '1 . alpn=h2'),
        rr('ns1.example.test', 'A', '192.0.2.53'),
        // ServiceMode: an in-zone TargetName and "." (the owner, which has no addresses here).
        rr('_svc.example.test', 'SVCB', '1 svc.example.test. alpn=h2,http/1.1 port=8443'),
        rr('_svc.example.test', 'SVCB', '2 . alpn=h3'),
        rr('svc.example.test', 'AAAA', '2001:db8::443'),
        rr('svc.example.test', 'A', '192.0.2.44'),
        // AliasMode.
        rr('_alias.example.test', 'SVCB', '0 svc.example.test.'),
        rr('_none.example.test', 'SVCB', '0 .'),
        // "." at a name with addresses: the effective target is the answer's own name.
        rr('www.example.test', 'A', '192.0.2.80'),
        rr('www.example.test', 'AAAA', '2001:db8::80'),
        rr('www.example.test', 'HTTPS', '1 . alpn=h2 port=443'),
        // Targets with an RRset of the same type: added once, one level deep.
        rr('two.example.test', 'HTTPS', '1 . alpn=h2'),
        rr('two.example.test', 'HTTPS', '2 t1.example.test. alpn=h2'),
        rr('two.example.test', 'A', '192.0.2.2'),
        rr('t1.example.test', 'A', '192.0.2.11'),
        rr('t1.example.test', 'AAAA', '2001:db8::11'),
        rr('t1.example.test', 'HTTPS', '1 t2.example.test. alpn=h3'),
        rr('t1.example.test', 'SVCB', '1 t2.example.test. alpn=h3'),
        rr('t2.example.test', 'A', '192.0.2.12'),
        rr('al0.example.test', 'HTTPS', '0 al1.example.test.'),
        rr('al1.example.test', 'HTTPS', '0 al2.example.test.'),
        rr('al1.example.test', 'A', '192.0.2.21'),
        rr('al2.example.test', 'A', '192.0.2.22'),
        rr('apexal.example.test', 'HTTPS', '0 example.test.'),
        rr('dup.example.test', 'HTTPS', '1 t1.example.test. alpn=h2'),
        rr('dup.example.test', 'HTTPS', '2 t1.example.test. alpn=h3'),
        rr('self.example.test', 'SVCB', '1 self.example.test. alpn=h2'),
        rr('self.example.test', 'A', '192.0.2.100'),
        // Targets with nothing to add: outside the zone, below a cut, only a wildcard, a CNAME.
        rr('out.example.test', 'SVCB', '1 www.example.org. alpn=h2'),
        rr('cut.example.test', 'SVCB', '1 ns.deleg.example.test. alpn=h2'),
        rr('deleg.example.test', 'NS', 'ns.deleg.example.test.'),
        rr('ns.deleg.example.test', 'A', '192.0.2.60'),
        rr('wild.example.test', 'SVCB', '1 x.w.example.test. alpn=h2'),
        rr('*.w.example.test', 'A', '192.0.2.70'),
        rr('tocname.example.test', 'SVCB', '1 cn.example.test. alpn=h2'),
        rr('cn.example.test', 'CNAME', 't1.example.test.'),
        rr('viacname.example.test', 'CNAME', '_svc.example.test.'),
      ],
    ],
    ['example.org', [rr('example.org', 'SOA', 'ns1.example.org. h.example.org. 1 1 1 1 60'), rr('www.example.org', 'A', '198.51.100.80')]],
  );

  it('ServiceMode: A and AAAA of an in-zone TargetName; "." adds nothing', () => {
    const m = askChecked(zones, '_svc.example.test', TYPE.SVCB);
    expect(m.answers).toHaveLength(2);
    expect(flags(m)).toMatchObject({ aa: true, tc: false });
    expect(m.authorities).toHaveLength(0);
    expect(m.additionals.map(show)).toEqual(['svc.example.test 3600 A 192.0.2.44', 'svc.example.test 3600 AAAA 2001:db8::443']);
    // "." is the owner, the name just answered: as Knot, its addresses are not added.
    expect(askChecked(zones, 'www.example.test', TYPE.HTTPS).additionals).toHaveLength(0);
    expect(askChecked(zones, 'example.test', TYPE.HTTPS).additionals).toHaveLength(0);
  });

  it('AliasMode: A and AAAA of the TargetName (and its RRset of the same type); "." adds nothing', () => {
    const m = askChecked(zones, '_ALIAS.example.test', TYPE.SVCB);
    expect(m.answers.map(show)).toEqual(['_ALIAS.example.test 3600 SVCB 0 svc.example.test.']);
    expect(m.additionals.map(show)).toEqual(['svc.example.test 3600 A 192.0.2.44', 'svc.example.test 3600 AAAA 2001:db8::443']);
    // The next link of an alias chain, one level deep (al2's data is not added).
    const chain = askChecked(zones, 'al0.example.test', TYPE.HTTPS);
    expect(chain.additionals.map(show)).toEqual(['al1.example.test 3600 A 192.0.2.21', 'al1.example.test 3600 HTTPS 0 al2.example.test.']);
    const apex = askChecked(zones, 'apexal.example.test', TYPE.HTTPS);
    expect(apex.additionals.map(show)).toEqual(['example.test 3600 A 192.0.2.1', 'example.test 3600 HTTPS 1 . alpn=h2']);
    expect(askChecked(zones, '_none.example.test', TYPE.SVCB).additionals).toHaveLength(0);
  });

  it('adds the target RRset of the answer type only (HTTPS for HTTPS, SVCB for SVCB), once per target', () => {
    const https = askChecked(zones, 'two.example.test', TYPE.HTTPS);
    expect(https.additionals.map(show)).toEqual([
      't1.example.test 3600 A 192.0.2.11',
      't1.example.test 3600 AAAA 2001:db8::11',
      't1.example.test 3600 HTTPS 1 t2.example.test. alpn=h3',
    ]);
    const dup = askChecked(zones, 'dup.example.test', TYPE.HTTPS);
    expect(dup.answers).toHaveLength(2);
    expect(dup.additionals.map(show)).toEqual(https.additionals.map(show));
    // A target that is the owner itself: its addresses, not the answered RRset a second time.
    expect(askChecked(zones, 'self.example.test', TYPE.SVCB).additionals.map(show)).toEqual(['self.example.test 3600 A 192.0.2.100']);
  });

  it('ANY answered with an SVCB RRset, and an SVCB at the end of a CNAME chain, get the same additional data', () => {
    const any = askChecked(zones, '_svc.example.test', TYPE.ANY);
    expect(any.answers.map((a) => a.type)).toEqual([TYPE.SVCB, TYPE.SVCB]);
    expect(any.additionals.map(show)).toEqual(['svc.example.test 3600 A 192.0.2.44', 'svc.example.test 3600 AAAA 2001:db8::443']);
    const viaCname = askChecked(zones, 'viacname.example.test', TYPE.SVCB);
    expect(viaCname.answers.map((a) => a.type)).toEqual([TYPE.CNAME, TYPE.SVCB, TYPE.SVCB]);
    expect(viaCname.additionals.map(show)).toEqual(any.additionals.map(show));
  });

  it('nothing for targets outside the zone, below a cut, covered only by a wildcard, or owning a CNAME', () => {
    for (const name of ['out', 'cut', 'wild', 'tocname']) {
      const m = askChecked(zones, `${name}.example.test`, TYPE.SVCB);
      expect(m.answers).toHaveLength(1);
      expect(m.additionals).toHaveLength(0);
    }
  });

  it('leaves target RRsets that do not fit out, without TC', () => {
    const big: RR[] = [soa, rr('example.test', 'NS', 'ns1.example.test.')];
    for (let i = 0; i < 4; i++) {
      big.push(rr('_big.example.test', 'HTTPS', `${i + 1} t${i}.example.test. alpn=h2`));
      for (let j = 0; j < 8; j++) big.push(rr(`t${i}.example.test`, 'AAAA', `2001:db8::${i}:${j}`));
    }
    const z = zoneSet(['example.test', big]);
    const m = askChecked(z, '_big.example.test', TYPE.HTTPS, { edns: { udpSize: 512 } });
    expect(flags(m).tc).toBe(false);
    expect(m.answers).toHaveLength(4);
    // Whole RRsets only: some targets' 8 AAAA records, not all of them.
    expect(m.additionals.length % 8).toBe(0);
    expect(m.additionals.length).toBeGreaterThan(0);
    expect(m.additionals.length).toBeLessThan(32);
    expect(askChecked(z, '_big.example.test', TYPE.HTTPS, {}, 'tcp').additionals).toHaveLength(32);
  });
});

describe('respond: referral glue (RFC 9471)', () => {
  const rrs: RR[] = [
    soa,
    rr('example.test', 'NS', 'ns1.example.test.'),
    rr('ns1.example.test', 'A', '192.0.2.53'),
    rr('ns.example.test', 'A', '192.0.2.55'),
    // deleg: a delegation with in-domain glue, some of which other delegations use.
    rr('deleg.example.test', 'NS', 'ns1.deleg.example.test.'),
    rr('ns1.deleg.example.test', 'A', '192.0.2.150'),
    rr('ns1.deleg.example.test', 'AAAA', '2001:db8::150'),
    rr('deep.x.deleg.example.test', 'A', '192.0.2.152'),
    // sibl: in-domain glue, sibling glue below deleg, an authoritative address, an outside name.
    rr('sibl.example.test', 'NS', 'ns1.deleg.example.test.'),
    rr('sibl.example.test', 'NS', 'ns.example.test.'),
    rr('sibl.example.test', 'NS', 'ns.sibl.example.test.'),
    rr('sibl.example.test', 'NS', 'ns.example.org.'),
    rr('ns.sibl.example.test', 'A', '192.0.2.90'),
    // dc: only sibling glue, two cuts down from the apex side.
    rr('dc.example.test', 'NS', 'deep.x.deleg.example.test.'),
    // missing: a sibling target that does not exist.
    rr('missing.example.test', 'NS', 'nothere.deleg.example.test.'),
  ];
  const zones = zoneSet(['example.test', rrs]);

  it('adds in-domain glue first, then sibling glue and in-zone addresses', () => {
    for (const [name, type] of [
      ['zz.sibl.example.test', TYPE.A],
      ['sibl.example.test', TYPE.NS],
      ['sibl.example.test', TYPE.MX],
      ['a.b.sibl.example.test', TYPE.DS],
    ] as const) {
      const m = askChecked(zones, name, type);
      expect(flags(m)).toMatchObject({ aa: false, tc: false });
      expect(m.answers).toHaveLength(0);
      expect(m.authorities).toHaveLength(4);
      expect(m.additionals.map(show)).toEqual([
        'ns.sibl.example.test 3600 A 192.0.2.90',
        'ns1.deleg.example.test 3600 A 192.0.2.150',
        'ns1.deleg.example.test 3600 AAAA 2001:db8::150',
        'ns.example.test 3600 A 192.0.2.55',
      ]);
    }
  });

  it('finds sibling glue below another cut at any depth; nothing for a missing one', () => {
    const m = askChecked(zones, 'www.dc.example.test', TYPE.A, { edns: null });
    expect(m.authorities.map(show)).toEqual(['dc.example.test 3600 NS deep.x.deleg.example.test.']);
    expect(m.additionals.map(show)).toEqual(['deep.x.deleg.example.test 3600 A 192.0.2.152']);
    const missing = askChecked(zones, 'missing.example.test', TYPE.A);
    expect(missing.authorities).toHaveLength(1);
    expect(missing.additionals).toHaveLength(0);
  });

  it('still answers queries for the occluded names with a referral to their cut', () => {
    for (const name of ['ns1.deleg.example.test', 'deep.x.deleg.example.test']) {
      const m = askChecked(zones, name, TYPE.A);
      expect(flags(m).aa).toBe(false);
      expect(m.answers).toHaveLength(0);
      expect(m.authorities.map(show)).toEqual(['deleg.example.test 3600 NS ns1.deleg.example.test.']);
      expect(m.additionals.map(show)).toEqual(['ns1.deleg.example.test 3600 A 192.0.2.150', 'ns1.deleg.example.test 3600 AAAA 2001:db8::150']);
    }
  });

  it('positive answers still get no addresses from below a cut', () => {
    const z = zoneSet(['example.test', [...rrs, rr('mx.example.test', 'MX', '10 ns1.deleg.example.test.')]]);
    const m = askChecked(z, 'mx.example.test', TYPE.MX);
    expect(m.answers).toHaveLength(1);
    expect(m.additionals).toHaveLength(0);
  });

  it('sibling glue that does not fit is left out without TC; in-domain glue that does not fit sets TC', () => {
    const fat: RR[] = [soa, rr('example.test', 'NS', 'ns1.example.test.'), rr('deleg.example.test', 'NS', 'ns0.deleg.example.test.')];
    for (let i = 0; i < 8; i++) {
      fat.push(rr('fatsib.example.test', 'NS', `ns${i}.deleg.example.test.`));
      for (let j = 0; j < 4; j++) fat.push(rr(`ns${i}.deleg.example.test`, 'AAAA', `2001:db8:f::${i}:${j}`));
    }
    fat.push(rr('fatsib.example.test', 'NS', 'ns.fatsib.example.test.'));
    fat.push(rr('ns.fatsib.example.test', 'A', '192.0.2.222'));
    const z = zoneSet(['example.test', fat]);
    const m = askChecked(z, 'x.fatsib.example.test', TYPE.A, { edns: null });
    expect(flags(m).tc).toBe(false);
    expect(m.authorities).toHaveLength(9);
    expect(show(m.additionals[0]!)).toBe('ns.fatsib.example.test 3600 A 192.0.2.222');
    expect(m.additionals.length).toBeGreaterThan(1);
    expect((m.additionals.length - 1) % 4).toBe(0);
    expect(m.additionals.length).toBeLessThan(33);
    const tcp = askChecked(z, 'x.fatsib.example.test', TYPE.A, {}, 'tcp');
    expect(tcp.additionals).toHaveLength(33);

    // The same sibling glue is in-domain glue of deleg's own referral (RFC 9471 3.1: TC when cut).
    const own: RR[] = [soa, rr('example.test', 'NS', 'ns1.example.test.')];
    for (let i = 0; i < 8; i++) {
      own.push(rr('deleg.example.test', 'NS', `ns${i}.deleg.example.test.`));
      for (let j = 0; j < 4; j++) own.push(rr(`ns${i}.deleg.example.test`, 'AAAA', `2001:db8:f::${i}:${j}`));
    }
    const tc = askChecked(zoneSet(['example.test', own]), 'x.deleg.example.test', TYPE.A, { edns: null });
    expect(flags(tc).tc).toBe(true);
  });
});
