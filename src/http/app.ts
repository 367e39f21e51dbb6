// The Fastify application: plugins (request id, problems, validation, auth, rate limits), the
// /api/v2 routes, OpenAPI 3.1 at /api/v2/openapi.json, the reference page at /docs, /errors pages.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { newId } from '../core/ids.js';
import type { Services } from '../core/services.js';
import { installAuth } from './plugins/auth.js';
import { installProblems, problemBody, type PublicUrl } from './plugins/problems.js';
import { RateLimiter, type RateLimitSettings } from './plugins/rate-limit.js';
import { installValidators } from './plugins/validation.js';
import { apiKeysRoutes } from './routes/api-keys.routes.js';
import { dnsZonesRoutes } from './routes/dns-zones.routes.js';
import { domainsRoutes } from './routes/domains.routes.js';
import { dyndnsUpdateRoutes } from './routes/dyndns-update.routes.js';
import { dyndnsRoutes } from './routes/dyndns.routes.js';
import { errorsRoutes } from './routes/errors.routes.js';
import { registryRoutes } from './routes/registry.routes.js';
import { orgApiRoutes } from './org-api/org-api.routes.js';
import { Problem } from './schemas/common.schema.js';
import { AppError } from '../core/errors.js';

export interface AppOptions {
  services: Services;
  /** Base of problem `type` URLs; a function when it is known only after listen(). */
  publicUrl: PublicUrl;
  rateLimit: RateLimitSettings;
  bodyLimit: number;
  trustProxy: string[];
  logger?: Logger | false;
  version?: string;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger || undefined,
    logger: opts.logger ? undefined : false,
    genReqId: () => newId('request'),
    bodyLimit: opts.bodyLimit,
    trustProxy: opts.trustProxy.length > 0 ? opts.trustProxy : false,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  } as never) as unknown as FastifyInstance;

  installValidators(app);
  installProblems(app, opts.publicUrl);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Request-Id', req.id);
  });
  // Server-Timing (W3C): the time from the parsed request head to the reply, in ms. For a write it
  // covers the store commit and, with DNS on, the DNS server applying the change (read-your-writes),
  // so clients and benchmarks can tell server time from network and client time.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('Server-Timing', `app;dur=${reply.elapsedTime.toFixed(3)}`);
  });
  app.addSchema(Problem);

  // Zone files may be sent as they are (text/dns or text/plain) to the import route only.
  app.addContentTypeParser(['text/dns', 'text/plain'], { parseAs: 'string' }, (req, body, done) => {
    if (!/\/import(\?|$)/.test(req.url)) {
      done(new AppError('unsupported_media_type', 'The request body must be sent as application/json.'), undefined);
      return;
    }
    done(null, { zoneFile: body as string });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'zonekeeper API',
        version: opts.version ?? '0.1.0',
        description: 'HostUp API v2-compatible DNS hosting API. Errors are RFC 7807 problem documents (see /errors).',
      },
      servers: [{ url: '/', description: 'this server' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key created with `zonekeeper keys create` or POST /api/v2/api-keys' },
          dyndnsBasic: { type: 'http', scheme: 'basic', description: 'DynDNS: any user name, the configuration\'s token as password' },
          apiToken: { type: 'apiKey', in: 'header', name: 'X-API-TOKEN', description: 'Organization API: a token from POST /api/api-tokens (shown once)' },
          jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Organization API: the access token from POST /api/auth/login' },
        },
      },
      tags: [
        { name: 'DNS zones', description: 'Zones, records, batch changes, zone files' },
        { name: 'Domains', description: 'Domains owning the zones' },
        { name: 'API keys', description: 'Keys, scopes and restrictions' },
        { name: 'DynDNS', description: 'DynDNS configurations, tokens and logs; updates go to /nic/update or /api/dyndns/update (docs/dyndns.md)' },
        { name: 'Organization API: auth and tokens', description: 'Seed 003: sign in with email and password (JWT), API tokens for X-API-TOKEN' },
        { name: 'Organization API: organizations', description: 'Organizations you belong to and their domains (domain ids are UUIDs)' },
        { name: 'Organization API: dns-records', description: 'Records with numeric types (bunny.net model), JSON-LD replies, merge-patch updates, 422 violations (docs/org-api.md)' },
        { name: 'DynDNS updates', description: 'The public update endpoints routers, ddclient and inadyn call (token, no API key)' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true }, staticCSP: true, theme: { title: 'zonekeeper API reference' } });

  const limiter = new RateLimiter(opts.rateLimit);
  await app.register(
    async (api) => {
      installAuth(api, opts.services.apiKeys, limiter);
      await api.register(dnsZonesRoutes, { services: opts.services });
      await api.register(domainsRoutes, { services: opts.services });
      await api.register(registryRoutes, { services: opts.services });
      await api.register(apiKeysRoutes, { services: opts.services });
      await api.register(dyndnsRoutes, { services: opts.services });
    },
    { prefix: '/api/v2' },
  );
  await app.register(dyndnsUpdateRoutes, { services: opts.services });
  await app.register(orgApiRoutes, { prefix: '/api', services: opts.services, publicUrl: opts.publicUrl, limiter });
  app.get('/api/v2/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(errorsRoutes);
  app.get('/healthz', { schema: { hide: true } }, async (req, reply) => {
    try {
      await opts.services.store.journal.latestSeq();
      return { status: 'ok' };
    } catch (err) {
      req.log.error({ err }, 'health check failed');
      const e = new AppError('service_unavailable', 'The store is not reachable.');
      return reply.code(503).type('application/problem+json').send(problemBody(opts.publicUrl, req, e));
    }
  });
  return app;
}
