import { describe, expect, it } from 'vitest';
import type { RR } from '../../../../src/core/model.js';
import { TYPE } from '../../../../src/dns/wire/constants.js';
import { nameKey, nameToWire, wireToName } from '../../../../src/dns/wire/name.js';
import { rdataFromText, rdataToText } from '../../../../src/dns/wire/rdata.js';
import { type LookupResult, Zone, ZONE_ALIAS_TYPE, bytesToRdataString, encodeRdata } from '../../../../src/dns/zone/zone.js';
import { exampleZone, SOA_RDATA } from './fixture.js';

const rr = (name: string, type: string, rdata: string, ttl = 3600): RR => ({ name, type, ttl, rdata });

function summary(r: LookupResult): string {
  switch (r.kind) {
    case 'nxdomain':
      return `nxdomain ce=${r.closestEncloser.name}`;
    case 'delegation':
      return `delegation ${r.node.name}`;
    case 'nodata':
      return `nodata ${r.node.name}${r.wildcard ? ' wildcard' : ''} ce=${r.closestEncloser.name}`;
    default: {
      const texts = r.rrset.rdatas().map((d) => (r.rrset.type === ZONE_ALIAS_TYPE ? wireToName(d) : rdataToText(r.rrset.type, d)));
      return `${r.kind} ${r.node.name}${r.wildcard ? ' wildcard' : ''} ${texts.join(',')}`;
    }
  }
}

