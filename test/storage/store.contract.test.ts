// The storage contract suite: one body, run on SQLite and on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/store.js';
import { dropTestSchema, randomSchemaName, requirePg, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { basicContract } from './contract/basic.contract.js';
import { changesContract } from './contract/changes.contract.js';
import type { ContractContext } from './contract/context.js';
import { journalContract } from './contract/journal.contract.js';
import { recordsContract } from './contract/records.contract.js';
import { TestClock } from './fixtures.js';

interface Target {
  open: (clock: TestClock) => Promise<SqlStore>;
  dispose: () => Promise<void>;
}
interface DialectCase {
  dialect: 'sqlite' | 'postgres';
  target: () => Target;
}

const tmpDirs: string[] = [];

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'zk-store-'));
  tmpDirs.push(dir);
  return {
    open: (clock) => openStore({ dataDir: dir, clock }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function pgTarget(): Target {
  const schema = randomSchemaName();
  return {
    open: (clock) => openStore({ url: TEST_DATABASE_URL, pgSchema: schema, clock }),
    dispose: () => dropTestSchema(schema),
  };
}

const cases: DialectCase[] = [{ dialect: 'sqlite', target: sqliteTarget }];
if (await requirePg('storage contract')) cases.push({ dialect: 'postgres', target: pgTarget });

describe.each(cases)('storage contract: $dialect', ({ dialect, target }) => {
  const main = target();
  const clock = new TestClock();
  const ctx: ContractContext = {
    dialect,
    store: undefined as unknown as SqlStore,
    clock,
    openSecond: () => main.open(clock),
    freshTarget: async () => {
      const t = target();
      return { open: () => t.open(clock), dispose: t.dispose };
    },
  };

  beforeAll(async () => {
    ctx.store = await main.open(clock);
  });
  afterAll(async () => {
    await ctx.store?.close();
    await main.dispose();
  });

  describe('accounts, keys, domains, zones', () => basicContract(ctx));
  describe('records', () => recordsContract(ctx));
  describe('zone changes', () => changesContract(ctx));
  describe('journal and change feed', () => journalContract(ctx));
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});
