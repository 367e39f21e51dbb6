// Bearer-key authentication for /api/v2 and rate limiting by key (or by client address when no
// valid key was sent), run before the body is parsed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { requireScope, type Principal } from '../../core/auth/principal.js';
import type { Scope } from '../../core/model.js';
import type { ApiKeysService } from '../../core/auth/api-keys.service.js';
import { enforceRateLimit, type RateLimiter } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a route needs: checked right after authentication, before the body is parsed. */
    scope?: Scope;
  }
}

export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : '';
}

/** The authenticated principal of a request (routes under the auth hook always have one). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthorized', 'An API key is required.');
  return req.principal;
}

export function installAuth(app: FastifyInstance, keys: ApiKeysService, limiter: RateLimiter): void {
  // Handlers rely on this hook for their scope check, so a route without one must not exist.
  app.addHook('onRoute', (route) => {
    if (!(route.config as { scope?: Scope } | undefined)?.scope) throw new Error(`route ${String(route.method)} ${route.url} declares no config.scope`);
  });
  app.addHook('onRequest', async (req, reply) => {
    const token = bearerToken(req);
    let principal: Principal | undefined;
    let failure: AppError | undefined;
    if (token === null) failure = new AppError('unauthorized', 'Send an API key as `Authorization: Bearer <key>`.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    else if (token === '') failure = new AppError('unauthorized', 'The Authorization header must be `Bearer <key>`.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    else {
      try {
        principal = await keys.authenticate(token, req.ip);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        failure = e;
      }
    }
    enforceRateLimit(limiter, principal ? `key:${principal.keyId}` : `ip:${req.ip}`, reply);
    if (failure) throw failure;
    req.principal = principal;
    const scope = req.routeOptions.config.scope;
    if (scope && principal) requireScope(principal, scope); // every route has one (onRoute above)
  });
}
