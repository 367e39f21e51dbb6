// Users of the organization API: email + password (argon2id), members of organizations (accounts)
// with a role. Created by the operator (`zonekeeper users create`), listed and disabled there too.
import { AppError, fieldError, invalid, type FieldError } from '../errors.js';
import { newId } from '../ids.js';
import { ROLES, type Account, type Membership, type Role, type User } from '../model.js';
import type { Clock, MembershipView, Store } from '../ports.js';
import { hashPassword, passwordErrors } from '../auth/passwords.js';

const MAX_EMAIL = 254;

/** Emails are matched case-insensitively: stored trimmed and lowercased. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function emailErrors(email: string, pointer = '/email'): FieldError[] {
  if (email.length === 0) return [fieldError(pointer, 'required', 'The email address is required.')];
  if (email.length > MAX_EMAIL) return [fieldError(pointer, 'too_long', `The email address must have at most ${MAX_EMAIL} characters.`)];
  if (!/^[^\s@"<>()\[\]\\,;:]+@[^\s@"<>()\[\]\\,;:]+\.[^\s@"<>()\[\]\\,;:]+$/.test(email)) {
    return [fieldError(pointer, 'invalid_format', 'The email address must look like name@example.org.')];
  }
  return [];
}

export interface CreateUserInput {
  email: string;
  password: string;
  /** An existing organization (account) to join... */
  organizationId?: string;
  /** ...or the name of a new one to create (the user becomes a member of it). */
  newOrganization?: string;
  role?: Role;
}

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly createAccount: (name: string) => Promise<Account>,
  ) {}

  async create(input: CreateUserInput): Promise<{ user: User; membership: Membership | null }> {
    const email = normalizeEmail(input.email);
    const errors = [...emailErrors(email), ...passwordErrors(input.password)];
    const role = input.role ?? (input.newOrganization !== undefined ? 'owner' : 'member');
    if (!ROLES.includes(role)) errors.push(fieldError('/role', 'invalid_value', `The role must be one of ${ROLES.join(', ')}.`));
    if (input.organizationId !== undefined && input.newOrganization !== undefined) {
      errors.push(fieldError('/organization', 'conflict', 'Give an existing organization or a new one, not both.'));
    }
    if (errors.length > 0) throw invalid(errors, 'The user failed validation.');
    if (await this.store.users.getByEmail(email)) throw new AppError('conflict', `A user with the email ${email} already exists.`, { errors: [fieldError('/email', 'duplicate', 'This email address is taken.')] });
    let accountId: string | undefined;
    if (input.organizationId !== undefined) {
      const a = await this.store.accounts.get(input.organizationId);
      if (!a) throw new AppError('not_found', `Organization ${input.organizationId} was not found.`);
      accountId = a.id;
    }
    const passwordHash = await hashPassword(input.password);
    if (input.newOrganization !== undefined) accountId = (await this.createAccount(input.newOrganization)).id;
    const now = this.clock.now().toISOString();
    const user: User = { id: newId('user'), email, passwordHash, disabledAt: null, createdAt: now, updatedAt: now };
    const membership: Membership | null = accountId !== undefined ? { accountId, userId: user.id, role, createdAt: now } : null;
    await this.store.users.create(user, membership ?? undefined);
    return { user, membership };
  }

  /** A user by id (usr_...) or email. */
  async find(idOrEmail: string): Promise<User | undefined> {
    return idOrEmail.includes('@') ? this.store.users.getByEmail(normalizeEmail(idOrEmail)) : this.store.users.get(idOrEmail.toLowerCase());
  }

  async list(): Promise<(User & { memberships: MembershipView[] })[]> {
    const out: (User & { memberships: MembershipView[] })[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.users.list({ limit: 500, ...(after ? { afterId: after } : {}) });
      for (const u of page) out.push({ ...u, memberships: await this.store.users.memberships(u.id) });
      if (page.length < 500) return out;
      after = page[page.length - 1]!.id;
    }
  }

  /** Disables (or enables) a user: logins, access tokens and API tokens stop working at once. */
  async setDisabled(user: User, disabled: boolean): Promise<User> {
    const now = this.clock.now().toISOString();
    const u = await this.store.users.setDisabled(user.id, disabled ? (user.disabledAt ?? now) : null, now);
    if (!u) throw new AppError('not_found', `User ${user.id} was not found.`);
    if (disabled) await this.store.refreshTokens.revokeUser(user.id, now);
    return u;
  }

  async addMembership(user: User, accountId: string, role: Role): Promise<Membership> {
    if (!(await this.store.accounts.get(accountId))) throw new AppError('not_found', `Organization ${accountId} was not found.`);
    const m: Membership = { accountId, userId: user.id, role, createdAt: this.clock.now().toISOString() };
    await this.store.users.putMembership(m);
    return m;
  }
}
