import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RR } from '../../../../src/core/model.js';
import { clearReplyCache, MAX_CNAME_LINKS, replyCacheSize, respond } from '../../../../src/dns/answer/respond.js';
import { OPCODE, RCODE } from '../../../../src/dns/wire/constants.js';
import { decodeMessage } from '../../../../src/dns/wire/message.js';
import { Zone } from '../../../../src/dns/zone/zone.js';
import { exampleZone, SOA_RDATA } from '../zone/fixture.js';
import { ask, CLASS, FLAG, flags, query, reply, show, TYPE, zoneSet } from './helpers.js';

const rr = (name: string, type: string, rdata: string, ttl = 3600): RR => ({ name, type, ttl, rdata });

beforeEach(() => clearReplyCache());

const SOA_LINE = 'example.test 300 SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300';

describe('respond: header, question, EDNS', () => {
  const zones = zoneSet(['example.test', exampleZone()]);

  it('drops packets shorter than a header and responses', () => {
    expect(respond(new Uint8Array(11), zones, { transport: 'udp' })).toBeNull();
    const q = query('www.example.test', TYPE.A);
    q[2] = q[2]! | 0x80;
    expect(respond(q, zones, { transport: 'udp' })).toBeNull();
  });

  it('FORMERR for QDCOUNT 0 or 2, echoing the ID and RD, without a question', () => {
    const header = Uint8Array.of(0xab, 0xcd, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0);
    const m = decodeMessage(reply(header, zones));
    expect(m.id).toBe(0xabcd);
    expect(m.rcode).toBe(RCODE.FORMERR);
    expect(flags(m)).toMatchObject({ qr: true, rd: true, aa: false });
    expect(m.questions).toHaveLength(0);

    const one = query('www.example.test', TYPE.A, { edns: null });
    const q = one.subarray(12);
    const two = Buffer.concat([one.subarray(0, 12), q, q]);
    two[5] = 2;
    const m2 = decodeMessage(reply(two, zones));
    expect(m2.rcode).toBe(RCODE.FORMERR);
    expect(m2.questions).toHaveLength(0);
    expect(m2.id).toBe(0x1234);
  });

  it('FORMERR for a truncated question (no question echoed)', () => {
    const q = query('www.example.test', TYPE.A, { edns: null });
    const m = decodeMessage(reply(q.subarray(0, q.length - 3), zones));
    expect(m.rcode).toBe(RCODE.FORMERR);
    expect(m.questions).toHaveLength(0);
    const badName = Buffer.from(q);
    badName[12] = 0x40; // reserved label type
    expect(decodeMessage(reply(badName, zones)).rcode).toBe(RCODE.FORMERR);
  });

  it('FORMERR for trailing octets, echoing the question that parsed', () => {
    const q = Buffer.concat([query('www.example.test', TYPE.A, { edns: null }), Buffer.of(0, 0, 0)]);
    const m = decodeMessage(reply(q, zones));
    expect(m.rcode).toBe(RCODE.FORMERR);
    expect(m.questions).toHaveLength(1);
    expect(m.answers).toHaveLength(0);
  });

  it('FORMERR for two OPT RRs, an OPT not owned by the root and overrunning options', () => {
    const opt = Buffer.of(0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0);
    const base = query('www.example.test', TYPE.A, { edns: null });
    const twoOpts = Buffer.concat([base, opt, opt]);
    twoOpts[11] = 2;
    expect(decodeMessage(reply(twoOpts, zones)).rcode).toBe(RCODE.FORMERR);
    const named = Buffer.concat([base, Buffer.of(1, 0x61, 0), opt.subarray(1)]);
    named[11] = 1;
    expect(decodeMessage(reply(named, zones)).rcode).toBe(RCODE.FORMERR);
    const overrun = Buffer.concat([base, Buffer.of(0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 5, 0, 10, 0, 9, 1)]);
    overrun[11] = 1;
    const m = decodeMessage(reply(overrun, zones));
    expect(m.rcode).toBe(RCODE.FORMERR);
    expect(m.edns).toBeNull();
  });

  it('NOTIMP for opcodes other than QUERY, with the question and opcode echoed', () => {
    for (const opcode of [OPCODE.IQUERY, OPCODE.STATUS, OPCODE.NOTIFY, OPCODE.UPDATE, 6]) {
      const m = ask(zones, 'example.test', TYPE.SOA, { opcode });
      expect(m.rcode).toBe(RCODE.NOTIMP);
      expect(m.opcode).toBe(opcode);
      expect(m.questions).toHaveLength(1);
      expect(flags(m).aa).toBe(false);
      expect(m.answers).toHaveLength(0);
    }
    // A DSO-style message (opcode 6, QDCOUNT 0, TLVs after the header) is NOTIMP, not FORMERR.
    const dso = Buffer.of(0, 7, 6 << 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0);
    expect(decodeMessage(reply(dso, zones)).rcode).toBe(RCODE.NOTIMP);
  });

  it('BADVERS for EDNS version > 0: extended RCODE in our OPT, no answer', () => {
    const m = ask(zones, 'www.example.test', TYPE.A, { edns: { version: 1 } });
    expect(m.rcode).toBe(RCODE.BADVERS);
    expect(m.edns).toMatchObject({ version: 0, extendedRcode: 1, udpSize: 1232 });
    expect(m.answers).toHaveLength(0);
    expect(m.questions).toHaveLength(1);
    // The same through dns-packet, as an independent reader.
    const d = dnsPacket.decode(Buffer.from(reply(query('www.example.test', TYPE.A, { edns: { version: 1 } }), zones)));
    expect((d as unknown as { rcode: string }).rcode).toBe('NOERROR'); // the low 4 bits of 16
    expect((d.additionals![0] as { extendedRcode: number }).extendedRcode).toBe(1);
  });

  it('replies with our OPT (1232, DO echoed, no options) only when the query had one', () => {
    const withDo = ask(zones, 'web.example.test', TYPE.A, { edns: { do: true, udpSize: 4096, options: [{ code: 65001, data: Uint8Array.of(1, 2, 3) }] } });
    expect(withDo.edns).toMatchObject({ udpSize: 1232, version: 0, do: true, options: [] });
    expect(withDo.rcode).toBe(RCODE.NOERROR);
    const noDo = ask(zones, 'web.example.test', TYPE.A);
    expect(noDo.edns).toMatchObject({ do: false });
    expect(ask(zones, 'web.example.test', TYPE.A, { edns: null }).edns).toBeNull();
  });

  it('REFUSED for classes other than IN (CHAOS version.bind too)', () => {
    for (const qclass of [CLASS.CH, CLASS.HS, CLASS.ANY, 2]) {
      const m = ask(zones, qclass === CLASS.CH ? 'version.bind' : 'www.example.test', TYPE.TXT, { qclass });
      expect(m.rcode).toBe(RCODE.REFUSED);
      expect(flags(m).aa).toBe(false);
      expect(m.questions[0]!.class).toBe(qclass);
    }
  });

  it('REFUSED without AA for names outside our zones', () => {
    for (const name of ['www.example.org', 'test', '.', 'xexample.test']) {
      const m = ask(zones, name, TYPE.A);
      expect(m.rcode).toBe(RCODE.REFUSED);
      expect(flags(m).aa).toBe(false);
    }
  });

  it('AXFR/IXFR → REFUSED, MAILA/MAILB → NOTIMP, meta types → FORMERR', () => {
    expect(ask(zones, 'example.test', TYPE.AXFR).rcode).toBe(RCODE.REFUSED);
    expect(ask(zones, 'example.test', TYPE.IXFR).rcode).toBe(RCODE.REFUSED);
    expect(ask(zones, 'example.test', TYPE.AXFR, {}, { transport: 'tcp' }).rcode).toBe(RCODE.REFUSED);
    expect(ask(zones, 'example.test', 253).rcode).toBe(RCODE.NOTIMP);
    expect(ask(zones, 'example.test', 254).rcode).toBe(RCODE.NOTIMP);
    expect(ask(zones, 'example.test', TYPE.OPT).rcode).toBe(RCODE.FORMERR);
    expect(ask(zones, 'example.test', TYPE.TSIG).rcode).toBe(RCODE.FORMERR);
    expect(ask(zones, 'example.test', 249).rcode).toBe(RCODE.FORMERR);
  });

  it('copies RD and CD, never sets RA', () => {
    const m = ask(zones, 'web.example.test', TYPE.A, { flags: FLAG.CD });
    expect(flags(m)).toMatchObject({ rd: false, cd: true, aa: true });
    expect(m.flags & FLAG.RA).toBe(0);
    const m2 = ask(zones, 'web.example.test', TYPE.A, { flags: FLAG.RD | FLAG.AD });
    expect(flags(m2)).toMatchObject({ rd: true, cd: false });
    expect(m2.flags & FLAG.AD).toBe(0);
  });
});

