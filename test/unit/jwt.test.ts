// Access tokens of the organization API: HS256 JWTs (sign, verify, every refusal reason), and the
// per-purpose keys the data key derives for them.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt, type AccessClaims } from '../../src/core/auth/jwt.js';
import { DataKey } from '../../src/core/crypto/data-key.js';

const KEY = Buffer.alloc(32, 7);
const NOW = 1_777_000_000;
const CLAIMS: AccessClaims = { sub: 'usr_01jsw0000000000000000000aa', iat: NOW, exp: NOW + 900, sid: 'rft_01jsw0000000000000000000bb' };

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const mac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64url');

/** A token with any header and payload, correctly signed with `key` over what is given. */
function forge(header: unknown, payload: unknown, key: Buffer = KEY): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${mac(key, body)}`;
}

const HS256 = { alg: 'HS256', typ: 'JWT' };

describe('signJwt / verifyJwt', () => {
  it('round trip: the claims come back unchanged', () => {
    const token = signJwt(KEY, CLAIMS);
    expect(token.split('.')).toHaveLength(3);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual(HS256);
    expect(verifyJwt(KEY, token, NOW)).toEqual({ ok: true, claims: CLAIMS });
    expect(verifyJwt(KEY, token, NOW + 899)).toEqual({ ok: true, claims: CLAIMS });
  });

  it('is deterministic and matches an independent HS256 computation', () => {
    const token = signJwt(KEY, CLAIMS);
    expect(signJwt(KEY, CLAIMS)).toBe(token);
    const [h, p, s] = token.split('.');
    expect(s).toBe(mac(KEY, `${h}.${p}`));
  });

  it('accepts a token signed the same way by anyone holding the key (other claim order, extra claims)', () => {
    const token = forge(HS256, { exp: CLAIMS.exp, sid: CLAIMS.sid, iat: CLAIMS.iat, sub: CLAIMS.sub, extra: 1 });
    const r = verifyJwt(KEY, token, NOW);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.claims).toMatchObject(CLAIMS);
  });

  it('expired: exp <= now', () => {
    const token = signJwt(KEY, CLAIMS);
    expect(verifyJwt(KEY, token, CLAIMS.exp)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyJwt(KEY, token, CLAIMS.exp + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyJwt(KEY, signJwt(KEY, { ...CLAIMS, exp: NOW - 1 }), NOW)).toEqual({ ok: false, reason: 'expired' });
  });

  it('an expired token with a bad signature is refused for the signature (no claim is trusted unsigned)', () => {
    const token = signJwt(randomBytes(32), { ...CLAIMS, exp: NOW - 10 });
    expect(verifyJwt(KEY, token, NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  it('a tampered payload: signature', () => {
    const [h, , s] = signJwt(KEY, CLAIMS).split('.');
    const tampered = `${h}.${b64({ ...CLAIMS, sub: 'usr_01jsw0000000000000000000zz' })}.${s}`;
    expect(verifyJwt(KEY, tampered, NOW)).toEqual({ ok: false, reason: 'signature' });
    const later = `${h}.${b64({ ...CLAIMS, exp: CLAIMS.exp + 86_400 })}.${s}`;
    expect(verifyJwt(KEY, later, NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  it('a tampered signature: signature', () => {
    const token = signJwt(KEY, CLAIMS);
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[0] = sig[0]! ^ 1;
    expect(verifyJwt(KEY, `${h}.${p}.${sig.toString('base64url')}`, NOW)).toEqual({ ok: false, reason: 'signature' });
    // the last character flipped, one character short, empty, and doubled
    const last = s.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyJwt(KEY, `${h}.${p}.${s.slice(0, -1)}${last}`, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyJwt(KEY, `${h}.${p}.${s.slice(0, -1)}`, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyJwt(KEY, `${h}.${p}.`, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyJwt(KEY, `${h}.${p}.${s}${s}`, NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  it('another key: signature', () => {
    const token = signJwt(KEY, CLAIMS);
    expect(verifyJwt(randomBytes(32), token, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyJwt(KEY, signJwt(Buffer.alloc(32, 8), CLAIMS), NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  describe('algorithm confusion: only HS256 is accepted', () => {
    it.each([
      ['none, empty signature', { alg: 'none', typ: 'JWT' }, ''],
      ['none, valid-looking HS256 signature', { alg: 'none', typ: 'JWT' }, 'hs256'],
      ['None (case variant), empty signature', { alg: 'None', typ: 'JWT' }, ''],
      ['HS512, valid-looking HS256 signature', { alg: 'HS512', typ: 'JWT' }, 'hs256'],
      ['HS512, empty signature', { alg: 'HS512', typ: 'JWT' }, ''],
      ['RS256, valid-looking HS256 signature', { alg: 'RS256', typ: 'JWT' }, 'hs256'],
      ['hs256 (lowercase)', { alg: 'hs256', typ: 'JWT' }, 'hs256'],
      ['no alg', { typ: 'JWT' }, 'hs256'],
      ['alg not a string', { alg: ['HS256'], typ: 'JWT' }, 'hs256'],
    ])('%s → malformed', (_label, header, sig) => {
      const body = `${b64(header)}.${b64(CLAIMS)}`;
      const token = `${body}.${sig === 'hs256' ? mac(KEY, body) : ''}`;
      expect(verifyJwt(KEY, token, NOW)).toEqual({ ok: false, reason: 'malformed' });
    });
  });

  it.each([
    ['empty string', ''],
    ['one part', 'abc'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['two dots only', '..'],
    ['padding "="', 'eyJhbGciOiJIUzI1NiJ9.eyJ9=.abc'],
    ['standard base64 "+"', 'eyJhbGciOiJIUzI1NiJ9.a+b.abc'],
    ['standard base64 "/"', 'eyJhbGciOiJIUzI1NiJ9.a/b.abc'],
    ['a space', 'eyJhbGciOiJIUzI1NiJ9.ab c.abc'],
    ['a line break at the end', `${'x'}.y.z\n`],
    ['non-ASCII', 'é.é.é'],
  ])('not a compact JWS (%s) → malformed', (_label, token) => {
    expect(verifyJwt(KEY, token, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a valid token with whitespace or a trailing newline around it → malformed', () => {
    const token = signJwt(KEY, CLAIMS);
    expect(verifyJwt(KEY, ` ${token}`, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyJwt(KEY, `${token}\n`, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a header that is not JSON, or JSON but not an object → malformed', () => {
    for (const header of ['not json', '"HS256"', 'null', '42']) {
      const body = `${b64(header)}.${b64(CLAIMS)}`;
      expect(verifyJwt(KEY, `${body}.${mac(KEY, body)}`, NOW), header).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('a correctly signed payload that is not a JSON object → malformed', () => {
    for (const payload of ['not json', '[]', '42', '"claims"', 'true']) {
      expect(verifyJwt(KEY, forge(HS256, payload), NOW), payload).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  // A correctly signed payload that is not a JSON object (null, an array, a number) is malformed,
  // never a throw (found by this suite: the claims check once read `c.sub` of null).
  it('a correctly signed payload of JSON null, an array or a number → malformed (not a throw)', () => {
    for (const payload of ['null', '[]', '42']) expect(verifyJwt(KEY, forge(HS256, payload), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each(['sub', 'iat', 'exp', 'sid'] as const)('a correctly signed token without %s → malformed', (claim) => {
    const { [claim]: _gone, ...rest } = CLAIMS;
    expect(verifyJwt(KEY, forge(HS256, rest), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['sub a number', { sub: 42 }],
    ['sid null', { sid: null }],
    ['exp a string', { exp: String(NOW + 900) }],
    ['iat a string', { iat: String(NOW) }],
  ])('a correctly signed token with %s → malformed', (_label, patch) => {
    expect(verifyJwt(KEY, forge(HS256, { ...CLAIMS, ...patch }), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('DataKey.deriveKey', () => {
  const raw = Buffer.alloc(32, 3);

  it('the same purpose gives the same 32 bytes (also across instances of the same key)', () => {
    const a = new DataKey(raw).deriveKey('access tokens');
    const b = new DataKey(Buffer.from(raw)).deriveKey('access tokens');
    expect(a).toBeInstanceOf(Buffer);
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(true);
    expect(new DataKey(raw).deriveKey('access tokens').equals(a)).toBe(true);
  });

  it('different purposes give different keys', () => {
    const k = new DataKey(raw);
    const keys = ['access tokens', 'access token', 'refresh tokens', '', 'Access tokens'].map((p) => k.deriveKey(p).toString('hex'));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('different data keys give different keys for the same purpose', () => {
    const a = new DataKey(raw).deriveKey('access tokens');
    const b = new DataKey(Buffer.alloc(32, 4)).deriveKey('access tokens');
    const c = DataKey.generate().deriveKey('access tokens');
    expect(a.equals(b)).toBe(false);
    expect(a.equals(c)).toBe(false);
    expect(b.equals(c)).toBe(false);
  });

  it('the derived key is not the data key itself', () => {
    const k = new DataKey(raw);
    expect(k.deriveKey('access tokens').equals(raw)).toBe(false);
  });

  it('tokens signed with one derived key verify only with that key', () => {
    const k = DataKey.generate();
    const token = signJwt(k.deriveKey('access tokens'), CLAIMS);
    expect(verifyJwt(k.deriveKey('access tokens'), token, NOW).ok).toBe(true);
    expect(verifyJwt(k.deriveKey('refresh tokens'), token, NOW)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyJwt(DataKey.generate().deriveKey('access tokens'), token, NOW)).toEqual({ ok: false, reason: 'signature' });
  });
});