describe('Zone.lookup', () => {
  const zone = Zone.fromRRs('example.test', exampleZone());
  const cases: [string, keyof typeof TYPE, string][] = [
    ['example.test', 'SOA', 'answer example.test ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300'],
    ['example.test', 'NS', 'answer example.test ns1.example.test.,ns2.example.org.'],
    ['example.test', 'A', 'answer example.test 192.0.2.1'],
    ['example.test', 'AAAA', 'nodata example.test ce=example.test'],
    ['example.test', 'DS', 'nodata example.test ce=example.test'],
    ['mail.example.test', 'AAAA', 'answer mail.example.test 2001:db8::25'],
    ['web.example.test', 'A', 'answer web.example.test 192.0.2.80,192.0.2.81'],
    ['www.example.test', 'A', 'cname www.example.test web.example.test.'],
    ['www.example.test', 'CNAME', 'answer www.example.test web.example.test.'],
    ['www.example.test', 'ANY', 'answer www.example.test web.example.test.'],
    ['nope.example.test', 'A', 'nxdomain ce=example.test'],
    ['deep.nope.example.test', 'A', 'nxdomain ce=example.test'],
    // wildcards (RFC 4592)
    ['foo.wild.example.test', 'A', 'answer *.wild.example.test wildcard 192.0.2.99'],
    ['foo.wild.example.test', 'TXT', 'answer *.wild.example.test wildcard "wild"'],
    ['foo.wild.example.test', 'MX', 'nodata *.wild.example.test wildcard ce=wild.example.test'],
    ['a.b.wild.example.test', 'A', 'answer *.wild.example.test wildcard 192.0.2.99'],
    ['wild.example.test', 'A', 'nodata wild.example.test ce=wild.example.test'],
    ['*.wild.example.test', 'A', 'answer *.wild.example.test 192.0.2.99'],
    // empty non-terminals
    ['c.ent.example.test', 'A', 'nodata c.ent.example.test ce=c.ent.example.test'],
    ['b.c.ent.example.test', 'ANY', 'nodata b.c.ent.example.test ce=b.c.ent.example.test'],
    ['a.b.c.ent.example.test', 'A', 'answer a.b.c.ent.example.test 192.0.2.7'],
    ['x.c.ent.example.test', 'A', 'nxdomain ce=c.ent.example.test'],
    // an empty non-terminal blocks the wildcard above it
    ['other.blk.example.test', 'A', 'answer *.blk.example.test wildcard 192.0.2.77'],
    ['sub.blk.example.test', 'A', 'nodata sub.blk.example.test ce=sub.blk.example.test'],
    ['y.sub.blk.example.test', 'A', 'nxdomain ce=sub.blk.example.test'],
    // delegations
    ['sub.example.test', 'A', 'delegation sub.example.test'],
    ['sub.example.test', 'NS', 'delegation sub.example.test'],
    ['sub.example.test', 'DS', 'answer sub.example.test 12345 13 2 ' + 'AB'.repeat(32)],
    ['deleg2.example.test', 'DS', 'nodata deleg2.example.test ce=deleg2.example.test'],
    ['host.sub.example.test', 'A', 'delegation sub.example.test'],
    ['host.sub.example.test', 'DS', 'delegation sub.example.test'],
    ['ns.sub.example.test', 'A', 'delegation sub.example.test'],
    ['missing.sub.example.test', 'A', 'delegation sub.example.test'],
    ['a.b.deleg2.example.test', 'TXT', 'delegation deleg2.example.test'],
    // SRV, ALIAS
    ['_sip._tcp.example.test', 'SRV', 'answer _sip._tcp.example.test 10 60 5060 mail.example.test.'],
    ['al.example.test', 'A', 'alias al.example.test web.example.test'],
    ['al.example.test', 'AAAA', 'alias al.example.test web.example.test'],
    ['al.example.test', 'ANY', 'alias al.example.test web.example.test'],
    ['al.example.test', 'TXT', 'nodata al.example.test ce=al.example.test'],
  ];
  it.each(cases)('%s %s → %s', (name, type, expected) => {
    expect(summary(zone.lookup(name, TYPE[type]))).toBe(expected);
  });

  it('ANY gives the first RRset in type order', () => {
    const r = zone.lookup('example.test', TYPE.ANY);
    expect(r.kind).toBe('answer');
    if (r.kind === 'answer') expect(r.rrset.type).toBe(TYPE.A);
  });

  it('is case-insensitive through nameKey', () => {
    const key = nameKey(nameToWire('WWW.Example.TEST'));
    expect(summary(zone.lookup(key, TYPE.A))).toBe('cname www.example.test web.example.test.');
  });

  it('TYPE65401 (the ALIAS ordering number) never matches ALIAS', () => {
    expect(zone.lookup('al.example.test', 65401).kind).toBe('nodata');
  });

  it('reports names outside the zone as nxdomain at the apex', () => {
    expect(summary(zone.lookup('www.example.org', TYPE.A))).toBe('nxdomain ce=example.test');
    expect(zone.contains('example.test')).toBe(true);
    expect(zone.contains('a.example.test')).toBe(true);
    expect(zone.contains('aexample.test')).toBe(false);
    expect(zone.contains('test')).toBe(false);
  });

  it('knows serial, negative TTL, counts and cut status', () => {
    expect(zone.serial).toBe(2024010101);
    expect(zone.negativeTtl).toBe(300);
    expect(zone.recordCount).toBe(exampleZone().length);
    const glue = zone.node('ns.sub.example.test')!;
    expect(zone.belowCut(glue)).toBe(true);
    expect(zone.belowCut(zone.node('sub.example.test')!)).toBe(false);
    expect(zone.belowCut(zone.node('web.example.test')!)).toBe(false);
  });
});