describe('respond: answers', () => {
  const zones = zoneSet(['example.test', exampleZone()]);

  it('positive answer: AA, the RRset, nothing in authority', () => {
    const m = ask(zones, 'web.example.test', TYPE.A);
    expect(m.rcode).toBe(RCODE.NOERROR);
    expect(flags(m)).toMatchObject({ aa: true, tc: false, qr: true });
    expect(m.answers.map(show)).toEqual(['web.example.test 60 A 192.0.2.80', 'web.example.test 60 A 192.0.2.81']);
    expect(m.authorities).toHaveLength(0);
    expect(m.additionals).toHaveLength(0);
  });

  it('keeps the qname case in the question and in owners that equal it', () => {
    const bytes = reply(query('WeB.ExAmPlE.TeSt', TYPE.A), zones);
    const m = decodeMessage(bytes);
    expect(m.questions.map((q) => q.name)).toEqual([expect.anything()]);
    expect(show(m.answers[0]!)).toBe('WeB.ExAmPlE.TeSt 60 A 192.0.2.80');
    // The owner is a pointer to the question name (offset 12).
    const q = query('WeB.ExAmPlE.TeSt', TYPE.A, { edns: null });
    const raw = reply(q, zones);
    const answerStart = q.length;
    expect([raw[answerStart], raw[answerStart + 1]]).toEqual([0xc0, 12]);
  });

  it('additional A/AAAA for in-zone MX, SRV and NS targets', () => {
    const mx = ask(zones, 'example.test', TYPE.MX);
    expect(mx.answers.map(show)).toEqual(['example.test 3600 MX 10 mail.example.test.']);
    expect(mx.additionals.map(show)).toEqual(['mail.example.test 3600 A 192.0.2.25', 'mail.example.test 3600 AAAA 2001:db8::25']);
    const srv = ask(zones, '_sip._tcp.example.test', TYPE.SRV);
    expect(srv.additionals.map(show)).toEqual(['mail.example.test 3600 A 192.0.2.25', 'mail.example.test 3600 AAAA 2001:db8::25']);
    const ns = ask(zones, 'example.test', TYPE.NS);
    expect(ns.answers).toHaveLength(2);
    expect(ns.authorities).toHaveLength(0);
    expect(ns.additionals.map(show)).toEqual(['ns1.example.test 3600 A 192.0.2.53']);
  });

  it('ANY: one RRset (the first in type order)', () => {
    const m = ask(zones, 'example.test', TYPE.ANY);
    expect(m.answers.map(show)).toEqual(['example.test 3600 A 192.0.2.1']);
    expect(flags(m).aa).toBe(true);
    const tcp = ask(zones, 'example.test', TYPE.ANY, {}, { transport: 'tcp' });
    expect(tcp.answers).toHaveLength(1);
  });

  it('follows a CNAME inside the zone, without additional data for the target', () => {
    const m = ask(zones, 'www.example.test', TYPE.A);
    expect(m.answers.map(show)).toEqual(['www.example.test 300 CNAME web.example.test.', 'web.example.test 60 A 192.0.2.80', 'web.example.test 60 A 192.0.2.81']);
    expect(flags(m).aa).toBe(true);
    expect(m.authorities).toHaveLength(0);
    expect(m.additionals).toHaveLength(0);
    // A CNAME to a name that has no data of the type: NODATA for the target.
    const nodata = ask(zones, 'www.example.test', TYPE.MX);
    expect(nodata.rcode).toBe(RCODE.NOERROR);
    expect(nodata.answers.map(show)).toEqual(['www.example.test 300 CNAME web.example.test.']);
    expect(nodata.authorities.map(show)).toEqual([SOA_LINE]);
  });

  it('answers a CNAME query with the CNAME only', () => {
    const m = ask(zones, 'www.example.test', TYPE.CNAME);
    expect(m.answers.map(show)).toEqual(['www.example.test 300 CNAME web.example.test.']);
  });

  it('NXDOMAIN at the end of a CNAME chain (RFC 6604)', () => {
    const m = ask(zones, 'dangling.example.test', TYPE.A);
    expect(m.rcode).toBe(RCODE.NXDOMAIN);
    expect(flags(m).aa).toBe(true);
    expect(m.answers.map(show)).toEqual(['dangling.example.test 3600 CNAME missing.example.test.']);
    expect(m.authorities.map(show)).toEqual([SOA_LINE]);
  });

  it('stops at a CNAME leaving the zone, at loops and after 16 links', () => {
    const out = ask(zones, 'out.example.test', TYPE.A);
    expect(out.rcode).toBe(RCODE.NOERROR);
    expect(out.answers.map(show)).toEqual(['out.example.test 3600 CNAME www.example.org.']);
    expect(out.authorities).toHaveLength(0);

    const loop = ask(zones, 'loop1.example.test', TYPE.A);
    expect(loop.rcode).toBe(RCODE.NOERROR);
    expect(loop.answers.map(show)).toEqual(['loop1.example.test 3600 CNAME loop2.example.test.', 'loop2.example.test 3600 CNAME loop1.example.test.']);

    const chain = ask(zones, 'c0.example.test', TYPE.A);
    expect(chain.answers).toHaveLength(MAX_CNAME_LINKS);
    expect(chain.answers.every((a) => a.type === TYPE.CNAME)).toBe(true);
    expect(chain.rcode).toBe(RCODE.NOERROR);
    // 5 links from the end the chain completes.
    const short = ask(zones, 'c16.example.test', TYPE.A);
    expect(short.answers.map((a) => a.type)).toEqual([TYPE.CNAME, TYPE.CNAME, TYPE.CNAME, TYPE.CNAME, TYPE.CNAME, TYPE.A, TYPE.A]);
  });

  it('wildcards: synthesized owner = qname (case kept), NODATA for other types', () => {
    const m = ask(zones, 'Foo.Wild.example.test', TYPE.A);
    expect(m.answers.map(show)).toEqual(['Foo.Wild.example.test 3600 A 192.0.2.99']);
    expect(flags(m).aa).toBe(true);
    const nodata = ask(zones, 'foo.wild.example.test', TYPE.MX);
    expect(nodata.rcode).toBe(RCODE.NOERROR);
    expect(nodata.answers).toHaveLength(0);
    expect(nodata.authorities.map(show)).toEqual([SOA_LINE]);
  });

  it('empty non-terminals: NODATA, and they block wildcards', () => {
    const ent = ask(zones, 'c.ent.example.test', TYPE.A);
    expect(ent.rcode).toBe(RCODE.NOERROR);
    expect(ent.answers).toHaveLength(0);
    expect(ent.authorities.map(show)).toEqual([SOA_LINE]);
    expect(ask(zones, 'sub.blk.example.test', TYPE.A).rcode).toBe(RCODE.NOERROR);
    expect(ask(zones, 'y.sub.blk.example.test', TYPE.A).rcode).toBe(RCODE.NXDOMAIN);
    expect(ask(zones, 'y.blk.example.test', TYPE.A).answers.map(show)).toEqual(['y.blk.example.test 3600 A 192.0.2.77']);
  });

  it('NXDOMAIN with the SOA, TTL min(SOA TTL, MINIMUM)', () => {
    const m = ask(zones, 'nope.example.test', TYPE.A);
    expect(m.rcode).toBe(RCODE.NXDOMAIN);
    expect(flags(m).aa).toBe(true);
    expect(m.answers).toHaveLength(0);
    expect(m.authorities.map(show)).toEqual([SOA_LINE]);
    const lowTtl = zoneSet(['example.org', [rr('example.org', 'SOA', 'ns1.example.org. h.example.org. 7 1 1 1 600', 120)]]);
    expect(ask(lowTtl, 'x.example.org', TYPE.A).authorities.map((a) => a.ttl)).toEqual([120]);
  });

  it('referrals: no AA, NS in authority, in-bailiwick glue in additional', () => {
    for (const name of ['sub.example.test', 'host.sub.example.test', 'ns.sub.example.test', 'deep.missing.sub.example.test']) {
      const m = ask(zones, name, TYPE.A);
      expect(m.rcode).toBe(RCODE.NOERROR);
      expect(flags(m).aa).toBe(false);
      expect(m.answers).toHaveLength(0);
      expect(m.authorities.map(show)).toEqual(['sub.example.test 3600 NS ns.sub.example.test.', 'sub.example.test 3600 NS ns.example.org.']);
      expect(m.additionals.map(show)).toEqual(['ns.sub.example.test 3600 A 192.0.2.153', 'ns.sub.example.test 3600 AAAA 2001:db8::153']);
    }
    const noGlue = ask(zones, 'www.deleg2.example.test', TYPE.A);
    expect(flags(noGlue).aa).toBe(false);
    expect(noGlue.authorities.map(show)).toEqual(['deleg2.example.test 3600 NS ns.example.org.']);
    expect(noGlue.additionals).toHaveLength(0);
    // The referral owner keeps the client's case of the cut's labels (names compress to the
    // question case-insensitively, so the NS target's suffix points there too).
    const cased = ask(zones, 'Host.SUB.example.test', TYPE.A);
    expect(show(cased.authorities[0]!)).toBe('SUB.example.test 3600 NS ns.SUB.example.test.');
  });

  it('DS at a cut is answered by the parent, authoritatively', () => {
    const m = ask(zones, 'sub.example.test', TYPE.DS);
    expect(flags(m).aa).toBe(true);
    expect(m.answers.map(show)).toEqual([`sub.example.test 3600 DS 12345 13 2 ${'AB'.repeat(32)}`]);
    expect(m.authorities).toHaveLength(0);
    const none = ask(zones, 'deleg2.example.test', TYPE.DS);
    expect(flags(none).aa).toBe(true);
    expect(none.answers).toHaveLength(0);
    expect(none.authorities.map(show)).toEqual([SOA_LINE]);
    // Below the cut DS is a referral like anything else.
    expect(flags(ask(zones, 'host.sub.example.test', TYPE.DS)).aa).toBe(false);
  });

  it('DS for the apex of a child zone we also serve comes from the parent zone', () => {
    const both = zoneSet(
      ['example.test', exampleZone()],
      ['sub.example.test', [rr('sub.example.test', 'SOA', 'ns.sub.example.test. h.example.test. 9 1 1 1 60'), rr('sub.example.test', 'NS', 'ns.sub.example.test.'), rr('ns.sub.example.test', 'A', '192.0.2.200')]],
    );
    const ds = ask(both, 'sub.example.test', TYPE.DS);
    expect(ds.answers.map((a) => a.type)).toEqual([TYPE.DS]);
    // Everything else at or below the child apex comes from the child.
    expect(ask(both, 'ns.sub.example.test', TYPE.A).answers.map(show)).toEqual(['ns.sub.example.test 3600 A 192.0.2.200']);
    expect(flags(ask(both, 'sub.example.test', TYPE.SOA)).aa).toBe(true);
  });

  it('a CNAME into a delegation: the CNAME, then the referral', () => {
    const z = zoneSet(['example.test', [...exampleZone(), rr('tosub.example.test', 'CNAME', 'host.sub.example.test.')]]);
    const m = ask(z, 'tosub.example.test', TYPE.A);
    expect(m.answers.map(show)).toEqual(['tosub.example.test 3600 CNAME host.sub.example.test.']);
    expect(m.authorities.map((a) => a.type)).toEqual([TYPE.NS, TYPE.NS]);
    expect(m.additionals).toHaveLength(2);
    expect(flags(m).aa).toBe(true);
  });

  it('the root zone', () => {
    const root = zoneSet(['', [rr('', 'SOA', 'a.root.test. n.example.test. 1 1800 900 604800 86400'), rr('', 'NS', 'a.root.test.'), rr('test', 'NS', 'ns.test.'), rr('ns.test', 'A', '192.0.2.1')]]);
    const m = ask(root, 'www.example.test', TYPE.A);
    expect(m.authorities.map(show)).toEqual(['test 3600 NS ns.test.']);
    expect(m.additionals.map(show)).toEqual(['ns.test 3600 A 192.0.2.1']);
    expect(ask(root, '.', TYPE.SOA).answers).toHaveLength(1);
    expect(ask(root, 'org', TYPE.A).rcode).toBe(RCODE.NXDOMAIN);
  });
});

