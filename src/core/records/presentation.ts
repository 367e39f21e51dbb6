// Presentation-format lexing shared by RDATA parsing and the zone-file parser (RFC 1035 5.1):
// tokens, quoted sections, `\X`/`\DDD` escapes, parentheses, comments, and character-strings.

/** One logical entry: the tokens of a zone-file line (parentheses joined) or of one RDATA text. */
export interface LexEntry {
  /** 1-based line of the entry's first character. */
  line: number;
  /** True when the line starts with a space or tab (the owner is the previous one). */
  blankOwner: boolean;
  /** Raw token text: quotes and escapes kept, so a token re-lexes to itself. */
  tokens: string[];
  /** Set when the entry could not be lexed; `tokens` is then incomplete. */
  error?: string;
}

/**
 * - `zone`: a master file; newlines end entries except inside parentheses, `;` starts a comment.
 * - `rdata`: one record's RDATA in zone syntax (parentheses and comments allowed, newlines are blanks).
 * - `plain`: an API value; `;`, `(` and `)` are ordinary characters, newlines are blanks.
 */
export type LexMode = 'zone' | 'rdata' | 'plain';

const BLANK = new Set([' ', '\t', '\r', '\n', '\f', '\v']);

interface LexState {
  text: string;
  mode: LexMode;
  i: number;
  line: number;
  depth: number;
  entries: LexEntry[];
  cur: LexEntry | null;
}

function isSpecial(ch: string, mode: LexMode): boolean {
  return mode !== 'plain' && (ch === ';' || ch === '(' || ch === ')');
}

function entry(st: LexState, blankOwner: boolean): LexEntry {
  if (st.cur === null) {
    st.cur = { line: st.line, blankOwner, tokens: [] };
    st.entries.push(st.cur);
  }
  return st.cur;
}

function fail(st: LexState, detail: string): void {
  const e = entry(st, false);
  if (e.error === undefined) e.error = detail;
}

/** Read one token starting at st.i; returns its raw text or an error sentence. */
function readToken(st: LexState): string | { error: string } {
  const { text, mode } = st;
  const start = st.i;
  const startsQuoted = text[start] === '"';
  let inQuote = false;
  while (st.i < text.length) {
    const ch = text[st.i]!;
    if (ch === '\\') {
      if (st.i + 1 >= text.length) return { error: 'a lone backslash ends the text' };
      if (text[st.i + 1] === '\n') return { error: 'a backslash may not escape a line break' };
      st.i += 2;
      continue;
    }
    if (inQuote) {
      if (ch === '"') {
        inQuote = false;
        st.i++;
        if (startsQuoted) break; // `"a""b"` is two strings
        continue;
      }
      if (ch === '\n' && mode === 'zone') return { error: 'a quoted string is not closed on its line' };
      st.i++;
      continue;
    }
    if (BLANK.has(ch) || isSpecial(ch, mode)) break;
    if (ch === '"') inQuote = true;
    st.i++;
  }
  if (inQuote) return { error: 'a quoted string is not closed' };
  return text.slice(start, st.i);
}

function skipComment(st: LexState): void {
  while (st.i < st.text.length && st.text[st.i] !== '\n') st.i++;
}

function onNewline(st: LexState): void {
  st.i++;
  st.line++;
  if (st.mode === 'zone' && st.depth === 0) st.cur = null;
}

function onParen(st: LexState, ch: string): void {
  st.i++;
  if (ch === '(') {
    if (st.depth > 0) fail(st, 'parentheses may not be nested');
    st.depth++;
  } else if (st.depth === 0) {
    fail(st, 'a closing parenthesis has no opening one');
  } else {
    st.depth--;
  }
}

