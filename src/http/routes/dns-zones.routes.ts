// /api/v2/dns-zones: zones, their records (HostUp shapes), the atomic batch, zone-file import/export.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireZoneAccess } from '../../core/auth/principal.js';
import { AppError } from '../../core/errors.js';
import type { Zone } from '../../core/model.js';
import { parseName } from '../../core/names.js';
import { decodeCursor, toPage } from '../../core/pagination.js';
import { recordView, type RecordBody } from '../../core/records/records.service.js';
import type { Services } from '../../core/services.js';
import { principalOf } from '../plugins/auth.js';
import { zoneView } from '../presenters.js';
import { IdParam, ListQuery, PageOf, problemResponses, type ListQueryT } from '../schemas/common.schema.js';
import { BatchBody, BatchResult, RecordBody as RecordBodySchema, RecordSchema, RecordsQuery, type BatchBodyT } from '../schemas/records.schema.js';
import { CreateZoneBody, DnssecZoneView, ImportBody, ImportResult, ZoneSchema, ZoneWithRecords } from '../schemas/zones.schema.js';
import { listWithZoneRestriction } from './restricted-list.js';

const ZoneParams = IdParam('zoneId', 'zone_');
const RecordParams = Type.Object({ ...ZoneParams.properties, ...IdParam('recordId', 'drr_').properties }, { additionalProperties: false });
const tags = ['DNS zones'];
const security = [{ bearerAuth: [] }];

