// API keys: creation (random 256-bit tokens, stored only as SHA-256), authentication with the key's
// restrictions (expiry, client CIDRs), listing and revocation. Tokens are shown once, never logged.
import { randomBytes } from 'node:crypto';
import { hashToken, sameTokenHash } from '../crypto/token-hash.js';
import ipaddr from 'ipaddr.js';
import { AppError, fieldError, invalid, type FieldError } from '../errors.js';
import { newId } from '../ids.js';
import { ALL_SCOPES, type ApiKey, type Scope } from '../model.js';
import { parseName } from '../names.js';
import { decodeCursor, toPage } from '../pagination.js';
import type { Clock, Store } from '../ports.js';
import type { Principal } from './principal.js';

export const TOKEN_PREFIX = 'zk_';
const TOUCH_INTERVAL_MS = 60_000;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export interface CreateKeyInput {
  name: string;
  scopes: string[];
  zones?: string[] | null;
  allowIps?: string[] | null;
  expiresInDays?: number | null;
}

/** A key as the API and CLI show it: everything but the token hash. */
export type PublicApiKey = Omit<ApiKey, 'tokenHash'>;

export function publicKey(k: ApiKey): PublicApiKey {
  const { tokenHash: _hash, ...rest } = k;
  return rest;
}

/** Validates the key fields; pointers are relative to the key object. */
export function validateKeyInput(input: CreateKeyInput): { errors: FieldError[]; scopes: Scope[]; zones: string[] | null; allowIps: string[] | null } {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (name === '' || name.length > 100) errors.push(fieldError('/name', 'invalid_value', '`name` must be 1-100 characters.'));
  else if (name.includes('\u0000')) errors.push(fieldError('/name', 'invalid_value', '`name` must not contain NUL characters.'));
  const scopes: Scope[] = [];
  if (input.scopes.length === 0) errors.push(fieldError('/scopes', 'required', '`scopes` must list at least one scope.'));
  input.scopes.forEach((s, i) => {
    if (!(ALL_SCOPES as readonly string[]).includes(s)) {
      errors.push(fieldError(`/scopes/${i}`, 'invalid_value', `\`${s}\` is not a scope; use one of ${ALL_SCOPES.join(', ')}.`));
    } else if (!scopes.includes(s as Scope)) scopes.push(s as Scope);
  });
  let zones: string[] | null = null;
  if (input.zones && input.zones.length > 0) {
    zones = [];
    input.zones.forEach((z, i) => {
      const r = parseName(z, 'hostname');
      if (!r.ok) errors.push(fieldError(`/zones/${i}`, 'invalid_format', `\`zones[${i}]\` ${r.detail}.`));
      else if (!zones!.includes(r.name)) zones!.push(r.name);
    });
  }
  let allowIps: string[] | null = null;
  if (input.allowIps && input.allowIps.length > 0) {
    allowIps = [];
    input.allowIps.forEach((c, i) => {
      try {
        const [addr, bits] = c.includes('/') ? ipaddr.parseCIDR(c) : (() => { const a = ipaddr.parse(c); return [a, a.kind() === 'ipv4' ? 32 : 128] as const; })();
        allowIps!.push(`${addr.toString()}/${bits}`);
      } catch {
        errors.push(fieldError(`/allowIps/${i}`, 'invalid_format', `\`allowIps[${i}]\` must be an IP address or CIDR such as 192.0.2.0/24.`));
      }
    });
  }
  if (input.expiresInDays !== undefined && input.expiresInDays !== null) {
    if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > 3650) {
      errors.push(fieldError('/expiresInDays', 'out_of_range', '`expiresInDays` must be a whole number from 1 to 3650.'));
    }
  }
  return { errors, scopes, zones, allowIps };
}

