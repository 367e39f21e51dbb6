// Token-bucket rate limiting per API key (or per client address before authentication), with the
// X-RateLimit-* headers on every response and 429 + Retry-After when a bucket is empty.
import type { FastifyReply } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { RateLimiter } from '../../core/rate-limit.js';

export { RateLimiter, type RateDecision, type RateLimitSettings } from '../../core/rate-limit.js';

function rateLimitError(headers: Record<string, string>): AppError {
  return new AppError('rate_limit_exceeded', `Too many requests; retry after ${headers['Retry-After'] ?? '1'} seconds.`, { headers });
}

/** Takes a token of `key`'s bucket, sets the X-RateLimit-* headers, and throws the 429 when it is empty. */
export function enforceRateLimit(limiter: RateLimiter, key: string, reply: FastifyReply): void {
  const decision = limiter.take(key);
  for (const [k, v] of Object.entries(decision.headers)) reply.header(k, v);
  if (!decision.allowed) throw rateLimitError(decision.headers);
}
