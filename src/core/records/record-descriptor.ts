// The record-type descriptor shape and the HostUp-input helpers every type shares: reading the
// numeric fields, refusing fields a type does not use, and turning problems into field errors.
import type { FieldError, FieldErrorCode } from '../errors.js';
import type { ParseContext, Parsed, Problem } from './fields.js';
import { lexTokens } from './presentation.js';

export interface RecordInput {
  type: string;
  value: string;
  priority?: number | null;
  weight?: number | null;
  port?: number | null;
}

export type RdataResult = { ok: true; rdata: string } | { ok: false; errors: FieldError[] };

export interface RecordView {
  value: string;
  priority: number | null;
  weight: number | null;
  port: number | null;
}

export type NumericField = 'priority' | 'weight' | 'port';

export interface RecordTypeDescriptor {
  /** Mnemonic, uppercase. */
  type: string;
  /** RR type number (ALIAS has none; it uses PowerDNS's private-use 65401, only for ordering). */
  code: number;
  /** Accepted by the HostUp API (SOA is zone-file only). */
  api: boolean;
  /** false: not a DNS type — stored and shown, never written to zone files (Redirect, PullZone, Script). */
  served?: boolean;
  /** With served false: still in the journal and DNS loads, where DNS maps it to other RRs (Redirect → A/AAAA). */
  journaled?: boolean;
  /** Full presentation RDATA tokens → canonical RDATA. */
  parse(tokens: string[], ctx: ParseContext): Parsed<string>;
  /** HostUp input → canonical RDATA. Default: `value` is the full presentation RDATA. */
  build?(input: RecordInput): RdataResult;
  /** Canonical RDATA → HostUp view. Default: `value` is the RDATA, no numeric fields. */
  view?(rdata: string): RecordView;
  /** Names the RDATA points at, canonical, no trailing dot. Default: none. */
  targets?(rdata: string): string[];
}

/** The context for API input: every name absolute, host-name syntax. */
export const API_CONTEXT: ParseContext = { origin: null, policy: 'hostname' };

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "`value` must be …." or "The certificate usage in `value` must be …." */
export function apiDetail(p: Problem, field: string): string {
  return p.subject === null ? `\`${field}\` ${p.predicate}.` : `${capitalize(`the ${p.subject}`)} in \`${field}\` ${p.predicate}.`;
}

/** "The A record data must be …." or "The TLSA certificate usage must be …." */
export function zoneDetail(type: string, p: Problem): string {
  return p.subject === null ? `The ${type} record data ${p.predicate}.` : `The ${type} ${p.subject} ${p.predicate}.`;
}

export function fieldErr(field: string, code: FieldErrorCode, detail: string): FieldError {
  return { pointer: `/${field}`, code, detail };
}

export function problemError(p: Problem, field = 'value'): FieldError {
  return fieldErr(field, p.code, apiDetail(p, field));
}

/** Errors for numeric fields the type does not use (they must be null or absent). */
export function unusedFieldErrors(input: RecordInput, type: string, used: readonly NumericField[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const f of ['priority', 'weight', 'port'] as const) {
    if (!used.includes(f) && input[f] !== null && input[f] !== undefined) {
      errors.push(fieldErr(f, 'not_allowed', `\`${f}\` is not used by ${type} records; send null or leave it out.`));
    }
  }
  return errors;
}

/** A numeric input field: undefined when absent; digit strings are accepted as numbers. */
export function readNumber(input: RecordInput, field: NumericField, max: number): { n?: number; error?: FieldError } {
  const raw: unknown = input[field];
  if (raw === null || raw === undefined) return {};
  const v = typeof raw === 'string' && /^[0-9]{1,10}$/.test(raw) ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    return { error: fieldErr(field, 'invalid_type', `\`${field}\` must be an integer.`) };
  }
  if (v < 0 || v > max) return { error: fieldErr(field, 'out_of_range', `\`${field}\` must be between 0 and ${max}.`) };
  return { n: v };
}

