// What a subcommand gets (config, parsed options, output) and how it opens the store and services.
import type { Registry } from '../core/registry/registry.port.js';
import type { Config } from '../config/config.js';
import { systemClock } from '../core/ports.js';
import { createServices, type Services } from '../core/services.js';
import { DEFAULT_SOA_TIMERS, type CoreSettings } from '../core/settings.js';
import { SystemProbes } from '../monitoring/probes.js';
import { openStore } from '../storage/open-store.js';
import type { DataKey } from '../core/crypto/data-key.js';
import { loadDataKey } from './data-key-file.js';

export interface CommandContext {
  config: Config;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  json: boolean;
  io: { out: (s: string) => void; err: (s: string) => void };
}

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export function coreSettings(config: Config): CoreSettings {
  return {
    nameservers: config.nameservers,
    hostmaster: config.hostmaster,
    ttl: config.ttl,
    maxRecordsPerZone: config.maxRecordsPerZone,
    soa: DEFAULT_SOA_TIMERS,
    dyndns: config.dyndns,
    auth: config.auth,
    registry: config.registry,
    smart: config.smart,
    dnssec: config.dnssec,
  };
}

/** Splits an optional `?schema=NAME` off a PostgreSQL URL (the store uses that schema). */
export function splitSchema(url: string): { url: string; pgSchema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  if (schema === null) return { url };
  u.searchParams.delete('schema');
  return { url: u.toString(), pgSchema: schema };
}

/**
 * The services over the configured store. `dataKey`: also open the data key (created at first use,
 * as `serve` does) for commands that seal or open secrets (DNSSEC keys).
 */
export async function openServices(config: Config, registries: ReadonlyMap<string, Registry> = new Map(), opts: { dataKey?: boolean } = {}): Promise<Services> {
  const store = await openStore(
    config.databaseUrl
      ? splitSchema(config.databaseUrl)
      : { dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous },
  );
  let dataKey: DataKey | undefined;
  if (opts.dataKey) {
    try {
      dataKey = loadDataKey(config).key;
      await dataKey.verifyAgainst(store.meta);
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  return createServices(store, coreSettings(config), systemClock, {
    registries,
    probes: new SystemProbes({ httpPort: config.smart.monitor.httpPort, allowPrivate: config.smart.monitor.allowPrivate }),
    ...(dataKey ? { dataKey } : {}),
  });
}

/**
 * Runs `fn` with services and always closes the store. `registries`: also connect the EPP
 * registries of the config (commands that do registry work, such as `jobs run-due`).
 */
export async function withServices<T>(config: Config, fn: (s: Services) => Promise<T>, opts: { registries?: boolean; dataKey?: boolean } = {}): Promise<T> {
  const { openEppRegistries, closeEppRegistries } = await import('./epp-registries.js');
  const registries = opts.registries ? openEppRegistries(config.registry.epp) : new Map();
  const services = await openServices(config, registries, { dataKey: opts.dataKey === true });
  try {
    return await fn(services);
  } finally {
    await closeEppRegistries(registries);
    await services.store.close();
  }
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireOption(ctx: CommandContext, name: string): string {
  const v = stringOption(ctx, name);
  if (v === undefined || v.trim() === '') throw new CliError(`--${name} is required`, 2);
  return v;
}

export function csv(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter(Boolean);
}
