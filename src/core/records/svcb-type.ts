// SVCB and HTTPS (RFC 9460): SvcPriority, TargetName and SvcParams in presentation form, each
// param validated and written canonically, params ordered by key number (RFC 9460 2.2).
import { ok, parseBase64, parseNameField, parseUint, problem, viewName, type ParseContext, type Parsed } from './fields.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.js';
import { decodeCharString } from './presentation.js';
import { buildWithLeadingNumbers, fallbackView, rdataTokens, type RecordTypeDescriptor, type RecordView } from './record-descriptor.js';

/** Keys with a name (RFC 9460 14.3.2; dohpath from RFC 9461). Others are written `keyNNNNN`. */
const KEY_NAMES: Record<number, string> = {
  0: 'mandatory', 1: 'alpn', 2: 'no-default-alpn', 3: 'port', 4: 'ipv4hint', 5: 'ech', 6: 'ipv6hint', 7: 'dohpath',
};
const KEY_NUMBERS: Record<string, number> = Object.fromEntries(Object.entries(KEY_NAMES).map(([n, name]) => [name, Number(n)]));

interface Param {
  key: number;
  /** Canonical presentation of the value; null when the param has none. */
  value: string | null;
}

export function keyName(key: number): string {
  return KEY_NAMES[key] ?? `key${key}`;
}

/** A key name or `keyNNNNN` → number (65535 is reserved, RFC 9460 14.3.2). */
function parseKey(text: string): Parsed<number> {
  const lower = text.toLowerCase();
  const named = KEY_NUMBERS[lower];
  if (named !== undefined) return ok(named);
  const m = /^key([0-9]{1,5})$/.exec(lower);
  if (m === null) return problem('invalid_value', 'SvcParam key', `\`${text}\` is not known (use a key name or \`keyNNNNN\`)`);
  const n = Number(m[1]);
  if (n > 65534) return problem('out_of_range', 'SvcParam key', `\`${text}\` is reserved`);
  if (KEY_NAMES[n] !== undefined) return problem('invalid_value', 'SvcParam key', `\`${text}\` must be written \`${KEY_NAMES[n]}\``);
  return ok(n);
}

/** RFC 9460 A.1: split a value-list at commas; `\,` and `\\` (after char-string decoding) are literal. */
function splitValueList(bytes: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c && i + 1 < bytes.length) {
      cur.push(bytes[++i]!);
    } else if (b === 0x2c) {
      items.push(Uint8Array.from(cur));
      cur = [];
    } else cur.push(b);
  }
  items.push(Uint8Array.from(cur));
  return items;
}

const SAFE = (b: number): boolean => b > 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3b && b !== 0x28 && b !== 0x29;

/** A value unquoted when every octet is safe there, otherwise quoted with escapes. */
function presentValue(bytes: Uint8Array): string {
  if (bytes.length > 0 && bytes.every(SAFE)) return latin1(bytes);
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + String(b).padStart(3, '0');
  }
  return out + '"';
}

/** Octets as one char each (no spread: values may be long). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** Octets a param value takes on the wire (RFC 9460 7), from its canonical presentation. */
function wireLength(key: number, value: string | null): number {
  if (value === null) return 0;
  const bytes = decodeCharString(value);
  const raw = typeof bytes === 'string' ? new Uint8Array() : bytes;
  switch (key) {
    case 0:
      return 2 * value.split(',').length;
    case 1:
      return splitValueList(raw).reduce((n, id) => n + 1 + id.length, 0);
    case 3:
      return 2;
    case 4:
      return 4 * value.split(',').length;
    case 5:
      return Buffer.from(value, 'base64').length;
    case 6:
      return 16 * value.split(',').length;
    default:
      return raw.length;
  }
}

function parseAlpn(bytes: Uint8Array): Parsed<string> {
  const items = splitValueList(bytes);
  const out: number[] = [];
  for (const [i, id] of items.entries()) {
    if (id.length === 0 || id.length > 255) return problem('invalid_value', 'alpn', 'must be a comma-separated list of protocol ids of 1 to 255 octets');
    if (i > 0) out.push(0x2c);
    for (const b of id) {
      if (b === 0x2c || b === 0x5c) out.push(0x5c);
      out.push(b);
    }
  }
  return ok(presentValue(Uint8Array.from(out)));
}

function parseHints(bytes: Uint8Array, family: 4 | 6): Parsed<string> {
  const out: string[] = [];
  for (const item of latin1(bytes).split(',')) {
    if (family === 4) {
      const v4 = parseIPv4(item);
      if (v4 === null) return problem('invalid_value', 'ipv4hint', 'must be a comma-separated list of IPv4 addresses');
      out.push(formatIPv4(v4));
    } else {
      const v6 = parseIPv6(item);
      if (v6 === null) return problem('invalid_value', 'ipv6hint', 'must be a comma-separated list of IPv6 addresses');
      out.push(formatIPv6(v6));
    }
  }
  return ok(out.join(','));
}

function parseMandatory(bytes: Uint8Array): Parsed<string> {
  const keys: number[] = [];
  for (const item of latin1(bytes).split(',')) {
    const k = parseKey(item);
    if (!k.ok) return problem('invalid_value', 'mandatory', `lists an unknown key \`${item}\``);
    if (k.value === 0) return problem('invalid_value', 'mandatory', 'must not list `mandatory` itself');
    if (keys.includes(k.value)) return problem('invalid_value', 'mandatory', `lists \`${item}\` twice`);
    keys.push(k.value);
  }
  return ok(keys.sort((a, b) => a - b).map(keyName).join(','));
}

