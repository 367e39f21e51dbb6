// RFC 5730 §3 result codes, and the few outcome kinds the core turns into API problems or retries.
import type { EppResponse } from './responses.js';

/**
 * - ok: done. pending: accepted, the registry finishes it later (1001).
 * - not_found (2303), exists (2302): the object's (non-)existence, the commonest answers.
 * - rejected: the registry refused this change under its rules or the object's state; fixing the
 *   request or the object helps, retrying the same command does not. The registry's reason is kept.
 * - auth: our credentials, our rights on the object, or the object's auth code are wrong.
 * - unavailable: the server or session failed; reconnect and retry later.
 * - bad_command: we sent something the server cannot take (our bug, or a service not offered).
 */
export type EppOutcomeKind = 'ok' | 'pending' | 'not_found' | 'exists' | 'rejected' | 'auth' | 'unavailable' | 'bad_command';

export interface EppResultCodeInfo {
  code: number;
  /** The RFC's text for the code (also the usual <msg>). */
  text: string;
  outcome: EppOutcomeKind;
  /** The server closes the connection after sending it (RFC 5730 §3: 1500, 25xx). */
  closesSession: boolean;
  /** Why the code maps to its outcome. */
  why: string;
}

type Row = [code: number, text: string, outcome: EppOutcomeKind, why: string];

const ROWS: readonly Row[] = [
  [1000, 'Command completed successfully', 'ok', 'success'],
  [1001, 'Command completed successfully; action pending', 'pending', 'the registry completes it later and tells us by a poll message'],
  [1300, 'Command completed successfully; no messages', 'ok', 'poll answer: the queue is empty'],
  [1301, 'Command completed successfully; ack to dequeue', 'ok', 'poll answer: a message to read and acknowledge'],
  [1500, 'Command completed successfully; ending session', 'ok', 'logout done; the server closes the connection'],
  [2000, 'Unknown command', 'bad_command', 'we sent a command the server does not know'],
  [2001, 'Command syntax error', 'bad_command', 'our XML failed the server\'s schema'],
  [2002, 'Command use error', 'bad_command', 'right command, wrong moment (e.g. before login): a client state bug'],
  [2003, 'Required parameter missing', 'bad_command', 'the server wants an element we did not send (often a registry-specific one)'],
  [2004, 'Parameter value range error', 'rejected', 'a value outside the registry\'s range (period, name length): the user can fix it'],
  [2005, 'Parameter value syntax error', 'rejected', 'a value the registry finds malformed (e.g. a name): the user can fix it'],
  [2100, 'Unimplemented protocol version', 'bad_command', 'the server does not speak EPP 1.0 as we do'],
  [2101, 'Unimplemented command', 'bad_command', 'the server does not offer this command'],
  [2102, 'Unimplemented option', 'bad_command', 'the server does not offer this option'],
  [2103, 'Unimplemented extension', 'bad_command', 'the server does not offer this extension (e.g. secDNS)'],
  [2104, 'Billing failure', 'rejected', 'the registrar account cannot pay: an operator must act, a retry does not help'],
  [2105, 'Object is not eligible for renewal', 'rejected', 'the domain\'s state or dates forbid a renewal now'],
  [2106, 'Object is not eligible for transfer', 'rejected', 'the domain\'s state or dates forbid a transfer now'],
  [2200, 'Authentication error', 'auth', 'login refused or session not authenticated: credentials'],
  [2201, 'Authorization error', 'auth', 'we may not act on this object (another registrar sponsors it)'],
  [2202, 'Invalid authorization information', 'auth', 'the object\'s auth code is wrong'],
  [2300, 'Object pending transfer', 'rejected', 'a transfer in progress blocks the change'],
  [2301, 'Object not pending transfer', 'rejected', 'no transfer to approve, reject or cancel'],
  [2302, 'Object exists', 'exists', 'the name is taken (or the host exists)'],
  [2303, 'Object does not exist', 'not_found', 'no such object at the registry'],
  [2304, 'Object status prohibits operation', 'rejected', 'a status such as clientUpdateProhibited or serverHold blocks it'],
  [2305, 'Object association prohibits operation', 'rejected', 'e.g. deleting a host a domain still uses'],
  [2306, 'Parameter value policy error', 'rejected', 'registry policy refuses the value (e.g. glue outside the zone, too few name servers)'],
  [2307, 'Unimplemented object service', 'bad_command', 'an object service not in the server\'s greeting: our configuration'],
  [2308, 'Data management policy violation', 'rejected', 'registry data policy refuses the change'],
  [2400, 'Command failed', 'unavailable', 'an internal server error, not about the command: retry later'],
  [2500, 'Command failed; server closing connection', 'unavailable', 'as 2400, and the session is gone: reconnect'],
  [2501, 'Authentication error; server closing connection', 'auth', 'repeated failed logins (RFC 5730 §2.9.1.1): retrying with the same credentials would lock the account'],
  [2502, 'Session limit exceeded; server closing connection', 'unavailable', 'too many sessions or commands: reconnect after a pause'],
];

/** Every RFC 5730 §3 result code with its outcome. */
export const EPP_RESULT_CODES: ReadonlyMap<number, EppResultCodeInfo> = new Map(
  ROWS.map(([code, text, outcome, why]) => [code, Object.freeze({ code, text, outcome, closesSession: code === 1500 || code >= 2500, why })]),
);

/**
 * RFC 5730 §3 structures codes: the first digit says success (1) or failure (2), the second the
 * category: 0 syntax, 1 implementation-specific, 2 security, 3 data management, 4 server system,
 * 5 connection management. A code outside the table takes its category's outcome.
 */
const CATEGORY_OUTCOMES: readonly EppOutcomeKind[] = ['bad_command', 'bad_command', 'auth', 'rejected', 'unavailable', 'unavailable'];

/** The table's row, or one derived from the code's digits for codes the RFC does not define. */
export function describeResultCode(code: number): EppResultCodeInfo {
  const known = EPP_RESULT_CODES.get(code);
  if (known) return known;
  const success = code < 2000;
  const outcome = success ? 'ok' : CATEGORY_OUTCOMES[Math.floor(code / 100) % 10] ?? 'bad_command';
  return {
    code,
    text: success ? 'Command completed successfully' : 'Command failed',
    outcome,
    closesSession: !success && code >= 2500,
    why: 'not defined by RFC 5730: outcome taken from its category digit (RFC 5730 §3)',
  };
}

/** RFC 5730 §3: 1xxx codes are successes. */
export function isSuccessCode(code: number): boolean {
  return code >= 1000 && code < 2000;
}

/** What a response means for the core, with the registry's own words kept for the API problem. */
export interface EppOutcome {
  kind: EppOutcomeKind;
  code: number;
  /** The server's <msg> of the first result. */
  message: string;
  /** Every <extValue><reason> of every result: the registry's explanation, often the useful part. */
  reasons: string[];
  closesSession: boolean;
}

/** Classifies a response by its first result (RFC 5730 §2.6: further results only add errors). */
export function classifyEppResponse(response: EppResponse): EppOutcome {
  const [first] = response.results;
  if (!first) throw new TypeError('an EPP response has at least one result');
  const info = describeResultCode(first.code);
  return {
    kind: info.outcome,
    code: first.code,
    message: first.message,
    reasons: response.results.flatMap((r) => r.extValues.map((v) => v.reason)).filter((r) => r !== ''),
    closesSession: info.closesSession,
  };
}
