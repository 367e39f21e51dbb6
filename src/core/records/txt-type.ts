// TXT (RFC 1035 3.3.14): HostUp's unquoted values split into 255-octet character-strings, the quoted
// presentation form, and the canonical form (every string quoted, escaped).
import { ok, problem, type Parsed } from './fields.js';
import { decodeCharString, lexTokens, quoteOctets, utf8DecodeStrict, utf8Encode } from './presentation.js';
import { fieldErr, problemError, rdataTokens, unusedFieldErrors, type RdataResult, type RecordInput, type RecordTypeDescriptor, type RecordView } from './record-descriptor.js';

export const MAX_CHARACTER_STRING = 255;
export const MAX_RDATA_OCTETS = 65535;

function fromStrings(strings: Uint8Array[]): Parsed<string> {
  // Each character-string costs its length octet plus its content on the wire.
  const wire = strings.reduce((sum, s) => sum + 1 + s.length, 0);
  if (wire > MAX_RDATA_OCTETS) return problem('too_long', null, `must fit in ${MAX_RDATA_OCTETS} octets of record data (it needs ${wire})`);
  return ok(strings.map(quoteOctets).join(' '));
}

function parseTxt(tokens: string[]): Parsed<string> {
  if (tokens.length === 0) return problem('required', null, 'must contain at least one character-string');
  const strings: Uint8Array[] = [];
  for (const [i, raw] of tokens.entries()) {
    const bytes = decodeCharString(raw);
    if (typeof bytes === 'string') return problem('invalid_format', `string ${i + 1}`, `is malformed: ${bytes}`);
    if (bytes.length > MAX_CHARACTER_STRING) {
      return problem('too_long', `string ${i + 1}`, `must be at most ${MAX_CHARACTER_STRING} octets (it has ${bytes.length})`);
    }
    strings.push(bytes);
  }
  return fromStrings(strings);
}

/** Split octets into strings of at most 255, never inside a UTF-8 sequence (when it is UTF-8). */
export function splitOctets(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + MAX_CHARACTER_STRING, bytes.length);
    // Back off while the next string would begin with a UTF-8 continuation octet (10xxxxxx).
    let e = end;
    while (e < bytes.length && e > start && (bytes[e]! & 0xc0) === 0x80) e--;
    if (e > start) end = e;
    out.push(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

function buildTxt(input: RecordInput): RdataResult {
  const errors = unusedFieldErrors(input, 'TXT', []);
  if (typeof input.value !== 'string') return { ok: false, errors: [...errors, fieldErr('value', 'invalid_type', '`value` must be a string.')] };
  let r: Parsed<string>;
  if (input.value.startsWith('"')) {
    const lexed = lexTokens(input.value, 'plain');
    if (!lexed.ok) {
      return { ok: false, errors: [...errors, fieldErr('value', 'invalid_format', `\`value\` has unbalanced quotes (${lexed.detail}).`)] };
    }
    r = parseTxt(lexed.tokens);
  } else {
    // HostUp sends TXT unquoted: the value is literal text, backslashes and quotes included.
    r = fromStrings(splitOctets(utf8Encode(input.value)));
  }
  if (!r.ok) errors.push(problemError(r.problem));
  if (errors.length > 0 || !r.ok) return { ok: false, errors };
  return { ok: true, rdata: r.value };
}

/** The concatenated text; the presentation form when that would not read back the same. */
function viewTxt(rdata: string): RecordView {
  const parts: Uint8Array[] = [];
  for (const raw of rdataTokens(rdata)) {
    const b = decodeCharString(raw);
    if (typeof b === 'string') return { value: rdata, priority: null, weight: null, port: null };
    parts.push(b);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const text = utf8DecodeStrict(all);
  // The unquoted text is the view only when sending it back gives the same RDATA: not for text that
  // starts with a quote (read back as presentation form), octets that are not UTF-8 (no JSON string
  // holds them), or strings split otherwise than our 255-octet rule (imported `"a" "b"`). Then the
  // view is the presentation form, which reads back exactly.
  const lossless = text !== null && !text.startsWith('"') && sameSplit(parts, splitOctets(all));
  return { value: lossless ? text : rdata, priority: null, weight: null, port: null };
}

function sameSplit(a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i]!.length);
}

export const TXT: RecordTypeDescriptor = { type: 'TXT', code: 16, api: true, parse: parseTxt, build: buildTxt, view: viewTxt };
