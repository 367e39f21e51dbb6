// Maps driver errors (unique violations) of both dialects to the core error catalogue.
import { AppError } from '../core/errors.js';

interface DriverError {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  detail?: unknown;
}

const WHAT: Record<string, string> = {
  accounts: 'An account with this id',
  api_keys: 'An API key with this id or token',
  domains: 'A domain with this name',
  zones: 'A zone with this name (or for this domain)',
  records: 'A record with this id',
  dyndns_configs: 'A DynDNS configuration for this host name and record type',
};

/** The table of a unique/primary-key violation, or null when `err` is something else. */
export function uniqueViolationTable(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as DriverError;
  if (e.code === '23505') return typeof e.table === 'string' ? e.table : '';
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /constraint failed: ([a-z_]+)\./.exec(String(e.message));
    return m?.[1] ?? '';
  }
  return null;
}

/** Rethrows a unique violation as a 409 `conflict`; any other error unchanged. */
export function rethrowConflict(err: unknown): never {
  const table = uniqueViolationTable(err);
  if (table === null) throw err;
  const what = WHAT[table] ?? 'An item with this key';
  throw new AppError('conflict', `${what} already exists.`);
}

/** Runs `fn`, turning unique violations into `conflict` errors. */
export async function mapConflicts<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    rethrowConflict(err);
  }
}
