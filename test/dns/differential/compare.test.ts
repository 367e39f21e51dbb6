// The comparator and the strict parser on hand-made messages (no servers): what they must catch
// and what they must let pass. The Knot-against-Knot run (knot-self.test.ts) covers real traffic.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ACCEPTED, type RuleInput } from './accepted.js';
import { compareReplies, replyState, sectionDiff, type ReplyState } from './compare.js';
import { checkBatch, mutate, replyProblems } from './fuzz.js';
import { buildQuery, hex, lowerWire, nameToWire, parseMessage, ParseError, T, wireToText } from './wire.js';

const AA = dnsPacket.AUTHORITATIVE_ANSWER;

function reply(p: Partial<dnsPacket.Packet> & { id: number }): Uint8Array {
  return new Uint8Array(dnsPacket.encode({ type: 'response', flags: AA, questions: [{ name: 'www.example.test', type: 'A', class: 'IN' }], ...p }));
}

const query = buildQuery({ id: 7, qname: nameToWire('www.example.test'), qtype: T.A });
const www = (ttl = 3600, data = '192.0.2.1', name = 'www.example.test') => ({ name, type: 'A' as const, class: 'IN' as const, ttl, data });

function state(bytes: Uint8Array | null, q = query): ReplyState {
  return replyState(q, bytes);
}

describe('wire: strict parser', () => {
  const header = (an: number) => [0, 7, 0x84, 0, 0, 1, 0, an, 0, 0, 0, 0];
  const q = [...nameToWire('a.test'), 0, 1, 0, 1];

  it('reads names with backward pointers, escapes and case', () => {
    const m = parseMessage(reply({ id: 7, answers: [www(60, '192.0.2.9', 'WwW.example.test')] }));
    expect(m.answer).toHaveLength(1);
    expect(wireToText(m.answer[0]!.name)).toBe('WwW.example.test.');
    expect(wireToText(nameToWire('a\\.b.sp\\032ace.\\200x.test'))).toBe('a\\.b.sp\\032ace.\\200x.test.');
  });

  it('refuses forward and looping pointers, reserved label types, overruns and trailing octets', () => {
    const bad: [string, number[]][] = [
      ['forward pointer', [...header(0), 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]],
      ['pointer to itself', [...header(0), 0xc0, 12, 0, 1, 0, 1]],
      ['label type 0x40', [...header(0), 0x41, 0, 0, 1, 0, 1]],
      ['trailing octet', [...header(0), ...q, 0]],
      ['short question', [...header(0), ...q.slice(0, -1)]],
      ['A with RDLENGTH 5', [...header(1), ...q, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]],
      ['RDATA past the end', [...header(1), ...q, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2]],
      ['pointer inside SRV RDATA', [...header(1), ...q, 0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 8, 0, 0, 0, 0, 0, 0, 0xc0, 12]],
      ['TXT string past RDLENGTH', [...header(1), ...q, 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 2, 5, 0x61]],
    ];
    for (const [what, bytes] of bad) expect(() => parseMessage(Uint8Array.from(bytes)), what).toThrow(ParseError);
  });

  it('accepts a pointer inside MX RDATA and expands it', () => {
    const bytes = [...header(1), ...q, 0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 4, 0, 10, 0xc0, 12];
    const m = parseMessage(Uint8Array.from(bytes));
    expect(Array.from(m.answer[0]!.rdata)).toEqual([0, 10, ...nameToWire('a.test')]);
  });
});

