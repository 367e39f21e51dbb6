// `zonekeeper registry serve-epp`: serves the built-in sandbox registry over EPP/TLS (RFC 5734) until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, parseHostPort } from '../config/config.js';
import { EppServer } from '../registry/epp/epp-server.js';
import { CliError, openServices, requireOption, stringOption, withServices, type CommandContext } from './context.js';

/** `host:port`, IPv6 in brackets. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * `--epp-client ID:PASSWORD`, repeatable. The limits are EPP's own (RFC 5730 §4: clIDType 3-16
 * characters, pwType 6-16), so a client that EPP cannot express is refused here, not at login.
 */
export function parseEppClients(raw: unknown): Map<string, string> {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new CliError('--epp-client ID:PASSWORD is required (repeat it for more registrars)', 2);
  const clients = new Map<string, string>();
  for (const item of list) {
    const text = String(item);
    const colon = text.indexOf(':');
    const id = colon === -1 ? '' : text.slice(0, colon);
    const password = colon === -1 ? '' : text.slice(colon + 1);
    if (colon === -1) throw new CliError('--epp-client must be ID:PASSWORD', 2);
    if (!/^[\x21-\x7e]{3,16}$/.test(id)) throw new CliError(`--epp-client: the client id "${id}" must be 3 to 16 visible characters (RFC 5730 clIDType)`, 2);
    if (password.length < 6 || password.length > 16 || password.trim() !== password) {
      throw new CliError(`--epp-client: the password of ${id} must be 6 to 16 characters without leading or trailing spaces (RFC 5730 pwType)`, 2);
    }
    if (clients.has(id)) throw new CliError(`--epp-client: ${id} is given twice`, 2);
    clients.set(id, password);
  }
  return clients;
}

function readPem(ctx: CommandContext, option: string): Buffer {
  const file = requireOption(ctx, option);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new CliError(`--${option}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
}

interface ServeEppSettings {
  listen: { host: string; port: number };
  tls: { key: Buffer; cert: Buffer };
  credentials: Map<string, string>;
}

/** Everything from the options, checked before the store is opened: a usage error leaves no trace. */
function serveEppSettings(ctx: CommandContext): ServeEppSettings {
  let listen: { host: string; port: number };
  try {
    listen = parseHostPort(requireOption(ctx, 'epp-listen'), 'epp-listen');
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 2);
    throw e;
  }
  const cert = readPem(ctx, 'epp-cert');
  const key = readPem(ctx, 'epp-key');
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new CliError(`--epp-cert/--epp-key are not a usable PEM certificate and matching key: ${(e as Error).message}`, 2);
  }
  // The environment keeps passwords out of the process list: ZONEKEEPER_EPP_CLIENTS=ID:PASSWORD,ID:PASSWORD
  const fromEnv = process.env.ZONEKEEPER_EPP_CLIENTS?.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const credentials = parseEppClients((ctx.values as Record<string, unknown>)['epp-client'] ?? (fromEnv && fromEnv.length > 0 ? fromEnv : undefined));
  if (ctx.config.registry.sandboxTlds.length === 0) {
    throw new CliError('the sandbox registry is off (--sandbox-tlds none), and serve-epp serves only the sandbox; set --sandbox-tlds (default test)', 2);
  }
  return { listen, tls: { key, cert }, credentials };
}

async function serveEpp(ctx: CommandContext): Promise<number> {
  const settings = serveEppSettings(ctx);
  const services = await openServices(ctx.config);
  const sandbox = services.registry.sandbox!;
  const server = new EppServer({
    // Each logged-in registrar sees the sandbox as its sponsor: another's objects are read-only (2201).
    registry: (clID) => sandbox.forSponsor(clID),
    credentials: settings.credentials,
    tls: settings.tls,
    host: settings.listen.host,
    port: settings.listen.port,
    onError: (err) => ctx.io.err(`zonekeeper registry: a command failed: ${(err as Error).message}\n`),
  });
  // Listen for the stop signals before printing the "listening" line: whoever reads it may signal at once.
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    let bound: { host: string; port: number };
    try {
      bound = await server.listen();
    } catch (e) {
      throw new CliError(`cannot listen on ${hostPort(settings.listen.host, settings.listen.port)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    ctx.io.out(`zonekeeper: EPP listening on ${hostPort(bound.host, bound.port)} (sandbox TLDs: ${sandbox.tlds.join(', ')})\n`);
    await stopped;
    await server.close();
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await services.store.close();
  }
}

/**
 * `zonekeeper registry trust-anchor TLD [--format dnskey|bind]`: the sandbox TLD's key as a trust
 * anchor (docs/dnssec.md): a DNSKEY line (unbound: `trust-anchor: "…"` or a trust-anchor-file),
 * or `--format bind`, a `trust-anchors` clause (delv -a, BIND). Signs the TLD zone on first use.
 */
async function trustAnchor(ctx: CommandContext): Promise<number> {
  const tld = ctx.positionals[1]?.toLowerCase().replace(/\.$/, '');
  if (!tld) throw new CliError('expected: registry trust-anchor TLD (a sandbox TLD, e.g. test)', 2);
  const format = stringOption(ctx, 'format') ?? 'dnskey';
  if (format !== 'dnskey' && format !== 'bind') throw new CliError('--format must be dnskey or bind', 2);
  if (!ctx.config.registry.sandboxTlds.includes(tld)) throw new CliError(`${tld} is not a TLD of the sandbox registry (--sandbox-tlds ${ctx.config.registry.sandboxTlds.join(',') || 'none'})`, 2);
  return withServices(
    ctx.config,
    async (s) => {
      const zone = await s.registry.sandbox!.tldZone(tld);
      const lines = await s.dnssec.trustAnchor(zone);
      if (lines.length === 0) throw new CliError(`the ${tld} zone is not signed`);
      if (format === 'dnskey') ctx.io.out(lines.join('\n') + '\n');
      else {
        const keys = lines.map((l) => l.split(' IN DNSKEY ')[1]!.split(' '));
        ctx.io.out(`trust-anchors {\n${keys.map(([flags, proto, alg, ...key]) => `  "${tld}." static-key ${flags} ${proto} ${alg} "${key.join('')}";`).join('\n')}\n};\n`);
      }
      return 0;
    },
    { dataKey: true },
  );
}

export async function registryCommand(ctx: CommandContext): Promise<number> {
  const action = ctx.positionals[0];
  if (action === 'trust-anchor') return trustAnchor(ctx);
  if (action !== 'serve-epp') throw new CliError(`expected: serve-epp or trust-anchor${action ? ` (got "${action}")` : ''}`, 2);
  return serveEpp(ctx);
}