describe('respond: sizes and truncation', () => {
  const txt = (i: number): RR => rr('big.example.test', 'TXT', `"${String(i).padStart(3, '0')} ${'x'.repeat(180)}"`);
  const bigRRs = [...exampleZone(), ...Array.from({ length: 10 }, (_, i) => txt(i))];
  // An MX whose in-zone targets have too many addresses for 512 octets.
  for (let i = 0; i < 4; i++) {
    bigRRs.push(rr('manymx.example.test', 'MX', `${i} mx${i}.example.test.`));
    for (let j = 0; j < 12; j++) bigRRs.push(rr(`mx${i}.example.test`, 'AAAA', `2001:db8::${i}:${j}`));
  }
  // A delegation whose in-domain glue does not fit in 512 octets.
  for (let i = 0; i < 8; i++) {
    bigRRs.push(rr('fat.example.test', 'NS', `ns${i}.fat.example.test.`));
    for (let j = 0; j < 4; j++) bigRRs.push(rr(`ns${i}.fat.example.test`, 'AAAA', `2001:db8:f::${i}:${j}`));
  }
  const zones = zoneSet(['example.test', bigRRs]);

  it('sets TC and leaves the answer out when it does not fit (UDP, EDNS 512)', () => {
    const bytes = reply(query('big.example.test', TYPE.TXT, { edns: { udpSize: 512 } }), zones);
    expect(bytes.length).toBeLessThanOrEqual(512);
    const m = decodeMessage(bytes);
    expect(flags(m)).toMatchObject({ tc: true, aa: true });
    expect(m.answers).toHaveLength(0);
    expect(m.edns).not.toBeNull();
  });

  it('uses min(client size, 1232), at least 512; 512 without EDNS', () => {
    const at1232 = reply(query('big.example.test', TYPE.TXT, { edns: { udpSize: 4096 } }), zones);
    expect(at1232.length).toBeLessThanOrEqual(1232);
    expect(flags(decodeMessage(at1232)).tc).toBe(true);
    const tiny = reply(query('big.example.test', TYPE.TXT, { edns: { udpSize: 100 } }), zones);
    expect(tiny.length).toBeLessThanOrEqual(512);
    const plain = reply(query('big.example.test', TYPE.TXT, { edns: null }), zones);
    expect(plain.length).toBeLessThanOrEqual(512);
    expect(flags(decodeMessage(plain)).tc).toBe(true);
  });

  it('TCP carries the whole RRset', () => {
    const m = ask(zones, 'big.example.test', TYPE.TXT, {}, { transport: 'tcp' });
    expect(flags(m).tc).toBe(false);
    expect(m.answers).toHaveLength(10);
  });

  it('cuts the answer section at a whole RRset: the CNAME fits, the target RRset does not', () => {
    const z = zoneSet(['example.test', [...bigRRs, rr('tobig.example.test', 'CNAME', 'big.example.test.')]]);
    const m = decodeMessage(reply(query('tobig.example.test', TYPE.TXT, { edns: { udpSize: 512 } }), z));
    expect(flags(m).tc).toBe(true);
    expect(m.answers.map((a) => a.type)).toEqual([TYPE.CNAME]);
  });

  it('leaves additional RRsets out without TC', () => {
    const bytes = reply(query('manymx.example.test', TYPE.MX, { edns: { udpSize: 512 } }), zones);
    expect(bytes.length).toBeLessThanOrEqual(512);
    const m = decodeMessage(bytes);
    expect(flags(m).tc).toBe(false);
    expect(m.answers).toHaveLength(4);
    const owners = new Set(m.additionals.map((a) => a.name.join(',')));
    // Whole RRsets only: every owner present has its 12 records.
    expect(m.additionals.length).toBe(owners.size * 12);
    expect(m.additionals.length).toBeLessThan(48);
    const tcp = ask(zones, 'manymx.example.test', TYPE.MX, {}, { transport: 'tcp' });
    expect(tcp.additionals).toHaveLength(48);
  });

  it('sets TC when in-domain glue of a referral does not fit (RFC 9471)', () => {
    const m = decodeMessage(reply(query('www.fat.example.test', TYPE.A, { edns: null }), zones));
    expect(flags(m)).toMatchObject({ tc: true, aa: false });
    expect(m.authorities).toHaveLength(8);
    const tcp = ask(zones, 'www.fat.example.test', TYPE.A, {}, { transport: 'tcp' });
    expect(flags(tcp).tc).toBe(false);
    expect(tcp.additionals).toHaveLength(32);
  });
});

