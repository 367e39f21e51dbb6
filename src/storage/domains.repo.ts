// Domains repository: lookups, keyset-paginated list and flag updates (domains are created with zones).
import type { Selectable, Updateable } from 'kysely';
import type { Domain, DomainKind, ServiceStatus } from '../core/model.js';
import type { DomainsRepo, ListQuery } from '../core/ports.js';
import { mapConflicts } from './errors.js';
import type { Db, DomainsTable, Executor } from './schema.js';
import { num, parseJson, selectAccountPage } from './sql-util.js';

export function toDomain(r: Selectable<DomainsTable>): Domain {
  return {
    id: r.id,
    uuid: r.uuid,
    accountId: r.account_id,
    name: r.name,
    kind: r.kind as DomainKind,
    serviceStatus: r.service_status as ServiceStatus,
    autoRenewEnabled: r.auto_renew_enabled === 1,
    registrarLockEnabled: r.registrar_lock_enabled === 1,
    expiresAt: r.expires_at,
    nameservers: parseJson<string[]>(r.nameservers) ?? [],
    nameserversChangedAt: r.nameservers_changed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Inserts a domain row (inside createZone's transaction). */
export async function insertDomain(db: Executor, d: Domain): Promise<void> {
  await db
    .insertInto('domains')
    .values({
      id: d.id,
      uuid: d.uuid,
      account_id: d.accountId,
      name: d.name,
      kind: d.kind,
      service_status: d.serviceStatus,
      auto_renew_enabled: d.autoRenewEnabled ? 1 : 0,
      registrar_lock_enabled: d.registrarLockEnabled ? 1 : 0,
      expires_at: d.expiresAt,
      nameservers: JSON.stringify(d.nameservers),
      nameservers_changed_at: d.nameserversChangedAt,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
    })
    .execute();
}

type DomainPatch = Parameters<DomainsRepo['update']>[1];

export class SqlDomainsRepo implements DomainsRepo {
  constructor(private readonly db: Db) {}

  /** A domain on its own (a registration before its zone); a taken name is a `conflict`. */
  async create(d: Domain): Promise<void> {
    await mapConflicts(() => insertDomain(this.db, d));
  }

  async get(id: string): Promise<Domain | undefined> {
    const r = await this.db.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDomain(r);
  }

  async getByUuid(uuid: string): Promise<Domain | undefined> {
    const r = await this.db.selectFrom('domains').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return r && toDomain(r);
  }

  async getByName(name: string): Promise<Domain | undefined> {
    const r = await this.db.selectFrom('domains').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toDomain(r);
  }

  async list(accountId: string, q: ListQuery): Promise<Domain[]> {
    return (await selectAccountPage(this.db, 'domains', accountId, q)).map(toDomain);
  }

  async listPage(accountId: string, q: { offset: number; limit: number }): Promise<Domain[]> {
    const rows = await this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).orderBy('id').limit(q.limit).offset(q.offset).execute();
    return rows.map(toDomain);
  }

  async count(accountId: string): Promise<number> {
    const r = await this.db.selectFrom('domains').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
    return num(r.n as number);
  }

  async update(id: string, patch: DomainPatch): Promise<Domain | undefined> {
    const set: Updateable<DomainsTable> = { updated_at: patch.updatedAt };
    if (patch.autoRenewEnabled !== undefined) set.auto_renew_enabled = patch.autoRenewEnabled ? 1 : 0;
    if (patch.registrarLockEnabled !== undefined) set.registrar_lock_enabled = patch.registrarLockEnabled ? 1 : 0;
    if (patch.serviceStatus !== undefined) set.service_status = patch.serviceStatus;
    if (patch.kind !== undefined) set.kind = patch.kind;
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.nameservers !== undefined) set.nameservers = JSON.stringify(patch.nameservers);
    if (patch.nameserversChangedAt !== undefined) set.nameservers_changed_at = patch.nameserversChangedAt;
    const r = await this.db.updateTable('domains').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return r && toDomain(r);
  }
}