/** Split text into entries of raw tokens (see LexMode). Lexing errors are attached to the entry. */
export function lex(text: string, mode: LexMode): LexEntry[] {
  const st: LexState = { text, mode, i: 0, line: 1, depth: 0, entries: [], cur: null };
  let lineStart = true;
  while (st.i < text.length) {
    const ch = text[st.i]!;
    const atLineStart = lineStart;
    lineStart = false;
    if (ch === '\n') {
      onNewline(st);
      lineStart = true;
    } else if (BLANK.has(ch)) {
      if (atLineStart && mode === 'zone' && st.cur === null) entry(st, true);
      st.i++;
    } else if (ch === ';' && mode !== 'plain') {
      skipComment(st);
    } else if ((ch === '(' || ch === ')') && mode !== 'plain') {
      onParen(st, ch);
    } else {
      const e = entry(st, false);
      const tok = readToken(st);
      if (typeof tok === 'string') e.tokens.push(tok);
      else {
        fail(st, tok.error);
        // Give up on the rest of this line; in a zone file the entry also ends there, so that an
        // unclosed parenthesis before the error does not swallow the lines after it.
        skipComment(st);
        if (mode === 'zone') st.depth = 0;
      }
    }
  }
  if (st.depth > 0) fail(st, 'an opening parenthesis is never closed');
  // Entries that hold only blanks or comments are not entries.
  return st.entries.filter((e) => e.tokens.length > 0 || e.error !== undefined);
}

/** Lex a single RDATA text; a lexing error is returned as a sentence fragment. */
export function lexTokens(text: string, mode: 'rdata' | 'plain'): { ok: true; tokens: string[] } | { ok: false; detail: string } {
  const entries = lex(text, mode);
  const tokens: string[] = [];
  for (const e of entries) {
    if (e.error !== undefined) return { ok: false, detail: e.error };
    for (const t of e.tokens) tokens.push(t);
  }
  return { ok: true, tokens };
}

const utf8 = new TextEncoder();

/** Decode the escapes of unquoted text (`\X`, `\DDD`) into octets; non-ASCII becomes UTF-8. */
export function decodeEscapes(text: string): Uint8Array | string {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return 'a lone backslash ends the text';
      if (next >= '0' && next <= '9') {
        const digits = text.slice(i + 1, i + 4);
        if (!/^[0-9]{3}$/.test(digits)) return 'a `\\DDD` escape needs exactly three digits';
        const v = Number(digits);
        if (v > 255) return 'a `\\DDD` escape must be at most 255';
        out.push(v);
        i += 3;
        continue;
      }
      // Escape a whole code point, not half of a surrogate pair.
      const cp = text.codePointAt(i + 1)!;
      const s = String.fromCodePoint(cp);
      out.push(...utf8.encode(s));
      i += s.length;
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cp < 0x80) out.push(cp);
    else {
      const s = String.fromCodePoint(cp);
      out.push(...utf8.encode(s));
      i += s.length - 1;
    }
  }
  return Uint8Array.from(out);
}

/** Decode one raw token as a character-string (quoted or not); length is not checked here. */
export function decodeCharString(raw: string): Uint8Array | string {
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"') || endsWithEscapedQuote(raw)) return 'a quoted string is not closed';
    return decodeEscapes(raw.slice(1, -1));
  }
  if (hasUnescapedQuote(raw)) return 'a quote may only start a string (escape it as `\\"` inside one)';
  return decodeEscapes(raw);
}

function endsWithEscapedQuote(raw: string): boolean {
  let n = 0;
  for (let i = raw.length - 2; i >= 1 && raw[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function hasUnescapedQuote(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === '"') return true;
  }
  return false;
}

/** Canonical escaping of octets inside quotes: `\"`, `\\`, printable ASCII as is, others `\DDD`. */
export function escapeOctets(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += '\\' + String(b).padStart(3, '0');
  }
  return out;
}

/** Canonical character-string: always quoted. */
export function quoteOctets(bytes: Uint8Array): string {
  return `"${escapeOctets(bytes)}"`;
}

/** True when `raw` ends with a dot that is not escaped (an absolute name in presentation form). */
export function endsWithUnescapedDot(raw: string): boolean {
  if (!raw.endsWith('.')) return false;
  let n = 0;
  for (let i = raw.length - 2; i >= 0 && raw[i] === '\\'; i--) n++;
  return n % 2 === 0;
}

export function utf8Encode(text: string): Uint8Array {
  return utf8.encode(text);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Octets as text when they are valid UTF-8, otherwise null. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
