// Glue address policy: public unicast and the documentation ranges are accepted, every listed
// special-purpose range is refused with its name, malformed text is refused, output is canonical.
import { describe, expect, it } from 'vitest';
import { checkGlueAddress, REFUSED_V4, REFUSED_V6 } from '../../../src/core/registry/ip-policy.js';

describe('glue address policy', () => {
  it.each([
    ['203.0.113.10', '203.0.113.10', 4],
    ['2001:db8::10', '2001:db8::10', 6],
    ['2001:DB8:0:0:0:0:0:10', '2001:db8::10', 6],
    ['192.0.2.53', '192.0.2.53', 4],
    ['198.51.100.7', '198.51.100.7', 4],
    ['3fff::1', '3fff::1', 6],
    ['8.8.8.8', '8.8.8.8', 4],
    ['2606:4700:4700::1111', '2606:4700:4700::1111', 6],
    [' 203.0.113.11 ', '203.0.113.11', 4],
  ])('accepts %s as %s', (raw, canonical, version) => {
    expect(checkGlueAddress(raw)).toEqual({ ok: true, address: canonical, version });
  });

  // One address inside each refused range, plus the edges named in the issue.
  const samples: [string, string][] = [
    ['0.0.0.0', '0.0.0.0/8'], ['0.1.2.3', '0.0.0.0/8'], ['10.1.2.3', '10.0.0.0/8'], ['100.64.0.1', '100.64.0.0/10'], ['100.127.255.254', '100.64.0.0/10'],
    ['127.0.0.1', '127.0.0.0/8'], ['169.254.10.1', '169.254.0.0/16'], ['172.31.0.1', '172.16.0.0/12'], ['192.0.0.9', '192.0.0.0/24'],
    ['192.88.99.1', '192.88.99.0/24'], ['192.168.1.1', '192.168.0.0/16'], ['198.19.0.1', '198.18.0.0/15'], ['224.0.0.1', '224.0.0.0/4'],
    ['239.255.255.250', '224.0.0.0/4'], ['240.0.0.1', '240.0.0.0/4'], ['255.255.255.255', '240.0.0.0/4'],
    ['::', '::/128'], ['::1', '::1/128'], ['::ffff:192.0.2.1', '::ffff:0:0/96'], ['64:ff9b::192.0.2.1', '64:ff9b::/96'], ['64:ff9b:1::1', '64:ff9b:1::/48'],
    ['100::1', '100::/64'], ['2001::1', '2001::/23'], ['2001:2::1', '2001::/23'], ['2002:c000:201::1', '2002::/16'],
    ['fd00::1', 'fc00::/7'], ['fe80::1', 'fe80::/10'], ['ff02::1', 'ff00::/8'],
  ];
  it.each(samples)('refuses %s (%s) and names the range', (raw, cidr) => {
    const r = checkGlueAddress(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(cidr);
  });

  it('has a sample for every refused range', () => {
    const covered = new Set(samples.map((s) => s[1]));
    for (const r of [...REFUSED_V4, ...REFUSED_V6]) expect(covered.has(r.cidr), r.cidr).toBe(true);
  });

  it.each(['4000::1', '::2', '1::1'])('refuses IPv6 outside 2000::/3: %s', (raw) => {
    const r = checkGlueAddress(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('2000::/3');
  });

  it.each(['', 'ns1.example.test', '203.0.113.0/24', '203.0.113', '203.0.113.256', '203.0.113.010', 'fe80::1%eth0', '2001:db8::g', '1.2.3.4.5', '0x7f.0.0.1'])('refuses malformed %j', (raw) => {
    const r = checkGlueAddress(raw);
    expect(r.ok).toBe(false);
  });
});
