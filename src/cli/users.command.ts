// `zonekeeper users`: create users of the organization API (the first one is how an operator gets
// in), list them with their memberships, disable or enable them.
import { ROLES, type Role } from '../core/model.js';
import { isId } from '../core/ids.js';
import { CliError, stringOption, withServices, type CommandContext } from './context.js';

/** stdin up to EOF, without the final line break (`echo pw | zonekeeper users create ...`). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--password-stdin reads the password from standard input; pipe it in (e.g. `printf %s "$PW" | zonekeeper users create ...`)', 2);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function usersCommand(ctx: CommandContext): Promise<number> {
  const action = ctx.positionals[0];
  if (action !== 'create' && action !== 'list' && action !== 'disable' && action !== 'enable') {
    throw new CliError(`expected one of: create, list, disable, enable${action ? ` (got "${action}")` : ''}`, 2);
  }
  if (action === 'create') {
    const email = stringOption(ctx, 'email');
    if (email === undefined) throw new CliError('--email is required', 2);
    if (ctx.values['password-stdin'] !== true) throw new CliError('--password-stdin is required (passwords are never taken as arguments: they would show in the process list)', 2);
    const org = stringOption(ctx, 'organization');
    const newOrg = stringOption(ctx, 'new-organization');
    const role = stringOption(ctx, 'role');
    if (org !== undefined && newOrg !== undefined) throw new CliError('give --organization or --new-organization, not both', 2);
    if (org !== undefined && !isId('account', org)) throw new CliError(`--organization must be an organization id (acc_...), got "${org}"`, 2);
    if (role !== undefined && !ROLES.includes(role as Role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, 2);
    const password = await readStdin();
    return withServices(ctx.config, async (s) => {
      // Without an organization the user joins the operator's account (the one `keys create` uses);
      // the very first user of an install becomes its owner.
      const firstUser = (await s.store.users.list({ limit: 1 })).length === 0;
      const orgId = org !== undefined ? org.toLowerCase() : newOrg === undefined ? (await s.accounts.ensureAdminAccount()).account.id : undefined;
      const effectiveRole = role ?? (newOrg !== undefined || firstUser ? 'owner' : 'member');
      const { user, membership } = await s.users.create({
        email,
        password,
        role: effectiveRole as Role,
        ...(orgId !== undefined ? { organizationId: orgId } : {}),
        ...(newOrg !== undefined ? { newOrganization: newOrg } : {}),
      });
      const out = { id: user.id, email: user.email, createdAt: user.createdAt, membership: membership && { organizationId: membership.accountId, role: membership.role } };
      if (ctx.json) ctx.io.out(JSON.stringify(out) + '\n');
      else ctx.io.out(`created user ${user.id} (${user.email})${membership ? ` as ${membership.role} of organization ${membership.accountId}` : ' (member of no organization yet)'}\n`);
      return 0;
    });
  }
  if (action === 'list') {
    return withServices(ctx.config, async (s) => {
      const users = await s.users.list();
      const view = users.map((u) => ({ id: u.id, email: u.email, disabled: u.disabledAt !== null, createdAt: u.createdAt, memberships: u.memberships.map((m) => ({ organizationId: m.accountId, organization: m.accountName, role: m.role })) }));
      if (ctx.json) ctx.io.out(JSON.stringify(view) + '\n');
      else {
        const rows = [['ID', 'EMAIL', 'STATUS', 'ORGANIZATIONS'], ...view.map((u) => [u.id, u.email, u.disabled ? 'disabled' : 'active', u.memberships.map((m) => `${m.organizationId}:${m.role}`).join(',')])];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        ctx.io.out(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
      }
      return 0;
    });
  }
  const who = ctx.positionals[1];
  if (!who) throw new CliError(`usage: zonekeeper users ${action} USER_ID|EMAIL`, 2);
  return withServices(ctx.config, async (s) => {
    const user = await s.users.find(who);
    if (!user) throw new CliError(`no user ${who}`);
    const u = await s.users.setDisabled(user, action === 'disable');
    ctx.io.out(ctx.json ? JSON.stringify({ id: u.id, email: u.email, disabled: u.disabledAt !== null }) + '\n' : `${action}d ${u.id} (${u.email})\n`);
    return 0;
  });
}
