// The `zonekeeper` command: parses argv, loads the config, and runs one subcommand. Returns the exit
// code; every failure is a one-line message on stderr and a non-zero code, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, SETTINGS, loadConfig, type Config, type SettingName } from '../config/config.js';
import { AppError } from '../core/errors.js';
import { CliError, type CommandContext } from './context.js';

const VERSION = '0.1.0';

const USAGE = `zonekeeper ${VERSION} — domain and DNS hosting

Usage: zonekeeper <command> [options]

Commands:
  serve                       run the HTTP API (and DNS server) on the configured store
  accounts create --name N    create an account            accounts list
  keys create --name N --scopes S[,S...] [--account ID] [--zones Z,...] [--allow-ip CIDR,...]
              [--expires-in-days N]                         keys list [--account ID]
  keys revoke ID              revoke an API key
  users create --email E --password-stdin [--organization ID | --new-organization NAME]
               [--role owner|admin|member|read-only]       users of the organization API (/api)
  users list                  users disable|enable ID|EMAIL
  zones import NAME FILE [--account ID]   create or replace a zone from an RFC 1035 zone file
  zones export NAME           print a zone as a zone file   zones list [--account ID]
  registry serve-epp --epp-listen HOST:PORT --epp-cert FILE --epp-key FILE --epp-client ID:PASSWORD [...]
                              serve the sandbox registry over EPP/TLS (RFC 5734)
  registry trust-anchor TLD [--format dnskey|bind]   the signed sandbox TLD's key as a trust anchor
  dnssec show|sign|unsign|rollover ZONE [--algorithm ECDSAP256SHA256|ED25519]
                              a zone's DNSSEC keys and DS; sign it, stop signing, roll its key
  openapi                     print the OpenAPI 3.1 document

Store options (every command): --data DIR, --database-url postgres://...
Add --json to print machine-readable output. \`zonekeeper <command> --help\` for details.
Every option is also an environment variable ZONEKEEPER_<NAME> (see docs/operations.md).`;

/** Options every command accepts: the settings of config.ts plus output flags. */
function optionSpec(extra: ParseArgsConfig['options'] = {}): NonNullable<ParseArgsConfig['options']> {
  const spec: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } };
  for (const [name] of SETTINGS) spec[name] = { type: 'string' };
  return { ...spec, ...extra };
}

export const COMMAND_OPTIONS: Record<string, NonNullable<ParseArgsConfig['options']>> = {
  serve: optionSpec(),
  accounts: optionSpec({ name: { type: 'string' } }),
  keys: optionSpec({
    name: { type: 'string' },
    scopes: { type: 'string' },
    account: { type: 'string' },
    zones: { type: 'string' },
    'allow-ip': { type: 'string' },
    'expires-in-days': { type: 'string' },
  }),
  zones: optionSpec({ account: { type: 'string' } }),
  users: optionSpec({
    email: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    organization: { type: 'string' },
    'new-organization': { type: 'string' },
    role: { type: 'string' },
  }),
  jobs: optionSpec(),
  dnssec: optionSpec({ algorithm: { type: 'string' } }),
  registry: optionSpec({
    'epp-listen': { type: 'string' },
    'epp-cert': { type: 'string' },
    'epp-key': { type: 'string' },
    'epp-client': { type: 'string', multiple: true },
    format: { type: 'string' },
  }),
  openapi: optionSpec(),
};

export async function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === 'version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const options = COMMAND_OPTIONS[command];
  if (!options) {
    io.err(`zonekeeper: unknown command "${command}". Run \`zonekeeper --help\`.\n`);
    return 2;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    io.err(`zonekeeper ${command}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(USAGE + '\n');
    return 0;
  }
  let config: Config;
  try {
    const flags: Partial<Record<SettingName, string>> = {};
    for (const [name] of SETTINGS) {
      const v = parsed.values[name];
      if (typeof v === 'string') flags[name] = v;
    }
    config = loadConfig(flags, process.env, process.cwd());
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`zonekeeper: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const ctx: CommandContext = { config, values: parsed.values, positionals: parsed.positionals, json: parsed.values.json === true, io };
  try {
    // Command modules are loaded on demand: `--help` and usage errors stay fast.
    if (command === 'serve') return await (await import('./serve.command.js')).serveCommand(ctx);
    if (command === 'users') return await (await import('./users.command.js')).usersCommand(ctx);
    if (command === 'jobs') return await (await import('./jobs.command.js')).jobsCommand(ctx);
    if (command === 'registry') return await (await import('./registry.command.js')).registryCommand(ctx);
    if (command === 'dnssec') return await (await import('./dnssec.command.js')).dnssecCommand(ctx);
    const admin = await import('./admin.commands.js');
    switch (command) {
      case 'accounts':
        return await admin.accountsCommand(ctx);
      case 'keys':
        return await admin.keysCommand(ctx);
      case 'zones':
        return await admin.zonesCommand(ctx);
      case 'openapi':
        return await admin.openapiCommand(ctx);
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`zonekeeper ${command}: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof AppError) {
      const details = e.errors.map((f) => `\n  ${f.pointer || '(input)'}: ${f.detail}`).join('');
      io.err(`zonekeeper ${command}: ${e.message}${details}\n`);
      return 1;
    }
    io.err(`zonekeeper ${command}: ${(e as Error).message}\n`);
    return 1;
  }
  return 2;
}
