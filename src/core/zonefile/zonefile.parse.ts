// Master-file parser (RFC 1035 5): directives, owners, TTL/class fields and RDATA into canonical
// records. Pure: it never reads files ($INCLUDE is refused) and reports every bad line it can.
import type { Soa } from '../model.js';
import { isInZone, parseName } from '../names.js';
import { absoluteText, parseTtl, MAX_TTL } from '../records/fields.js';
import { lex, type LexEntry } from '../records/presentation.js';
import { parseRdataTokens } from '../records/record-types.js';
import { soaFromRdata } from '../records/soa-type.js';

export interface ZoneFileRecord {
  /** Canonical owner name, no trailing dot. */
  name: string;
  type: string;
  ttl: number;
  /** Canonical RDATA. */
  rdata: string;
  line: number;
}

export interface ZoneFileParseResult {
  records: ZoneFileRecord[];
  soa: (Soa & { name: string }) | null;
  errors: { line: number; detail: string }[];
}

export interface ZoneFileParseOptions {
  /** The zone's name; also the initial $ORIGIN. */
  origin: string;
  /** TTL for records without one when there is no $TTL and no earlier explicit TTL (default 3600). */
  defaultTtl?: number;
  /** Stop with an error once more records than this have been read. */
  maxRecords?: number;
}

export const MAX_ERRORS = 100;
const DEFAULT_TTL = 3600;
const CLASSES = /^(IN|CH|CS|HS|CLASS[0-9]+)$/i;

class StopParsing extends Error {}

interface ParseState {
  zone: string;
  origin: string;
  /** $TTL, when one was given. */
  dollarTtl: number | null;
  /** The last explicit TTL (RFC 1035 5.1: an omitted TTL is the last one stated). */
  lastTtl: number | null;
  defaultTtl: number;
  lastOwner: string | null;
  maxRecords: number;
  result: ZoneFileParseResult;
}

function report(st: ParseState, line: number, detail: string): void {
  st.result.errors.push({ line, detail });
  if (st.result.errors.length >= MAX_ERRORS) {
    st.result.errors.push({ line, detail: `Stopped after ${MAX_ERRORS} errors.` });
    throw new StopParsing();
  }
}

/** A name in the file resolved against the current $ORIGIN; canonical, no trailing dot. */
function resolveName(raw: string, st: ParseState): { ok: true; name: string } | { ok: false; detail: string } {
  if (raw.startsWith('"')) return { ok: false, detail: 'a name cannot be a quoted string' };
  const r = parseName(absoluteText(raw, { origin: st.origin, policy: 'any' }), 'any');
  return r.ok ? { ok: true, name: r.name } : { ok: false, detail: `\`${raw}\` ${r.detail}` };
}

function directive(e: LexEntry, st: ParseState): void {
  const [word = '', arg, ...rest] = e.tokens;
  const name = word.toUpperCase();
  if (name === '$INCLUDE') return report(st, e.line, '`$INCLUDE` is not supported; put the included records into this file.');
  if (name !== '$ORIGIN' && name !== '$TTL') return report(st, e.line, `Unknown directive \`${word}\`.`);
  if (arg === undefined || rest.length > 0) return report(st, e.line, `\`${name}\` takes exactly one argument.`);
  if (name === '$TTL') {
    const ttl = parseTtl(arg);
    if (ttl === null) return report(st, e.line, `\`$TTL\` must be a number of seconds (or BIND units such as \`1h\`) up to ${MAX_TTL}.`);
    st.dollarTtl = ttl;
    return;
  }
  const origin = resolveName(arg, st);
  if (!origin.ok) return report(st, e.line, `\`$ORIGIN\` is not a valid name: ${origin.detail}.`);
  st.origin = origin.name;
}