describe('respond: ALIAS inside our zones', () => {
  const zones = zoneSet(
    ['example.test', exampleZone()],
    ['example.org', [rr('example.org', 'SOA', 'ns1.example.org. h.example.org. 1 1 1 1 60'), rr('example.org', 'ALIAS', 'web.example.test.', 600), rr('cn.example.org', 'CNAME', 'www.example.test.')]],
  );

  it('answers A with the target addresses under the query name, TTL min(ALIAS, target)', () => {
    const m = ask(zones, 'AL.example.test', TYPE.A);
    expect(flags(m).aa).toBe(true);
    expect(m.answers.map(show)).toEqual(['AL.example.test 60 A 192.0.2.80', 'AL.example.test 60 A 192.0.2.81']);
    expect(m.answers.every((a) => a.type === TYPE.A)).toBe(true);
  });

  it('at the apex, across zones and through CNAMEs', () => {
    const apex = ask(zones, 'example.org', TYPE.A);
    expect(apex.answers.map(show)).toEqual(['example.org 60 A 192.0.2.80', 'example.org 60 A 192.0.2.81']);
    const z2 = zoneSet(['example.org', [rr('example.org', 'SOA', 'ns1.example.org. h.example.org. 1 1 1 1 60'), rr('example.org', 'ALIAS', 'www.example.test.', 600)]], ['example.test', exampleZone()]);
    expect(ask(z2, 'example.org', TYPE.A).answers.map(show)).toEqual(['example.org 60 A 192.0.2.80', 'example.org 60 A 192.0.2.81']);
  });

  it('NODATA when the target has no addresses of the type; ALIAS itself never on the wire', () => {
    const m = ask(zones, 'al.example.test', TYPE.AAAA);
    expect(m.rcode).toBe(RCODE.NOERROR);
    expect(m.answers).toHaveLength(0);
    expect(m.authorities.map(show)).toEqual([SOA_LINE]);
    expect(ask(zones, 'al.example.test', 65401).answers).toHaveLength(0);
    expect(ask(zones, 'al.example.test', TYPE.TXT).answers).toHaveLength(0);
    const any = ask(zones, 'al.example.test', TYPE.ANY);
    expect(any.answers.map((a) => a.type)).toEqual([TYPE.A, TYPE.A]);
  });

  it('NODATA for a target in another of our zones that does not exist', () => {
    const m = ask(zones, 'alext.example.test', TYPE.A);
    expect(m.rcode).toBe(RCODE.NOERROR);
    expect(m.answers).toHaveLength(0);
    expect(m.authorities.map(show)).toEqual([SOA_LINE]);
  });

  it('SERVFAIL for a target outside our zones without a resolver', () => {
    const m = ask(zoneSet(['example.test', exampleZone()]), 'alext.example.test', TYPE.A);
    expect(m.rcode).toBe(RCODE.SERVFAIL);
    expect(m.answers).toHaveLength(0);
    expect(flags(m).aa).toBe(false);
  });
});

