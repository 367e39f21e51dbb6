// Accounts repository: create, get, keyset-paginated list, count.
import type { Selectable } from 'kysely';
import type { Account } from '../core/model.js';
import type { AccountsRepo, ListQuery } from '../core/ports.js';
import { mapConflicts } from './errors.js';
import type { AccountsTable, Db } from './schema.js';
import { num } from './sql-util.js';

function toAccount(r: Selectable<AccountsTable>): Account {
  return { id: r.id, name: r.name, createdAt: r.created_at };
}

export class SqlAccountsRepo implements AccountsRepo {
  constructor(private readonly db: Db) {}

  async create(a: Account): Promise<void> {
    await mapConflicts(() => this.db.insertInto('accounts').values({ id: a.id, name: a.name, created_at: a.createdAt }).execute());
  }

  async get(id: string): Promise<Account | undefined> {
    const r = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toAccount(r);
  }

  async list(q: ListQuery): Promise<Account[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .$if(q.afterId !== undefined, (b) => b.where('id', '>', q.afterId!))
      .$if(q.name !== undefined, (b) => b.where('name', '=', q.name!))
      .orderBy('id')
      .limit(q.limit)
      .execute();
    return rows.map(toAccount);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return num(r.n as number | string | bigint);
  }
}
