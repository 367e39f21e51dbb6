// RFC 5730 §3 result codes map to the outcome kinds the core handles, the registry's reasons kept.
import { describe, expect, it } from 'vitest';
import { parseEppResponse } from '../../../src/registry/epp/responses.js';
import {
  classifyEppResponse, describeResultCode, EPP_RESULT_CODES, isSuccessCode, type EppOutcomeKind,
} from '../../../src/registry/epp/result-codes.js';
import { DOMAIN_CREATE_RESPONSE, ERROR_RESPONSE, LOGOUT_RESPONSE } from './epp-fixtures.js';

const EXPECTED: Record<EppOutcomeKind, number[]> = {
  ok: [1000, 1300, 1301, 1500],
  pending: [1001],
  not_found: [2303],
  exists: [2302],
  rejected: [2004, 2005, 2104, 2105, 2106, 2300, 2301, 2304, 2305, 2306, 2308],
  auth: [2200, 2201, 2202, 2501],
  unavailable: [2400, 2500, 2502],
  bad_command: [2000, 2001, 2002, 2003, 2100, 2101, 2102, 2103, 2307],
};

describe('the RFC 5730 §3 table', () => {
  it('has exactly the codes the RFC defines, each with a reason for its outcome', () => {
    const all = Object.values(EXPECTED).flat().sort((x, y) => x - y);
    expect([...EPP_RESULT_CODES.keys()].sort((x, y) => x - y)).toStrictEqual(all);
    expect(all).toHaveLength(34);
    for (const info of EPP_RESULT_CODES.values()) expect(info.why.length).toBeGreaterThan(5);
  });

  it.each(Object.entries(EXPECTED).flatMap(([kind, codes]) => codes.map((code) => [code, kind] as const)))(
    '%i → %s', (code, kind) => {
      expect(describeResultCode(code).outcome).toBe(kind);
    },
  );

  it('keeps the RFC texts', () => {
    expect(describeResultCode(2303).text).toBe('Object does not exist');
    expect(describeResultCode(2502).text).toBe('Session limit exceeded; server closing connection');
    expect(describeResultCode(1001).text).toBe('Command completed successfully; action pending');
  });

  it('marks the codes after which the server closes the connection', () => {
    const closing = [...EPP_RESULT_CODES.values()].filter((i) => i.closesSession).map((i) => i.code);
    expect(closing).toStrictEqual([1500, 2500, 2501, 2502]);
  });

  it('derives an undefined code from its category digit', () => {
    expect(describeResultCode(1002).outcome).toBe('ok');
    expect(describeResultCode(2009).outcome).toBe('bad_command');
    expect(describeResultCode(2150).outcome).toBe('bad_command');
    expect(describeResultCode(2209).outcome).toBe('auth');
    expect(describeResultCode(2309).outcome).toBe('rejected');
    expect(describeResultCode(2450).outcome).toBe('unavailable');
    expect(describeResultCode(2503)).toMatchObject({ outcome: 'unavailable', closesSession: true });
    expect(describeResultCode(2900).outcome).toBe('bad_command');
  });

  it('tells successes from failures by the first digit', () => {
    expect([1000, 1500, 1999].every(isSuccessCode)).toBe(true);
    expect([2000, 2502, 999].some(isSuccessCode)).toBe(false);
  });
});

describe('classifyEppResponse', () => {
  it('a success', () => {
    expect(classifyEppResponse(parseEppResponse(DOMAIN_CREATE_RESPONSE))).toStrictEqual({
      kind: 'ok', code: 1000, message: 'Command completed successfully', reasons: [], closesSession: false,
    });
  });

  it('an error: the first result decides, every reason is kept', () => {
    expect(classifyEppResponse(parseEppResponse(ERROR_RESPONSE))).toStrictEqual({
      kind: 'rejected', code: 2004, message: 'Parameter value range error', reasons: ['Invalid character found.'], closesSession: false,
    });
  });

  it('logout ends the session', () => {
    expect(classifyEppResponse(parseEppResponse(LOGOUT_RESPONSE))).toMatchObject({ kind: 'ok', code: 1500, closesSession: true });
  });
});
