// Domain names: parsing presentation form (RFC 1035 5.1 escapes), IDNA to A-labels, validation
// policies, canonical text and canonical ordering (RFC 4034 6.1). Names are stored and compared in
// one canonical text form: A-labels, lowercase ASCII, no trailing dot, `\.`/`\DDD` escapes for octets
// that are not letters, digits, hyphen, underscore or `*`.
import { domainToASCII } from 'node:url';

export const MAX_NAME_WIRE_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;

export type NameResult = { ok: true; name: string; labels: Uint8Array[] } | { ok: false; detail: string };

/**
 * How strict a name must be.
 * - `hostname`: letters, digits, hyphen (not at a label's ends), underscore; for host targets.
 * - `owner`: like hostname, plus a `*` wildcard as the whole leftmost label.
 * - `any`: any octets (zone-file import); still length-checked.
 */
export type NamePolicy = 'hostname' | 'owner' | 'any';

const PLAIN = /^[a-z0-9_-]+$/;

/** Split presentation text into raw labels, decoding `\X` and `\DDD` escapes. */
export function splitPresentation(text: string): Uint8Array[] | string {
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  if (text === '' || text === '.') return [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c /* \ */) {
      const next = text[i + 1];
      if (next === undefined) return 'a name may not end with a lone backslash';
      if (/[0-9]/.test(next)) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^[0-9]{3}$/.test(digits)) return 'a `\\DDD` escape needs exactly three digits';
        const v = Number(digits);
        if (v > 255) return 'a `\\DDD` escape must be at most 255';
        cur.push(v);
        i += 3;
      } else {
        cur.push(next.charCodeAt(0));
        i += 1;
      }
    } else if (ch === 0x2e /* . */) {
      if (cur.length === 0) return 'a name may not contain an empty label';
      labels.push(Uint8Array.from(cur));
      cur = [];
    } else {
      if (ch > 0x7e || ch < 0x21) return 'a name may contain only printable ASCII (use A-labels or escapes)';
      cur.push(ch);
    }
  }
  if (cur.length > 0) labels.push(Uint8Array.from(cur));
  return labels;
}

/** Canonical presentation of one label: lowercase, escaping everything but [a-z0-9_*-]. */
export function formatLabel(label: Uint8Array): string {
  let out = '';
  for (const b of label) {
    const c = b >= 0x41 && b <= 0x5a ? b + 32 : b;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2a) {
      out += String.fromCharCode(c);
    } else if (c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c && c !== 0x22 && c !== 0x3b && c !== 0x28 && c !== 0x29 && c !== 0x40 && c !== 0x24) {
      out += '\\' + String.fromCharCode(c);
    } else {
      out += '\\' + String(c).padStart(3, '0');
    }
  }
  return out;
}

export function formatName(labels: Uint8Array[]): string {
  return labels.map(formatLabel).join('.');
}

function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text);
}

/**
 * Parse and normalize a name given by a user: accepts a trailing dot, converts IDN (U-labels) to
 * A-labels, lowercases, checks label and name lengths and the policy. Returns the canonical text.
 */
export function parseName(input: string, policy: NamePolicy = 'owner'): NameResult {
  let text = input.trim();
  if (text === '') return { ok: false, detail: 'must not be empty' };
  if (text.endsWith('.') && !text.endsWith('\\.')) text = text.slice(0, -1);
  if (text === '') return { ok: false, detail: 'the root name is not allowed here' };
  if (!isAscii(text)) {
    if (text.includes('\\')) return { ok: false, detail: 'escapes cannot be mixed with non-ASCII characters' };
    const ascii = domainToASCII(text);
    if (ascii === '') return { ok: false, detail: 'is not a valid internationalized domain name' };
    text = ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
  }
  const labels = splitPresentation(text);
  if (typeof labels === 'string') return { ok: false, detail: labels };
  let wire = 1;
  for (const [i, label] of labels.entries()) {
    if (label.length > MAX_LABEL_LENGTH) return { ok: false, detail: `label ${i + 1} is longer than ${MAX_LABEL_LENGTH} octets` };
    wire += label.length + 1;
  }
  if (wire > MAX_NAME_WIRE_LENGTH) return { ok: false, detail: `is longer than ${MAX_NAME_WIRE_LENGTH} octets in wire form` };
  if (policy !== 'any') {
    for (const [i, label] of labels.entries()) {
      const text = formatLabel(label);
      if (text === '*' && i === 0 && policy === 'owner') continue;
      if (text.includes('*')) return { ok: false, detail: policy === 'owner' ? 'a wildcard `*` must be the whole leftmost label' : 'must not contain `*`' };
      if (!PLAIN.test(text)) return { ok: false, detail: 'labels may contain only letters, digits, hyphens and underscores' };
      if (text.startsWith('-') || text.endsWith('-')) return { ok: false, detail: 'a label may not start or end with a hyphen' };
    }
  }
  return { ok: true, name: formatName(labels), labels };
}

/** Labels of a canonical name (already validated). */
export function labelsOf(name: string): Uint8Array[] {
  const r = splitPresentation(name);
  if (typeof r === 'string') throw new Error(`not a canonical name: ${name}`);
  return r;
}

function compareLabel(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a[i]!;
    let y = b[i]!;
    if (x >= 0x41 && x <= 0x5a) x += 32;
    if (y >= 0x41 && y <= 0x5a) y += 32;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/** RFC 4034 6.1 canonical order: compare labels from the rightmost, octets as lowercase. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const la = labelsOf(a);
  const lb = labelsOf(b);
  let i = la.length - 1;
  let j = lb.length - 1;
  while (i >= 0 && j >= 0) {
    const c = compareLabel(la[i]!, lb[j]!);
    if (c !== 0) return c;
    i--;
    j--;
  }
  return la.length - lb.length;
}

/** True when `name` equals `zone` or lies below it (label-wise, not by string suffix). */
export function isInZone(name: string, zone: string): boolean {
  if (name === zone) return true;
  if (!name.endsWith('.' + zone)) return false;
  const ln = labelsOf(name);
  const lz = labelsOf(zone);
  if (ln.length <= lz.length) return false;
  for (let k = 1; k <= lz.length; k++) {
    if (compareLabel(ln[ln.length - k]!, lz[lz.length - k]!) !== 0) return false;
  }
  return true;
}

/** The owner relative to the zone: `@` for the apex, otherwise the leading labels. */
export function relativeName(name: string, zone: string): string {
  if (name === zone) return '@';
  return name.slice(0, name.length - zone.length - 1);
}

/**
 * Resolve a record name as API clients send it: `@` or empty is the apex; a name that already ends
 * in the zone (acme.sh and lego send FQDNs) is taken as is; anything else is relative to the zone.
 */
export function resolveOwner(input: string, zone: string): string {
  const t = input.trim();
  if (t === '' || t === '@') return zone;
  const bare = t.endsWith('.') && !t.endsWith('\\.') ? t.slice(0, -1) : t;
  if (t.endsWith('.')) return bare; // absolute
  const lower = bare.toLowerCase();
  if (lower === zone || lower.endsWith('.' + zone)) return bare;
  return `${bare}.${zone}`;
}
