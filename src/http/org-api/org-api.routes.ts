// The organization API (seed 003) under /api: login, API tokens, organizations, their domains and
// dns-records. Its own content types (JSON-LD replies, merge-patch bodies), auth and error shapes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireOrgAccess, visibleMemberships, type OrgAction, type OrgPrincipal } from '../../core/auth/org-principal.js';
import { AppError } from '../../core/errors.js';
import type { Domain, Zone } from '../../core/model.js';
import { DEFAULT_ITEMS_PER_PAGE } from '../../core/organizations/org-records.service.js';
import type { Services } from '../../core/services.js';
import { toAppError, type PublicUrl } from '../plugins/problems.js';
import type { RateLimiter } from '../plugins/rate-limit.js';
import { makeAjv } from '../plugins/validation.js';
import { sendOrgProblem } from './errors.js';
import { LD_JSON, ldCollection, ldContext, ldItem, ldMember, type Paging } from './json-ld.js';
import { installOrgAuth, orgPrincipalOf } from './org-auth.js';
import * as S from './schemas.js';

const security: Record<string, string[]>[] = [{ apiToken: [] }, { jwt: [] }];
const RECORDS = 'Organization API: dns-records';
const ORGS = 'Organization API: organizations';
const AUTH = 'Organization API: auth and tokens';
const problems = { 401: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' }, 422: { $ref: 'Problem#' }, 429: { $ref: 'Problem#' } };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function send(reply: FastifyReply, code: number, body: unknown): FastifyReply {
  return reply.code(code).type(LD_JSON).send(body);
}

function paging(q: { page?: number; itemsPerPage?: number }, keep: Record<string, string | undefined>): Paging {
  const k: Record<string, string> = {};
  for (const [a, b] of Object.entries(keep)) if (b !== undefined) k[a] = b;
  if (q.itemsPerPage !== undefined) k.itemsPerPage = String(q.itemsPerPage);
  return { page: q.page ?? 1, itemsPerPage: q.itemsPerPage ?? DEFAULT_ITEMS_PER_PAGE, keep: k, explicit: q.page !== undefined };
}

export interface OrgApiOptions {
  services: Services;
  publicUrl: PublicUrl;
  limiter: RateLimiter;
}

