// Migration 001: accounts, API keys, domains, zones, records and the change journal.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../schema.js';
import type { Migration } from './migration.js';

export const initial: Migration = {
  id: '001-initial',
  async up(db: Kysely<any>, dialect: Dialect): Promise<void> {
    // Ids and names compare byte-wise on both dialects (keyset pagination must order ids the same
    // way whatever the PostgreSQL database's default collation is).
    const key: RawBuilder<unknown> | 'text' = dialect === 'postgres' ? sql`text collate "C"` : 'text';

    await db.schema
      .createTable('accounts')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('account_id', key, (c) => c.notNull().references('accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('token_prefix', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('zones', 'text')
      .addColumn('allow_ips', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('api_keys_token_hash_uq').unique().on('api_keys').column('token_hash').execute();
    await db.schema.createIndex('api_keys_account_idx').on('api_keys').columns(['account_id', 'id']).execute();

    await db.schema
      .createTable('domains')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('account_id', key, (c) => c.notNull().references('accounts.id'))
      .addColumn('name', key, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('service_status', 'text', (c) => c.notNull())
      .addColumn('auto_renew_enabled', 'integer', (c) => c.notNull().check(sql`auto_renew_enabled in (0, 1)`))
      .addColumn('registrar_lock_enabled', 'integer', (c) => c.notNull().check(sql`registrar_lock_enabled in (0, 1)`))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('domains_name_uq').unique().on('domains').column('name').execute();
    await db.schema.createIndex('domains_account_idx').on('domains').columns(['account_id', 'id']).execute();

    // Serial and SOA timers are unsigned 32-bit: bigint (SQLite integers are 64-bit anyway).
    await db.schema
      .createTable('zones')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('account_id', key, (c) => c.notNull().references('accounts.id'))
      .addColumn('domain_id', key, (c) => c.notNull().references('domains.id'))
      .addColumn('name', key, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('soa_mname', 'text', (c) => c.notNull())
      .addColumn('soa_rname', 'text', (c) => c.notNull())
      .addColumn('soa_serial', 'bigint', (c) => c.notNull())
      .addColumn('soa_refresh', 'bigint', (c) => c.notNull())
      .addColumn('soa_retry', 'bigint', (c) => c.notNull())
      .addColumn('soa_expire', 'bigint', (c) => c.notNull())
      .addColumn('soa_minimum', 'bigint', (c) => c.notNull())
      .addColumn('soa_ttl', 'integer', (c) => c.notNull())
      .addColumn('record_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('zones_name_uq').unique().on('zones').column('name').execute();
    // getByDomainId returns one zone: a domain has at most one zone.
    await db.schema.createIndex('zones_domain_uq').unique().on('zones').column('domain_id').execute();
    await db.schema.createIndex('zones_account_idx').on('zones').columns(['account_id', 'id']).execute();

    // Every records query names the zone (zone_id first), and record ids are unique per zone.
    // SQLite: a WITHOUT ROWID table clustered by (zone_id, name, id) — the rule checks of every write
    // seek by name, and `?name=` lists come out in id order — plus a unique (zone_id, id) index for
    // lookups and lists by id: two b-trees written per insert (a rowid table with a text primary key
    // and these two indexes writes four). PostgreSQL: the same two keys as the primary key
    // (zone_id, id) and an index on (zone_id, name, id).
    let records = db.schema
      .createTable('records')
      .addColumn('id', key, (c) => c.notNull())
      .addColumn('zone_id', key, (c) => c.notNull().references('zones.id'))
      .addColumn('name', key, (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('ttl', 'integer', (c) => c.notNull())
      .addColumn('rdata', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull());
    if (dialect === 'sqlite') {
      records = records.addPrimaryKeyConstraint('records_pk', ['zone_id', 'name', 'id']).modifyEnd(sql`without rowid`);
      await records.execute();
      // Named in records.repo.ts (INDEXED BY): keep the name.
      await db.schema.createIndex('records_zone_id_uq').unique().on('records').columns(['zone_id', 'id']).execute();
    } else {
      await records.addPrimaryKeyConstraint('records_pk', ['zone_id', 'id']).execute();
      await db.schema.createIndex('records_zone_name_idx').on('records').columns(['zone_id', 'name', 'id']).execute();
    }

    // No foreign key to zones: entries outlive the zone they describe (the `delete` entry).
    // seq is strictly increasing and never reused. PostgreSQL: a bigserial. SQLite: the rowid,
    // which is max(seq) + 1 — without AUTOINCREMENT, whose sqlite_sequence row would be one more
    // page written per commit; so the newest entry must never be deleted (pruning takes old entries
    // only), which the trigger below enforces.
    await db.schema
      .createTable('journal')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
      .addColumn('zone_id', key, (c) => c.notNull())
      .addColumn('zone_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('from_serial', 'bigint', (c) => c.notNull())
      .addColumn('to_serial', 'bigint', (c) => c.notNull())
      .addColumn('removed', 'text', (c) => c.notNull())
      .addColumn('added', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    if (dialect === 'sqlite') {
      await sql`create trigger journal_keep_newest before delete on journal when old.seq = (select max(seq) from journal)
        begin select raise(abort, 'the newest journal entry cannot be deleted (its seq would be reused)'); end`.execute(db);
    }
    // readZoneSince: a zone's entries in seq order (and the entry starting at a serial, searched
    // backwards from the newest).
    await db.schema.createIndex('journal_zone_seq_idx').on('journal').columns(['zone_id', 'seq']).execute();
  },
};
