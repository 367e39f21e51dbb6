// Registry layer storage: our record of host objects and DNSSEC material per domain, the sandbox
// registry's own domains and hosts, and the job table.
import { sql, type Selectable } from 'kysely';
import type { Job, JobStatus, RegistryDnssecRecord, RegistryHostRecord } from '../core/model.js';
import type { JobsRepo, RegistrarRepo, SandboxDomainRow, SandboxHostRow, SandboxRepo } from '../core/ports.js';
import type { DnssecMaterial } from '../core/registry/registry-rules.js';
import type { Db, Dialect, JobsTable, SandboxDomainsTable, SandboxHostsTable } from './schema.js';
import { num, parseJson, writeTx } from './sql-util.js';

export class SqlRegistrarRepo implements RegistrarRepo {
  constructor(private readonly db: Db) {}

  async hosts(domainId: string): Promise<RegistryHostRecord[]> {
    const rows = await this.db.selectFrom('registry_hosts').selectAll().where('domain_id', '=', domainId).orderBy('hostname').execute();
    return rows.map((r) => ({ hostname: r.hostname, domainId: r.domain_id, ips: parseJson<string[]>(r.ips) ?? [], createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  async putHost(h: RegistryHostRecord): Promise<void> {
    await this.db
      .insertInto('registry_hosts')
      .values({ hostname: h.hostname, domain_id: h.domainId, ips: JSON.stringify(h.ips), created_at: h.createdAt, updated_at: h.updatedAt })
      .onConflict((oc) => oc.column('hostname').doUpdateSet({ ips: JSON.stringify(h.ips), updated_at: h.updatedAt, domain_id: h.domainId }))
      .execute();
  }

  async deleteHost(hostname: string): Promise<boolean> {
    const r = await this.db.deleteFrom('registry_hosts').where('hostname', '=', hostname).executeTakeFirst();
    return num(r.numDeletedRows) > 0;
  }

  async dnssec(domainId: string): Promise<RegistryDnssecRecord[]> {
    const rows = await this.db.selectFrom('registry_dnssec').selectAll().where('domain_id', '=', domainId).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, domainId: r.domain_id, material: parseJson<DnssecMaterial>(r.material)!, createdAt: r.created_at }));
  }

  async addDnssec(r: RegistryDnssecRecord): Promise<void> {
    await this.db.insertInto('registry_dnssec').values({ id: r.id, domain_id: r.domainId, material: JSON.stringify(r.material), created_at: r.createdAt }).execute();
  }

  async deleteDnssec(domainId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('registry_dnssec').where('id', '=', id).where('domain_id', '=', domainId).executeTakeFirst();
    return num(r.numDeletedRows) > 0;
  }
}

function toSandboxDomain(r: Selectable<SandboxDomainsTable>): SandboxDomainRow {
  return {
    name: r.name,
    roid: r.roid,
    sponsor: r.sponsor,
    version: num(r.version),
    authInfo: r.auth_info,
    statuses: parseJson<string[]>(r.statuses) ?? [],
    nameservers: parseJson<string[]>(r.nameservers) ?? [],
    dnssec: parseJson<DnssecMaterial[]>(r.dnssec) ?? [],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    updatedAt: r.updated_at,
  };
}

function sandboxDomainRow(d: SandboxDomainRow): Selectable<SandboxDomainsTable> {
  return {
    name: d.name,
    roid: d.roid,
    sponsor: d.sponsor,
    version: d.version,
    auth_info: d.authInfo,
    statuses: JSON.stringify(d.statuses),
    nameservers: JSON.stringify(d.nameservers),
    dnssec: JSON.stringify(d.dnssec),
    created_at: d.createdAt,
    expires_at: d.expiresAt,
    updated_at: d.updatedAt,
  };
}

function toSandboxHost(r: Selectable<SandboxHostsTable>): SandboxHostRow {
  return { name: r.name, domain: r.domain, sponsor: r.sponsor, addresses: parseJson<string[]>(r.addresses) ?? [], createdAt: r.created_at, updatedAt: r.updated_at };
}

export class SqlSandboxRepo implements SandboxRepo {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async domain(name: string): Promise<SandboxDomainRow | undefined> {
    const r = await this.db.selectFrom('sandbox_domains').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toSandboxDomain(r);
  }

