// PostgreSQL for tests: reachability (fail in CI, skip loudly elsewhere) and throwaway schemas.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

export const TEST_DATABASE_URL = process.env.ZONEKEEPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let availability: Promise<{ ok: boolean; reason: string }> | null = null;

async function probe(url: string): Promise<{ ok: boolean; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, reason: '' };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether the test database answers (probed once per test file). */
export async function pgAvailable(): Promise<boolean> {
  availability ??= probe(TEST_DATABASE_URL);
  return (await availability).ok;
}

async function unavailableReason(): Promise<string> {
  availability ??= probe(TEST_DATABASE_URL);
  return (await availability).reason;
}

/**
 * Decides whether a PostgreSQL suite runs. When the database is unreachable: in CI
 * (`CI=true`) registers a failing test, so a missing database can never pass silently; elsewhere
 * warns loudly and returns false (the caller skips).
 */
export async function requirePg(suite: string): Promise<boolean> {
  if (await pgAvailable()) return true;
  const message = `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${await unavailableReason()}); set ZONEKEEPER_TEST_DATABASE_URL or start PostgreSQL.`;
  if (process.env.CI === 'true') {
    describe(`${suite} [postgres]`, () => {
      it('needs a reachable PostgreSQL', () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`\n!!! SKIPPING PostgreSQL tests of "${suite}": ${message}\n`);
  }
  return false;
}

/** `describe` that runs only with PostgreSQL (see requirePg). Use with top-level await. */
export async function describeIfPg(name: string, fn: () => void): Promise<void> {
  if (await requirePg(name)) describe(name, fn);
  else describe.skip(name, fn);
}

/** A fresh random schema name (not created: openStore({ pgSchema }) creates it). */
export function randomSchemaName(prefix = 'zk_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Creates a fresh schema and returns its name. */
export async function createTestSchema(prefix?: string): Promise<string> {
  const name = randomSchemaName(prefix);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`create schema "${name}"`);
  } finally {
    await client.end();
  }
  return name;
}

/** Drops a schema made by createTestSchema/randomSchemaName, with everything in it. */
export async function dropTestSchema(name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`refusing to drop schema ${name}`);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}
