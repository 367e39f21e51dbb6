// Users and their memberships of organizations (accounts); API tokens and refresh tokens of users.
import type { Selectable } from 'kysely';
import type { ApiToken, Membership, RefreshFamily, RefreshSession, Role, User } from '../core/model.js';
import type { ApiTokensRepo, MembershipView, RefreshLookup, RefreshTokensRepo, RotateOutcome, UsersRepo } from '../core/ports.js';
import { mapConflicts } from './errors.js';
import type { ApiTokensTable, Db, Dialect, RefreshTokensTable, UsersTable } from './schema.js';
import { stmt, type SqlAccess } from './sql-runner.js';
import { num, parseJson, writeTx } from './sql-util.js';

function toUser(r: Selectable<UsersTable>): User {
  return { id: r.id, email: r.email, passwordHash: r.password_hash, disabledAt: r.disabled_at, createdAt: r.created_at, updatedAt: r.updated_at };
}

function toApiToken(r: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    tokenHash: r.token_hash,
    tokenPrefix: r.token_prefix,
    organizations: parseJson<string[]>(r.organizations),
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

function toRefresh(r: Selectable<RefreshTokensTable>): RefreshSession {
  return { id: r.id, familyId: r.family_id, tokenHash: r.token_hash, expiresAt: r.expires_at, createdAt: r.created_at, usedAt: r.used_at };
}

// Every request of the organization API reads its user (JWT) or token + user (X-API-TOKEN).
const SELECT_USER = stmt('select * from users where id = ?');
const FIND_TOKEN = stmt('select * from api_tokens where token_hash = ?');
const SELECT_MEMBERSHIPS = stmt(
  'select m.account_id, m.user_id, m.role, m.created_at, a.name as account_name, a.created_at as account_created_at from memberships m join accounts a on a.id = m.account_id where m.user_id = ? order by m.account_id',
);

export class SqlUsersRepo implements UsersRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  async create(u: User, membership?: Membership): Promise<void> {
    await mapConflicts(() =>
      writeTx(this.db, this.sql.dialect, async (trx) => {
        await trx
          .insertInto('users')
          .values({ id: u.id, email: u.email, password_hash: u.passwordHash, disabled_at: u.disabledAt, created_at: u.createdAt, updated_at: u.updatedAt })
          .execute();
        if (membership) {
          await trx.insertInto('memberships').values({ account_id: membership.accountId, user_id: membership.userId, role: membership.role, created_at: membership.createdAt }).execute();
        }
      }),
    );
  }

  async get(id: string): Promise<User | undefined> {
    const [r] = await this.sql.all<Selectable<UsersTable>>(SELECT_USER, [id]);
    return r && toUser(r);
  }

  async getByEmail(email: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return r && toUser(r);
  }

  async list(q: { limit: number; afterId?: string }): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .$if(q.afterId !== undefined, (b) => b.where('id', '>', q.afterId!))
      .orderBy('id')
      .limit(q.limit)
      .execute();
    return rows.map(toUser);
  }

  async setDisabled(id: string, disabledAt: string | null, at: string): Promise<User | undefined> {
    const r = await this.db.updateTable('users').set({ disabled_at: disabledAt, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirst();
    return r && toUser(r);
  }

  async setPasswordHash(id: string, hash: string, at: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: hash, updated_at: at }).where('id', '=', id).execute();
  }

  async putMembership(m: Membership): Promise<void> {
    await mapConflicts(() => writeTx(this.db, this.sql.dialect, async (trx) => {
      const r = await trx.updateTable('memberships').set({ role: m.role }).where('user_id', '=', m.userId).where('account_id', '=', m.accountId).executeTakeFirst();
      if (num(r.numUpdatedRows) === 0) {
        await trx.insertInto('memberships').values({ account_id: m.accountId, user_id: m.userId, role: m.role, created_at: m.createdAt }).execute();
      }
    }));
  }

  async memberships(userId: string): Promise<MembershipView[]> {
    const rows = await this.sql.all<{ account_id: string; user_id: string; role: string; created_at: string; account_name: string; account_created_at: string }>(SELECT_MEMBERSHIPS, [userId]);
    return rows.map((r) => ({ accountId: r.account_id, userId: r.user_id, role: r.role as Role, createdAt: r.created_at, accountName: r.account_name, accountCreatedAt: r.account_created_at }));
  }
}

