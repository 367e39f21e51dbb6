// CAA (RFC 8659): flags, a lowercase alphanumeric tag and a quoted value, with light checks of the
// `issue`/`issuewild` issuer domain and parameters and of the `iodef` URL (RFC 8659 4.2-4.4).
import { ok, parseUint, problem, type Parsed } from './fields.js';
import { decodeCharString, escapeOctets, utf8DecodeStrict } from './presentation.js';
import type { RecordTypeDescriptor } from './record-descriptor.js';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const ISSUER_DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
// RFC 8659 4.2: parameter = tag "=" value; value is printable ASCII without ";" or blanks.
const ISSUER_PARAMETER = /^[A-Za-z0-9]+=[\x21-\x3a\x3c-\x7e]*$/;

function checkIssueValue(text: string): Parsed<true> {
  const [domain = '', ...params] = text.split(';');
  const d = domain.trim();
  // An empty issuer domain is allowed: it forbids issuance (RFC 8659 4.2).
  if (d !== '' && !ISSUER_DOMAIN.test(d)) {
    return problem('invalid_value', 'property value', `must start with a CA's domain name (such as \`letsencrypt.org\`) or be empty, not \`${d}\``);
  }
  for (const p of params) {
    const t = p.trim();
    if (t !== '' && !ISSUER_PARAMETER.test(t)) {
      return problem('invalid_value', 'property value', `has a malformed parameter \`${t}\` (expected \`name=value\`)`);
    }
  }
  return ok(true);
}

function checkValue(tag: string, bytes: Uint8Array): Parsed<true> {
  if (tag !== 'issue' && tag !== 'issuewild' && tag !== 'issuemail' && tag !== 'iodef') return ok(true);
  const text = utf8DecodeStrict(bytes);
  if (text === null || !/^[\x20-\x7e]*$/.test(text)) return problem('invalid_value', 'property value', `must be ASCII text for the \`${tag}\` tag`);
  if (tag === 'iodef') {
    // RFC 8659 4.4: a mailto: address or an http(s) URL where incident reports go.
    if (!/^(mailto:[^\s@]+@[^\s@]+|https?:\/\/[^\s/]+\S*)$/i.test(text)) {
      return problem('invalid_value', 'property value', 'must be a `mailto:` address or an `http(s)://` URL for the `iodef` tag');
    }
    return ok(true);
  }
  return checkIssueValue(text);
}

function parseCaa(tokens: string[]): Parsed<string> {
  if (tokens.length !== 3) {
    return problem('invalid_format', null, 'must have 3 fields: flags, tag and value (quote the value if it contains blanks)');
  }
  const flags = parseUint(tokens[0]!, 'flags', 0, 255);
  if (!flags.ok) return flags;
  const tag = tokens[1]!;
  // RFC 8659 4.1: tags are 1-15 letters and digits, matched case-insensitively.
  if (!/^[A-Za-z0-9]{1,15}$/.test(tag)) return problem('invalid_format', 'tag', 'must be 1 to 15 letters and digits (such as `issue`, `issuewild` or `iodef`)');
  const bytes = decodeCharString(tokens[2]!);
  if (typeof bytes === 'string') return problem('invalid_format', 'property value', `is malformed: ${bytes}`);
  if (2 + tag.length + bytes.length > 65535) return problem('too_long', 'property value', 'must fit in 65535 octets of record data');
  const lower = tag.toLowerCase();
  const checked = checkValue(lower, bytes);
  if (!checked.ok) return checked;
  return ok(`${flags.value} ${lower} "${escapeOctets(bytes)}"`);
}

export const CAA: RecordTypeDescriptor = { type: 'CAA', code: 257, api: true, parse: parseCaa };