function ipAllowed(clientIp: string, cidrs: string[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(clientIp);
  } catch {
    return false;
  }
  return cidrs.some((c) => {
    try {
      const [net, bits] = ipaddr.parseCIDR(c);
      return addr.kind() === net.kind() && addr.match([net, bits]);
    } catch {
      return false;
    }
  });
}

export class ApiKeysService {
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** Creates a key for an account; the caller (if any) can only hand out what it has itself. */
  async create(accountId: string, input: CreateKeyInput, caller?: Principal): Promise<{ key: PublicApiKey; token: string }> {
    const v = validateKeyInput(input);
    if (caller && !caller.scopes.has('admin')) {
      v.scopes.forEach((s, i) => {
        if (!caller.scopes.has(s)) v.errors.push(fieldError(`/scopes/${i}`, 'not_allowed', `A key cannot grant \`${s}\`, which it does not hold itself.`));
      });
      if (caller.zones !== null) {
        if (v.zones === null) v.errors.push(fieldError('/zones', 'required', 'This key is limited to some zones, so a key it creates must list zones too.'));
        else v.zones.forEach((z, i) => {
          if (!caller.zones!.includes(z)) v.errors.push(fieldError(`/zones/${i}`, 'not_allowed', `A key cannot grant zone ${z}, which it may not use itself.`));
        });
      }
    }
    if (v.errors.length > 0) throw invalid(v.errors);
    if (!(await this.store.accounts.get(accountId))) throw new AppError('not_found', `Account ${accountId} was not found.`);
    const now = this.clock.now();
    const token = generateToken();
    const key: ApiKey = {
      id: newId('apiKey'),
      accountId,
      name: input.name.trim(),
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, TOKEN_PREFIX.length + 6),
      scopes: v.scopes,
      zones: v.zones,
      allowIps: v.allowIps,
      expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
      createdAt: now.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.apiKeys.create(key);
    return { key: publicKey(key), token };
  }

  /**
   * The principal for a bearer token, or a 401/403 problem. Lookup is by hash (the index); the
   * constant-time compare guards against a store returning a near match.
   */
  async authenticate(token: string, clientIp: string): Promise<Principal> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) throw new AppError('unauthorized', 'The API key is not valid.');
    const hash = hashToken(token);
    const key = await this.store.apiKeys.findByHash(hash);
    if (!key || !sameTokenHash(key.tokenHash, hash)) {
      throw new AppError('unauthorized', 'The API key is not valid.');
    }
    const now = this.clock.now();
    if (key.revokedAt !== null) throw new AppError('unauthorized', 'The API key has been revoked.');
    if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) throw new AppError('unauthorized', 'The API key has expired.');
    if (key.allowIps !== null && !ipAllowed(clientIp, key.allowIps)) {
      throw new AppError('forbidden', 'This API key may not be used from this client address.');
    }
    const last = this.touched.get(key.id) ?? 0;
    if (now.getTime() - last > TOUCH_INTERVAL_MS) {
      this.touched.set(key.id, now.getTime());
      await this.store.apiKeys.touch(key.id, now.toISOString());
    }
    return { accountId: key.accountId, keyId: key.id, scopes: new Set(key.scopes), zones: key.zones };
  }

  async list(accountId: string, limit: number, cursor?: string): Promise<{ data: PublicApiKey[]; hasMore: boolean; nextCursor: string | null }> {
    const afterId = decodeCursor('key', cursor);
    const rows = await this.store.apiKeys.list(accountId, { limit: limit + 1, ...(afterId ? { afterId } : {}) });
    const page = toPage('key', rows, limit);
    return { ...page, data: page.data.map(publicKey) };
  }

  /** Revokes a key of the account; a key of another account is reported as not found. */
  async revoke(accountId: string, id: string): Promise<void> {
    const key = await this.store.apiKeys.get(id);
    if (!key || key.accountId !== accountId || key.revokedAt !== null) throw new AppError('not_found', `API key ${id} was not found.`);
    await this.store.apiKeys.revoke(id, this.clock.now().toISOString());
  }
}