describe('compare: what counts as a difference', () => {
  it('owner names and names inside RDATA compare case-insensitively; TTL and data exactly', () => {
    const a = parseMessage(reply({ id: 7, answers: [www(), { name: 'www.example.test', type: 'CNAME', class: 'IN', ttl: 60, data: 'Target.Example.test' }] })).answer;
    const b = parseMessage(reply({ id: 7, answers: [www(3600, '192.0.2.1', 'WWW.EXAMPLE.TEST'), { name: 'www.example.test', type: 'CNAME', class: 'IN', ttl: 60, data: 'target.example.test' }] })).answer;
    expect(sectionDiff(a, b)).toEqual({ onlyA: [], onlyB: [] });
    const c = parseMessage(reply({ id: 7, answers: [www(3599)] })).answer;
    expect(sectionDiff(a.slice(0, 1), c).onlyA).toHaveLength(1);
    const d = parseMessage(reply({ id: 7, answers: [www(3600, '192.0.2.2')] })).answer;
    expect(sectionDiff(a.slice(0, 1), d).onlyB).toHaveLength(1);
  });

  it('sections are multisets: a repeated record is a difference', () => {
    const a = parseMessage(reply({ id: 7, answers: [www(), www()] })).answer;
    const b = parseMessage(reply({ id: 7, answers: [www()] })).answer;
    expect(sectionDiff(a, b).onlyA).toHaveLength(1);
  });

  it('reports RCODE, flags, EDNS and sections, and nothing for identical replies', () => {
    const base = reply({ id: 7, answers: [www()] });
    expect(compareReplies(state(base), state(base))).toEqual([]);
    const nx = reply({ id: 7, flags: AA | 3, answers: [] }); // RCODE 3, NXDOMAIN
    const fields = compareReplies(state(base), state(nx)).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['rcode', 'answer']));
    const noAa = reply({ id: 7, flags: 0, answers: [www()] });
    expect(compareReplies(state(base), state(noAa)).map((d) => d.field)).toEqual(['flag.aa']);
    const withOpt = reply({ id: 7, answers: [www()], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as dnsPacket.Answer] });
    expect(compareReplies(state(base), state(withOpt)).map((d) => d.field)).toEqual(['edns.present']);
    expect(compareReplies(state(base), state(null)).map((d) => d.field)).toEqual(['noreply']);
  });

  it('checks each reply against its query: id, QR, the question copied with its case', () => {
    const wrongId = reply({ id: 8, answers: [www()] });
    expect(state(wrongId).kind === 'ok' && (state(wrongId) as { problems: string[] }).problems).toEqual(['id 8 != query id 7']);
    const upper = buildQuery({ id: 7, qname: nameToWire('WWW.example.test'), qtype: T.A });
    const s = state(reply({ id: 7, answers: [www()] }), upper);
    expect(s.kind === 'ok' && s.problems).toEqual(['question not copied exactly', 'answer owner equal to the qname does not keep its case']);
  });
});

describe('accepted rules stay narrow', () => {
  const input = (knot: ReplyState, zk: ReplyState, q = query): RuleInput => ({
    c: { label: 't', transport: 'udp', group: 'edge' },
    query: q,
    knot,
    zk,
    diffs: compareReplies(knot, zk),
    ctx: { existingNames: new Set() },
  });
  const accepted = (r: RuleInput) => ACCEPTED.flatMap((rule) => rule.accepts(r));

  it('do not accept a FORMERR for a well-formed query that Knot answers or drops', () => {
    const formerr = reply({ id: 7, flags: 1 }); // RCODE 1, FORMERR
    expect(accepted(input(state(null), state(formerr)))).toEqual([]);
    expect(accepted(input(state(reply({ id: 7, answers: [www()] })), state(formerr)))).toEqual([]);
  });

  it('do not accept a missing additional record that exists in the zone', () => {
    const knot = reply({ id: 7, answers: [www()], additionals: [www(60, '192.0.2.7', 'ns.example.test')] });
    const zk = reply({ id: 7, answers: [www()] });
    const r = input(state(knot), state(zk));
    r.ctx = { existingNames: new Set([hex(lowerWire(nameToWire('ns.example.test')))]) };
    expect(accepted(r)).toEqual([]);
    // the same record counts as wildcard-synthesized only when its owner is not a corpus name
    expect(accepted(input(state(knot), state(zk)))).toEqual(['additional']);
  });
});

describe('fuzz helpers', () => {
  it('mutations change packets as described', () => {
    const p = buildQuery({ id: 1, qname: nameToWire('a.test'), qtype: T.A });
    expect(mutate(p, [{ kind: 'truncate', at: 5 }])).toHaveLength(5);
    expect(mutate(p, [{ kind: 'count', which: 0, value: 2 }])[5]).toBe(2);
    expect(mutate(p, [{ kind: 'flip', at: 2, bit: 7 }])[2]).toBe(p[2]! ^ 0x80);
    expect(mutate(p, [{ kind: 'pointer', at: 0, target: 12 }])[12]).toBe(0xc0);
  });

  it('flag replies without a query id, with the wrong id, or over the UDP size', () => {
    const q = buildQuery({ id: 7, qname: nameToWire('www.example.test'), qtype: T.A });
    expect(replyProblems(q, reply({ id: 7, answers: [www()] }), 'udp')).toEqual([]);
    expect(replyProblems(q, reply({ id: 9, answers: [www()] }), 'udp')[0]).toMatch(/id 9/);
    const big = reply({ id: 7, answers: Array.from({ length: 40 }, (_, i) => www(60, `192.0.2.${i}`)) });
    expect(replyProblems(q, big, 'udp')[0]).toMatch(/over the limit 512/);
    expect(replyProblems(q, big, 'tcp')).toEqual([]);
    const got = { replies: new Map([[7, [reply({ id: 7, answers: [www()] })]]]), strays: [reply({ id: 99 })] };
    expect(checkBatch([{ describe: 'q' }], [q], got, 'udp')).toHaveLength(1);
  });
});
