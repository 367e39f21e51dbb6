// /api/v2/domains/{id}/dyndns: DynDNS configurations of a domain, their tokens and logs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { hasScope } from '../../core/auth/principal.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage } from '../../core/pagination.js';
import type { DynDnsConfig, DynDnsRecordType } from '../../core/model.js';
import type { Services } from '../../core/services.js';
import { principalOf } from '../plugins/auth.js';
import { IdParam, problemResponses } from '../schemas/common.schema.js';
import { CreateDynDnsBody, DynDnsConfigSchema, DynDnsList, DynDnsLogs, DynDnsLogsQuery, DynDnsTokenRotated, PatchDynDnsBody } from '../schemas/dyndns.schema.js';
import { loadDomainOf as loadDomain } from './domains.routes.js';

const tags = ['DynDNS'];
const security = [{ bearerAuth: [] }];
const DomainParams = IdParam('domainId', 'dom_');
const ConfigParams = Type.Object(
  {
    domainId: Type.String({ pattern: '^dom_[0-9a-zA-Z]{26}$' }),
    configId: Type.String({ pattern: '^ddns_[0-9a-zA-Z]{26}$', description: 'Public id (`ddns_…`).' }),
  },
  { additionalProperties: false },
);
const configIdOf = (req: FastifyRequest): string => (req.params as { configId: string }).configId.toLowerCase();

export function dynDnsView(c: DynDnsConfig, token: string | null) {
  return {
    id: c.id,
    hostname: c.hostname,
    recordType: c.recordType,
    token,
    lastIp: c.lastIp,
    lastUpdatedAt: c.lastUpdatedAt,
    updateCount: c.updateCount,
    enabled: c.enabled,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export async function dyndnsRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const dyndns = services.dyndns;
  /** The token for callers holding `write:domains` (HostUp: "visible because write access is required"). */
  const viewFor = (req: FastifyRequest, c: DynDnsConfig) => dynDnsView(c, hasScope(principalOf(req), 'write:domains') ? dyndns.revealToken(c) : null);

  app.get('/domains/:domainId/dyndns', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'List DynDNS configurations', params: DomainParams, response: { 200: DynDnsList, ...problemResponses() } },
  }, async (req) => {
    const d = await loadDomain(services, req);
    const avail = await dyndns.availability(d);
    const canWrite = hasScope(principalOf(req), 'write:domains');
    const configs = await dyndns.list(d);
    return {
      available: avail.available,
      reason: avail.reason,
      configs: configs.map((c) => viewFor(req, c)),
      actions: { canManage: canWrite && avail.available, canEnable: canWrite && configs.length > 0, canUpdateToken: canWrite && configs.length > 0 },
    };
  });

  app.post('/domains/:domainId/dyndns', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Create a DynDNS configuration (the token is in the answer)',
      description: 'The host name must be the domain or a name under it, served by this domain\'s zone. The A and AAAA configurations of one host name share one token (see docs/dyndns.md).',
      params: DomainParams,
      body: CreateDynDnsBody,
      response: { 201: DynDnsConfigSchema, ...problemResponses(409, 503) },
    },
  }, async (req, reply) => {
    const d = await loadDomain(services, req);
    const { config, token } = await dyndns.create(d, req.body as { hostname: string; recordType: DynDnsRecordType });
    return reply.code(201).header('Cache-Control', 'no-store').send(dynDnsView(config, token));
  });

  app.get('/domains/:domainId/dyndns/:configId', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'Get a DynDNS configuration', params: ConfigParams, response: { 200: DynDnsConfigSchema, ...problemResponses() } },
  }, async (req) => {
    const d = await loadDomain(services, req);
    return viewFor(req, await dyndns.get(d, configIdOf(req)));
  });

  app.patch('/domains/:domainId/dyndns/:configId', {
    config: { scope: 'write:domains' },
    schema: { tags, security, summary: 'Enable or disable a DynDNS configuration', params: ConfigParams, body: PatchDynDnsBody, response: { 200: DynDnsConfigSchema, ...problemResponses() } },
  }, async (req) => {
    const d = await loadDomain(services, req);
    return viewFor(req, await dyndns.setEnabled(d, configIdOf(req), (req.body as { enabled: boolean }).enabled));
  });

  app.delete('/domains/:domainId/dyndns/:configId', {
    config: { scope: 'write:domains' },
    schema: { tags, security, summary: 'Delete a DynDNS configuration and its logs', description: 'The DNS record stays as it is.', params: ConfigParams, response: { 204: Type.Null(), ...problemResponses() } },
  }, async (req, reply) => {
    const d = await loadDomain(services, req);
    await dyndns.delete(d, configIdOf(req));
    return reply.code(204).send();
  });

  app.post('/domains/:domainId/dyndns/:configId/token', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Rotate the update token',
      description: 'The old token stops working at once. The configuration of the other record type for the same host name shares the token and gets the new one too (`rotatedConfigIds`).',
      params: ConfigParams,
      response: { 200: DynDnsTokenRotated, ...problemResponses(503) },
    },
  }, async (req, reply) => {
    const d = await loadDomain(services, req);
    const r = await dyndns.rotateToken(d, configIdOf(req));
    return reply.header('Cache-Control', 'no-store').send({ ...dynDnsView(r.config, r.token), rotatedConfigIds: r.rotated });
  });

  app.get('/domains/:domainId/dyndns/:configId/logs', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'Update attempts of a DynDNS configuration, newest first', params: ConfigParams, querystring: DynDnsLogsQuery, response: { 200: DynDnsLogs, ...problemResponses() } },
  }, async (req) => {
    const d = await loadDomain(services, req);
    const q = req.query as { limit?: number; cursor?: string };
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const beforeId = decodeCursor('ddl', q.cursor);
    const page = toPage('ddl', await dyndns.logs(d, configIdOf(req), { limit: limit + 1, ...(beforeId ? { beforeId } : {}) }), limit);
    return {
      logs: page.data.map((l) => ({ oldIp: l.oldIp, newIp: l.newIp, sourceIp: l.sourceIp, userAgent: l.userAgent, status: l.status, errorMessage: l.errorMessage, createdAt: l.createdAt })),
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
    };
  });
}
