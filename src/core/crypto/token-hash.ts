// Bearer secrets (API keys, DynDNS tokens) are stored as SHA-256: a 256-bit random secret needs no
// slow hash. Lookups go by the hash through an index; the comparison that decides is constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests (false for empty or unequal lengths). */
export function sameTokenHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
