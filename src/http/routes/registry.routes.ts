// /api/v2 registry routes: POST /domains (register), and per domain the nameserver set, glue
// records (host objects, seed 000) and DNSSEC material at the registry (docs/registry.md).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Services } from '../../core/services.js';
import { requireZoneAccess } from '../../core/auth/principal.js';
import { parseName } from '../../core/names.js';
import { principalOf } from '../plugins/auth.js';
import { domainView } from '../presenters.js';
import { IdParam, problemResponses } from '../schemas/common.schema.js';
import { DnssecAutoBody, DnssecAutoView, DnssecBody, DnssecList, DnssecRecord, GlueBody, GlueList, GlueRecord, NameserversBody, NameserversView, RegisterDomainBody } from '../schemas/registry.schema.js';
import { DomainSchema } from '../schemas/zones.schema.js';
import { loadDomainOf } from './domains.routes.js';

const tags = ['Domains'];
const security = [{ bearerAuth: [] }];
const DomainParams = IdParam('domainId', 'dom_');

export async function registryRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const reg = services.registry;

  app.post('/domains', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Register a domain (at its TLD\'s registry) with a linked DNS zone',
      description: 'The TLD must have a registry here (the built-in sandbox registry serves .test). Without `nameservers` the domain uses this server\'s nameservers.',
      body: RegisterDomainBody,
      response: { 201: DomainSchema, ...problemResponses(409, 503) },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const body = req.body as { name: string; years?: number; nameservers?: string[] };
    // A key limited to some zones registers only those names (as POST /dns-zones creates only those).
    const name = parseName(body.name, 'hostname');
    if (name.ok) requireZoneAccess(p, name.name);
    const d = await reg.register(p.accountId, body);
    const zone = await services.store.zones.getByDomainId(d.id);
    return reply.code(201).send(domainView(d, zone?.id ?? null));
  });

  app.get('/domains/:domainId/nameservers', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'The nameserver set at the registry', params: DomainParams, response: { 200: NameserversView, ...problemResponses() } },
  }, async (req) => reg.nameservers(await loadDomainOf(services, req)));

  app.post('/domains/:domainId/nameservers', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Change the nameserver set at the registry',
      description: '2-13 host names; nsips[i] gives the addresses of nameservers[i] when it is under the domain (its host object is created or updated first). Switching to this server\'s own nameservers answers 202 and queues a zone precheck; other sets answer 200. Every change records nameserversChangedAt.',
      params: DomainParams,
      body: NameserversBody,
      response: { 200: NameserversView, 202: NameserversView, ...problemResponses(409, 503) },
    },
  }, async (req, reply) => {
    const { view, queued } = await reg.setNameservers(await loadDomainOf(services, req), req.body as { nameservers: unknown; nsips?: unknown });
    return reply.code(queued ? 202 : 200).send(view);
  });

  app.get('/domains/:domainId/glue-records', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'List glue records (registry host objects)', params: DomainParams, response: { 200: GlueList, ...problemResponses() } },
  }, async (req) => reg.glue(await loadDomainOf(services, req)));

  app.post('/domains/:domainId/glue-records', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Create or update a glue record',
      description: 'A host object for a child nameserver: `hostname` under the domain (3-255 characters), `ips` 1-10 public IPv4/IPv6 addresses (special-purpose ranges refused, documentation ranges accepted; docs/registry.md). Only for TLDs configured for glue; at most 13 per domain. Changes neither the nameserver set nor any zone record.',
      params: DomainParams,
      body: GlueBody,
      response: { 201: GlueRecord, ...problemResponses(409, 503) },
    },
  }, async (req, reply) => reply.code(201).send(await reg.putGlue(await loadDomainOf(services, req), req.body as { hostname: unknown; ips: unknown })));

  app.delete('/domains/:domainId/glue-records/:hostname', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Delete a glue record',
      description: 'Refused (409) while the host is in the domain\'s nameserver set.',
      params: Type.Object({ domainId: DomainParams.properties.domainId!, hostname: Type.String({ maxLength: 300 }) }),
      response: { 204: Type.Null(), ...problemResponses(409, 503) },
    },
  }, async (req, reply) => {
    await reg.deleteGlue(await loadDomainOf(services, req), (req.params as { hostname: string }).hostname);
    return reply.code(204).send();
  });

  app.get('/domains/:domainId/dnssec-auto', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'Automatic DNSSEC enrollment: its state', params: DomainParams, response: { 200: DnssecAutoView, ...problemResponses() } },
  }, async (req) => services.dnssecAuto.view(await loadDomainOf(services, req)));

  app.post('/domains/:domainId/dnssec-auto', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Toggle automatic DNSSEC enrollment',
      description:
        'Send `{"action": "include"}` to enroll the domain or `{"action": "exclude"}` to opt it out; unknown fields are rejected. `include` does not bypass the nameserver cooldown (`--dnssec-cooldown`, 72 h after a nameserver change): the state may be `blocked` with `blockedUntil`, then `pending` while the zone is signed and the DS published at the registry, and `active` once the parent serves it. Only for domains delegated to this server\'s nameservers; otherwise `inactive` with a reason. `exclude` withdraws the DS first and stops signing once the parent\'s DS TTL has passed (docs/dnssec.md).',
      params: DomainParams,
      body: DnssecAutoBody,
      response: { 200: DnssecAutoView, ...problemResponses(409, 503) },
    },
  }, async (req) => services.dnssecAuto.act(await loadDomainOf(services, req), req.body));

  app.get('/domains/:domainId/dnssec', {
    config: { scope: 'read:domains' },
    schema: { tags, security, summary: 'DS/KEY records at the registry', params: DomainParams, response: { 200: DnssecList, ...problemResponses() } },
  }, async (req) => reg.dnssec(await loadDomainOf(services, req)));

  app.post('/domains/:domainId/dnssec', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Add a DS or KEY record at the registry (manual DNSSEC)',
      description: '`{type: "DS", keyTag, algorithm, digestType, digest}` or `{type: "KEY", flags, protocol: 3, algorithm, publicKey}`; numbers may be sent as strings. Adding the same record again changes nothing.',
      params: DomainParams,
      body: DnssecBody,
      response: { 201: DnssecRecord, ...problemResponses(409, 503) },
    },
  }, async (req, reply) => reply.code(201).send(await reg.addDnssec(await loadDomainOf(services, req), req.body as Record<string, unknown>)));

  app.delete('/domains/:domainId/dnssec/:recordId', {
    config: { scope: 'write:domains' },
    schema: {
      tags,
      security,
      summary: 'Remove a DS or KEY record at the registry',
      params: Type.Object({ domainId: DomainParams.properties.domainId!, recordId: Type.String({ maxLength: 100 }) }),
      response: { 204: Type.Null(), ...problemResponses(409, 503) },
    },
  }, async (req, reply) => {
    await reg.deleteDnssec(await loadDomainOf(services, req), (req.params as { recordId: string }).recordId);
    return reply.code(204).send();
  });
}
