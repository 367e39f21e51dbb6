// DNSSEC signing keys per zone (docs/dnssec.md).
import type { DnssecKey, DnssecKeyState } from '../core/model.js';
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
}
