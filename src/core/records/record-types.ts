// The record-type registry: one descriptor table drives API input (HostUp fields → canonical RDATA),
// the HostUp view of stored RDATA, zone-file RDATA parsing and the names a record points at.
import type { FieldError } from '../errors.js';
import { parseName } from '../names.js';
import { A, AAAA, ALIAS, CNAME, MX, NS, PTR, SRV } from './basic-types.js';
import { CAA } from './caa-type.js';
import { DS, SSHFP, TLSA } from './digest-types.js';
import type { ParseContext } from './fields.js';
import { lexTokens } from './presentation.js';
import { buildFromValue, fallbackView, fieldErr, zoneDetail, type RdataResult, type RecordInput, type RecordTypeDescriptor } from './record-descriptor.js';
import { PULLZONE, REDIRECT, SCRIPT } from './smart-types.js';
import { CDNSKEY, CDS, DNSKEY } from './dnssec-types.js';
import { SOA } from './soa-type.js';
import { HTTPS, SVCB } from './svcb-type.js';
import { TXT } from './txt-type.js';

export type { RdataResult, RecordInput, RecordTypeDescriptor, RecordView } from './record-descriptor.js';
export type { FieldError };

/** Every type zonekeeper knows, keyed by mnemonic. */
export const RECORD_TYPES: Readonly<Record<string, RecordTypeDescriptor>> = Object.freeze(
  Object.fromEntries([A, AAAA, CNAME, ALIAS, MX, TXT, SRV, CAA, NS, PTR, TLSA, SSHFP, SVCB, HTTPS, DS, SOA, REDIRECT, PULLZONE, SCRIPT, DNSKEY, CDNSKEY, CDS].map((d) => [d.type, d])),
);

/** The 15 types the API accepts. */
export const API_RECORD_TYPES: readonly string[] = Object.freeze(
  ['A', 'AAAA', 'CNAME', 'ALIAS', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'PTR', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS', 'DS'],
);

/** Stored types that are not DNS types: never in zone files (Redirect, PullZone, Script). */
export const UNSERVED_TYPES: readonly string[] = Object.freeze(Object.values(RECORD_TYPES).filter((d) => d.served === false).map((d) => d.type));

/** Stored types kept out of the journal and DNS loads (PullZone, Script: DNS does nothing with them yet). */
export const UNJOURNALED_TYPES: readonly string[] = Object.freeze(Object.values(RECORD_TYPES).filter((d) => d.served === false && d.journaled !== true).map((d) => d.type));

/** False for stored types that are not DNS types (Redirect, PullZone, Script): zone files leave them out. */
export function isZoneFileType(type: string): boolean {
  return !UNSERVED_TYPES.includes(type);
}

/** False for stored types the journal and DNS loads leave out (PullZone, Script); Redirect is in (DNS maps it). */
export function isJournaledType(type: string): boolean {
  return !UNJOURNALED_TYPES.includes(type);
}

/**
 * Organization-API input (value + numeric fields) → canonical RDATA, for the API types and the
 * unserved types alike.
 */
export function buildAnyRdata(input: RecordInput): RdataResult {
  const desc = descriptor(input.type);
  if (desc === undefined || (!desc.api && desc.served !== false)) {
    return { ok: false, errors: [fieldErr('type', 'invalid_value', `\`type\` ${input.type} cannot be written.`)] };
  }
  return desc.build ? desc.build(input) : buildFromValue(desc, input);
}

function descriptor(type: string): RecordTypeDescriptor | undefined {
  return Object.hasOwn(RECORD_TYPES, type.toUpperCase()) ? RECORD_TYPES[type.toUpperCase()] : undefined;
}

/** True for the 15 API types; the caller may pass any case. */
export function isApiRecordType(t: string): boolean {
  return descriptor(t)?.api === true;
}

/** The RR type number, for ordering (ALIAS: 65401); undefined for unknown types. */
export function recordTypeCode(type: string): number | undefined {
  return descriptor(type)?.code;
}

/**
 * HostUp-style input (value + separate priority/weight/port) → canonical presentation RDATA.
 * Pointers: '/value', '/priority', '/weight', '/port' (the caller prefixes them for batch items).
 */
export function buildRdata(input: RecordInput): RdataResult {
  const desc = typeof input.type === 'string' ? descriptor(input.type) : undefined;
  if (desc === undefined || !desc.api) {
    const errors: FieldError[] = [fieldErr('type', 'invalid_value', `\`type\` must be one of ${API_RECORD_TYPES.join(', ')}.`)];
    return { ok: false, errors };
  }
  return desc.build ? desc.build(input) : buildFromValue(desc, input);
}

/** Canonical RDATA → HostUp view: value + numeric fields, null where the type does not use them. */
export function splitRdata(type: string, rdata: string): { value: string; priority: number | null; weight: number | null; port: number | null } {
  const desc = descriptor(type);
  return desc?.view ? desc.view(rdata) : fallbackView(rdata);
}

/** RDATA tokens (already lexed) → canonical RDATA, with a zone-file style error sentence. */
export function parseRdataTokens(type: string, tokens: string[], ctx: ParseContext): { ok: true; rdata: string } | { ok: false; detail: string } {
  const upper = type.toUpperCase();
  const desc = descriptor(upper);
  if (desc !== undefined && desc.served === false) return { ok: false, detail: `${upper} records cannot be written in zone files; manage them through the organization API.` };
  if (desc === undefined) {
    return { ok: false, detail: /^TYPE[0-9]+$/.test(upper) ? `Record type ${upper} is not supported.` : `Unknown record type \`${type}\`.` };
  }
  if (tokens[0] === '\\#') return { ok: false, detail: `The RFC 3597 generic form (\`\\#\`) is not supported for ${upper} records.` };
  const r = desc.parse(tokens, ctx);
  return r.ok ? { ok: true, rdata: r.value } : { ok: false, detail: zoneDetail(upper, r.problem) };
}

/** Full presentation RDATA as in a zone file (relative names resolved against `origin`) → canonical RDATA. */
export function parseRdataText(type: string, text: string, origin: string): { ok: true; rdata: string } | { ok: false; detail: string } {
  const o = parseName(origin, 'any');
  if (!o.ok) return { ok: false, detail: `The origin ${o.detail}.` };
  const lexed = lexTokens(text, 'rdata');
  if (!lexed.ok) return { ok: false, detail: `The ${type.toUpperCase()} record data is malformed: ${lexed.detail}.` };
  return parseRdataTokens(type, lexed.tokens, { origin: o.name, policy: 'any' });
}

/** Names the RDATA points at (MX exchange, SRV target, NS, CNAME, ALIAS, PTR, SVCB/HTTPS target); [] for none or '.'. */
export function rdataTargets(type: string, rdata: string): string[] {
  return descriptor(type)?.targets?.(rdata) ?? [];
}
