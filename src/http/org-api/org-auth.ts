// Authentication of the organization API: `X-API-TOKEN: <token>` or `Authorization: Bearer <JWT>`,
// then a rate limit per user (or per client address when no valid credential was sent).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { OrgPrincipal } from '../../core/auth/org-principal.js';
import type { Services } from '../../core/services.js';
import { enforceRateLimit, type RateLimiter } from '../plugins/rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    orgPrincipal?: OrgPrincipal;
  }
  interface FastifyContextConfig {
    /** Organization API routes that need no credential (login, refresh, contexts). */
    orgPublic?: boolean;
  }
}

export function orgPrincipalOf(req: FastifyRequest): OrgPrincipal {
  if (!req.orgPrincipal) throw new AppError('unauthorized', 'Send `X-API-TOKEN: <token>` or `Authorization: Bearer <access token>`.');
  return req.orgPrincipal;
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

export function installOrgAuth(app: FastifyInstance, services: Services, limiter: RateLimiter): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.orgPublic) return;
    const apiToken = req.headers['x-api-token'];
    const authz = req.headers.authorization;
    let principal: OrgPrincipal | undefined;
    let failure: AppError | undefined;
    try {
      if (typeof apiToken === 'string' && apiToken !== '') principal = await services.apiTokens.authenticate(apiToken.trim());
      else if (authz !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
        if (!m) failure = new AppError('unauthorized', 'The Authorization header must be `Bearer <access token>`.', { headers: CHALLENGE });
        else principal = await services.sessions.authenticateAccess(m[1]!);
      } else failure = new AppError('unauthorized', 'Send `X-API-TOKEN: <token>` or `Authorization: Bearer <access token>` (POST /api/auth/login).', { headers: CHALLENGE });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      failure = e;
    }
    enforceRateLimit(limiter, principal ? `user:${principal.userId}` : `ip:${req.ip}`, reply);
    if (failure) throw failure;
    req.orgPrincipal = principal;
  });
}
