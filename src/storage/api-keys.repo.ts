// API keys repository: keys are found by the SHA-256 of their token; revoke and touch update in place.
import type { Selectable } from 'kysely';
import type { ApiKey, Scope } from '../core/model.js';
import type { ApiKeysRepo, ListQuery } from '../core/ports.js';
import { mapConflicts } from './errors.js';
import type { ApiKeysTable, Db } from './schema.js';
import { stmt, type SqlAccess } from './sql-runner.js';
import { num, parseJson, selectAccountPage } from './sql-util.js';

function toApiKey(r: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    tokenHash: r.token_hash,
    tokenPrefix: r.token_prefix,
    scopes: parseJson<Scope[]>(r.scopes) ?? [],
    zones: parseJson<string[]>(r.zones),
    allowIps: parseJson<string[]>(r.allow_ips),
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

// Every authenticated request looks its key up by hash: precompiled (see sql-runner.ts).
const FIND_BY_HASH = stmt('select * from api_keys where token_hash = ?');

export class SqlApiKeysRepo implements ApiKeysRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  async create(k: ApiKey): Promise<void> {
    await mapConflicts(() =>
      this.db
        .insertInto('api_keys')
        .values({
          id: k.id,
          account_id: k.accountId,
          name: k.name,
          token_hash: k.tokenHash,
          token_prefix: k.tokenPrefix,
          scopes: JSON.stringify(k.scopes),
          zones: k.zones === null ? null : JSON.stringify(k.zones),
          allow_ips: k.allowIps === null ? null : JSON.stringify(k.allowIps),
          expires_at: k.expiresAt,
          created_at: k.createdAt,
          last_used_at: k.lastUsedAt,
          revoked_at: k.revokedAt,
        })
        .execute(),
    );
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toApiKey(r);
  }

  async findByHash(tokenHash: string): Promise<ApiKey | undefined> {
    const [r] = await this.sql.all<Selectable<ApiKeysTable>>(FIND_BY_HASH, [tokenHash]);
    return r && toApiKey(r);
  }

  async list(accountId: string, q: ListQuery): Promise<ApiKey[]> {
    return (await selectAccountPage(this.db, 'api_keys', accountId, q)).map(toApiKey);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const r = await this.db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return num(r.numUpdatedRows) > 0;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
