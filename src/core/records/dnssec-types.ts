// The DNSSEC records the server publishes itself at a signed zone's apex (docs/dnssec.md): DNSKEY
// (RFC 4034 2), CDNSKEY and CDS (RFC 7344). They are records of the zone like any other (journaled,
// served, in zone files), written only by the DNSSEC service: the APIs cannot create them
// (`api: false`), and the records APIs cannot replace or delete them (RecordsService limits).
import { fallbackView, type RecordTypeDescriptor } from './record-descriptor.js';
import { ok, parseUint, problem, type Parsed } from './fields.js';
import { DS } from './digest-types.js';

function parseDnskey(tokens: string[]): Parsed<string> {
  if (tokens.length < 4) return problem('invalid_format', null, 'must have 4 fields: flags, protocol, algorithm and public key');
  const flags = parseUint(tokens[0]!, 'flags', 0, 65535);
  if (!flags.ok) return flags;
  const protocol = parseUint(tokens[1]!, 'protocol', 3, 3);
  if (!protocol.ok) return protocol;
  const alg = parseUint(tokens[2]!, 'algorithm', 0, 255);
  if (!alg.ok) return alg;
  const key = tokens.slice(3).join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length === 0) return problem('invalid_format', 'public key', 'must be base64');
  return ok(`${flags.value} 3 ${alg.value} ${Buffer.from(key, 'base64').toString('base64')}`);
}

export const DNSKEY: RecordTypeDescriptor = { type: 'DNSKEY', code: 48, api: false, parse: parseDnskey, view: fallbackView, targets: () => [] };
export const CDNSKEY: RecordTypeDescriptor = { type: 'CDNSKEY', code: 60, api: false, parse: parseDnskey, view: fallbackView, targets: () => [] };
export const CDS: RecordTypeDescriptor = { type: 'CDS', code: 59, api: false, parse: DS.parse, view: fallbackView, targets: () => [] };

/** Types only the DNSSEC service writes. */
export const DNSSEC_MANAGED_TYPES: ReadonlySet<string> = new Set(['DNSKEY', 'CDNSKEY', 'CDS']);
