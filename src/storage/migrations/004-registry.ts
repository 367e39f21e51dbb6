// Migration 004: the registry layer — registration data of domains, our record of their host
// objects and DNSSEC material at the registry, the built-in sandbox registry's own state, and the
// job table (durable retries and prechecks).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../schema.js';
import type { Migration } from './migration.js';

export const registry: Migration = {
  id: '004-registry',
  async up(db: Kysely<any>, dialect: Dialect): Promise<void> {
    const key: RawBuilder<unknown> | 'text' = dialect === 'postgres' ? sql`text collate "C"` : 'text';

    await db.schema.alterTable('domains').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('domains').addColumn('nameservers', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.alterTable('domains').addColumn('nameservers_changed_at', 'text').execute();

    // What the registry holds for our domains, as last confirmed by it (registry first, then here).
    await db.schema
      .createTable('registry_hosts')
      .addColumn('hostname', key, (c) => c.primaryKey())
      .addColumn('domain_id', key, (c) => c.notNull().references('domains.id').onDelete('cascade'))
      .addColumn('ips', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('registry_hosts_domain_idx').on('registry_hosts').columns(['domain_id', 'hostname']).execute();
    await db.schema
      .createTable('registry_dnssec')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('domain_id', key, (c) => c.notNull().references('domains.id').onDelete('cascade'))
      .addColumn('material', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('registry_dnssec_domain_idx').on('registry_dnssec').columns(['domain_id', 'id']).execute();

    // The sandbox registry (a registry of its own: no foreign keys into the registrar's tables).
    await db.schema
      .createTable('sandbox_domains')
      .addColumn('name', key, (c) => c.primaryKey())
      .addColumn('roid', 'text', (c) => c.notNull())
      // The sponsoring client (EPP clID): only it may change the object (RFC 5730 2201).
      .addColumn('sponsor', 'text', (c) => c.notNull())
      // Optimistic concurrency: every write checks and bumps it (processes share the tables).
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('auth_info', 'text', (c) => c.notNull())
      .addColumn('statuses', 'text', (c) => c.notNull())
      .addColumn('nameservers', 'text', (c) => c.notNull())
      .addColumn('dnssec', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sandbox_hosts')
      .addColumn('name', key, (c) => c.primaryKey())
      .addColumn('domain', key, (c) => c.notNull())
      .addColumn('sponsor', 'text', (c) => c.notNull())
      .addColumn('addresses', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sandbox_hosts_domain_idx').on('sandbox_hosts').columns(['domain', 'name']).execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject', key, (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed')`))
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_at']).execute();
    // One pending job per kind and subject, also across processes: enqueue upserts on it.
    await sql`create unique index jobs_pending_uq on jobs (kind, subject) where status = 'pending'`.execute(db);
    await db.schema.createIndex('jobs_subject_idx').on('jobs').columns(['subject', 'kind', 'id']).execute();
  },
};