/** Owner, then TTL and class in either order; returns the index of the type token. */
function readHeader(e: LexEntry, st: ParseState): { owner: string; ttl: number | null; at: number } | string {
  let at = 0;
  let owner: string;
  if (e.blankOwner) {
    if (st.lastOwner === null) return 'The first record needs an owner name.';
    owner = st.lastOwner;
  } else {
    const o = resolveName(e.tokens[0]!, st);
    if (!o.ok) return `The owner name is not valid: ${o.detail}.`;
    owner = o.name;
    at = 1;
  }
  let ttl: number | null = null;
  let klass: string | null = null;
  for (let k = 0; k < 2; k++) {
    const t = e.tokens[at];
    if (t === undefined) break;
    if (ttl === null && /^[0-9]/.test(t)) {
      ttl = parseTtl(t);
      if (ttl === null) return `The TTL \`${t}\` must be a number of seconds (or BIND units such as \`1h\`) up to ${MAX_TTL}.`;
      at++;
    } else if (klass === null && CLASSES.test(t)) {
      klass = t.toUpperCase();
      if (klass !== 'IN') return `Only class IN is supported, not ${klass}.`;
      at++;
    } else break;
  }
  return { owner, ttl, at };
}

function effectiveTtl(st: ParseState, explicit: number | null): number {
  if (explicit !== null) {
    st.lastTtl = explicit;
    return explicit;
  }
  return st.dollarTtl ?? st.lastTtl ?? st.defaultTtl;
}

function acceptSoa(st: ParseState, line: number, owner: string, ttl: number, rdata: string): void {
  if (owner !== st.zone) return report(st, line, `The SOA record must be at the zone apex ${st.zone}, not ${owner}.`);
  if (st.result.soa !== null) return report(st, line, 'A zone has only one SOA record.');
  st.result.soa = { name: owner, ttl, ...soaFromRdata(rdata) };
}

function record(e: LexEntry, st: ParseState): void {
  const header = readHeader(e, st);
  if (typeof header === 'string') return report(st, e.line, header);
  const { owner, at } = header;
  st.lastOwner = owner;
  const type = e.tokens[at];
  if (type === undefined) return report(st, e.line, 'The record has no type.');
  const upper = type.toUpperCase();
  if (!isInZone(owner, st.zone)) return report(st, e.line, `The owner ${owner} is outside the zone ${st.zone}.`);
  const rdata = parseRdataTokens(upper, e.tokens.slice(at + 1), { origin: st.origin, policy: 'any' });
  if (!rdata.ok) return report(st, e.line, rdata.detail);
  const ttl = effectiveTtl(st, header.ttl);
  if (upper === 'SOA') return acceptSoa(st, e.line, owner, ttl, rdata.rdata);
  if (st.result.records.length >= st.maxRecords) {
    st.result.errors.push({ line: e.line, detail: `The zone file has more than ${st.maxRecords} records.` });
    throw new StopParsing();
  }
  st.result.records.push({ name: owner, type: upper, ttl, rdata: rdata.rdata, line: e.line });
}

/** Parse a master file for the zone `opts.origin`; every record and error is returned, nothing applied. */
export function parseZoneFile(text: string, opts: ZoneFileParseOptions): ZoneFileParseResult {
  const result: ZoneFileParseResult = { records: [], soa: null, errors: [] };
  const zone = parseName(opts.origin, 'any');
  if (!zone.ok) {
    result.errors.push({ line: 0, detail: `The zone name ${zone.detail}.` });
    return result;
  }
  const st: ParseState = {
    zone: zone.name,
    origin: zone.name,
    dollarTtl: null,
    lastTtl: null,
    defaultTtl: opts.defaultTtl ?? DEFAULT_TTL,
    lastOwner: null,
    maxRecords: opts.maxRecords ?? Number.POSITIVE_INFINITY,
    result,
  };
  try {
    for (const e of lex(text, 'zone')) {
      if (e.error !== undefined) report(st, e.line, `${e.error.charAt(0).toUpperCase()}${e.error.slice(1)}.`);
      else if (!e.blankOwner && e.tokens[0]!.startsWith('$')) directive(e, st);
      else record(e, st);
    }
  } catch (err) {
    if (!(err instanceof StopParsing)) throw err;
  }
  return result;
}