describe('Zone.fromRRs', () => {
  it('needs exactly one SOA at the apex', () => {
    expect(() => Zone.fromRRs('example.test', [rr('example.test', 'A', '192.0.2.1')])).toThrow(/SOA/);
    expect(() =>
      Zone.fromRRs('example.test', [rr('example.test', 'SOA', SOA_RDATA), rr('example.test', 'SOA', SOA_RDATA.replace('2024010101', '2024010102'))]),
    ).toThrow(/exactly one SOA/);
    expect(() => Zone.fromRRs('example.test', [rr('example.test', 'SOA', SOA_RDATA), rr('www.example.test', 'SOA', SOA_RDATA)])).toThrow(/apex/);
  });

  it('refuses records outside the zone, unknown types and bad RDATA', () => {
    const soa = rr('example.test', 'SOA', SOA_RDATA);
    expect(() => Zone.fromRRs('example.test', [soa, rr('www.example.org', 'A', '192.0.2.1')])).toThrow(/outside/);
    expect(() => Zone.fromRRs('example.test', [soa, rr('notexample.test', 'A', '192.0.2.1')])).toThrow(/outside/);
    expect(() => Zone.fromRRs('example.test', [soa, rr('www.example.test', 'BOGUS', 'x')])).toThrow(/BOGUS/);
    expect(() => Zone.fromRRs('example.test', [soa, rr('www.example.test', 'A', 'not-an-ip')])).toThrow();
  });

  it('accepts the origin with a trailing dot or in upper case', () => {
    const z = Zone.fromRRs('Example.Test.', [rr('example.test', 'SOA', SOA_RDATA)]);
    expect(z.origin).toBe('example.test');
    expect(wireToName(z.originWire)).toBe('example.test');
  });

  it('ignores duplicate records and serves an RRset with the minimum TTL', () => {
    const z = Zone.fromRRs('example.test', [
      rr('example.test', 'SOA', SOA_RDATA),
      rr('a.example.test', 'A', '192.0.2.1', 300),
      rr('a.example.test', 'A', '192.0.2.1', 300),
      rr('a.example.test', 'A', '192.0.2.2', 60),
    ]);
    const set = z.node('a.example.test')!.rrset(TYPE.A)!;
    expect(set.count).toBe(2);
    expect(set.ttl).toBe(60);
    expect(set.recordTtl(0)).toBe(300);
    expect(z.recordCount).toBe(3);
  });

  it('serves a root zone', () => {
    const z = Zone.fromRRs('', [
      rr('', 'SOA', 'a.root-servers.test. nstld.example.test. 1 1800 900 604800 86400'),
      rr('test', 'NS', 'ns.example.org.'),
    ]);
    expect(z.lookup('www.example.test', TYPE.A).kind).toBe('delegation');
    expect(z.lookup('org', TYPE.A).kind).toBe('nxdomain');
    expect(z.lookup('', TYPE.SOA).kind).toBe('answer');
  });

  it('encodes RDATA like rdataFromText (fast paths included)', () => {
    const z = Zone.fromRRs('example.test', exampleZone());
    expect(z.node('web.example.test')!.rrset(TYPE.A)!.rdatas().map((d) => [...d])).toEqual([
      [192, 0, 2, 80],
      [192, 0, 2, 81],
    ]);
    expect([...z.node('www.example.test')!.rrset(TYPE.CNAME)!.rdata(0)]).toEqual([...nameToWire('web.example.test')]);
    // Odd A text falls back to the general encoder (which refuses it).
    expect(() => encodeRdata(TYPE.A, '192.0.2.01')).toThrow();
    expect(() => encodeRdata(TYPE.A, '192.0.2')).toThrow();
    expect(() => encodeRdata(TYPE.A, '1.2.3.4.5')).toThrow();
    expect(encodeRdata(TYPE.A, '0.0.0.0')).toBe('\0\0\0\0');
  });
});