describe('respond: reply cache', () => {
  it('admits a reply the second time it is built', () => {
    const zones = zoneSet(['example.test', exampleZone()]);
    reply(query('www.example.test', TYPE.A), zones);
    expect(replyCacheSize()).toBe(0);
    reply(query('www.example.test', TYPE.A), zones);
    expect(replyCacheSize()).toBe(1);
    reply(query('www.example.test', TYPE.A), zones);
    expect(replyCacheSize()).toBe(1);
  });

  it('returns identical replies, patching ID, RD/CD and the qname case', () => {
    const zones = zoneSet(['example.test', exampleZone()]);
    reply(query('www.example.test', TYPE.A, { id: 1 }), zones);
    const a = reply(query('www.example.test', TYPE.A, { id: 1 }), zones);
    expect(replyCacheSize()).toBe(1);
    const b = reply(query('www.example.test', TYPE.A, { id: 1 }), zones);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    expect(b).not.toBe(a);
    const c = decodeMessage(reply(query('WWW.Example.Test', TYPE.A, { id: 0xbeef, flags: FLAG.CD }), zones));
    expect(replyCacheSize()).toBe(1);
    expect(c.id).toBe(0xbeef);
    expect(flags(c)).toMatchObject({ rd: false, cd: true, aa: true });
    // The CNAME target's suffix is a pointer into the question, so it shows the new case too.
    expect(show(c.answers[0]!)).toBe('WWW.Example.Test 300 CNAME web.Example.Test.');
    // Same bytes as without the cache.
    const uncached = reply(query('WWW.Example.Test', TYPE.A, { id: 0xbeef, flags: FLAG.CD }), zones, { transport: 'udp', cache: false });
    expect(Buffer.from(uncached).equals(Buffer.from(reply(query('WWW.Example.Test', TYPE.A, { id: 0xbeef, flags: FLAG.CD }), zones)))).toBe(true);
  });

  it('keys by type, EDNS/DO and size', () => {
    const zones = zoneSet(['example.test', exampleZone()]);
    const twice = (q: Buffer, ctx?: { transport: 'udp' | 'tcp' }): Uint8Array => {
      reply(q, zones, ctx);
      return reply(q, zones, ctx);
    };
    const plain = decodeMessage(twice(query('web.example.test', TYPE.A, { edns: null })));
    const withDo = decodeMessage(twice(query('web.example.test', TYPE.A, { edns: { do: true } })));
    const tcp = decodeMessage(twice(query('web.example.test', TYPE.A, { edns: { do: true } }), { transport: 'tcp' }));
    const aaaa = decodeMessage(twice(query('web.example.test', TYPE.AAAA)));
    expect(plain.edns).toBeNull();
    expect(withDo.edns?.do).toBe(true);
    expect(tcp.edns?.do).toBe(true);
    expect(aaaa.answers).toHaveLength(0);
    expect(replyCacheSize()).toBe(4);
  });

  it('is invalidated by apply() + touched(), set() and delete()', () => {
    const zones = zoneSet(['example.test', exampleZone()]);
    expect(ask(zones, 'web.example.test', TYPE.A).answers).toHaveLength(2);
    expect(ask(zones, 'web.example.test', TYPE.A).answers).toHaveLength(2);
    expect(replyCacheSize()).toBe(1);
    const zone = zones.get('example.test')!;
    zone.apply([rr('example.test', 'SOA', SOA_RDATA), rr('web.example.test', 'A', '192.0.2.80', 60)], [rr('example.test', 'SOA', SOA_RDATA.replace('2024010101', '2024010102'))], 2024010102);
    zones.touched();
    expect(ask(zones, 'web.example.test', TYPE.A).answers.map(show)).toEqual(['web.example.test 60 A 192.0.2.81']);
    expect(ask(zones, 'web.example.test', TYPE.A).answers.map(show)).toEqual(['web.example.test 60 A 192.0.2.81']);
    zones.set(Zone.fromRRs('example.test', exampleZone()));
    expect(ask(zones, 'web.example.test', TYPE.A).answers).toHaveLength(2);
    zones.delete('example.test');
    expect(ask(zones, 'web.example.test', TYPE.A).rcode).toBe(RCODE.REFUSED);
  });

  it('is separate per zone set and can be turned off', () => {
    const one = zoneSet(['example.test', exampleZone()]);
    const two = zoneSet(['example.test', [rr('example.test', 'SOA', SOA_RDATA)]]);
    for (let i = 0; i < 3; i++) {
      expect(ask(one, 'web.example.test', TYPE.A).answers).toHaveLength(2);
      expect(ask(two, 'web.example.test', TYPE.A).rcode).toBe(RCODE.NXDOMAIN);
    }
    clearReplyCache();
    ask(one, 'web.example.test', TYPE.A, {}, { transport: 'udp', cache: false });
    expect(replyCacheSize()).toBe(0);
  });

  it('does not cache errors and refusals', () => {
    const zones = zoneSet(['example.test', exampleZone()]);
    for (let i = 0; i < 3; i++) {
      ask(zones, 'www.example.org', TYPE.A);
      ask(zones, 'example.test', TYPE.AXFR);
      ask(zones, 'alext.example.test', TYPE.A);
    }
    expect(replyCacheSize()).toBe(0);
  });
});

