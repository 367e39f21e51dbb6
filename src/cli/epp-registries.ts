// The EPP registries of --epp-registries, one EppRegistry (one lazily connected session) per TLD,
// for `serve` and for commands that run registry work (`jobs run-due`).
import { readFileSync } from 'node:fs';
import type { EppRegistryConfig } from '../core/settings.js';
import { EppRegistry } from '../registry/epp/epp-registry.js';
import { CliError } from './context.js';

export function openEppRegistries(configs: readonly EppRegistryConfig[]): Map<string, EppRegistry> {
  const out = new Map<string, EppRegistry>();
  for (const r of configs) {
    let ca: Buffer | undefined;
    try {
      ca = r.caFile !== null ? readFileSync(r.caFile) : undefined;
    } catch (e) {
      throw new CliError(`--epp-registries: cannot read the CA file of .${r.tld} (${r.caFile}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
    }
    out.set(r.tld, new EppRegistry({ host: r.host, port: r.port, clID: r.clID, password: r.password, ...(ca ? { ca } : {}), ...(r.servername ? { servername: r.servername } : {}) }));
  }
  return out;
}

/** Logs out of every registry (best effort: the process is ending). */
export async function closeEppRegistries(registries: ReadonlyMap<string, EppRegistry>): Promise<void> {
  await Promise.all([...registries.values()].map((r) => r.close().catch(() => undefined)));
}