describe('Zone.apply', () => {
  const base = (): Zone => Zone.fromRRs('example.test', exampleZone());
  const newSoa = rr('example.test', 'SOA', SOA_RDATA.replace('2024010101', '2024010102'));
  const oldSoa = rr('example.test', 'SOA', SOA_RDATA);

  it('replaces the SOA and sets the serial', () => {
    const z = base();
    z.apply([oldSoa], [newSoa], 2024010102);
    expect(z.serial).toBe(2024010102);
    expect(z.soa!.count).toBe(1);
    expect(rdataToText(TYPE.SOA, z.soa!.rdata(0))).toContain('2024010102');
  });

  it('accepts a journal entry object too', () => {
    const z = base();
    z.apply({ removed: [oldSoa], added: [newSoa, rr('n.example.test', 'A', '192.0.2.9')], toSerial: 2024010102 });
    expect(z.serial).toBe(2024010102);
    expect(z.lookup('n.example.test', TYPE.A).kind).toBe('answer');
  });

  it('creates empty non-terminals below which a name appears, and removes them with it', () => {
    const z = base();
    const before = z.nodeCount;
    expect(z.lookup('y.x.example.test', TYPE.A).kind).toBe('nxdomain');
    z.apply([], [rr('z.y.x.example.test', 'A', '192.0.2.5')], 2);
    expect(z.nodeCount).toBe(before + 3);
    expect(summary(z.lookup('y.x.example.test', TYPE.A))).toBe('nodata y.x.example.test ce=y.x.example.test');
    expect(summary(z.lookup('x.example.test', TYPE.A))).toBe('nodata x.example.test ce=x.example.test');
    expect(z.node('x.example.test')!.children).toBe(1);
    z.apply([], [rr('w.y.x.example.test', 'A', '192.0.2.6')], 3);
    expect(z.node('y.x.example.test')!.children).toBe(2);
    z.apply([rr('z.y.x.example.test', 'A', '192.0.2.5')], [], 4);
    expect(z.lookup('y.x.example.test', TYPE.A).kind).toBe('nodata');
    z.apply([rr('w.y.x.example.test', 'A', '192.0.2.6')], [], 5);
    expect(z.lookup('y.x.example.test', TYPE.A).kind).toBe('nxdomain');
    expect(z.lookup('x.example.test', TYPE.A).kind).toBe('nxdomain');
    expect(z.nodeCount).toBe(before);
    expect(z.serial).toBe(5);
  });

  it('keeps a name that still has data when a child goes away', () => {
    const z = base();
    z.apply([], [rr('k.web.example.test', 'TXT', '"k"')], 2);
    expect(z.node('web.example.test')!.children).toBe(1);
    z.apply([rr('k.web.example.test', 'TXT', '"k"')], [], 3);
    expect(z.node('web.example.test')!.children).toBe(0);
    expect(z.lookup('web.example.test', TYPE.A).kind).toBe('answer');
  });

  it('a wildcard appears and disappears', () => {
    const z = base();
    expect(z.lookup('foo.new.example.test', TYPE.A).kind).toBe('nxdomain');
    z.apply([], [rr('*.new.example.test', 'A', '192.0.2.42')], 2);
    expect(summary(z.lookup('foo.new.example.test', TYPE.A))).toBe('answer *.new.example.test wildcard 192.0.2.42');
    expect(summary(z.lookup('new.example.test', TYPE.A))).toBe('nodata new.example.test ce=new.example.test');
    // A name created below blocks the wildcard for names under it.
    z.apply([], [rr('q.bar.new.example.test', 'A', '192.0.2.43')], 3);
    expect(z.lookup('bar.new.example.test', TYPE.A).kind).toBe('nodata');
    expect(z.lookup('zz.bar.new.example.test', TYPE.A).kind).toBe('nxdomain');
    expect(z.lookup('zz.new.example.test', TYPE.A).kind).toBe('answer');
    z.apply([rr('*.new.example.test', 'A', '192.0.2.42')], [], 4);
    expect(z.lookup('foo.new.example.test', TYPE.A).kind).toBe('nxdomain');
  });

  it('ignores removals that are not present and duplicate additions', () => {
    const z = base();
    const count = z.recordCount;
    z.apply(
      [rr('nothere.example.test', 'A', '192.0.2.1'), rr('web.example.test', 'A', '192.0.2.99'), rr('web.example.test', 'TXT', '"x"')],
      [rr('web.example.test', 'A', '192.0.2.80', 60)],
      2,
    );
    expect(z.recordCount).toBe(count);
    expect(z.node('web.example.test')!.rrset(TYPE.A)!.count).toBe(2);
  });

  it('removes single records and whole RRsets, keeping the others', () => {
    const z = base();
    z.apply([rr('web.example.test', 'A', '192.0.2.80', 60)], [], 2);
    expect(summary(z.lookup('web.example.test', TYPE.A))).toBe('answer web.example.test 192.0.2.81');
    z.apply([rr('example.test', 'MX', '10 mail.example.test.'), rr('example.test', 'TXT', '"v=spf1 -all"')], [], 3);
    expect(z.lookup('example.test', TYPE.MX).kind).toBe('nodata');
    expect(z.lookup('example.test', TYPE.A).kind).toBe('answer');
    expect(z.apex.rrsets().map((s) => s.type)).toEqual([TYPE.A, TYPE.NS, TYPE.SOA]);
  });

  it('keeps the minimum TTL up to date', () => {
    const z = base();
    z.apply([], [rr('web.example.test', 'A', '192.0.2.82', 30)], 2);
    expect(z.node('web.example.test')!.rrset(TYPE.A)!.ttl).toBe(30);
    z.apply([rr('web.example.test', 'A', '192.0.2.82', 30)], [], 3);
    const set = z.node('web.example.test')!.rrset(TYPE.A)!;
    expect(set.ttl).toBe(60);
    expect(set.ttls).toBeNull();
  });

  it('adds and removes delegations', () => {
    const z = base();
    expect(z.lookup('www.new.example.test', TYPE.A).kind).toBe('nxdomain');
    z.apply([], [rr('new.example.test', 'NS', 'ns.example.org.'), rr('www.new.example.test', 'A', '192.0.2.3')], 2);
    expect(summary(z.lookup('www.new.example.test', TYPE.A))).toBe('delegation new.example.test');
    z.apply([rr('new.example.test', 'NS', 'ns.example.org.')], [], 3);
    expect(summary(z.lookup('www.new.example.test', TYPE.A))).toBe('answer www.new.example.test 192.0.2.3');
    // Removing the only cut of the zone leaves a zone without cuts: lookups skip the walk.
    z.apply([rr('sub.example.test', 'NS', 'ns.sub.example.test.'), rr('sub.example.test', 'NS', 'ns.example.org.'), rr('deleg2.example.test', 'NS', 'ns.example.org.')], [], 4);
    expect(summary(z.lookup('host.sub.example.test', TYPE.A))).toBe('answer host.sub.example.test 192.0.2.154');
  });

  it('validates the whole entry before changing anything', () => {
    const z = base();
    const count = z.recordCount;
    expect(() => z.apply([rr('web.example.test', 'A', '192.0.2.80', 60)], [rr('bad.example.test', 'A', 'nope')], 2)).toThrow();
    expect(z.recordCount).toBe(count);
    expect(z.serial).toBe(2024010101);
    expect(z.lookup('web.example.test', TYPE.A).kind).toBe('answer');
  });

  it('adds and removes ALIAS records', () => {
    const z = base();
    z.apply([], [rr('example.test', 'ALIAS', 'web.example.test.')], 2);
    // The apex has an A RRset, which wins over ALIAS; AAAA goes to the target.
    expect(z.lookup('example.test', TYPE.A).kind).toBe('answer');
    expect(summary(z.lookup('example.test', TYPE.AAAA))).toBe('alias example.test web.example.test');
    expect(z.apex.alias).toBeDefined();
    z.apply([rr('example.test', 'ALIAS', 'web.example.test.')], [], 3);
    expect(z.lookup('example.test', TYPE.AAAA).kind).toBe('nodata');
  });
});

