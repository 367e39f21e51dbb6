// Migration 006: DNSSEC signing keys per zone (docs/dnssec.md). The private key is sealed with the
// data key (as DynDNS tokens are); the public half is in the zone as DNSKEY records.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../schema.js';
import type { Migration } from './migration.js';

export const dnssec: Migration = {
  id: '006-dnssec',
  async up(db: Kysely<any>, dialect: Dialect): Promise<void> {
    const key: RawBuilder<unknown> | 'text' = dialect === 'postgres' ? sql`text collate "C"` : 'text';
    await db.schema
      .createTable('dnssec_keys')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('zone_id', key, (c) => c.notNull().references('zones.id').onDelete('cascade'))
      .addColumn('algorithm', 'integer', (c) => c.notNull())
      .addColumn('flags', 'integer', (c) => c.notNull())
      .addColumn('key_tag', 'integer', (c) => c.notNull())
      // active: in the DNSKEY set and signing; published: in the DNSKEY set, not signing yet;
      // retired: in the DNSKEY set, signing no more (until it is removed).
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('dnskey', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dnssec_keys_zone_idx').on('dnssec_keys').columns(['zone_id', 'id']).execute();
    // Automatic DNSSEC enrollment per domain (seed 004; core/dnssec/dnssec-auto.service.ts).
    await db.schema
      .createTable('dnssec_auto')
      .addColumn('domain_id', key, (c) => c.primaryKey().references('domains.id').onDelete('cascade'))
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('blocked_until', 'text')
      .addColumn('block_reason', 'text')
      .addColumn('last_checked_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('withdraw_until', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
