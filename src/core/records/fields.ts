// RDATA field parsers shared by all record types (numbers, names, hex, base64) and the problem type
// they report, which record-types.ts turns into API field errors or zone-file line errors.
import type { FieldErrorCode } from '../errors.js';
import { parseName, type NamePolicy } from '../names.js';
import { looksLikeIpAddress } from './ip.js';
import { endsWithUnescapedDot } from './presentation.js';

/**
 * Why a piece of RDATA is invalid. `subject` names the RDATA field ("certificate usage"), or is null
 * when the whole value is meant; `predicate` completes the sentence ("must be between 0 and 3").
 */
export interface Problem {
  code: FieldErrorCode;
  subject: string | null;
  predicate: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/**
 * How names in RDATA are read. `origin` null: every name is absolute (API input, trailing dot
 * optional). Otherwise names without a trailing dot are relative to `origin` and `@` is the origin.
 */
export interface ParseContext {
  origin: string | null;
  policy: NamePolicy;
}

export function problem(code: FieldErrorCode, subject: string | null, predicate: string): { ok: false; problem: Problem } {
  return { ok: false, problem: { code, subject, predicate } };
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** An unsigned decimal integer in [min, max]. */
export function parseUint(raw: string, subject: string, min: number, max: number): Parsed<number> {
  if (!/^[0-9]+$/.test(raw)) return problem('invalid_format', subject, `must be a decimal number between ${min} and ${max}`);
  const v = raw.length > 12 ? Number.POSITIVE_INFINITY : Number(raw);
  if (v < min || v > max) return problem('out_of_range', subject, `must be between ${min} and ${max}`);
  return ok(v);
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
export const MAX_TTL = 2 ** 31 - 1; // RFC 2181 8

/** A TTL: seconds, or BIND units (`1h30m`, `1w`, `2D`), at most 2^31-1 (RFC 2181 8). */
export function parseTtl(raw: string): number | null {
  if (/^[0-9]+$/.test(raw)) {
    const v = raw.length > 12 ? Number.POSITIVE_INFINITY : Number(raw);
    return v <= MAX_TTL ? v : null;
  }
  if (!/^([0-9]+[smhdwSMHDW])+$/.test(raw)) return null;
  let total = 0;
  for (const m of raw.matchAll(/([0-9]+)([smhdwSMHDW])/g)) {
    total += Number(m[1]) * TTL_UNITS[m[2]!.toLowerCase()]!;
  }
  return total <= MAX_TTL ? total : null;
}

/** Hex spread over one or more tokens (RFC 6698 2.2 allows blanks inside); canonical uppercase. */
export function parseHex(tokens: string[], subject: string): Parsed<string> {
  const hex = tokens.join('');
  if (hex === '' || !/^[0-9a-fA-F]+$/.test(hex)) return problem('invalid_format', subject, 'must be hexadecimal digits');
  if (hex.length % 2 !== 0) return problem('invalid_format', subject, 'must have an even number of hex digits');
  // No record type with hex data leaves more than 65535 - 3 octets for it (RFC 1035 3.2.1 RDLENGTH).
  if (hex.length / 2 > 65532) return problem('too_long', subject, 'must fit in 65535 octets of record data');
  return ok(hex.toUpperCase());
}

/** Strict base64 (RFC 4648 4, padded); canonical text re-encoded, so unused bits are zero. */
export function parseBase64(raw: string, subject: string): Parsed<string> {
  if (raw === '' || raw.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) {
    return problem('invalid_format', subject, 'must be base64 (RFC 4648, with padding)');
  }
  return ok(Buffer.from(raw, 'base64').toString('base64'));
}

/** Resolve a presentation name against the context: `@`, relative, or absolute. */
export function absoluteText(raw: string, ctx: ParseContext): string {
  if (ctx.origin === null) return raw;
  if (raw === '@') return `${ctx.origin}.`;
  if (endsWithUnescapedDot(raw)) return raw;
  return `${raw}.${ctx.origin}.`;
}

export interface NameOptions {
  /** Allow the root `.` (null MX, SRV "no service", SVCB "owner name"). */
  allowRoot?: boolean;
  /** Refuse IP address literals, which users write by mistake where a host name belongs. */
  refuseIp?: boolean;
}

/** A domain name field; canonical text is lowercase, absolute, with the trailing dot (or `.`). */
export function parseNameField(raw: string, subject: string, ctx: ParseContext, opts: NameOptions = {}): Parsed<string> {
  if (raw.startsWith('"')) return problem('invalid_format', subject, 'must be a domain name, not a quoted string');
  if (raw === '.') {
    return opts.allowRoot ? ok('.') : problem('invalid_value', subject, 'must not be the root name `.`');
  }
  if (opts.refuseIp && looksLikeIpAddress(raw)) {
    return problem('invalid_value', subject, 'must be a host name, not an IP address');
  }
  const r = parseName(absoluteText(raw, ctx), ctx.policy);
  if (!r.ok) return problem('invalid_format', subject, `is not a valid domain name (${r.detail})`);
  return ok(`${r.name}.`);
}

/** Canonical name text (trailing dot) to the HostUp view: no trailing dot, root stays `.`. */
export function viewName(name: string): string {
  return name === '.' ? '.' : name.endsWith('.') ? name.slice(0, -1) : name;
}

/** A check that the number of tokens fits. */
export function expectCount(tokens: string[], n: number, fields: string): Problem | null {
  if (tokens.length === n) return null;
  return { code: 'invalid_format', subject: null, predicate: `must have ${n} fields: ${fields}` };
}
