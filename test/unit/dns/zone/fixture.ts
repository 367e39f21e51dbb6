// A test zone (store form) shared by the zone and answer tests.
import type { RR } from '../../../../src/core/model.js';

export const SOA_RDATA = 'ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300';

const rr = (name: string, type: string, rdata: string, ttl = 3600): RR => ({ name, type, ttl, rdata });

/**
 * example.test:
 * - apex: SOA, 2 NS (one in zone), MX, A, TXT
 * - www CNAME web; web 2×A; loop1 ↔ loop2 CNAME loop; out CNAME to example.org; dangling CNAME to
 *   a missing name; chain of CNAMEs c0 → c1 → … → c20 → web
 * - *.wild A + TXT; a.b.c.ent A (b.c.ent, c.ent empty non-terminals)
 * - *.blk A and x.sub.blk TXT (sub.blk is an empty non-terminal blocking the wildcard below it)
 * - sub: delegation with NS ns.sub (glue A + AAAA) and ns.example.org (no glue), DS, and data below
 *   the cut; deleg2: delegation without glue
 * - srv SRV → mail; al ALIAS web; alext ALIAS lb.example.org
 */
export function exampleZone(): RR[] {
  const rrs: RR[] = [
    rr('example.test', 'SOA', SOA_RDATA),
    rr('example.test', 'NS', 'ns1.example.test.'),
    rr('example.test', 'NS', 'ns2.example.org.'),
    rr('example.test', 'MX', '10 mail.example.test.'),
    rr('example.test', 'A', '192.0.2.1'),
    rr('example.test', 'TXT', '"v=spf1 -all"'),
    rr('ns1.example.test', 'A', '192.0.2.53'),
    rr('mail.example.test', 'A', '192.0.2.25'),
    rr('mail.example.test', 'AAAA', '2001:db8::25'),
    rr('www.example.test', 'CNAME', 'web.example.test.', 300),
    rr('web.example.test', 'A', '192.0.2.80', 60),
    rr('web.example.test', 'A', '192.0.2.81', 60),
    rr('loop1.example.test', 'CNAME', 'loop2.example.test.'),
    rr('loop2.example.test', 'CNAME', 'loop1.example.test.'),
    rr('out.example.test', 'CNAME', 'www.example.org.'),
    rr('dangling.example.test', 'CNAME', 'missing.example.test.'),
    rr('*.wild.example.test', 'A', '192.0.2.99'),
    rr('*.wild.example.test', 'TXT', '"wild"'),
    rr('a.b.c.ent.example.test', 'A', '192.0.2.7'),
    rr('*.blk.example.test', 'A', '192.0.2.77'),
    rr('x.sub.blk.example.test', 'TXT', '"x"'),
    rr('sub.example.test', 'NS', 'ns.sub.example.test.'),
    rr('sub.example.test', 'NS', 'ns.example.org.'),
    rr('sub.example.test', 'DS', '12345 13 2 ' + 'AB'.repeat(32)),
    rr('ns.sub.example.test', 'A', '192.0.2.153'),
    rr('ns.sub.example.test', 'AAAA', '2001:db8::153'),
    rr('host.sub.example.test', 'A', '192.0.2.154'),
    rr('deleg2.example.test', 'NS', 'ns.example.org.'),
    rr('_sip._tcp.example.test', 'SRV', '10 60 5060 mail.example.test.'),
    rr('al.example.test', 'ALIAS', 'web.example.test.', 120),
    rr('alext.example.test', 'ALIAS', 'lb.example.org.', 120),
  ];
  for (let i = 0; i <= 20; i++) {
    rrs.push(rr(`c${i}.example.test`, 'CNAME', i === 20 ? 'web.example.test.' : `c${i + 1}.example.test.`));
  }
  return rrs;
}
