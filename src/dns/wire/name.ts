// Domain names as uncompressed wire bytes (RFC 1035 3.1): a sequence of length-prefixed labels
// ending with the zero-length root label, case preserved. Conversions to and from the presentation
// text the store keeps (RFC 1035 5.1 escapes), lowercase copies and keys, canonical order
// (RFC 4034 6.1).
//
// Text forms:
// - `wireToName`: presentation text, case preserved, no trailing dot; the root is ".".
// - `nameKey`: the store's canonical text (core/names.ts formatLabel: lowercase, everything but
//   [a-z0-9_*-] escaped, `.` inside a label as `\046`), no trailing dot; the root is "". Every `.`
//   in a key separates labels, so a key's parent is the text after its first `.`.
// - `absoluteName`: like `wireToName` with the trailing dot ("." for the root), as RDATA text has it.
import { WireError } from './errors.js';

export const MAX_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;

/** The root name, one zero octet. Do not modify. */
export const ROOT_NAME: Uint8Array = Uint8Array.of(0);

/** ASCII lowercase of every octet value. */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i >= 0x41 && i <= 0x5a ? i + 32 : i;
  return t;
})();

/**
 * Text of one label octet: `lower` gives the store's canonical form (core/names.ts formatLabel),
 * otherwise the same escaping with case preserved.
 */
function octetText(b: number, lower: boolean): string {
  const c = lower ? LOWER[b]! : b;
  const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  if (letter || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a) return String.fromCharCode(c);
  if (c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c && c !== 0x22 && c !== 0x3b && c !== 0x28 && c !== 0x29 && c !== 0x40 && c !== 0x24) {
    return '\\' + String.fromCharCode(c);
  }
  return '\\' + String(c).padStart(3, '0');
}

/** Per octet: its text as up to 4 latin1 chars (at [b*4]) and their count. */
function octetTable(lower: boolean): { chars: Uint8Array; lens: Uint8Array } {
  const chars = new Uint8Array(256 * 4);
  const lens = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    const t = octetText(b, lower);
    lens[b] = t.length;
    for (let i = 0; i < t.length; i++) chars[b * 4 + i] = t.charCodeAt(i);
  }
  return { chars, lens };
}

const KEY_TEXT = octetTable(true);
const PRES_TEXT = octetTable(false);
const textBuf = Buffer.alloc(MAX_NAME_LENGTH * 4 + 2);

const scratch = new Uint8Array(MAX_NAME_LENGTH + 64);

/**
 * Presentation text → wire name. The text is absolute (a trailing dot is optional); `""` and `"."`
 * are the root. `\X` and `\DDD` escapes; other octets must be printable ASCII.
 */
export function nameToWire(text: string): Uint8Array {
  if (text === '' || text === '.') return ROOT_NAME.slice();
  const n = text.length;
  let out = 1; // next write position; scratch[labelStart] holds the label length
  let labelStart = 0;
  for (let i = 0; i < n; i++) {
    let ch = text.charCodeAt(i);
    if (ch === 0x2e /* . */) {
      const len = out - labelStart - 1;
      if (len === 0) throw new WireError(`name "${text}" has an empty label`);
      scratch[labelStart] = len;
      labelStart = out;
      out++;
      continue;
    }
    if (ch === 0x5c /* \ */) {
      if (i + 1 >= n) throw new WireError(`name "${text}" ends with a lone backslash`);
      const d1 = text.charCodeAt(i + 1) - 0x30;
      if (d1 >= 0 && d1 <= 9) {
        const d2 = text.charCodeAt(i + 2) - 0x30;
        const d3 = text.charCodeAt(i + 3) - 0x30;
        if (!(d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9)) throw new WireError(`name "${text}" has a \\DDD escape without three digits`);
        ch = d1 * 100 + d2 * 10 + d3;
        if (ch > 255) throw new WireError(`name "${text}" has a \\DDD escape above 255`);
        i += 3;
      } else {
        ch = text.charCodeAt(i + 1);
        if (ch > 0x7e) throw new WireError(`name "${text}" escapes a non-ASCII character`);
        i += 1;
      }
    } else if (ch < 0x21 || ch > 0x7e) {
      throw new WireError(`name "${text}" may contain only printable ASCII (escape other octets)`);
    }
    if (out - labelStart - 1 >= MAX_LABEL_LENGTH) throw new WireError(`name "${text}" has a label longer than ${MAX_LABEL_LENGTH} octets`);
    if (out >= MAX_NAME_LENGTH) throw new WireError(`name "${text}" is longer than ${MAX_NAME_LENGTH} octets`);
    scratch[out++] = ch;
  }
  const last = out - labelStart - 1;
  if (last > 0) {
    scratch[labelStart] = last;
    scratch[out++] = 0;
  } else {
    // The text ended with a dot: the label slot just opened is the root label.
    scratch[labelStart] = 0;
  }
  if (out > MAX_NAME_LENGTH) throw new WireError(`name "${text}" is longer than ${MAX_NAME_LENGTH} octets`);
  return scratch.slice(0, out);
}

