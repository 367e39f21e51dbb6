// Helpers of the organization API suites: users made through the core, logins, and clients that
// authenticate with a JWT or an X-API-TOKEN.
import { expect } from 'vitest';
import type { Role } from '../../../src/core/model.js';
import type { ApiResponse, TestServer } from '../../helpers/server.js';
import { client } from '../../helpers/server.js';
import { PUBLIC_URL } from '../support.js';

export const PASSWORD = 'correct horse battery staple';

let n = 0;
export function email(prefix = 'user'): string {
  return `${prefix}-${process.pid}-${++n}@example.org`;
}

/** A user in `organizationId` (default: the server's admin account) with a role. */
export async function makeUser(srv: TestServer, opts: { organizationId?: string; newOrganization?: string; role?: Role; email?: string } = {}): Promise<{ id: string; email: string; organizationId: string }> {
  const e = opts.email ?? email();
  const { user, membership } = await srv.services.users.create({
    email: e,
    password: PASSWORD,
    ...(opts.newOrganization !== undefined ? { newOrganization: opts.newOrganization } : { organizationId: opts.organizationId ?? srv.accountId }),
    role: opts.role ?? 'member',
  });
  return { id: user.id, email: user.email, organizationId: membership!.accountId };
}

export type OrgCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResponse>;

/** A client sending `X-API-TOKEN`. */
export function tokenClient(url: string, token: string): OrgCall {
  const call = client(url);
  return (method, path, body, headers = {}) => call(method, path, body, { 'x-api-token': token, ...headers });
}

/** A client sending `Authorization: Bearer <jwt>`. */
export function jwtClient(url: string, jwt: string): OrgCall {
  const call = client(url);
  return (method, path, body, headers = {}) => call(method, path, body, { authorization: `Bearer ${jwt}`, ...headers });
}

export async function login(url: string, userEmail: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return client(url)('POST', '/api/auth/login', { email: userEmail, password }, headers);
}

/** Logs in and returns a JWT client. */
export async function loggedIn(srv: TestServer, userEmail: string): Promise<OrgCall> {
  const r = await login(srv.url, userEmail);
  expect(r.status, r.text).toBe(200);
  return jwtClient(srv.url, r.body.token);
}

/** Creates an API token as `call`'s user and returns its plaintext. */
export async function makeToken(call: OrgCall, body: Record<string, unknown> = { name: 'test token' }): Promise<string> {
  const r = await call('POST', '/api/api-tokens', body);
  expect(r.status, r.text).toBe(201);
  return r.body.token;
}

/** Asserts the organization API's problem shape (problem+json with Hydra keys). */
export function expectOrgProblem(res: ApiResponse, status: number, code: string): Record<string, any> {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const b = res.body as Record<string, any>;
  expect(b).toMatchObject({ type: `${PUBLIC_URL}/errors/${code}`, status, code });
  expect(typeof b['hydra:description']).toBe('string');
  expect(b.requestId).toBe(res.headers.get('x-request-id'));
  return b;
}

/** Asserts a 422 ConstraintViolationList and returns its [propertyPath, code] pairs. */
export function violations(res: ApiResponse): [string, string][] {
  const b = expectOrgProblem(res, 422, 'validation_failed');
  expect(b['@type']).toBe('ConstraintViolationList');
  expect(Array.isArray(b.violations)).toBe(true);
  for (const v of b.violations) {
    expect(typeof v.message).toBe('string');
    expect(v.message.length).toBeGreaterThan(0);
    expect(b['hydra:description']).toContain(v.message);
  }
  return b.violations.map((v: { propertyPath: string; code: string }) => [v.propertyPath, v.code]);
}

/** Creates a zone (and its domain) through the v2 API in the server's admin account; returns ids. */
export async function makeDomain(srv: TestServer, name: string, adminToken = srv.adminToken): Promise<{ zoneId: string; domainUuid: string; name: string }> {
  const r = await client(srv.url, adminToken)('POST', '/api/v2/dns-zones', { name });
  expect(r.status, r.text).toBe(201);
  const domain = await srv.services.store.domains.get(r.body.domainId);
  return { zoneId: r.body.id, domainUuid: domain!.uuid, name };
}
