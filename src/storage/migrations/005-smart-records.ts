// Migration 005: smart records in DNS (docs/smart-records.md) — the health checker's index of
// monitored records, and the last state of each Script record as DNS ran it.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../schema.js';
import type { Migration } from './migration.js';

export const smartRecords: Migration = {
  id: '005-smart-records',
  async up(db: Kysely<any>, dialect: Dialect): Promise<void> {
    const key: RawBuilder<unknown> | 'text' = dialect === 'postgres' ? sql`text collate "C"` : 'text';
    // Only records with a monitor are in it: the checker's sweep reads them in id order.
    await db.schema
      .createIndex('records_monitored_idx')
      .on('records')
      .column('id')
      .where(sql.ref('monitor_type'), '<>', 0)
      .execute();
    // Per zone and owner name (a Script stands alone at its name): the last failure DNS saw, or
    // null once it answers again, for the script version `script_key` (SHA-256 of the source).
    // Written by the DNS processes; read by the organization API.
    await db.schema
      .createTable('script_status')
      .addColumn('zone_name', key, (c) => c.notNull())
      .addColumn('name', key, (c) => c.notNull())
      .addColumn('script_key', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('script_status_pk', ['zone_name', 'name'])
      .execute();
  },
};
