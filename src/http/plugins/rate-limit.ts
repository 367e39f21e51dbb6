// Token-bucket rate limiting per API key (or per client address before authentication), with the
// X-RateLimit-* headers on every response and 429 + Retry-After when a bucket is empty.
import { AppError } from '../../core/errors.js';

export { RateLimiter, type RateDecision, type RateLimitSettings } from '../../core/rate-limit.js';

export function rateLimitError(headers: Record<string, string>): AppError {
  return new AppError('rate_limit_exceeded', `Too many requests; retry after ${headers['Retry-After'] ?? '1'} seconds.`, { headers });
}
