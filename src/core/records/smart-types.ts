// Record types of the organization API (seed 003, bunny.net's model) that are not DNS types:
// Redirect (a URL), PullZone (a CDN pull zone) and Script (code that computes answers). Their RDATA
// is the value as sent, verbatim; never written to zone files (isZoneFileType). All three are in the
// journal and DNS answers them (docs/smart-records.md): a Redirect's name with the redirect service's
// addresses, a PullZone's with its edges, a Script's with what the script returns. Flatten is not
// here: it is ALIAS.
import { ok, problem, type Parsed } from './fields.js';
import { fallbackView, fieldErr, problemError, unusedFieldErrors, type RdataResult, type RecordInput, type RecordTypeDescriptor } from './record-descriptor.js';

export const MAX_REDIRECT_URL = 2048;
export const MAX_PULLZONE = 253;
export const MAX_SCRIPT = 65_536;

function parseRedirect(value: string): Parsed<string> {
  if (value.length > MAX_REDIRECT_URL) return problem('too_long', null, `must be at most ${MAX_REDIRECT_URL} characters`);
  // Printable ASCII without blanks: a URL as browsers send it (IRIs must be percent-encoded).
  if (!/^[\x21-\x7e]+$/.test(value)) return problem('invalid_format', null, 'must be an absolute http:// or https:// URL without blanks (percent-encode other characters)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem('invalid_format', null, 'must be an absolute http:// or https:// URL such as https://www.example.org/');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return problem('invalid_value', null, 'must be an http:// or https:// URL');
  if (url.hostname === '') return problem('invalid_format', null, 'must name a host');
  if (url.username !== '' || url.password !== '') return problem('invalid_value', null, 'must not carry a user name or password');
  return ok(value);
}

function parsePullZone(value: string): Parsed<string> {
  // A pull zone's name, numeric id or CDN host name.
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(value) || value.length > MAX_PULLZONE) {
    return problem('invalid_format', null, `must be a pull zone name, id or host name (letters, digits, \`.\`, \`-\`, \`_\`; at most ${MAX_PULLZONE} characters)`);
  }
  return ok(value);
}

function parseScript(value: string): Parsed<string> {
  if (value.length > MAX_SCRIPT) return problem('too_long', null, `must be at most ${MAX_SCRIPT} characters`);
  if (value.includes('\u0000')) return problem('invalid_value', null, 'must not contain NUL characters');
  if (value.trim() === '') return problem('required', null, 'must hold the script');
  return ok(value);
}

function verbatimType(type: string, code: number, parseValue: (value: string) => Parsed<string>, journaled = false): RecordTypeDescriptor {
  return {
    type,
    code,
    api: false,
    served: false,
    journaled,
    // Zone files cannot carry these types (parseRdataTokens refuses them before this is reached).
    parse: (tokens) => parseValue(tokens.join(' ')),
    build(input: RecordInput): RdataResult {
      const errors = unusedFieldErrors(input, type, []);
      if (typeof input.value !== 'string') return { ok: false, errors: [...errors, fieldErr('value', 'invalid_type', '`value` must be a string.')] };
      if (input.value.trim() === '') return { ok: false, errors: [...errors, fieldErr('value', 'required', '`value` is required.')] };
      // Scripts keep their layout; URLs and pull zones lose blanks around them.
      const r = parseValue(type === 'SCRIPT' ? input.value : input.value.trim());
      if (!r.ok) errors.push(problemError(r.problem));
      return errors.length > 0 || !r.ok ? { ok: false, errors } : { ok: true, rdata: r.value };
    },
    view: fallbackView,
  };
}

// Codes above ALIAS's 65401 in the private-use range, only for ordering (never on the wire).
export const REDIRECT = verbatimType('REDIRECT', 65402, parseRedirect, true);
export const PULLZONE = verbatimType('PULLZONE', 65403, parsePullZone, true);
export const SCRIPT = verbatimType('SCRIPT', 65404, parseScript, true);