function parseDohpath(bytes: Uint8Array): Parsed<string> {
  // RFC 9461 5: a relative URI Template that contains the `dns` variable.
  const text = latin1(bytes);
  if (!text.startsWith('/') || !/\{[?&]?(?:[^}]*,)?dns(?:,[^}]*)?\}/.test(text)) {
    return problem('invalid_value', 'dohpath', 'must be a relative URI template starting with `/` that contains the `dns` variable');
  }
  return ok(presentValue(bytes));
}

/** Validate one param value (octets after char-string decoding); null = no value given. */
function parseParamValue(key: number, bytes: Uint8Array | null): Parsed<string | null> {
  const name = keyName(key);
  const empty = bytes === null || bytes.length === 0;
  if (key === 2) return empty ? ok(null) : problem('invalid_value', name, 'takes no value');
  if (key > 7) return ok(empty ? null : presentValue(bytes!));
  if (empty) return problem('required', name, 'needs a value');
  switch (key) {
    case 0:
      return parseMandatory(bytes!);
    case 1:
      return parseAlpn(bytes!);
    case 3: {
      const port = parseUint(latin1(bytes!), 'port', 0, 65535);
      return port.ok ? ok(String(port.value)) : port;
    }
    case 4:
    case 6:
      return parseHints(bytes!, key === 4 ? 4 : 6);
    case 5:
      return parseBase64(latin1(bytes!), 'ech');
    default:
      return parseDohpath(bytes!);
  }
}

function parseParam(raw: string): Parsed<Param> {
  const eq = raw.indexOf('=');
  const keyText = eq < 0 ? raw : raw.slice(0, eq);
  const key = parseKey(keyText);
  if (!key.ok) return key;
  let bytes: Uint8Array | null = null;
  if (eq >= 0) {
    const decoded = decodeCharString(raw.slice(eq + 1));
    if (typeof decoded === 'string') return problem('invalid_format', keyName(key.value), `is malformed: ${decoded}`);
    bytes = decoded;
  }
  const value = parseParamValue(key.value, bytes);
  if (!value.ok) return value;
  return ok({ key: key.value, value: value.value === null ? null : String(value.value) });
}

/** Cross-param rules of RFC 9460 2.4.3, 7.1.1 and 8. */
function checkParamSet(priority: number, params: Param[]): Parsed<true> {
  if (priority === 0 && params.length > 0) return problem('invalid_value', 'SvcParams', 'must be empty in AliasMode (priority 0)');
  const present = new Set(params.map((p) => p.key));
  const mandatory = params.find((p) => p.key === 0);
  for (const name of mandatory?.value?.split(',') ?? []) {
    if (!present.has(KEY_NUMBERS[name] ?? Number(name.slice(3)))) return problem('invalid_value', 'mandatory', `lists \`${name}\`, which is not present`);
  }
  if (present.has(2) && !present.has(1)) return problem('invalid_value', 'no-default-alpn', 'needs `alpn` as well');
  return ok(true);
}

function parseSvcb(tokens: string[], ctx: ParseContext): Parsed<string> {
  if (tokens.length < 2) return problem('invalid_format', null, 'must have a priority, a target name and optional SvcParams');
  const priority = parseUint(tokens[0]!, 'priority', 0, 65535);
  if (!priority.ok) return priority;
  // RFC 9460 2.5: `.` is "no service" in AliasMode and "the owner name" in ServiceMode.
  const target = parseNameField(tokens[1]!, 'target', ctx, { allowRoot: true, refuseIp: true });
  if (!target.ok) return target;
  const params: Param[] = [];
  for (const raw of tokens.slice(2)) {
    const p = parseParam(raw);
    if (!p.ok) return p;
    if (params.some((q) => q.key === p.value.key)) return problem('invalid_value', keyName(p.value.key), 'appears twice');
    params.push(p.value);
  }
  params.sort((a, b) => a.key - b.key);
  const set = checkParamSet(priority.value, params);
  if (!set.ok) return set;
  // Priority, target (at most 255 octets) and 4 octets of key and length per param.
  const wire = 2 + (target.value === '.' ? 1 : target.value.length + 1) + params.reduce((n, p) => n + 4 + wireLength(p.key, p.value), 0);
  if (wire > 65535) return problem('too_long', 'SvcParams', `must fit in 65535 octets of record data (they need about ${wire})`);
  const text = params.map((p) => (p.value === null ? keyName(p.key) : `${keyName(p.key)}=${p.value}`));
  return ok([String(priority.value), target.value, ...text].join(' '));
}

function svcbType(type: string, code: number): RecordTypeDescriptor {
  const desc: RecordTypeDescriptor = {
    type,
    code,
    api: true,
    parse: parseSvcb,
    build: (input) => buildWithLeadingNumbers(desc, input, [{ field: 'priority', max: 65535 }]),
    view(rdata): RecordView {
      const [priority, target, ...params] = rdataTokens(rdata);
      if (target === undefined) return fallbackView(rdata);
      return { value: [viewName(target), ...params].join(' '), priority: Number(priority), weight: null, port: null };
    },
    targets(rdata) {
      const target = rdataTokens(rdata)[1];
      return target === undefined || target === '.' ? [] : [viewName(target)];
    },
  };
  return desc;
}

export const SVCB = svcbType('SVCB', 64);
export const HTTPS = svcbType('HTTPS', 65);
