// Shared pieces of the HTTP integration suite: problem-document assertions, unique zone names, the
// dialect matrix (PostgreSQL gated through requirePg) and small API shortcuts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requirePg } from '../helpers/postgres.js';
import { client, type ApiResponse, type Dialect } from '../helpers/server.js';

export type Call = ReturnType<typeof client>;

/** Base of every problem `type` (startTestServer's public URL). */
export const PUBLIC_URL = 'http://zonekeeper.test';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A fresh zone name, unique per call, under `base` (default example.org). */
export function zoneName(prefix = 'z', base = 'example.org'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}.${base}`;
}

/**
 * Asserts a complete RFC 7807 problem document: status, media type, every member, the request id
 * equal to the X-Request-Id header, and — when given — exactly these [pointer, code] field errors.
 */
export function expectProblem(res: ApiResponse, status: number, code: string, errors?: [string, string][]): Record<string, any> {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const b = res.body as Record<string, any>;
  expect(b).toMatchObject({ type: `${PUBLIC_URL}/errors/${code}`, status, code });
  expect(typeof b.title).toBe('string');
  expect(b.title.length).toBeGreaterThan(0);
  expect(typeof b.detail).toBe('string');
  expect(b.detail.length).toBeGreaterThan(0);
  expect(typeof b.instance).toBe('string');
  expect(b.instance.startsWith('/')).toBe(true);
  expect(b.requestId).toMatch(/^req_[0-9a-z]{26}$/);
  expect(b.requestId).toBe(res.headers.get('x-request-id'));
  expect(b.timestamp).toMatch(ISO_MS);
  if (errors !== undefined) expect(fieldErrors(res)).toEqual(errors);
  return b;
}

/** The [pointer, code] pairs of a problem's `errors[]` (empty when absent). */
export function fieldErrors(res: ApiResponse): [string, string][] {
  const errs = ((res.body as { errors?: { pointer: string; code: string; detail: string }[] }).errors ?? []);
  for (const e of errs) expect(typeof e.detail).toBe('string');
  return errs.map((e) => [e.pointer, e.code]);
}

/** Runs `fn` as a describe block per dialect; the PostgreSQL one only when requirePg allowed it. */
export function describeEachDialect(pgOk: boolean, name: string, fn: (dialect: Dialect) => void): void {
  describe.each(['sqlite', 'postgres'] as const)(`${name} [%s]`, (dialect) => {
    if (dialect === 'postgres' && !pgOk) {
      it.skip('PostgreSQL is unreachable (see the warning above)', () => {});
      return;
    }
    fn(dialect);
  });
}

/** Whether PostgreSQL suites of this file run (fails under CI=true when unreachable). */
export const pgFor = (suite: string): Promise<boolean> => requirePg(suite);

/** Creates a zone and returns its body (asserting 201). */
export async function createZone(call: Call, name = zoneName()): Promise<any> {
  const r = await call('POST', '/api/v2/dns-zones', { name });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** Creates a record and returns its body (asserting 201). */
export async function createRecord(call: Call, zoneId: string, body: Record<string, unknown>): Promise<any> {
  const r = await call('POST', `/api/v2/dns-zones/${zoneId}/records`, body);
  expect(r.status, r.text).toBe(201);
  return r.body;
}

/** The zone with its records. */
export async function getZone(call: Call, zoneId: string, query = ''): Promise<{ zone: any; records: any[] }> {
  const r = await call('GET', `/api/v2/dns-zones/${zoneId}${query}`);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

/** Records of a zone without the server-managed apex NS pair, sorted for comparison. */
export function userRecords(zone: { zone: { name: string }; records: any[] }): any[] {
  return zone.records
    .filter((r) => !(r.type === 'NS' && r.name === zone.zone.name))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A well-formed id of the given prefix that names nothing. */
export function missingId(prefix: string): string {
  return `${prefix}_${'0'.repeat(10)}${randomBytes(8).toString('hex').replace(/[^0-9a-z]/g, '0')}`.slice(0, prefix.length + 1 + 26);
}
