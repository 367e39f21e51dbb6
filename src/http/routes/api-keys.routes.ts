// /api/v2/api-keys: the account's API keys; tokens are shown once, at creation.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { CreateKeyInput } from '../../core/auth/api-keys.service.js';
import type { Services } from '../../core/services.js';
import { principalOf } from '../plugins/auth.js';
import { IdParam, PageOf, problemResponses } from '../schemas/common.schema.js';
import { ApiKeyCreated, ApiKeySchema, CreateApiKeyBody } from '../schemas/zones.schema.js';

const tags = ['API keys'];
const security = [{ bearerAuth: [] }];
const KeysQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), cursor: Type.Optional(Type.String({ maxLength: 400 })) },
  { additionalProperties: false },
);

export async function apiKeysRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;

  app.get('/api-keys', {
    config: { scope: 'read:account' },
    schema: { tags, security, summary: 'List API keys of the account', querystring: KeysQuery, response: { 200: PageOf(ApiKeySchema, 'ApiKeyPage'), ...problemResponses() } },
  }, async (req) => {
    const p = principalOf(req);
    const q = req.query as { limit?: number; cursor?: string };
    return services.apiKeys.list(p.accountId, q.limit ?? 100, q.cursor);
  });

  app.post('/api-keys', {
    config: { scope: 'write:account' },
    schema: {
      tags,
      security,
      summary: 'Create an API key (the token is shown once)',
      description: 'A key can only grant scopes and zones its creator holds (an `admin` key can grant any).',
      body: CreateApiKeyBody,
      response: { 201: ApiKeyCreated, ...problemResponses() },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const { key, token } = await services.apiKeys.create(p.accountId, req.body as CreateKeyInput, p);
    return reply.code(201).header('Cache-Control', 'no-store').send({ ...key, token });
  });

  app.delete('/api-keys/:keyId', {
    config: { scope: 'write:account' },
    schema: { tags, security, summary: 'Revoke an API key', params: IdParam('keyId', 'key_'), response: { 204: Type.Null(), ...problemResponses() } },
  }, async (req, reply) => {
    const p = principalOf(req);
    await services.apiKeys.revoke(p.accountId, (req.params as { keyId: string }).keyId.toLowerCase());
    return reply.code(204).send();
  });
}
