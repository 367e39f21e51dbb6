// JSON Web Tokens (RFC 7519) for the organization API's access tokens: HS256 (RFC 7518 3.2) only,
// with a key derived from the data key, so every node of a deployment accepts every node's tokens.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AccessClaims {
  /** The user id. */
  sub: string;
  iat: number;
  exp: number;
  /** The refresh-token family of the login (logout ends it). */
  sid: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function sign(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

export function signJwt(key: Buffer, claims: AccessClaims): string {
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(key, body)}`;
}

export type JwtCheck = { ok: true; claims: AccessClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

/**
 * Verifies a compact JWS: exactly our header (no `alg` other than HS256, no `none`), a valid
 * signature, then `exp` against `nowSeconds`.
 */
export function verifyJwt(key: Buffer, token: string, nowSeconds: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  let h: unknown;
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof h !== 'object' || h === null || (h as { alg?: unknown }).alg !== 'HS256') return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(key, `${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'malformed' };
  const c = parsed as Partial<AccessClaims>;
  if (typeof c.sub !== 'string' || typeof c.exp !== 'number' || typeof c.iat !== 'number' || typeof c.sid !== 'string') return { ok: false, reason: 'malformed' };
  if (c.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims: c as AccessClaims };
}
