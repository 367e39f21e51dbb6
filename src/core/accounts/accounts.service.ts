// Accounts: the owners of domains, zones and API keys; the first one is the operator's admin account.
import { AppError, fieldError, invalid } from '../errors.js';
import { newId } from '../ids.js';
import type { Account } from '../model.js';
import { decodeCursor, toPage } from '../pagination.js';
import type { Clock, Store } from '../ports.js';

export const ADMIN_ACCOUNT_NAME = 'admin';

export class AccountsService {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async create(name: string): Promise<Account> {
    const n = name.trim();
    if (n === '' || n.length > 100) throw invalid([fieldError('/name', 'invalid_value', '`name` must be 1-100 characters.')]);
    if (n.includes('\u0000')) throw invalid([fieldError('/name', 'invalid_value', '`name` must not contain NUL characters.')]);
    const account: Account = { id: newId('account'), name: n, createdAt: this.clock.now().toISOString() };
    await this.store.accounts.create(account);
    return account;
  }

  async get(id: string): Promise<Account> {
    const a = await this.store.accounts.get(id);
    if (!a) throw new AppError('not_found', `Account ${id} was not found.`);
    return a;
  }

  async list(limit: number, cursor?: string): Promise<{ data: Account[]; hasMore: boolean; nextCursor: string | null }> {
    const afterId = decodeCursor('acc', cursor);
    return toPage('acc', await this.store.accounts.list({ limit: limit + 1, ...(afterId ? { afterId } : {}) }), limit);
  }

  /** The operator's account: the oldest one; created when the store has none. */
  async ensureAdminAccount(): Promise<{ account: Account; created: boolean }> {
    const [first] = await this.store.accounts.list({ limit: 1 });
    if (first) return { account: first, created: false };
    return { account: await this.create(ADMIN_ACCOUNT_NAME), created: true };
  }
}
