// Helpers of the registry service: registry failures as API problems, idempotent host objects,
// job subjects, and the views of DNSSEC records.
import { AppError } from '../errors.js';
import type { RegistryDnssecRecord } from '../model.js';
import { parseName } from '../names.js';
import { RegistryError, type Registry } from './registry.port.js';
import type { DnssecMaterial } from './registry-rules.js';

/** A registry failure as the API's problem (the registry's own code and reason kept). */
export function registryProblem(e: RegistryError): AppError {
  const extra = { ...(e.registryCode !== undefined ? { registryCode: e.registryCode } : {}), registryReason: e.registryReason ?? e.message };
  // 2201/2202 (authorization, billing) refuse this operation; other auth failures are our login.
  if (e.registryCode === 2201 || e.registryCode === 2202) return new AppError('registry_rejected', `The registry refused: ${e.message}`, { extra });
  if (e.kind === 'unavailable' || e.kind === 'auth') return new AppError('registry_unavailable', `The registry could not complete the operation: ${e.message}`, { extra });
  if (e.kind === 'exists') return new AppError('conflict', e.message, { extra });
  return new AppError('registry_rejected', `The registry refused: ${e.message}`, { extra });
}

export async function atRegistry<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof RegistryError) throw registryProblem(e);
    throw e;
  }
}

/**
 * The host object with these addresses: updated when we know it, created otherwise — and updated
 * after all when the registry says it exists (an earlier create whose reply was lost).
 */
export async function ensureHost(registry: Registry, name: string, addresses: string[], known: boolean): Promise<void> {
  if (known) {
    await atRegistry(() => registry.updateHost(name, addresses));
    return;
  }
  try {
    await registry.createHost(name, addresses);
  } catch (e) {
    if (!(e instanceof RegistryError) || e.kind !== 'exists') throw e instanceof RegistryError ? registryProblem(e) : e;
    await atRegistry(() => registry.updateHost(name, addresses));
  }
}

/** A host name as a job subject part: canonical when it parses, else as sent, lowercase. */
export function hostKey(raw: unknown): string {
  const r = parseName(String(raw ?? ''), 'hostname');
  return r.ok ? r.name : String(raw ?? '').trim().toLowerCase();
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export function dnssecView(r: RegistryDnssecRecord): { id: string } & DnssecMaterial & { createdAt: string } {
  return { id: r.id, ...r.material, createdAt: r.createdAt };
}
