// Migration 002: DynDNS configurations and their logs, and `meta` (server-wide values such as the
// data key check).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../schema.js';
import type { Migration } from './migration.js';

export const dyndns: Migration = {
  id: '002-dyndns',
  async up(db: Kysely<any>, dialect: Dialect): Promise<void> {
    const key: RawBuilder<unknown> | 'text' = dialect === 'postgres' ? sql`text collate "C"` : 'text';

    await db.schema
      .createTable('meta')
      .addColumn('key', key, (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    // A configuration belongs to its domain: deleting the domain deletes it (and its logs).
    await db.schema
      .createTable('dyndns_configs')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('account_id', key, (c) => c.notNull().references('accounts.id'))
      .addColumn('domain_id', key, (c) => c.notNull().references('domains.id').onDelete('cascade'))
      .addColumn('hostname', key, (c) => c.notNull())
      .addColumn('record_type', 'text', (c) => c.notNull().check(sql`record_type in ('A', 'AAAA')`))
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('token_enc', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().check(sql`enabled in (0, 1)`))
      .addColumn('last_ip', 'text')
      .addColumn('last_updated_at', 'text')
      .addColumn('update_count', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text')
      .execute();
    await db.schema.createIndex('dyndns_configs_host_type_uq').unique().on('dyndns_configs').columns(['hostname', 'record_type']).execute();
    // The public endpoints find configurations by token; the A and AAAA of one name share a token.
    await db.schema.createIndex('dyndns_configs_token_idx').on('dyndns_configs').column('token_hash').execute();
    await db.schema.createIndex('dyndns_configs_domain_idx').on('dyndns_configs').columns(['domain_id', 'id']).execute();

    // Logs are written and read by configuration, newest first (ids grow with time): one b-tree
    // clustered by (config_id, id) — on SQLite a WITHOUT ROWID table, so an update's log row costs
    // one b-tree write, not three (rowid table + id index + config index).
    let logs = db.schema
      .createTable('dyndns_logs')
      .addColumn('id', key, (c) => c.notNull())
      .addColumn('config_id', key, (c) => c.notNull().references('dyndns_configs.id').onDelete('cascade'))
      .addColumn('old_ip', 'text')
      .addColumn('new_ip', 'text')
      .addColumn('source_ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('success', 'no_change', 'failed')`))
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('dyndns_logs_pk', ['config_id', 'id']);
    if (dialect === 'sqlite') logs = logs.modifyEnd(sql`without rowid`);
    await logs.execute();
  },
};
