// SOA (RFC 1035 3.3.13), for zone files only: the API never takes SOA records as input.
import type { Soa } from '../model.js';
import { expectCount, MAX_TTL, ok, parseNameField, parseTtl, parseUint, problem, type ParseContext, type Parsed } from './fields.js';
import { fallbackView, rdataTokens, type RecordTypeDescriptor } from './record-descriptor.js';

const TIMERS = ['refresh', 'retry', 'expire', 'minimum'] as const;

function parseSoa(tokens: string[], ctx: ParseContext): Parsed<string> {
  const count = expectCount(tokens, 7, 'primary server, responsible mailbox, serial, refresh, retry, expire and minimum');
  if (count) return { ok: false, problem: count };
  const mname = parseNameField(tokens[0]!, 'primary server', ctx);
  if (!mname.ok) return mname;
  // The mailbox's first label is the local part and may hold any octet (`hostmaster\.ops`).
  const rname = parseNameField(tokens[1]!, 'responsible mailbox', { ...ctx, policy: 'any' });
  if (!rname.ok) return rname;
  const serial = parseUint(tokens[2]!, 'serial', 0, 2 ** 32 - 1);
  if (!serial.ok) return serial;
  const timers: number[] = [];
  for (const [i, name] of TIMERS.entries()) {
    const v = parseTtl(tokens[3 + i]!);
    if (v === null) return problem('invalid_format', name, `must be a number of seconds (or BIND units such as \`1h\`) up to ${MAX_TTL}`);
    timers.push(v);
  }
  return ok([mname.value, rname.value, serial.value, ...timers].join(' '));
}

export const SOA: RecordTypeDescriptor = {
  type: 'SOA',
  code: 6,
  api: false,
  parse: parseSoa,
  view: fallbackView,
  targets: () => [],
};

/** Canonical SOA RDATA → the model's fields (names without trailing dot; `ttl` is the caller's). */
export function soaFromRdata(rdata: string): Omit<Soa, 'ttl'> {
  const [mname = '.', rname = '.', ...nums] = rdataTokens(rdata);
  const n = nums.map(Number);
  const bare = (name: string): string => (name.endsWith('.') && name !== '.' ? name.slice(0, -1) : name);
  return { mname: bare(mname), rname: bare(rname), serial: n[0] ?? 0, refresh: n[1] ?? 0, retry: n[2] ?? 0, expire: n[3] ?? 0, minimum: n[4] ?? 0 };
}

/** The model's SOA → canonical RDATA (names absolute with trailing dot). */
export function soaToRdata(soa: Omit<Soa, 'ttl'>): string {
  const abs = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
  return `${abs(soa.mname)} ${abs(soa.rname)} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
}
