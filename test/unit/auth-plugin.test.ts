// The auth hook is the only scope check of the handlers, so a route without a declared scope
// must fail at start-up rather than run unguarded.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ApiKeysService } from '../../src/core/auth/api-keys.service.js';
import { installAuth } from '../../src/http/plugins/auth.js';
import { RateLimiter } from '../../src/http/plugins/rate-limit.js';

const keys = {} as ApiKeysService; // never called: no request is made
const limiter = new RateLimiter({ enabled: false, perSecond: 0, burst: 0 });

describe('installAuth', () => {
  it('refuses to register a route that declares no scope', async () => {
    const app = Fastify();
    const registering = app.register(async (api) => {
      installAuth(api, keys, limiter);
      api.get('/unguarded', async () => ({ ok: true }));
    });
    await expect(Promise.resolve(registering)).rejects.toThrow(/GET \/unguarded declares no config\.scope/);
  });

  it('accepts routes that declare one', async () => {
    const app = Fastify();
    await app.register(async (api) => {
      installAuth(api, keys, limiter);
      api.get('/guarded', { config: { scope: 'read:dns' } }, async () => ({ ok: true }));
    });
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });
});
