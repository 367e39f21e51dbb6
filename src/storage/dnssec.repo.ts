// DNSSEC signing keys per zone (docs/dnssec.md).
import type { DnssecAuto, DnssecAutoStatus, DnssecKey, DnssecKeyState } from '../core/model.js';
import type { DnssecKeysRepo } from '../core/ports.js';
import type { Db, DnssecKeysTable } from './schema.js';

function toKey(r: DnssecKeysTable): DnssecKey {
  return {
    id: r.id,
    zoneId: r.zone_id,
    algorithm: Number(r.algorithm),
    flags: Number(r.flags),
    keyTag: Number(r.key_tag),
    state: r.state as DnssecKeyState,
    dnskey: r.dnskey,
    privateKey: r.private_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqlDnssecKeysRepo implements DnssecKeysRepo {
  constructor(private readonly db: Db) {}

  async list(zoneId: string): Promise<DnssecKey[]> {
    return (await this.db.selectFrom('dnssec_keys').selectAll().where('zone_id', '=', zoneId).orderBy('id').execute()).map(toKey);
  }

  async insert(k: DnssecKey): Promise<void> {
    await this.db
      .insertInto('dnssec_keys')
      .values({ id: k.id, zone_id: k.zoneId, algorithm: k.algorithm, flags: k.flags, key_tag: k.keyTag, state: k.state, dnskey: k.dnskey, private_key: k.privateKey, created_at: k.createdAt, updated_at: k.updatedAt })
      .execute();
  }

  async setState(id: string, state: DnssecKeyState, at: string): Promise<void> {
    await this.db.updateTable('dnssec_keys').set({ state, updated_at: at }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('dnssec_keys').where('id', '=', id).execute();
  }

  async getAuto(domainId: string): Promise<DnssecAuto | undefined> {
    const r = await this.db.selectFrom('dnssec_auto').selectAll().where('domain_id', '=', domainId).executeTakeFirst();
    if (!r) return undefined;
    return {
      domainId: r.domain_id,
      enabled: Number(r.enabled) === 1,
      status: r.status as DnssecAutoStatus,
      reason: r.reason,
      blockedUntil: r.blocked_until,
      blockReason: r.block_reason,
      lastCheckedAt: r.last_checked_at,
      lastError: r.last_error,
      withdrawUntil: r.withdraw_until,
      updatedAt: r.updated_at,
    };
  }

  async saveAuto(a: DnssecAuto): Promise<void> {
    const row = {
      enabled: a.enabled ? 1 : 0,
      status: a.status,
      reason: a.reason,
      blocked_until: a.blockedUntil,
      block_reason: a.blockReason,
      last_checked_at: a.lastCheckedAt,
      last_error: a.lastError,
      withdraw_until: a.withdrawUntil,
      updated_at: a.updatedAt,
    };
    await this.db
      .insertInto('dnssec_auto')
      .values({ domain_id: a.domainId, ...row })
      .onConflict((oc) => oc.column('domain_id').doUpdateSet(row))
      .execute();
  }
}