describe('respond: replies agree with dns-packet as an oracle', () => {
  const zones = zoneSet(['example.test', exampleZone()]);
  it.each([
    ['www.example.test', 'A'],
    ['example.test', 'MX'],
    ['sub.example.test', 'A'],
    ['nope.example.test', 'TXT'],
    ['example.test', 'SOA'],
  ] as const)('%s %s', (name, type) => {
    const q = dnsPacket.encode({ id: 7, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] });
    const d = dnsPacket.decode(Buffer.from(reply(q, zones)));
    expect(d.id).toBe(7);
    expect(d.type).toBe('response');
    expect(d.questions).toEqual([{ name, type, class: 'IN' }]);
    const ours = ask(zones, name, TYPE[type], { id: 7, edns: null });
    expect(d.answers!.length).toBe(ours.answers.length);
    expect(d.authorities!.length).toBe(ours.authorities.length);
    expect(d.additionals!.length).toBe(ours.additionals.length);
  });
});

describe('respond: robustness', () => {
  const zones = zoneSet(['example.test', exampleZone()]);

  it('never throws on random bytes or mutated queries; every reply decodes and fits', () => {
    const seeds = [
      query('www.example.test', TYPE.A),
      query('sub.example.test', TYPE.A, { edns: null }),
      query('example.test', TYPE.MX, { edns: { do: true } }),
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 80 }),
          fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([q, edits]) => {
            const b = Uint8Array.from(q);
            for (const [pos, v] of edits) b[pos % b.length] = v;
            return b;
          }),
        ),
        fc.constantFrom<'udp' | 'tcp'>('udp', 'tcp'),
        (packet, transport) => {
          const r = respond(packet, zones, { transport, cache: false });
          if (r === null) return;
          expect(r).toBeInstanceOf(Uint8Array);
          const bytes = r as Uint8Array;
          const m = decodeMessage(bytes);
          expect(m.id).toBe((packet[0]! << 8) | packet[1]!);
          expect(flags(m).qr).toBe(true);
          if (transport === 'udp') expect(bytes.length).toBeLessThanOrEqual(1232);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
