// Address and name record types: A, AAAA, CNAME, ALIAS, NS, PTR, MX (RFC 7505 null MX), SRV (RFC 2782).
import { expectCount, ok, parseNameField, parseUint, problem, viewName, type ParseContext, type Parsed } from './fields.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.js';
import { buildWithLeadingNumbers, fallbackView, rdataTokens, type RecordTypeDescriptor, type RecordView } from './record-descriptor.js';

function single(tokens: string[], what: string): Parsed<string> {
  if (tokens.length === 1) return ok(tokens[0]!);
  return problem('invalid_format', null, `must be a single ${what}`);
}

function parseA(tokens: string[]): Parsed<string> {
  const t = single(tokens, 'IPv4 address');
  if (!t.ok) return t;
  const v4 = parseIPv4(t.value);
  if (v4 !== null) return ok(formatIPv4(v4));
  if (parseIPv6(t.value) !== null) return problem('invalid_value', null, 'must be an IPv4 address (use an AAAA record for IPv6)');
  return problem('invalid_format', null, 'must be an IPv4 address in dotted-quad form without leading zeros');
}

function parseAaaa(tokens: string[]): Parsed<string> {
  const t = single(tokens, 'IPv6 address');
  if (!t.ok) return t;
  const v6 = parseIPv6(t.value);
  if (v6 !== null) return ok(formatIPv6(v6));
  if (parseIPv4(t.value) !== null) return problem('invalid_value', null, 'must be an IPv6 address (use an A record for IPv4)');
  return problem('invalid_format', null, 'must be an IPv6 address');
}

export const A: RecordTypeDescriptor = { type: 'A', code: 1, api: true, parse: parseA };
export const AAAA: RecordTypeDescriptor = { type: 'AAAA', code: 28, api: true, parse: parseAaaa };

/** A type whose RDATA is one host name (CNAME, ALIAS, NS, PTR). */
function nameType(type: string, code: number): RecordTypeDescriptor {
  return {
    type,
    code,
    api: true,
    parse(tokens: string[], ctx: ParseContext): Parsed<string> {
      const t = single(tokens, 'host name');
      if (!t.ok) return t;
      return withoutSubject(parseNameField(t.value, 'target', ctx, { refuseIp: true }));
    },
    view: (rdata) => fallbackView(viewName(rdata)),
    targets: (rdata) => (rdata === '.' ? [] : [viewName(rdata)]),
  };
}

/** For single-field types the whole value is the field: "`value` must be …", not "the target in …". */
function withoutSubject(r: Parsed<string>): Parsed<string> {
  return r.ok ? r : { ok: false, problem: { ...r.problem, subject: null } };
}

export const CNAME = nameType('CNAME', 5);
/** ALIAS: CNAME-like flattening at the apex; answered as A/AAAA, never on the wire as its own type. */
export const ALIAS = nameType('ALIAS', 65401);
export const NS = nameType('NS', 2);
export const PTR = nameType('PTR', 12);

function parseMx(tokens: string[], ctx: ParseContext): Parsed<string> {
  const count = expectCount(tokens, 2, 'preference and mail server');
  if (count) return { ok: false, problem: count };
  const pref = parseUint(tokens[0]!, 'preference', 0, 65535);
  if (!pref.ok) return pref;
  const exchange = parseNameField(tokens[1]!, 'mail server', ctx, { allowRoot: true, refuseIp: true });
  if (!exchange.ok) return exchange;
  // RFC 7505 3: a null MX has preference 0 and the root as exchange.
  if (exchange.value === '.' && pref.value !== 0) return problem('invalid_value', 'preference', 'must be 0 for a null MX (mail server `.`)');
  return ok(`${pref.value} ${exchange.value}`);
}

export const MX: RecordTypeDescriptor = {
  type: 'MX',
  code: 15,
  api: true,
  parse: parseMx,
  build(input) {
    return buildWithLeadingNumbers(MX, input, [{ field: 'priority', max: 65535 }]);
  },
  view(rdata): RecordView {
    const [pref, exchange] = rdataTokens(rdata);
    if (exchange === undefined) return fallbackView(rdata);
    return { value: viewName(exchange), priority: Number(pref), weight: null, port: null };
  },
  targets(rdata) {
    const exchange = rdataTokens(rdata)[1];
    return exchange === undefined || exchange === '.' ? [] : [viewName(exchange)];
  },
};

function parseSrv(tokens: string[], ctx: ParseContext): Parsed<string> {
  const count = expectCount(tokens, 4, 'priority, weight, port and target');
  if (count) return { ok: false, problem: count };
  const nums: number[] = [];
  for (const [i, subject] of ['priority', 'weight', 'port'].entries()) {
    const n = parseUint(tokens[i]!, subject, 0, 65535);
    if (!n.ok) return n;
    nums.push(n.value);
  }
  // RFC 2782: a target of `.` means the service is decidedly not available at this domain.
  const target = parseNameField(tokens[3]!, 'target', ctx, { allowRoot: true, refuseIp: true });
  if (!target.ok) return target;
  return ok(`${nums.join(' ')} ${target.value}`);
}

export const SRV: RecordTypeDescriptor = {
  type: 'SRV',
  code: 33,
  api: true,
  parse: parseSrv,
  build(input) {
    return buildWithLeadingNumbers(SRV, input, [
      { field: 'priority', max: 65535 },
      { field: 'weight', max: 65535 },
      { field: 'port', max: 65535 },
    ]);
  },
  view(rdata): RecordView {
    const [priority, weight, port, target] = rdataTokens(rdata);
    if (target === undefined) return fallbackView(rdata);
    return { value: viewName(target), priority: Number(priority), weight: Number(weight), port: Number(port) };
  },
  targets(rdata) {
    const target = rdataTokens(rdata)[3];
    return target === undefined || target === '.' ? [] : [viewName(target)];
  },
};
