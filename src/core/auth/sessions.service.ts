// Logins of the organization API: email + password → a short-lived JWT access token and a refresh
// token (rotated on every use; a replayed one ends the whole login). Failed logins are limited per
// account and per client address; unknown emails cost the same time and get the same answer.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { RefreshSession } from '../model.js';
import type { Clock, RefreshLookup, Store } from '../ports.js';
import { RateLimiter } from '../rate-limit.js';
import type { AuthSettings } from '../settings.js';
import { hashToken, sameTokenHash } from '../crypto/token-hash.js';
import { signJwt, verifyJwt } from './jwt.js';
import type { OrgPrincipal } from './org-principal.js';
import { spendVerifyTime, verifyPassword } from './passwords.js';
import { normalizeEmail } from '../users/users.service.js';

export const REFRESH_PREFIX = 'zkr_';

export interface LoginResult {
  /** The JWT access token (`Authorization: Bearer`). */
  token: string;
  refresh_token: string;
  token_type: 'Bearer';
  /** Seconds until `token` expires. */
  expires_in: number;
  refresh_token_expires_in: number;
}

const BAD_LOGIN = 'The email address or password is wrong.';

export class SessionsService {
  private readonly perAccount: RateLimiter;
  private readonly perAddress: RateLimiter;
  private prunedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
    /** The HS256 key for access tokens; null without a data key (logins then answer 503). */
    private readonly jwtKey: Buffer | null,
  ) {
    const now = (): number => this.clock.now().getTime();
    this.perAccount = new RateLimiter(settings.loginLimitPerAccount, now);
    this.perAddress = new RateLimiter(settings.loginLimitPerAddress, now);
  }

  private key(): Buffer {
    if (!this.jwtKey) throw new AppError('service_unavailable', 'Logins need the server data key, which this process was started without.');
    return this.jwtKey;
  }

  async login(rawEmail: string, password: string, clientIp: string): Promise<LoginResult> {
    this.key();
    const email = normalizeEmail(rawEmail);
    const accountKey = `email:${email}`;
    const addressKey = `ip:${clientIp}`;
    // Every attempt takes a token first (so parallel guesses cannot all pass a check made before
    // the slow password hash); a successful login gives them back. While either bucket is empty,
    // even the right password waits.
    const byAccount = this.perAccount.take(accountKey);
    const byAddress = this.perAddress.take(addressKey);
    if (!byAccount.allowed || !byAddress.allowed) {
      if (byAccount.allowed) this.perAccount.giveBack(accountKey);
      if (byAddress.allowed) this.perAddress.giveBack(addressKey);
      const headers = !byAccount.allowed ? byAccount.headers : byAddress.headers;
      throw new AppError('rate_limit_exceeded', 'Too many failed logins for this account or from this address; retry later.', { headers: { 'Retry-After': headers['Retry-After'] ?? '60' } });
    }
    const user = email.length > 0 && email.length <= 254 ? await this.store.users.getByEmail(email) : undefined;
    let ok = false;
    if (user) ok = await verifyPassword(user.passwordHash, password);
    else await spendVerifyTime(password);
    if (!ok) throw new AppError('unauthorized', BAD_LOGIN);
    this.perAccount.giveBack(accountKey);
    this.perAddress.giveBack(addressKey);
    // Only a caller who knows the password learns that the user is disabled.
    if (user!.disabledAt !== null) throw new AppError('unauthorized', 'This user is disabled.');
    const now = this.clock.now();
    this.maybePrune(now);
    const familyId = newId('refresh');
    const { session, pair } = this.pair(user!.id, familyId, familyId, now);
    await this.store.refreshTokens.createFamily({ id: familyId, userId: user!.id, createdAt: now.toISOString(), revokedAt: null }, session);
    return pair;
  }

  /** A new refresh token of a family and the access token that goes with it. */
  private pair(userId: string, familyId: string, id: string, now: Date): { session: RefreshSession; pair: LoginResult } {
    const iat = Math.floor(now.getTime() / 1000);
    const refresh = REFRESH_PREFIX + randomBytes(32).toString('base64url');
    const session: RefreshSession = {
      id,
      familyId,
      tokenHash: hashToken(refresh),
      expiresAt: new Date(now.getTime() + this.settings.refreshTokenTtl * 1000).toISOString(),
      createdAt: now.toISOString(),
      usedAt: null,
    };
    const token = signJwt(this.key(), { sub: userId, iat, exp: iat + this.settings.accessTokenTtl, sid: familyId });
    return { session, pair: { token, refresh_token: refresh, token_type: 'Bearer', expires_in: this.settings.accessTokenTtl, refresh_token_expires_in: this.settings.refreshTokenTtl } };
  }

  /** Expired refresh tokens are deleted at most once an hour, in the background of a login. */
  private maybePrune(now: Date): void {
    if (now.getTime() - this.prunedAt < 3_600_000) return;
    this.prunedAt = now.getTime();
    this.store.refreshTokens.prune(now.toISOString()).catch(() => {
      this.prunedAt = 0; // retried by a later login
    });
  }

  /** A new access and refresh token for a valid refresh token, which is used up. */
  async refresh(refreshToken: string): Promise<LoginResult> {
    this.key();
    const s = await this.findRefresh(refreshToken);
    const user = await this.store.users.get(s.userId);
    if (!user || user.disabledAt !== null || s.familyRevokedAt !== null) throw new AppError('unauthorized', 'The refresh token is no longer valid; sign in again.');
    const now = this.clock.now();
    const { session, pair } = this.pair(user.id, s.familyId, newId('refresh'), now);
    const outcome = await this.store.refreshTokens.rotate(s.id, session, now.toISOString());
    // A used token presented again: someone else may hold a copy. The whole login has ended.
    if (outcome === 'reused') throw new AppError('unauthorized', 'The refresh token was already used; the login has ended, sign in again.');
    if (outcome === 'revoked') throw new AppError('unauthorized', 'The refresh token is no longer valid; sign in again.');
    return pair;
  }

  /** Ends the login the refresh token belongs to, and its access tokens with it. */
  async logout(refreshToken: string): Promise<void> {
    const s = await this.findRefresh(refreshToken);
    await this.store.refreshTokens.revokeFamily(s.familyId, this.clock.now().toISOString());
  }

  /** A known, unexpired refresh token (used or not, revoked or not: the caller decides). */
  private async findRefresh(token: string): Promise<RefreshLookup> {
    if (!token.startsWith(REFRESH_PREFIX) || token.length > 200) throw new AppError('unauthorized', 'The refresh token is not valid.');
    const hash = hashToken(token);
    const s = await this.store.refreshTokens.findByHash(hash);
    if (!s || !sameTokenHash(s.tokenHash, hash)) throw new AppError('unauthorized', 'The refresh token is not valid.');
    if (Date.parse(s.expiresAt) <= this.clock.now().getTime()) throw new AppError('unauthorized', 'The refresh token has expired; sign in again.');
    return s;
  }

  /** The principal of a JWT access token, or a 401 problem. */
  async authenticateAccess(jwt: string): Promise<OrgPrincipal> {
    const check = verifyJwt(this.key(), jwt, Math.floor(this.clock.now().getTime() / 1000));
    if (!check.ok) throw new AppError('unauthorized', check.reason === 'expired' ? 'The access token has expired; refresh it or sign in again.' : 'The access token is not valid.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    const [user, active] = await Promise.all([this.store.users.get(check.claims.sub), this.store.refreshTokens.familyActive(check.claims.sid)]);
    if (!user || user.disabledAt !== null || !active) throw new AppError('unauthorized', 'The access token is no longer valid (signed out or disabled).', { headers: { 'WWW-Authenticate': 'Bearer' } });
    return { userId: user.id, email: user.email, tokenId: null, organizations: null, tokenExpiresAt: null, memberships: await this.store.users.memberships(user.id) };
  }
}
