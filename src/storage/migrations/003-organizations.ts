// Migration 003: the organization API (seed 003) — users, memberships, API tokens, refresh tokens;
// domain UUIDs, record numbers per zone, and the smart-record fields (weight, monitoring).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../schema.js';
import type { Migration } from './migration.js';

export const organizations: Migration = {
  id: '003-organizations',
  async up(db: Kysely<any>, dialect: Dialect): Promise<void> {
    const key: RawBuilder<unknown> | 'text' = dialect === 'postgres' ? sql`text collate "C"` : 'text';

    // Domains get the UUID the organization API names them by (existing ones: a new random one).
    await db.schema.alterTable('domains').addColumn('uuid', key).execute();
    const domains = await db.selectFrom('domains').select('id').execute();
    for (const d of domains) await db.updateTable('domains').set({ uuid: randomUUID() }).where('id', '=', d.id).execute();
    await db.schema.createIndex('domains_uuid_uq').unique().on('domains').column('uuid').execute();

    // Record numbers: per zone, in id (creation) order; the zone keeps the next one so that a
    // number is never handed out twice, even after its record is deleted.
    await db.schema.alterTable('zones').addColumn('next_record_num', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema.alterTable('records').addColumn('num', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('records').addColumn('weight', 'integer').execute();
    await db.schema.alterTable('records').addColumn('monitor_type', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('records').addColumn('monitor_status', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await sql`update records set num = n.rn from (select zone_id, id, row_number() over (partition by zone_id order by id) as rn from records) as n
      where records.zone_id = n.zone_id and records.id = n.id`.execute(db);
    await sql`update zones set next_record_num = coalesce((select max(num) from records where records.zone_id = zones.id), 0) + 1`.execute(db);
    await db.schema.createIndex('records_zone_num_uq').unique().on('records').columns(['zone_id', 'num']).execute();

    await db.schema
      .createTable('users')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('email', key, (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_email_uq').unique().on('users').column('email').execute();

    await db.schema
      .createTable('memberships')
      .addColumn('account_id', key, (c) => c.notNull().references('accounts.id'))
      .addColumn('user_id', key, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'admin', 'member', 'read-only')`))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'account_id'])
      .execute();
    await db.schema.createIndex('memberships_account_idx').on('memberships').columns(['account_id', 'user_id']).execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('user_id', key, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('token_prefix', 'text', (c) => c.notNull())
      .addColumn('organizations', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .execute();
    await db.schema.createIndex('api_tokens_hash_uq').unique().on('api_tokens').column('token_hash').execute();
    await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').columns(['user_id', 'id']).execute();

    // A login is a family of refresh tokens (each refresh uses one up and adds the next); logout and
    // reuse revoke the family, which also ends its access tokens (their `sid`).
    await db.schema
      .createTable('refresh_families')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('user_id', key, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('refresh_families_user_idx').on('refresh_families').column('user_id').execute();
    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('family_id', key, (c) => c.notNull().references('refresh_families.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema.createIndex('refresh_tokens_hash_uq').unique().on('refresh_tokens').column('token_hash').execute();
    await db.schema.createIndex('refresh_tokens_family_idx').on('refresh_tokens').column('family_id').execute();
    await db.schema.createIndex('refresh_tokens_expires_idx').on('refresh_tokens').column('expires_at').execute();
    if (dialect === 'postgres') await sql`alter table domains alter column uuid set not null`.execute(db);
  },
};
