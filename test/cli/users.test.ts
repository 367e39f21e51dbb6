// `zonekeeper users` run as a real process against a throwaway --data directory: create (operator
// account, new organization, existing organization with a role), list, disable and enable, and the
// usage and validation errors.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const PASSWORD = 'correct horse battery staple';

interface ListedUser {
  id: string;
  email: string;
  disabled: boolean;
  createdAt: string;
  memberships: { organizationId: string; organization: string; role: string }[];
}

let dir: string;
const data = () => ['--data', path.join(dir, 'data')];

async function create(args: string[], stdin = PASSWORD) {
  return runCli(['users', 'create', ...args, ...data()], { stdin });
}

async function list(): Promise<ListedUser[]> {
  const r = await runCli(['users', 'list', '--json', ...data()]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ListedUser[];
}

async function byEmail(email: string): Promise<ListedUser | undefined> {
  return (await list()).find((u) => u.email === email);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-cli-users-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The tests of this block build on each other (one data directory, in order).
describe('users create and list', () => {
  let operatorAccount: string;
  let newOrg: string;

  it('the first user (no --organization) becomes owner of the operator account', async () => {
    const r = await create(['--email', 'first@example.org', '--password-stdin', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.id).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(out.email).toBe('first@example.org');
    expect(out.membership.role).toBe('owner');
    expect(out.membership.organizationId).toMatch(/^acc_[0-9a-z]{26}$/);
    expect(JSON.stringify(out)).not.toContain(PASSWORD);
    operatorAccount = out.membership.organizationId;

    const users = await list();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ id: out.id, email: 'first@example.org', disabled: false, memberships: [{ organizationId: operatorAccount, role: 'owner' }] });
    expect(JSON.stringify(users)).not.toMatch(/argon2|passwordHash/);

    // it is the same account `accounts list` shows (the one `keys create` uses)
    const accounts = await runCli(['accounts', 'list', '--json', ...data()]);
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(JSON.parse(accounts.stdout).map((a: { id: string }) => a.id)).toEqual([operatorAccount]);
  });

  it('a second user without --organization joins the operator account as member', async () => {
    const r = await create(['--email', 'second@example.org', '--password-stdin', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).membership).toEqual({ organizationId: operatorAccount, role: 'member' });
  });

  it('--new-organization NAME makes the user owner of a new organization', async () => {
    const r = await create(['--email', 'founder@example.org', '--password-stdin', '--new-organization', 'Example Org', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.membership.role).toBe('owner');
    expect(out.membership.organizationId).toMatch(/^acc_/);
    expect(out.membership.organizationId).not.toBe(operatorAccount);
    newOrg = out.membership.organizationId;
    const u = await byEmail('founder@example.org');
    expect(u!.memberships).toEqual([{ organizationId: newOrg, organization: 'Example Org', role: 'owner' }]);
  });

  it('--organization acc_... with --role read-only', async () => {
    const r = await create(['--email', 'viewer@example.org', '--password-stdin', '--organization', newOrg, '--role', 'read-only', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).membership).toEqual({ organizationId: newOrg, role: 'read-only' });
    const u = await byEmail('viewer@example.org');
    expect(u!.memberships).toEqual([{ organizationId: newOrg, organization: 'Example Org', role: 'read-only' }]);
  });

  it('the human-readable output names the user and the organization', async () => {
    const r = await create(['--email', 'plain@example.org', '--password-stdin', '--organization', newOrg, '--role', 'admin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^created user usr_[0-9a-z]{26} \\(plain@example.org\\) as admin of organization ${newOrg}\\n$`));
  });

  it('--organization that does not exist fails without creating the user', async () => {
    const r = await create(['--email', 'orphan@example.org', '--password-stdin', '--organization', 'acc_00000000000000000000000000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Organization acc_0+ was not found/);
    expect(await byEmail('orphan@example.org')).toBeUndefined();
  });

  it('lowercases the email; the same address in another case is a duplicate', async () => {
    const r = await create(['--email', 'Mixed.Case@Example.ORG', '--password-stdin', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).email).toBe('mixed.case@example.org');
    expect((await list()).map((u) => u.email)).toContain('mixed.case@example.org');

    const dup = await create(['--email', 'MIXED.CASE@example.org', '--password-stdin']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/zonekeeper users: A user with the email mixed\.case@example\.org already exists/);
    expect(dup.stderr).not.toMatch(/\n\s+at /);
    expect((await list()).filter((u) => u.email === 'mixed.case@example.org')).toHaveLength(1);
  });

  it('a short password fails with exit 1 and names the password', async () => {
    const r = await create(['--email', 'short@example.org', '--password-stdin'], 'too short');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/password: The password must have at least 12 characters/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await byEmail('short@example.org')).toBeUndefined();
  });

  it('an empty stdin is a password that is too short', async () => {
    const r = await create(['--email', 'empty@example.org', '--password-stdin'], '');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/password/);
  });

  it('a final line break on stdin is not part of the password (11 chars + newline is too short)', async () => {
    const r = await create(['--email', 'newline@example.org', '--password-stdin'], '12345678901\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/password:/);
  });

  it('an invalid email fails with exit 1 naming the email', async () => {
    const r = await create(['--email', 'not-an-email', '--password-stdin']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/email: The email address must look like/);
  });

  it('users list without --json prints a table', async () => {
    const r = await runCli(['users', 'list', ...data()]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+EMAIL\s+STATUS\s+ORGANIZATIONS$/);
    const first = lines.find((l) => l.includes('first@example.org'));
    expect(first).toMatch(new RegExp(`active\\s+${operatorAccount}:owner$`));
  });
});

describe('users usage errors (exit 2)', () => {
  it.each([
    [['users', 'create', '--email', 'x@example.org'], /--password-stdin is required/],
    [['users', 'create', '--password-stdin'], /--email is required/],
    [['users', 'create', '--email', 'x@example.org', '--password-stdin', '--role', 'superuser'], /--role must be one of owner, admin, member, read-only/],
    [['users', 'create', '--email', 'x@example.org', '--password-stdin', '--organization', 'Example Org'], /--organization must be an organization id \(acc_\.\.\.\), got "Example Org"/],
    [['users', 'create', '--email', 'x@example.org', '--password-stdin', '--organization', 'usr_00000000000000000000000000'], /--organization must be an organization id/],
    [['users', 'create', '--email', 'x@example.org', '--password-stdin', '--organization', 'acc_00000000000000000000000000', '--new-organization', 'N'], /not both/],
    [['users', 'create', '--email', 'x@example.org', '--password', 'hunter2hunter2'], /Unknown option '--password'/],
    [['users', 'explode'], /expected one of: create, list, disable, enable \(got "explode"\)/],
    [['users'], /expected one of: create, list, disable, enable/],
    [['users', 'disable'], /usage: zonekeeper users disable USER_ID\|EMAIL/],
  ])('%j', async (args, message) => {
    const r = await runCli([...(args as string[]), ...data()], { stdin: PASSWORD });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('usage errors create nothing', async () => {
    expect(await byEmail('x@example.org')).toBeUndefined();
  });
});

describe('users disable and enable', () => {
  it('disable by email shows disabled: true in the list; enable reverts it', async () => {
    const c = await create(['--email', 'toggle@example.org', '--password-stdin', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const id = JSON.parse(c.stdout).id as string;

    const d = await runCli(['users', 'disable', 'toggle@example.org', ...data()]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toBe(`disabled ${id} (toggle@example.org)\n`);
    expect((await byEmail('toggle@example.org'))!.disabled).toBe(true);
    // others stay active
    expect((await byEmail('first@example.org'))!.disabled).toBe(false);

    // disabling twice is fine
    const again = await runCli(['users', 'disable', 'TOGGLE@example.org', '--json', ...data()]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ id, email: 'toggle@example.org', disabled: true });

    const e = await runCli(['users', 'enable', 'toggle@example.org', ...data()]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toBe(`enabled ${id} (toggle@example.org)\n`);
    expect((await byEmail('toggle@example.org'))!.disabled).toBe(false);
  });

  it('disable and enable by user id', async () => {
    const u = await byEmail('second@example.org');
    const d = await runCli(['users', 'disable', u!.id, '--json', ...data()]);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual({ id: u!.id, email: 'second@example.org', disabled: true });
    expect((await byEmail('second@example.org'))!.disabled).toBe(true);
    const e = await runCli(['users', 'enable', u!.id, '--json', ...data()]);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).disabled).toBe(false);
  });

  it('an unknown user fails with a non-zero exit and names it', async () => {
    const r = await runCli(['users', 'disable', 'nobody@example.org', ...data()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no user nobody@example\.org/);
    const byId = await runCli(['users', 'enable', 'usr_00000000000000000000000000', ...data()]);
    expect(byId.code).not.toBe(0);
    expect(byId.stderr).toMatch(/no user usr_0+/);
  });
});
