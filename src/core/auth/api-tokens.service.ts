// API tokens of the organization API (`X-API-TOKEN`): created by a signed-in user, shown once,
// stored as SHA-256, optionally expiring, acting as their user in all or in listed organizations.
import { randomBytes } from 'node:crypto';
import { hashToken, sameTokenHash } from '../crypto/token-hash.js';
import { AppError, fieldError, type FieldError } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { ApiToken } from '../model.js';
import type { Clock, Store } from '../ports.js';
import { violations } from '../organizations/org-records.service.js';
import type { OrgPrincipal } from './org-principal.js';

export const API_TOKEN_PREFIX = 'zkt_';
const TOUCH_INTERVAL_MS = 60_000;
const MAX_LIFETIME_MS = 10 * 365 * 86_400_000;

/** A token as the API shows it (never the hash; the plaintext only in the creation reply). */
export interface ApiTokenView {
  id: string;
  name: string;
  tokenPrefix: string;
  organizations: string[] | null;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export function tokenView(t: ApiToken): ApiTokenView {
  return { id: t.id, name: t.name, tokenPrefix: t.tokenPrefix, organizations: t.organizations, expiresAt: t.expiresAt, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt };
}

/** Whether a limited caller may see or delete token `t`: only tokens limited to its organizations. */
function withinLimit(p: OrgPrincipal, t: ApiToken): boolean {
  if (p.organizations === null) return true;
  return t.organizations !== null && t.organizations.every((o) => p.organizations!.includes(o));
}

export class ApiTokensService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async create(p: OrgPrincipal, body: unknown): Promise<{ view: ApiTokenView; token: string }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw violations([fieldError('', 'invalid_type', 'The request body must be a JSON object.')], 'The api-token failed validation.');
    const b = body as Record<string, unknown>;
    const errors: FieldError[] = [];
    for (const k of Object.keys(b)) if (!['name', 'expiresAt', 'organizations'].includes(k)) errors.push(fieldError(`/${k}`, 'unknown_field', `\`${k}\` is not a field of api-token; use name, expiresAt, organizations.`));
    const name = typeof b.name === 'string' ? b.name.trim() : '';
    if (b.name === undefined || b.name === null) errors.push(fieldError('/name', 'required', '`name` is required.'));
    else if (typeof b.name !== 'string') errors.push(fieldError('/name', 'invalid_type', '`name` must be a string.'));
    else if (name === '' || name.length > 100 || name.includes('\u0000')) errors.push(fieldError('/name', 'invalid_value', '`name` must be 1-100 characters.'));
    const now = this.clock.now();
    let expiresAt: string | null = null;
    if (b.expiresAt !== undefined && b.expiresAt !== null) {
      // RFC 3339: a date-time with a zone (Z or an offset), never the server's local time.
      const t = typeof b.expiresAt === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(b.expiresAt) ? Date.parse(b.expiresAt) : Number.NaN;
      if (Number.isNaN(t)) errors.push(fieldError('/expiresAt', 'invalid_format', '`expiresAt` must be an RFC 3339 date-time with a zone, such as 2027-01-31T00:00:00Z.'));
      else if (t <= now.getTime()) errors.push(fieldError('/expiresAt', 'out_of_range', '`expiresAt` must be in the future.'));
      else if (t - now.getTime() > MAX_LIFETIME_MS) errors.push(fieldError('/expiresAt', 'out_of_range', '`expiresAt` must be within 10 years.'));
      else expiresAt = new Date(t).toISOString();
    }
    // A token cannot outlive the token that creates it: without expiresAt it inherits the expiry.
    if (p.tokenExpiresAt !== null) {
      if (expiresAt === null && (b.expiresAt === undefined || b.expiresAt === null)) expiresAt = p.tokenExpiresAt;
      else if (expiresAt !== null && Date.parse(expiresAt) > Date.parse(p.tokenExpiresAt)) {
        errors.push(fieldError('/expiresAt', 'out_of_range', `\`expiresAt\` must not be later than the expiry of the token creating it (${p.tokenExpiresAt}).`));
      }
    }
    let organizations: string[] | null = null;
    if (b.organizations !== undefined && b.organizations !== null) {
      if (!Array.isArray(b.organizations) || b.organizations.length === 0) errors.push(fieldError('/organizations', 'invalid_type', '`organizations` must be a non-empty list of organization ids, or null for all.'));
      else {
        organizations = [];
        b.organizations.forEach((o, i) => {
          const id = typeof o === 'string' ? o.toLowerCase() : '';
          // A token can only reach organizations its creator reaches (a limited token cannot widen itself).
          const reachable = p.memberships.some((m) => m.accountId === id) && (p.organizations === null || p.organizations.includes(id));
          if (!isId('account', id) || !reachable) errors.push(fieldError(`/organizations/${i}`, 'invalid_value', `\`organizations[${i}]\` is not an organization you are a member of.`));
          else if (!organizations!.includes(id)) organizations!.push(id);
        });
      }
    } else if (p.organizations !== null) {
      errors.push(fieldError('/organizations', 'required', 'This API token is limited to some organizations, so a token it creates must list organizations too.'));
    }
    if (errors.length > 0) throw violations(errors, 'The api-token failed validation.');
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const t: ApiToken = {
      id: newId('apiToken'),
      userId: p.userId,
      name,
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
      organizations,
      expiresAt,
      createdAt: now.toISOString(),
      lastUsedAt: null,
    };
    await this.store.apiTokens.create(t);
    return { view: tokenView(t), token };
  }

  /** The caller's tokens; a token limited to organizations sees only tokens within its limit. */
  async list(p: OrgPrincipal): Promise<ApiTokenView[]> {
    return (await this.store.apiTokens.listByUser(p.userId)).filter((t) => withinLimit(p, t)).map(tokenView);
  }

  async delete(p: OrgPrincipal, id: string): Promise<void> {
    const own = isId('apiToken', id) ? (await this.store.apiTokens.listByUser(p.userId)).find((t) => t.id === id.toLowerCase()) : undefined;
    if (!own || !withinLimit(p, own) || !(await this.store.apiTokens.delete(p.userId, own.id))) throw new AppError('not_found', `API token ${id} was not found.`);
  }

  /** The principal of an `X-API-TOKEN`, or a 401 problem. */
  async authenticate(token: string): Promise<OrgPrincipal> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) throw new AppError('unauthorized', 'The API token is not valid.');
    const hash = hashToken(token);
    const t = await this.store.apiTokens.findByHash(hash);
    if (!t || !sameTokenHash(t.tokenHash, hash)) throw new AppError('unauthorized', 'The API token is not valid.');
    const now = this.clock.now();
    if (t.expiresAt !== null && Date.parse(t.expiresAt) <= now.getTime()) throw new AppError('unauthorized', 'The API token has expired.');
    const user = await this.store.users.get(t.userId);
    if (!user || user.disabledAt !== null) throw new AppError('unauthorized', 'The API token belongs to a disabled user.');
    const last = this.touched.get(t.id) ?? 0;
    if (now.getTime() - last > TOUCH_INTERVAL_MS) {
      this.touched.set(t.id, now.getTime());
      await this.store.apiTokens.touch(t.id, now.toISOString());
    }
    return { userId: user.id, email: user.email, tokenId: t.id, organizations: t.organizations, tokenExpiresAt: t.expiresAt, memberships: await this.store.users.memberships(user.id) };
  }
}
