// /api/v2/domains: the account's domains, their settings and their DNS at a glance.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasScope, requireScope, requireZoneAccess } from '../../core/auth/principal.js';
import type { DomainPatch } from '../../core/domains/domains.service.js';
import type { Domain } from '../../core/model.js';
import { recordView } from '../../core/records/records.service.js';
import type { Services } from '../../core/services.js';
import { principalOf } from '../plugins/auth.js';
import { domainView, zoneView } from '../presenters.js';
import { IdParam, ListQuery, PageOf, problemResponses, type ListQueryT } from '../schemas/common.schema.js';
import { DomainDns, DomainPatchBody, DomainSchema } from '../schemas/zones.schema.js';
import { listWithZoneRestriction } from './restricted-list.js';

const tags = ['Domains'];
const security = [{ bearerAuth: [] }];
const DomainParams = IdParam('domainId', 'dom_');

/** The domain named in the path (`domainId`), if the key may see it (the route's scope is already checked). */
export async function loadDomainOf(services: Services, req: FastifyRequest): Promise<Domain> {
  const p = principalOf(req);
  const d = await services.domains.get(p.accountId, (req.params as { domainId: string }).domainId.toLowerCase());
  requireZoneAccess(p, d.name);
  return d;
}

export async function domainsRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const zoneIdOf = async (d: Domain) => (await services.store.zones.getByDomainId(d.id))?.id ?? null;

  const loadDomain = (req: FastifyRequest): Promise<Domain> => loadDomainOf(services, req);

  app.get('/domains', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'List domains', querystring: ListQuery, response: { 200: PageOf(DomainSchema, 'DomainPage'), ...problemResponses() } },
  }, async (req) => {
    const p = principalOf(req);
    const q = req.query as ListQueryT;
    const page = await listWithZoneRestriction(p, q, 'dom', (query) => services.domains.list(p.accountId, query), async (name) => {
      const d = await services.store.domains.getByName(name);
      return d && d.accountId === p.accountId ? d : undefined;
    });
    return { ...page, data: await Promise.all(page.data.map(async (d) => domainView(d, await zoneIdOf(d)))) };
  });

  app.get('/domains/:domainId', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'Get a domain', params: DomainParams, response: { 200: DomainSchema, ...problemResponses() } },
  }, async (req) => {
    const d = await loadDomain(req);
    return domainView(d, await zoneIdOf(d));
  });

  app.patch('/domains/:domainId', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Change registry settings of a domain (auto-renew, registrar lock)',
      description: 'Only for domains registered through this server; a domain registered elsewhere answers 409 `operation_unavailable`.',
      params: DomainParams,
      body: DomainPatchBody,
      response: { 200: DomainSchema, ...problemResponses(409) },
    },
  }, async (req) => {
    const d = await loadDomain(req);
    const updated = await services.domains.patch(d.accountId, d.id, req.body as DomainPatch);
    return domainView(updated, await zoneIdOf(updated));
  });

  app.get('/domains/:domainId/dns', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'The DNS of a domain: zone, records, nameservers', params: DomainParams, response: { 200: DomainDns, ...problemResponses() } },
  }, async (req) => {
    const d = await loadDomain(req);
    const p = principalOf(req);
    requireScope(p, 'read:dns');
    const zone = await services.store.zones.getByDomainId(d.id);
    const records = zone ? await services.records.list(zone, {}) : [];
    return {
      zone: zone ? zoneView(zone, services.settings.nameservers) : null,
      records: records.map(recordView),
      nameservers: services.settings.nameservers,
      actions: { canManageRecords: zone !== undefined && hasScope(p, 'write:dns') },
    };
  });
}
