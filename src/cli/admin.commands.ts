// Operator subcommands that work directly on the store (also while a server runs on it):
// accounts, keys, zones import/export/list, and printing the OpenAPI document.
import { readFile } from 'node:fs/promises';
import type { Account } from '../core/model.js';
import { isId } from '../core/ids.js';
import type { Services } from '../core/services.js';
import { buildApp } from '../http/app.js';
import { openStore } from '../storage/open-store.js';
import { createServices } from '../core/services.js';
import { systemClock } from '../core/ports.js';
import { CliError, coreSettings, csv, requireOption, stringOption, withServices, type CommandContext } from './context.js';

function sub(ctx: CommandContext, allowed: string[]): string {
  const s = ctx.positionals[0];
  if (s === undefined || !allowed.includes(s)) throw new CliError(`expected one of: ${allowed.join(', ')}${s ? ` (got "${s}")` : ''}`, 2);
  return s;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The account named by --account, or the admin account (created on an empty store). */
async function targetAccount(ctx: CommandContext, s: Services): Promise<Account> {
  const id = stringOption(ctx, 'account');
  if (id === undefined) return (await s.accounts.ensureAdminAccount()).account;
  if (!isId('account', id)) throw new CliError(`--account must be an account id (acc_...), got "${id}"`, 2);
  const a = await s.store.accounts.get(id.toLowerCase());
  if (!a) throw new CliError(`no account ${id}`);
  return a;
}

export async function accountsCommand(ctx: CommandContext): Promise<number> {
  const action = sub(ctx, ['create', 'list']);
  return withServices(ctx.config, async (s) => {
    if (action === 'create') {
      const a = await s.accounts.create(requireOption(ctx, 'name'));
      ctx.io.out(ctx.json ? JSON.stringify(a) + '\n' : `created account ${a.id} (${a.name})\n`);
      return 0;
    }
    const all: Account[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.accounts.list(1000, cursor);
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    ctx.io.out(ctx.json ? JSON.stringify(all) + '\n' : table([['ID', 'NAME', 'CREATED'], ...all.map((a) => [a.id, a.name, a.createdAt])]));
    return 0;
  });
}

export async function keysCommand(ctx: CommandContext): Promise<number> {
  const action = sub(ctx, ['create', 'list', 'revoke']);
  return withServices(ctx.config, async (s) => {
    if (action === 'create') {
      const account = await targetAccount(ctx, s);
      const days = stringOption(ctx, 'expires-in-days');
      if (days !== undefined && !/^\d+$/.test(days)) throw new CliError('--expires-in-days must be a whole number', 2);
      const { key, token } = await s.apiKeys.create(account.id, {
        name: requireOption(ctx, 'name'),
        scopes: csv(requireOption(ctx, 'scopes')) ?? [],
        zones: csv(stringOption(ctx, 'zones')) ?? null,
        allowIps: csv(stringOption(ctx, 'allow-ip')) ?? null,
        expiresInDays: days !== undefined ? Number(days) : null,
      });
      if (ctx.json) ctx.io.out(JSON.stringify({ ...key, token }) + '\n');
      else ctx.io.out(`created API key ${key.id} for account ${key.accountId} with scopes ${key.scopes.join(',')}\n\n  ${token}\n\nThis token is shown once; store it now.\n`);
      return 0;
    }
    if (action === 'revoke') {
      const id = ctx.positionals[1];
      if (!id) throw new CliError('usage: zonekeeper keys revoke KEY_ID', 2);
      const key = await s.store.apiKeys.get(id.toLowerCase());
      if (!key || key.revokedAt !== null) throw new CliError(`no active API key ${id}`);
      await s.apiKeys.revoke(key.accountId, key.id);
      ctx.io.out(ctx.json ? JSON.stringify({ id: key.id, revoked: true }) + '\n' : `revoked ${key.id}\n`);
      return 0;
    }
    const account = await targetAccount(ctx, s);
    const keys = [];
    let cursor: string | undefined;
    do {
      const page = await s.apiKeys.list(account.id, 1000, cursor);
      keys.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    ctx.io.out(ctx.json ? JSON.stringify(keys) + '\n' : table([
      ['ID', 'NAME', 'SCOPES', 'ZONES', 'EXPIRES', 'STATE'],
      ...keys.map((k) => [k.id, k.name, k.scopes.join(','), k.zones?.join(',') ?? '*', k.expiresAt ?? '-', k.revokedAt ? 'revoked' : 'active']),
    ]));
    return 0;
  });
}

export async function zonesCommand(ctx: CommandContext): Promise<number> {
  const action = sub(ctx, ['import', 'export', 'list']);
  return withServices(ctx.config, async (s) => {
    if (action === 'list') {
      const account = await targetAccount(ctx, s);
      const zones = [];
      let cursor: string | undefined;
      do {
        const page = await s.zones.list(account.id, { limit: 1000, ...(cursor ? { cursor } : {}) });
        zones.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      ctx.io.out(ctx.json ? JSON.stringify(zones) + '\n' : table([['ID', 'NAME', 'RECORDS', 'SERIAL'], ...zones.map((z) => [z.id, z.name, String(z.recordCount), String(z.soa.serial)])]));
      return 0;
    }
    const name = ctx.positionals[1];
    if (!name) throw new CliError(`usage: zonekeeper zones ${action} NAME${action === 'import' ? ' FILE' : ''}`, 2);
    if (action === 'export') {
      const zone = await s.store.zones.getByName(name.toLowerCase().replace(/\.$/, ''));
      if (!zone) throw new CliError(`no zone ${name}`);
      ctx.io.out(await s.zones.exportZoneFile(zone));
      return 0;
    }
    const file = ctx.positionals[2];
    if (!file) throw new CliError('usage: zonekeeper zones import NAME FILE', 2);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const account = await targetAccount(ctx, s);
    let zone = await s.zones.getByName(account.id, name);
    const created = !zone;
    if (!zone) zone = await s.zones.create(account.id, name);
    try {
      const { zone: _after, ...report } = await s.zones.importZoneFile(zone, text);
      if (ctx.json) ctx.io.out(JSON.stringify({ zoneId: zone.id, created, ...report }) + '\n');
      else {
        ctx.io.out(`${created ? 'created' : 'updated'} zone ${zone.name} (${zone.id}): ${report.added} added, ${report.removed} removed, ${report.updated} updated, ${report.unchanged} unchanged\n`);
        for (const i of report.ignored) ctx.io.out(`  ignored${i.line ? ` line ${i.line}` : ''}: ${i.reason}\n`);
      }
      return 0;
    } catch (e) {
      if (created) await s.zones.delete(account.id, zone.id); // a failed import leaves no empty zone behind
      throw e;
    }
  });
}

/** Prints the OpenAPI document (built from the same route schemas, over an in-memory store). */
export async function openapiCommand(ctx: CommandContext): Promise<number> {
  const store = await openStore({ sqlitePath: ':memory:' });
  try {
    const services = createServices(store, coreSettings(ctx.config), systemClock);
    const app = await buildApp({ services, publicUrl: 'http://127.0.0.1:8080', rateLimit: ctx.config.rateLimit, bodyLimit: ctx.config.bodyLimit, trustProxy: [] });
    await app.ready();
    ctx.io.out(JSON.stringify(app.swagger(), null, 2) + '\n');
    await app.close();
    return 0;
  } finally {
    await store.close();
  }
}