function labelsText(wire: Uint8Array, table: { chars: Uint8Array; lens: Uint8Array }, empty: string, dot: boolean): string {
  const { chars, lens } = table;
  const n = wire.length;
  let pos = 0;
  let out = 0;
  for (;;) {
    const len = wire[pos];
    if (len === undefined) throw new WireError('name is not terminated by the root label');
    if (len === 0) break;
    if (len > MAX_LABEL_LENGTH) throw new WireError('name has a compression pointer or a label type that is not allowed here');
    const end = pos + 1 + len;
    if (end > n || end > MAX_NAME_LENGTH) throw new WireError(end > n ? 'name label runs past its end' : `name is longer than ${MAX_NAME_LENGTH} octets`);
    if (pos !== 0) textBuf[out++] = 0x2e;
    for (let i = pos + 1; i < end; i++) {
      const b = wire[i]!;
      const k = lens[b]!;
      const c = b * 4;
      textBuf[out++] = chars[c]!;
      if (k > 1) {
        for (let j = 1; j < k; j++) textBuf[out++] = chars[c + j]!;
      }
    }
    pos = end;
  }
  if (pos === 0) return empty;
  if (dot) textBuf[out++] = 0x2e;
  return textBuf.toString('latin1', 0, out);
}

/** Wire name → presentation text, case preserved, no trailing dot; the root is ".". */
export function wireToName(wire: Uint8Array): string {
  return labelsText(wire, PRES_TEXT, '.', false);
}

/** Wire name → absolute presentation text with the trailing dot, case preserved ("." for the root). */
export function absoluteName(wire: Uint8Array): string {
  return labelsText(wire, PRES_TEXT, '.', true);
}

/** The zone index key: the store's canonical name text (lowercase, no trailing dot; root = ""). */
export function nameKey(wire: Uint8Array): string {
  return labelsText(wire, KEY_TEXT, '', false);
}

/** ASCII-lowercase copy (only octets inside labels change). */
export function lowerName(wire: Uint8Array): Uint8Array {
  const out = new Uint8Array(wire.length);
  let pos = 0;
  while (pos < wire.length) {
    const len = wire[pos]!;
    out[pos] = len;
    if (len === 0) break;
    const end = Math.min(pos + 1 + len, wire.length);
    for (let i = pos + 1; i < end; i++) out[i] = LOWER[wire[i]!]!;
    pos = end;
  }
  return out;
}

/** Number of labels, not counting the root (RFC 4034 3.1.3 style: `www.example.test` → 3). */
export function labelCount(wire: Uint8Array): number {
  let n = 0;
  let pos = 0;
  for (;;) {
    const len = wire[pos];
    if (len === undefined || len === 0) return n;
    n++;
    pos += len + 1;
  }
}

/** The name without its first label, sharing the bytes (no copy); null for the root. */
export function parentName(wire: Uint8Array): Uint8Array | null {
  const len = wire[0] ?? 0;
  if (len === 0) return null;
  return wire.subarray(len + 1);
}