  async createDomain(d: SandboxDomainRow): Promise<'created' | 'exists'> {
    const r = await this.db.insertInto('sandbox_domains').values(sandboxDomainRow(d)).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
    return num(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'created' : 'exists';
  }

  async saveDomain(d: SandboxDomainRow): Promise<boolean> {
    const { name: _n, version: _v, ...rest } = sandboxDomainRow(d);
    const r = await this.db.updateTable('sandbox_domains').set({ ...rest, version: d.version + 1 }).where('name', '=', d.name).where('version', '=', d.version).executeTakeFirst();
    return num(r.numUpdatedRows) > 0;
  }

  async host(name: string): Promise<SandboxHostRow | undefined> {
    const r = await this.db.selectFrom('sandbox_hosts').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toSandboxHost(r);
  }

  async hostsOf(domain: string): Promise<SandboxHostRow[]> {
    return (await this.db.selectFrom('sandbox_hosts').selectAll().where('domain', '=', domain).orderBy('name').execute()).map(toSandboxHost);
  }

  async saveHost(h: SandboxHostRow): Promise<void> {
    await writeTx(this.db, this.dialect, async (trx) => {
      await trx
        .insertInto('sandbox_hosts')
        .values({ name: h.name, domain: h.domain, sponsor: h.sponsor, addresses: JSON.stringify(h.addresses), created_at: h.createdAt, updated_at: h.updatedAt })
        .onConflict((oc) => oc.column('name').doUpdateSet({ addresses: JSON.stringify(h.addresses), updated_at: h.updatedAt }))
        .execute();
    });
  }

  async deleteHost(name: string): Promise<void> {
    await this.db.deleteFrom('sandbox_hosts').where('name', '=', name).execute();
  }

  async domainsUsing(host: string): Promise<string[]> {
    // Nameserver sets are small JSON arrays; the sandbox holds test-sized data, so a scan is fine.
    const rows = await this.db.selectFrom('sandbox_domains').select(['name', 'nameservers']).execute();
    return rows.filter((r) => (parseJson<string[]>(r.nameservers) ?? []).includes(host)).map((r) => r.name);
  }
}

function toJob(r: Selectable<JobsTable>): Job {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    payload: parseJson<Record<string, unknown>>(r.payload) ?? {},
    status: r.status as JobStatus,
    runAt: r.run_at,
    attempts: num(r.attempts),
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqlJobsRepo implements JobsRepo {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async enqueue(job: Job): Promise<Job> {
    // The conflict target names the partial index's predicate (jobs_pending_uq), on both dialects.
    const r = await sql<Selectable<JobsTable>>`
      insert into jobs (id, kind, subject, payload, status, run_at, attempts, last_error, created_at, updated_at)
      values (${job.id}, ${job.kind}, ${job.subject}, ${JSON.stringify(job.payload)}, 'pending', ${job.runAt}, ${job.attempts}, ${job.lastError}, ${job.createdAt}, ${job.updatedAt})
      on conflict (kind, subject) where status = 'pending'
      do update set payload = excluded.payload, run_at = excluded.run_at, last_error = excluded.last_error, updated_at = excluded.updated_at
      returning *`.execute(this.db);
    return toJob(r.rows[0]!);
  }

  async claimDue(now: string, leaseUntil: string, limit: number): Promise<Job[]> {
    // PostgreSQL: concurrent runners skip the rows another one is claiming; SQLite: the write
    // transaction holds the database lock, so the statement runs alone.
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const rows = await sql<Selectable<JobsTable>>`
      update jobs set status = 'running', run_at = ${leaseUntil}, updated_at = ${now}
      where id in (select id from jobs where status in ('pending', 'running') and run_at <= ${now} order by run_at, id limit ${limit} ${lock})
      returning *`.execute(this.db);
    return rows.rows.map(toJob).sort((a, b) => (a.id < b.id ? -1 : 1)); // ids grow with creation time
  }

  async due(now: string, limit: number): Promise<Job[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('status', '=', 'pending').where('run_at', '<=', now).orderBy('run_at').orderBy('id').limit(limit).execute();
    return rows.map(toJob);
  }

  async save(j: Job): Promise<void> {
    const set = { payload: JSON.stringify(j.payload), status: j.status, run_at: j.runAt, attempts: j.attempts, last_error: j.lastError, updated_at: j.updatedAt };
    try {
      await this.db.updateTable('jobs').set(set).where('id', '=', j.id).execute();
    } catch (err) {
      if (j.status !== 'pending' || !isUniqueViolation(err)) throw err;
      await this.db.updateTable('jobs').set({ ...set, status: 'done', last_error: 'superseded by a newer job of the same kind and subject' }).where('id', '=', j.id).execute();
    }
  }

  async supersede(kind: string, subject: string, at: string): Promise<void> {
    await this.db.updateTable('jobs').set({ status: 'done', last_error: 'superseded: a newer request completed this change', updated_at: at }).where('kind', '=', kind).where('subject', '=', subject).where('status', '=', 'pending').execute();
  }

  async latest(subject: string, kind: string): Promise<Job | undefined> {
    const r = await this.db.selectFrom('jobs').selectAll().where('subject', '=', subject).where('kind', '=', kind).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r && toJob(r);
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e.message ?? '');
}