export async function dnsZonesRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const ns = services.settings.nameservers;

  /** The zone named in the path, if the key may use it (the route's scope is already checked). */
  async function loadZone(req: FastifyRequest): Promise<Zone> {
    const p = principalOf(req);
    const zone = await services.zones.get(p.accountId, (req.params as { zoneId: string }).zoneId.toLowerCase());
    requireZoneAccess(p, zone.name);
    return zone;
  }

  app.get('/dns-zones', {
    config: { scope: 'read:dns' },
    schema: { tags, security, summary: 'List DNS zones', querystring: ListQuery, response: { 200: PageOf(ZoneSchema, 'ZonePage'), ...problemResponses() } },
  }, async (req) => {
    const p = principalOf(req);
    const q = req.query as ListQueryT;
    const page = await listWithZoneRestriction(p, q, 'zone', (query) => services.zones.list(p.accountId, query), async (name) => services.zones.getByName(p.accountId, name));
    return { ...page, data: page.data.map((z) => zoneView(z, ns)) };
  });

  app.post('/dns-zones', {
    config: { scope: 'write:dns' },
    schema: { tags, security, summary: 'Create a DNS zone', body: CreateZoneBody, response: { 201: ZoneSchema, ...problemResponses(409) } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const { name } = req.body as { name: string };
    if (p.zones !== null) {
      const parsed = parseName(name, 'hostname');
      const z = parsed.ok ? parsed.name : name.trim().toLowerCase();
      if (!p.zones.includes(z)) throw new AppError('forbidden', `This API key is restricted to other zones and may not create ${z}.`);
    }
    const zone = await services.zones.create(p.accountId, name);
    return reply.code(201).send(zoneView(zone, ns));
  });

  const zoneWithRecords = async (req: FastifyRequest) => {
    const zone = await loadZone(req);
    const q = req.query as { type?: string; name?: string; limit?: number; cursor?: string };
    const afterId = decodeCursor('drr', q.cursor);
    const paged = q.limit !== undefined || q.cursor !== undefined;
    const limit = q.limit ?? 1000;
    const rows = await services.records.list(zone, { ...q, ...(paged ? { limit: limit + 1 } : {}), ...(afterId ? { afterId } : {}) });
    if (!paged) return { zone: zoneView(zone, ns), records: rows.map(recordView) };
    const page = toPage('drr', rows, limit);
    return { zone: zoneView(zone, ns), records: page.data.map(recordView), hasMore: page.hasMore, nextCursor: page.nextCursor };
  };
  const recordsRouteSchema = (summary: string) => ({ tags, security, summary, params: ZoneParams, querystring: RecordsQuery, response: { 200: ZoneWithRecords, ...problemResponses() } });
  app.get('/dns-zones/:zoneId', { config: { scope: 'read:dns' }, schema: recordsRouteSchema('Get a DNS zone with its records') }, zoneWithRecords);
  app.get('/dns-zones/:zoneId/records', { config: { scope: 'read:dns' }, schema: recordsRouteSchema('List the records of a zone (alias)') }, zoneWithRecords);

  app.get('/dns-zones/:zoneId/dnssec', {
    config: { scope: 'read:dns' },
    schema: {
      tags,
      security,
      summary: "The zone's DNSSEC keys and the DS records for its parent",
      description: 'Whether the zone is signed, its keys (DNSKEY presentation form, key tag, algorithm, state) and, for the active secure-entry-point key, the DS records with SHA-256 (digest type 2) and SHA-384 (4) digests, ready for the registry (docs/dnssec.md).',
      params: ZoneParams,
      response: { 200: DnssecZoneView, ...problemResponses() },
    },
  }, async (req) => services.dnssec.view(await loadZone(req)));

  app.post('/dns-zones/:zoneId/dnssec/rollover', {
    config: { scope: 'write:dns' },
    schema: {
      tags,
      security,
      summary: "Start a rollover of the zone's signing key",
      description:
        'A double-signature rollover of the combined signing key (docs/dnssec.md): the new key signs next to the old one at once; after the zone\'s largest TTL the parent\'s DS moves to the new key (with automatic DNSSEC the registry\'s DS is replaced; CDS/CDNSKEY name the new key); after the parent\'s DS TTL the old key is removed. The job table runs the steps; `rollover` in the answer says what comes next and when. 409 while one is under way.',
      params: ZoneParams,
      response: { 202: DnssecZoneView, ...problemResponses(409) },
    },
  }, async (req, reply) => {
    const zone = await loadZone(req);
    await services.dnssecAuto.assertNotWithdrawing(zone);
    return reply.code(202).send(await services.dnssec.startRollover(zone));
  });

  app.delete('/dns-zones/:zoneId', {
    config: { scope: 'write:dns' },
    schema: { tags, security, summary: 'Delete a DNS zone and its records', params: ZoneParams, response: { 204: Type.Null(), ...problemResponses() } },
  }, async (req, reply) => {
    const zone = await loadZone(req);
    await services.zones.delete(zone.accountId, zone.id);
    return reply.code(204).send();
  });

  app.post('/dns-zones/:zoneId/records', {
    config: { scope: 'write:dns' },
    schema: { tags, security, summary: 'Create a record', params: ZoneParams, body: RecordBodySchema, response: { 201: RecordSchema, ...problemResponses(409) } },
  }, async (req, reply) => {
    const zone = await loadZone(req);
    const rec = await services.records.create(zone, req.body as RecordBody);
    return reply.code(201).send(recordView(rec));
  });

  app.put('/dns-zones/:zoneId/records/:recordId', {
    config: { scope: 'write:dns' },
    schema: { tags, security, summary: 'Replace a record', params: RecordParams, body: RecordBodySchema, response: { 200: RecordSchema, ...problemResponses(409) } },
  }, async (req) => {
    const zone = await loadZone(req);
    const rec = await services.records.replace(zone, (req.params as { recordId: string }).recordId.toLowerCase(), req.body as RecordBody);
    return recordView(rec);
  });

  app.delete('/dns-zones/:zoneId/records/:recordId', {
    config: { scope: 'write:dns' },
    schema: { tags, security, summary: 'Delete a record', params: RecordParams, response: { 204: Type.Null(), ...problemResponses(409) } },
  }, async (req, reply) => {
    const zone = await loadZone(req);
    await services.records.delete(zone, (req.params as { recordId: string }).recordId.toLowerCase());
    return reply.code(204).send();
  });

  app.post('/dns-zones/:zoneId/records/batch', {
    config: { scope: 'write:dns' },
    schema: {
      tags,
      security,
      summary: 'Atomic batch: deletes, then puts, then posts — all or nothing',
      description: 'Errors are reported per item with JSON pointers such as `/posts/2/value`; nothing is applied unless every item is valid.',
      params: ZoneParams,
      body: BatchBody,
      response: { 200: BatchResult, ...problemResponses(409) },
    },
  }, async (req) => {
    const zone = await loadZone(req);
    const result = await services.records.batch(zone, req.body as BatchBodyT);
    const fresh = result.zone;
    return {
      created: result.created.map(recordView),
      updated: result.updated.map(recordView),
      deleted: result.deleted,
      zone: { id: fresh.id, serial: fresh.soa.serial, recordCount: fresh.recordCount },
    };
  });

  app.post('/dns-zones/:zoneId/import', {
    config: { scope: 'write:dns' },
    schema: {
      tags,
      security,
      summary: 'Replace the zone\'s records with a zone file',
      description: 'Send `{"zoneFile": "..."}` as JSON, or the file itself as `text/dns` or `text/plain`. The apex NS set, the SOA serial/MNAME/RNAME and DNSSEC records are the server\'s and are ignored (listed in `ignored`).',
      params: ZoneParams,
      body: ImportBody,
      response: { 200: ImportResult, ...problemResponses(409) },
    },
  }, async (req) => {
    const zone = await loadZone(req);
    const body = req.body as { zoneFile: string };
    const { zone: fresh, ...report } = await services.zones.importZoneFile(zone, body.zoneFile);
    return { zone: zoneView(fresh, ns), ...report };
  });

  app.get('/dns-zones/:zoneId/export', {
    config: { scope: 'read:dns' },
    schema: {
      tags,
      security,
      summary: 'Export the zone as an RFC 1035 zone file',
      params: ZoneParams,
      response: { 200: { description: 'Zone file', content: { 'text/dns': { schema: { type: 'string' } } } }, ...problemResponses() },
    },
  }, async (req, reply) => {
    const zone = await loadZone(req);
    const text = await services.zones.exportZoneFile(zone);
    return reply
      .type('text/dns; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${zone.name}.zone"`)
      .send(text);
  });
}