/** `value` as API tokens, or the error for a missing or malformed value. */
export function valueTokens(input: RecordInput): { ok: true; tokens: string[] } | { ok: false; error: FieldError } {
  if (typeof input.value !== 'string') return { ok: false, error: fieldErr('value', 'invalid_type', '`value` must be a string.') };
  if (input.value.trim() === '') return { ok: false, error: fieldErr('value', 'required', '`value` is required.') };
  const lexed = lexTokens(input.value, 'plain');
  if (!lexed.ok) return { ok: false, error: fieldErr('value', 'invalid_format', `\`value\` is malformed: ${lexed.detail}.`) };
  return { ok: true, tokens: lexed.tokens };
}

/** The default builder: `value` holds the full presentation RDATA; no numeric fields. */
export function buildFromValue(desc: RecordTypeDescriptor, input: RecordInput): RdataResult {
  const errors = unusedFieldErrors(input, desc.type, []);
  const vt = valueTokens(input);
  if (!vt.ok) errors.push(vt.error);
  else {
    const r = desc.parse(vt.tokens, API_CONTEXT);
    if (!r.ok) errors.push(problemError(r.problem));
    else if (errors.length === 0) return { ok: true, rdata: r.value };
  }
  return { ok: false, errors };
}

/** One numeric field that may also lead `value` (MX preference, SRV priority/weight/port, SvcPriority). */
export interface LeadingNumber {
  field: NumericField;
  max: number;
}

/**
 * Builder for types whose leading RDATA numbers HostUp sends as separate fields. `value` is either
 * the rest (the numbers then come from the fields and are required) or, when its first token is a
 * decimal number, the full RDATA; fields sent as well must then agree with it.
 */
export function buildWithLeadingNumbers(desc: RecordTypeDescriptor, input: RecordInput, lead: readonly LeadingNumber[]): RdataResult {
  const errors = unusedFieldErrors(input, desc.type, lead.map((l) => l.field));
  const nums = lead.map((l) => readNumber(input, l.field, l.max));
  for (const n of nums) if (n.error) errors.push(n.error);
  const vt = valueTokens(input);
  if (!vt.ok) return { ok: false, errors: [...errors, vt.error] };
  let tokens = vt.tokens;
  const full = /^[0-9]+$/.test(tokens[0] ?? '');
  for (const [i, l] of lead.entries()) {
    const given = nums[i]!.n;
    if (full) {
      const inValue = tokens[i];
      if (given !== undefined && inValue !== undefined && /^[0-9]+$/.test(inValue) && Number(inValue) !== given) {
        errors.push(fieldErr(l.field, 'conflict', `\`${l.field}\` (${given}) does not match the ${l.field} given in \`value\` (${inValue}).`));
      }
    } else if (given === undefined && !nums[i]!.error) {
      errors.push(fieldErr(l.field, 'required', `\`${l.field}\` is required for ${desc.type} records.`));
    }
  }
  const r = full ? desc.parse(tokens, API_CONTEXT) : parseWithFields(desc, tokens, nums.map((n) => n.n));
  if (!r.ok) errors.push(problemError(r.problem));
  if (errors.length > 0 || !r.ok) return { ok: false, errors };
  return { ok: true, rdata: r.value };
}

/**
 * Parse `value` behind the numbers from the fields. A missing or invalid number is tried as 0 and as
 * 1, and the value is blamed only when both fail, so that an error about a number (null MX needs 0,
 * SVCB AliasMode takes no params) is not reported against `value`.
 */
function parseWithFields(desc: RecordTypeDescriptor, tokens: string[], nums: (number | undefined)[]): Parsed<string> {
  const attempt = (fill: number): Parsed<string> => desc.parse([...nums.map((n) => String(n ?? fill)), ...tokens], API_CONTEXT);
  if (nums.every((n) => n !== undefined)) return attempt(0);
  const zero = attempt(0);
  if (zero.ok) return zero;
  const one = attempt(1);
  return one.ok ? one : zero;
}

/** Canonical RDATA re-lexed (it is always lexable; a failure means a caller passed junk). */
export function rdataTokens(rdata: string): string[] {
  const r = lexTokens(rdata, 'rdata');
  return r.ok ? r.tokens : [];
}

export function fallbackView(rdata: string): RecordView {
  return { value: rdata, priority: null, weight: null, port: null };
}
