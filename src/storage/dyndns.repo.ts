// DynDNS configurations and logs; the counters and logs of an update are written by
// applyDynDnsEffect inside the zone change's transaction (zone-writer.ts).
import type { Selectable } from 'kysely';
import type { DynDnsConfig, DynDnsLog, DynDnsLogStatus, DynDnsRecordType } from '../core/model.js';
import type { DynDnsEffect, DynDnsRepo, DynDnsTarget, MetaRepo } from '../core/ports.js';
import { mapConflicts } from './errors.js';
import type { Db, DynDnsConfigsTable, DynDnsLogsTable } from './schema.js';
import { stmt, type SqlAccess, type SqlRunner } from './sql-runner.js';
import { num, writeTx } from './sql-util.js';

export function toDynDnsConfig(r: Selectable<DynDnsConfigsTable>): DynDnsConfig {
  return {
    id: r.id,
    accountId: r.account_id,
    domainId: r.domain_id,
    hostname: r.hostname,
    recordType: r.record_type as DynDnsRecordType,
    tokenHash: r.token_hash,
    tokenEnc: r.token_enc,
    enabled: num(r.enabled) === 1,
    lastIp: r.last_ip,
    lastUpdatedAt: r.last_updated_at,
    updateCount: num(r.update_count),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toLog(r: Selectable<DynDnsLogsTable>): DynDnsLog {
  return {
    id: r.id,
    configId: r.config_id,
    oldIp: r.old_ip,
    newIp: r.new_ip,
    sourceIp: r.source_ip,
    userAgent: r.user_agent,
    status: r.status as DynDnsLogStatus,
    errorMessage: r.error_message,
    createdAt: r.created_at,
  };
}

// The public update path: precompiled statements (no query builder per request).
const FIND_BY_TOKEN = stmt(
  `SELECT c.*, z.id AS z_id, z.name AS z_name, z.status AS z_status
     FROM dyndns_configs c LEFT JOIN zones z ON z.domain_id = c.domain_id
    WHERE c.token_hash = ?`,
);
const COUNT_UPDATE = stmt('UPDATE dyndns_configs SET update_count = update_count + 1, last_ip = ?, last_updated_at = ? WHERE id = ?');
const SET_LAST_IP = stmt('UPDATE dyndns_configs SET last_ip = ? WHERE id = ? AND (last_ip IS NULL OR last_ip <> ?)');
const INSERT_LOG = stmt(
  'INSERT INTO dyndns_logs (id, config_id, old_ip, new_ip, source_ip, user_agent, status, error_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
// Log ids grow with time, so "beyond the newest N" is "id below the N-th newest".
const PRUNE_LOGS = stmt(
  `DELETE FROM dyndns_logs WHERE config_id = ? AND id < (
     SELECT id FROM dyndns_logs WHERE config_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
);

async function insertLog(tx: SqlRunner, log: DynDnsLog, retention: number): Promise<void> {
  await tx.run(INSERT_LOG, [log.id, log.configId, log.oldIp, log.newIp, log.sourceIp, log.userAgent, log.status, log.errorMessage, log.createdAt]);
  await tx.run(PRUNE_LOGS, [log.configId, log.configId, retention - 1]);
}

/** Writes a DynDNS effect inside the zone change's transaction. */
export async function applyDynDnsEffect(tx: SqlRunner, e: DynDnsEffect): Promise<void> {
  for (const u of e.updated) await tx.run(COUNT_UPDATE, [u.ip, e.at, u.configId]);
  for (const u of e.unchanged) await tx.run(SET_LAST_IP, [u.ip, u.configId, u.ip]);
  for (const log of e.logs) await insertLog(tx, log, e.retention);
}

export class SqlDynDnsRepo implements DynDnsRepo {
  constructor(
    private readonly db: Db,
    private readonly sql: SqlAccess,
  ) {}

  async create(c: DynDnsConfig): Promise<void> {
    await mapConflicts(() =>
      this.db
        .insertInto('dyndns_configs')
        .values({
          id: c.id,
          account_id: c.accountId,
          domain_id: c.domainId,
          hostname: c.hostname,
          record_type: c.recordType,
          token_hash: c.tokenHash,
          token_enc: c.tokenEnc,
          enabled: c.enabled ? 1 : 0,
          last_ip: c.lastIp,
          last_updated_at: c.lastUpdatedAt,
          update_count: c.updateCount,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute(),
    );
  }

  async get(id: string): Promise<DynDnsConfig | undefined> {
    const r = await this.db.selectFrom('dyndns_configs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDynDnsConfig(r);
  }

  async listByDomain(domainId: string): Promise<DynDnsConfig[]> {
    return (await this.db.selectFrom('dyndns_configs').selectAll().where('domain_id', '=', domainId).orderBy('id').execute()).map(toDynDnsConfig);
  }

  async listByHostname(hostname: string): Promise<DynDnsConfig[]> {
    return (await this.db.selectFrom('dyndns_configs').selectAll().where('hostname', '=', hostname).orderBy('id').execute()).map(toDynDnsConfig);
  }

  async findByTokenHash(tokenHash: string): Promise<DynDnsTarget[]> {
    type Row = Selectable<DynDnsConfigsTable> & { z_id: string | null; z_name: string | null; z_status: string | null };
    const rows = await this.sql.all<Row>(FIND_BY_TOKEN, [tokenHash]);
    return rows.map((r) => ({ config: toDynDnsConfig(r), zone: r.z_id !== null ? { id: r.z_id, name: r.z_name!, status: r.z_status! } : null }));
  }

  async setEnabled(id: string, enabled: boolean, at: string): Promise<DynDnsConfig | undefined> {
    const r = await this.db.updateTable('dyndns_configs').set({ enabled: enabled ? 1 : 0, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirst();
    return r && toDynDnsConfig(r);
  }

  async setTokens(tokens: { id: string; tokenHash: string; tokenEnc: string }[], at: string): Promise<void> {
    await writeTx(this.db, this.sql.dialect, async (trx) => {
      for (const t of tokens) {
        await trx.updateTable('dyndns_configs').set({ token_hash: t.tokenHash, token_enc: t.tokenEnc, updated_at: at }).where('id', '=', t.id).execute();
      }
    });
  }

  async delete(id: string): Promise<boolean> {
    return writeTx(this.db, this.sql.dialect, async (trx) => {
      // Logs first: SQLite applies ON DELETE CASCADE only with foreign_keys on, PostgreSQL always.
      await trx.deleteFrom('dyndns_logs').where('config_id', '=', id).execute();
      const r = await trx.deleteFrom('dyndns_configs').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async appendLog(log: DynDnsLog, retention: number): Promise<void> {
    await this.sql.write((tx) => insertLog(tx, log, retention));
  }

  async listLogs(configId: string, q: { limit: number; beforeId?: string }): Promise<DynDnsLog[]> {
    const rows = await this.db
      .selectFrom('dyndns_logs')
      .selectAll()
      .where('config_id', '=', configId)
      .$if(q.beforeId !== undefined, (b) => b.where('id', '<', q.beforeId!))
      .orderBy('id', 'desc')
      .limit(q.limit)
      .execute();
    return rows.map(toLog);
  }
}

export class SqlMetaRepo implements MetaRepo {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async putIfAbsent(key: string, value: string): Promise<string> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await this.get(key))!;
  }
}