describe('Zone.names', () => {
  it('sorts in RFC 4034 6.1 canonical order', () => {
    // The example of RFC 4034 6.1 (with example.test for example).
    const names = ['example.test', 'a.example.test', 'yljkjljk.a.example.test', 'z.a.example.test', 'zabc.a.example.test', 'z.example.test', '\\001.z.example.test', '*.z.example.test', '\\200.z.example.test'];
    const shuffled = [...names].reverse();
    const z = Zone.fromRRs('example.test', [rr('example.test', 'SOA', SOA_RDATA), ...shuffled.filter((n) => n !== 'example.test').map((n) => rr(n, 'TXT', '"x"'))]);
    expect(z.names()).toEqual(names);
  });

  it('includes empty non-terminals only when asked', () => {
    const z = Zone.fromRRs('example.test', [rr('example.test', 'SOA', SOA_RDATA), rr('a.b.example.test', 'TXT', '"x"')]);
    expect(z.names()).toEqual(['example.test', 'a.b.example.test']);
    expect(z.names(true)).toEqual(['example.test', 'b.example.test', 'a.b.example.test']);
  });
});

describe('encodeRdata fast paths', () => {
  // Each fast path must give exactly what the general encoder gives, and leave to it (so its
  // errors) whatever it does not handle.
  const cases: [number, string][] = [
    [TYPE.A, '192.0.2.1'], [TYPE.A, '0.0.0.0'], [TYPE.A, '255.255.255.255'], [TYPE.A, '10.20.30.40'],
    [TYPE.A, '1.2.3'], [TYPE.A, '1.2.3.4.5'], [TYPE.A, '01.2.3.4'], [TYPE.A, '256.1.1.1'], [TYPE.A, '1.2.3.'], [TYPE.A, ''],
    [TYPE.AAAA, '2001:db8::1'], [TYPE.AAAA, '::'], [TYPE.AAAA, '::1'], [TYPE.AAAA, '1::'], [TYPE.AAAA, '2001:db8:0:1:2:3:4:5'],
    [TYPE.AAAA, '2001:DB8::A'], [TYPE.AAAA, 'fe80::1:2'], [TYPE.AAAA, '1:2:3:4:5:6:7::'], [TYPE.AAAA, '::2:3:4:5:6:7:8'],
    [TYPE.AAAA, '::ffff:192.0.2.1'], [TYPE.AAAA, '1:2:3:4:5:6:7:8:9'], [TYPE.AAAA, '1:::2'], [TYPE.AAAA, '1::2::3'],
    [TYPE.AAAA, ':1::2'], [TYPE.AAAA, '1::2:'], [TYPE.AAAA, '12345::1'], [TYPE.AAAA, 'g::1'], [TYPE.AAAA, '1:2:3:4:5:6:7'],
    [TYPE.MX, '10 mx1.example.org.'], [TYPE.MX, '0 .'], [TYPE.MX, '65535 a.b.'], [TYPE.MX, '65536 a.b.'], [TYPE.MX, '010 a.b.'],
    [TYPE.MX, '10 mx\\.x.example.org.'], [TYPE.MX, '10 mx.example.org'], [TYPE.MX, '10  a.b.'], [TYPE.MX, 'x a.b.'],
    [TYPE.TXT, '"v=spf1 ip4:192.0.2.1 -all"'], [TYPE.TXT, '""'], [TYPE.TXT, '"a b;c(d)"'], [TYPE.TXT, '"a" "b"'],
    [TYPE.TXT, '"a\\"b"'], [TYPE.TXT, '"a\\010b"'], [TYPE.TXT, `"${'x'.repeat(255)}"`], [TYPE.TXT, `"${'x'.repeat(256)}"`],
    [TYPE.TXT, '"é"'], [TYPE.TXT, 'unquoted'],
    [TYPE.CNAME, 'host1.example.org.'], [TYPE.CNAME, '.'], [TYPE.NS, 'ns1.example.net.'], [TYPE.PTR, 'a\\.b.example.'],
    [TYPE.CNAME, `${'a'.repeat(63)}.example.`], [TYPE.CNAME, `${'a'.repeat(64)}.example.`], [TYPE.CNAME, 'a..b.'],
    [TYPE.CNAME, `${'abcdefg.'.repeat(32)}`], [TYPE.CNAME, `${'abcdefg.'.repeat(31)}abc.`], [TYPE.CNAME, 'a b.'],
  ];
  const general = (type: number, text: string): string => {
    try {
      return bytesToRdataString(rdataFromText(type, text));
    } catch (err) {
      return `error ${(err as Error).constructor.name}`;
    }
  };
  const fast = (type: number, text: string): string => {
    try {
      return encodeRdata(type, text);
    } catch (err) {
      return `error ${(err as Error).constructor.name}`;
    }
  };
  it.each(cases)('type %i %s', (type, text) => {
    expect(fast(type, text)).toBe(general(type, text));
  });

  it('ALIAS: one absolute name', () => {
    expect(encodeRdata(ZONE_ALIAS_TYPE, 'target.example.net.')).toBe(bytesToRdataString(nameToWire('target.example.net.')));
    expect(() => encodeRdata(ZONE_ALIAS_TYPE, 'target.example.net')).toThrow(/ALIAS RDATA/);
  });
});

describe('Zone.loading / load / sealLoad', () => {
  it('builds the same zone as fromRRs, and refuses a bad record without changing the zone', () => {
    const rrs = [rr('example.org', 'SOA', SOA_RDATA), rr('www.example.org', 'A', '192.0.2.1'), rr('www.example.org', 'AAAA', '2001:db8::1'), rr('a.b.example.org', 'TXT', '"x"')];
    const z = Zone.loading('example.org.');
    for (const r of rrs) z.load(r);
    expect(() => z.load(rr('www.example.com', 'A', '192.0.2.1'))).toThrow(/outside the zone/);
    expect(() => z.load(rr('www.example.org', 'A', '1.2.3'))).toThrow();
    z.sealLoad();
    const ref = Zone.fromRRs('example.org', rrs);
    expect(z.recordCount).toBe(ref.recordCount);
    expect(z.nodeCount).toBe(ref.nodeCount);
    expect(z.serial).toBe(ref.serial);
    expect(z.names(true)).toEqual(ref.names(true));
    expect(() => Zone.loading('example.org').sealLoad()).toThrow(/exactly one SOA/);
  });
});