export async function orgApiRoutes(app: FastifyInstance, opts: OrgApiOptions): Promise<void> {
  const { services, publicUrl } = opts;
  const store = services.store;

  // Bodies: strict Ajv (no coercion), except those the core validates itself (x-validated-in-code);
  // query and path parameters are text, coerced.
  const strict = makeAjv(false);
  const coerce = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body' && (schema as Record<string, unknown>)['x-validated-in-code'] === true) return () => true;
    return httpPart === 'body' ? strict.compile(schema) : coerce.compile(schema);
  });
  for (const type of ['application/ld+json', 'application/merge-patch+json']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      try {
        // Like Fastify's own JSON parser: a `__proto__` (or constructor.prototype) key is refused.
        done(null, (body as string) === '' ? undefined : JSON.parse(body as string, (k, v: unknown) => {
          if (k === '__proto__' || (k === 'constructor' && typeof v === 'object' && v !== null && 'prototype' in v)) throw new SyntaxError('prototype key');
          return v;
        }));
      } catch {
        done(new AppError('invalid_request', 'The request body is not valid JSON (or carries a `__proto__` key).'), undefined);
      }
    });
  }
  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err as Error);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    return sendOrgProblem(publicUrl, req, reply, e);
  });
  installOrgAuth(app, services, opts.limiter);

  /** The organization, domain and zone named by the path, checked against the caller. */
  async function target(req: FastifyRequest, action: OrgAction): Promise<{ p: OrgPrincipal; orgId: string; domain: Domain; zone: Zone }> {
    const p = orgPrincipalOf(req);
    const { organizationId, domainId } = req.params as { organizationId: string; domainId: string };
    const orgId = organizationId.toLowerCase();
    requireOrgAccess(p, orgId, action);
    const uuid = domainId.toLowerCase();
    const domain = UUID_RE.test(uuid) ? await store.domains.getByUuid(uuid) : undefined;
    if (!domain || domain.accountId !== orgId) throw new AppError('not_found', `Domain ${domainId} was not found in this organization.`);
    const zone = await store.zones.getByDomainId(domain.id);
    if (!zone) throw new AppError('not_found', `Domain ${domain.name} has no DNS zone.`);
    return { p, orgId, domain, zone };
  }

  function requireMergePatch(req: FastifyRequest): void {
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/merge-patch+json') throw new AppError('unsupported_media_type', 'PATCH takes a JSON merge patch: send `Content-Type: application/merge-patch+json`.');
  }

  // --- auth ---------------------------------------------------------------------------------
  app.post('/auth/login', {
    config: { orgPublic: true },
    schema: { tags: [AUTH], summary: 'Sign in with email and password', description: 'Returns a short-lived JWT access token and a refresh token. Failed logins are limited per account and per client address (429 with Retry-After).', body: S.LoginBody, response: { 200: S.TokenPair, 401: { $ref: 'Problem#' }, 429: { $ref: 'Problem#' } } },
  }, async (req, reply) => {
    const b = req.body as { email: string; password: string };
    return reply.header('Cache-Control', 'no-store').send(await services.sessions.login(b.email, b.password, req.ip));
  });

  app.post('/auth/refresh', {
    config: { orgPublic: true },
    schema: { tags: [AUTH], summary: 'A new token pair for a refresh token (which is used up)', body: S.RefreshBody, response: { 200: S.TokenPair, 401: { $ref: 'Problem#' } } },
  }, async (req, reply) => reply.header('Cache-Control', 'no-store').send(await services.sessions.refresh((req.body as { refresh_token: string }).refresh_token)));

  app.post('/auth/logout', {
    config: { orgPublic: true },
    schema: { tags: [AUTH], summary: 'End the login of a refresh token', body: S.RefreshBody, response: { 204: Type.Null(), 401: { $ref: 'Problem#' } } },
  }, async (req, reply) => {
    await services.sessions.logout((req.body as { refresh_token: string }).refresh_token);
    return reply.code(204).send();
  });

  // --- API tokens ---------------------------------------------------------------------------
  app.get('/api-tokens', {
    schema: { tags: [AUTH], security, summary: 'Your API tokens (never their plaintext)', response: { 200: S.HydraCollection(S.ApiTokenRead), ...problems } },
  }, async (req, reply) => {
    const items = (await services.apiTokens.list(orgPrincipalOf(req))).map((t) => ldMember('ApiToken', `/api/api-tokens/${t.id}`, t));
    return send(reply, 200, ldCollection('ApiToken', '/api/api-tokens', items, items.length));
  });

  app.post('/api-tokens', {
    schema: { tags: [AUTH], security, summary: 'Create an API token (the plaintext is returned once)', body: S.ApiTokenWrite, response: { 201: S.ApiTokenRead, ...problems } },
  }, async (req, reply) => {
    const { view, token } = await services.apiTokens.create(orgPrincipalOf(req), req.body);
    return send(reply.header('Cache-Control', 'no-store'), 201, ldItem('ApiToken', `/api/api-tokens/${view.id}`, { ...view, token }));
  });

  app.delete('/api-tokens/:id', {
    schema: { tags: [AUTH], security, summary: 'Delete an API token', params: Type.Object({ id: Type.String({ maxLength: 100 }) }), response: { 204: Type.Null(), ...problems } },
  }, async (req, reply) => {
    await services.apiTokens.delete(orgPrincipalOf(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });

  // --- organizations and domains ------------------------------------------------------------
  app.get('/organizations', {
    schema: { tags: [ORGS], security, summary: 'Organizations you are a member of (within the token\'s limit)', response: { 200: S.HydraCollection(S.OrganizationRead), ...problems } },
  }, async (req, reply) => {
    const p = orgPrincipalOf(req);
    const items = visibleMemberships(p).map((m) =>
      ldMember('Organization', `/api/organizations/${m.accountId}`, { id: m.accountId, name: m.accountName, role: m.role, createdAt: m.accountCreatedAt }),
    );
    return send(reply, 200, ldCollection('Organization', '/api/organizations', items, items.length));
  });

  const OrgParams = Type.Object({ organizationId: Type.String({ maxLength: 100 }) });
  app.get('/organizations/:organizationId/domains', {
    schema: { tags: [ORGS], security, summary: 'Domains of an organization', params: OrgParams, querystring: S.PageQuery, response: { 200: S.HydraCollection(S.DomainRead), ...problems } },
  }, async (req, reply) => {
    const p = orgPrincipalOf(req);
    const orgId = (req.params as { organizationId: string }).organizationId.toLowerCase();
    requireOrgAccess(p, orgId, 'read');
    const q = req.query as { page?: number; itemsPerPage?: number };
    const pg = paging(q, {});
    const [total, rows] = await Promise.all([store.domains.count(orgId), store.domains.listPage(orgId, { offset: (pg.page - 1) * pg.itemsPerPage, limit: pg.itemsPerPage })]);
    const items = await Promise.all(
      rows.map(async (d) =>
        ldMember('Domain', `/api/organizations/${orgId}/domains/${d.uuid}`, {
          id: d.uuid,
          name: d.name,
          kind: d.kind,
          serviceStatus: d.serviceStatus,
          dnsZone: (await store.zones.getByDomainId(d.id)) !== undefined,
          createdAt: d.createdAt,
        }),
      ),
    );
    const path = `/api/organizations/${orgId}/domains`;
    return send(reply, 200, ldCollection('Domain', path, items, total, pg));
  });

  // --- dns-records --------------------------------------------------------------------------
  const DomainParams = Type.Object({ organizationId: Type.String({ maxLength: 100 }), domainId: Type.String({ maxLength: 100, description: 'The domain\'s UUID' }) });
  const RecordParams = Type.Object({ ...DomainParams.properties, id: Type.String({ maxLength: 100, description: '<domainId>:<recordId>' }) });
  const recordsPath = (orgId: string, d: Domain): string => `/api/organizations/${orgId}/domains/${d.uuid}/dns-records`;

  app.get('/organizations/:organizationId/domains/:domainId/dns-records', {
    schema: { tags: [RECORDS], security, summary: 'List dns-records (paged; filter by type and name)', params: DomainParams, querystring: S.RecordsQuery, response: { 200: S.HydraCollection(S.DnsRecordRead), ...problems } },
  }, async (req, reply) => {
    const { orgId, domain, zone } = await target(req, 'read');
    const q = req.query as { page?: number; itemsPerPage?: number; type?: string; name?: string };
    const pg = paging(q, { type: q.type, name: q.name });
    const { items, total } = await services.orgRecords.list(domain, zone, { page: pg.page, itemsPerPage: pg.itemsPerPage, ...(q.type !== undefined ? { type: q.type } : {}), ...(q.name !== undefined ? { name: q.name } : {}) });
    const path = recordsPath(orgId, domain);
    return send(reply, 200, ldCollection('DnsRecord', path, items.map((v) => ldMember('DnsRecord', `${path}/${v.id}`, v)), total, pg));
  });

  app.post('/organizations/:organizationId/domains/:domainId/dns-records', {
    schema: {
      tags: [RECORDS],
      security,
      summary: 'Create a dns-record',
      description: 'The type decides the extra fields allowed (seed 003): A, AAAA, CNAME: monitorType, weight · CAA: flags, tag · MX, HTTPS, SVCB: priority · SRV: priority, weight, port · others: only name, value, ttl, comment. Any other field is a 422 violation.',
      params: DomainParams,
      body: S.DnsRecordWrite,
      response: { 201: S.DnsRecordRead, ...problems },
    },
  }, async (req, reply) => {
    const { orgId, domain, zone } = await target(req, 'write');
    const v = await services.orgRecords.create(domain, zone, req.body);
    const id = `${recordsPath(orgId, domain)}/${v.id}`;
    return send(reply.header('Location', id), 201, ldItem('DnsRecord', id, v));
  });

  app.get('/organizations/:organizationId/domains/:domainId/dns-records/:id', {
    schema: { tags: [RECORDS], security, summary: 'Get a dns-record', params: RecordParams, response: { 200: S.DnsRecordRead, ...problems } },
  }, async (req, reply) => {
    const { orgId, domain, zone } = await target(req, 'read');
    const r = await services.orgRecords.get(domain, zone, (req.params as { id: string }).id);
    const v = (await services.orgRecords.withScriptStatus(zone, [services.orgRecords.view(domain, zone, r)!]))[0]!;
    return send(reply, 200, ldItem('DnsRecord', `${recordsPath(orgId, domain)}/${v.id}`, v));
  });

  app.patch('/organizations/:organizationId/domains/:domainId/dns-records/:id', {
    schema: { tags: [RECORDS], security, summary: 'Change a dns-record (JSON merge patch: null clears a field)', params: RecordParams, body: { content: { 'application/merge-patch+json': { schema: S.DnsRecordPatch } } }, response: { 200: S.DnsRecordRead, 415: { $ref: 'Problem#' }, ...problems } },
  }, async (req, reply) => {
    requireMergePatch(req);
    const { orgId, domain, zone } = await target(req, 'write');
    const v = await services.orgRecords.patch(domain, zone, (req.params as { id: string }).id, req.body);
    return send(reply, 200, ldItem('DnsRecord', `${recordsPath(orgId, domain)}/${v.id}`, v));
  });

  app.delete('/organizations/:organizationId/domains/:domainId/dns-records/:id', {
    schema: { tags: [RECORDS], security, summary: 'Delete a dns-record', params: RecordParams, response: { 204: Type.Null(), ...problems } },
  }, async (req, reply) => {
    const { domain, zone } = await target(req, 'write');
    await services.orgRecords.delete(domain, zone, (req.params as { id: string }).id);
    return reply.code(204).send();
  });

  // --- JSON-LD contexts ---------------------------------------------------------------------
  app.get('/contexts/:name', {
    config: { orgPublic: true },
    schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 100 }) }) },
  }, async (req, reply) => {
    const ctx = ldContext((req.params as { name: string }).name);
    if (!ctx) throw new AppError('not_found', 'No such JSON-LD context.');
    return send(reply, 200, ctx);
  });
}