export class SqlApiTokensRepo implements ApiTokensRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  async create(t: ApiToken): Promise<void> {
    await mapConflicts(() =>
      this.db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          user_id: t.userId,
          name: t.name,
          token_hash: t.tokenHash,
          token_prefix: t.tokenPrefix,
          organizations: t.organizations === null ? null : JSON.stringify(t.organizations),
          expires_at: t.expiresAt,
          created_at: t.createdAt,
          last_used_at: t.lastUsedAt,
        })
        .execute(),
    );
  }

  async findByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const [r] = await this.sql.all<Selectable<ApiTokensTable>>(FIND_TOKEN, [tokenHash]);
    return r && toApiToken(r);
  }

  async listByUser(userId: string): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toApiToken);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return num(r.numDeletedRows) > 0;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}

export class SqlRefreshTokensRepo implements RefreshTokensRepo {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async createFamily(f: RefreshFamily, first: RefreshSession): Promise<void> {
    await writeTx(this.db, this.dialect, async (trx) => {
      await trx.insertInto('refresh_families').values({ id: f.id, user_id: f.userId, created_at: f.createdAt, revoked_at: f.revokedAt }).execute();
      await trx.insertInto('refresh_tokens').values(refreshRow(first)).execute();
    });
  }

  async findByHash(tokenHash: string): Promise<RefreshLookup | undefined> {
    const r = await this.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_families as f', 'f.id', 't.family_id')
      .selectAll('t')
      .select(['f.user_id', 'f.revoked_at'])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && { ...toRefresh(r), userId: r.user_id, familyRevokedAt: r.revoked_at };
  }

  async rotate(oldId: string, next: RefreshSession, at: string): Promise<RotateOutcome> {
    return writeTx(this.db, this.dialect, async (trx) => {
      // SQLite: the write transaction holds the database lock; PostgreSQL: the family row lock
      // orders this against a concurrent logout or reuse.
      const fam = await trx
        .selectFrom('refresh_families')
        .select(['revoked_at'])
        .where('id', '=', next.familyId)
        .$if(this.dialect === 'postgres', (b) => b.forUpdate())
        .executeTakeFirst();
      if (!fam || fam.revoked_at !== null) return 'revoked';
      const used = await trx.updateTable('refresh_tokens').set({ used_at: at }).where('id', '=', oldId).where('family_id', '=', next.familyId).where('used_at', 'is', null).executeTakeFirst();
      if (num(used.numUpdatedRows) === 0) {
        await trx.updateTable('refresh_families').set({ revoked_at: at }).where('id', '=', next.familyId).execute();
        return 'reused';
      }
      await trx.insertInto('refresh_tokens').values(refreshRow(next)).execute();
      return 'rotated';
    });
  }

  async familyActive(familyId: string): Promise<boolean> {
    const r = await this.db.selectFrom('refresh_families').select('revoked_at').where('id', '=', familyId).executeTakeFirst();
    return r !== undefined && r.revoked_at === null;
  }

  async revokeFamily(familyId: string, at: string): Promise<void> {
    await this.db.updateTable('refresh_families').set({ revoked_at: at }).where('id', '=', familyId).where('revoked_at', 'is', null).execute();
  }

  async revokeUser(userId: string, at: string): Promise<void> {
    await this.db.updateTable('refresh_families').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  async prune(before: string): Promise<void> {
    await writeTx(this.db, this.dialect, async (trx) => {
      await trx.deleteFrom('refresh_tokens').where('expires_at', '<', before).execute();
      await trx
        .deleteFrom('refresh_families')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('refresh_tokens').select('refresh_tokens.id').whereRef('refresh_tokens.family_id', '=', 'refresh_families.id'))))
        .execute();
    });
  }
}

function refreshRow(s: RefreshSession): Selectable<RefreshTokensTable> {
  return { id: s.id, family_id: s.familyId, token_hash: s.tokenHash, expires_at: s.expiresAt, created_at: s.createdAt, used_at: s.usedAt };
}