/** The first label's octets (no copy); empty for the root. */
export function firstLabel(wire: Uint8Array): Uint8Array {
  const len = wire[0] ?? 0;
  return wire.subarray(1, 1 + len);
}

/** True when the first label is `*` (a wildcard owner, RFC 4592). */
export function isWildcard(wire: Uint8Array): boolean {
  return wire[0] === 1 && wire[1] === 0x2a;
}

/** Case-insensitive equality of two wire names. */
export function nameEquals(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && LOWER[x] !== LOWER[y]) return false;
  }
  // Label lengths compare equal too (they are < 0x41 or compared raw): same layout.
  return true;
}

/** True when `name` equals `ancestor` or lies below it (label-wise, case-insensitive). */
export function isSubdomain(name: Uint8Array, ancestor: Uint8Array): boolean {
  const skip = name.length - ancestor.length;
  if (skip < 0) return false;
  // The ancestor must start at a label boundary of name.
  let pos = 0;
  while (pos < skip) {
    const len = name[pos]!;
    if (len === 0) return false;
    pos += len + 1;
  }
  if (pos !== skip) return false;
  for (let i = 0; i < ancestor.length; i++) {
    const x = name[skip + i]!;
    const y = ancestor[i]!;
    if (x !== y && LOWER[x] !== LOWER[y]) return false;
  }
  return true;
}

/** Offsets of each label's length octet, first label first (root not included). */
export function labelOffsets(wire: Uint8Array): number[] {
  const offs: number[] = [];
  let pos = 0;
  for (;;) {
    const len = wire[pos];
    if (len === undefined || len === 0) return offs;
    offs.push(pos);
    pos += len + 1;
  }
}

/** RFC 4034 6.1 canonical order: labels compared from the rightmost, octets as lowercase. */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  const la = labelOffsets(a);
  const lb = labelOffsets(b);
  let i = la.length - 1;
  let j = lb.length - 1;
  while (i >= 0 && j >= 0) {
    const pa = la[i]!;
    const pb = lb[j]!;
    const na = a[pa]!;
    const nb = b[pb]!;
    const m = Math.min(na, nb);
    for (let k = 1; k <= m; k++) {
      const x = LOWER[a[pa + k]!]!;
      const y = LOWER[b[pb + k]!]!;
      if (x !== y) return x - y;
    }
    if (na !== nb) return na - nb;
    i--;
    j--;
  }
  return la.length - lb.length;
}

/** Prepend one label (raw octets) to a wire name: `concatLabel('*', zone)` style helpers. */
export function prependLabel(label: Uint8Array, wire: Uint8Array): Uint8Array {
  if (label.length === 0 || label.length > MAX_LABEL_LENGTH) throw new WireError('label must be 1 to 63 octets');
  if (label.length + 1 + wire.length > MAX_NAME_LENGTH) throw new WireError(`name would be longer than ${MAX_NAME_LENGTH} octets`);
  const out = new Uint8Array(label.length + 1 + wire.length);
  out[0] = label.length;
  out.set(label, 1);
  out.set(wire, label.length + 1);
  return out;
}

/**
 * Check that bytes are one well-formed uncompressed name filling them exactly; returns its length.
 * For values from outside the codec (the writer trusts its callers).
 */
export function checkWireName(wire: Uint8Array): number {
  let pos = 0;
  for (;;) {
    const len = wire[pos];
    if (len === undefined) throw new WireError('name is not terminated by the root label');
    if (len > MAX_LABEL_LENGTH) throw new WireError('name has a label longer than 63 octets or a compression pointer');
    pos += len + 1;
    if (pos > MAX_NAME_LENGTH) throw new WireError(`name is longer than ${MAX_NAME_LENGTH} octets`);
    if (len === 0) break;
  }
  if (pos !== wire.length) throw new WireError('bytes after the end of the name');
  return pos;
}
