// Shared state and seeding helpers of the storage contract suite (one body, both dialects).
import { randomBytes } from 'node:crypto';
import type { Account, DnsRecord, Domain, JournalEntry, Zone } from '../../../src/core/model.js';
import type { SqlStore } from '../../../src/storage/store.js';
import { makeAccount, makeDomain, makeRecord, makeZone, TestClock } from '../fixtures.js';

export interface ContractContext {
  readonly dialect: 'sqlite' | 'postgres';
  /** The store under test (opened in beforeAll). */
  store: SqlStore;
  clock: TestClock;
  /** Another store instance on the same database (same SQLite file / same PostgreSQL schema). */
  openSecond(): Promise<SqlStore>;
  /** Opens a store on a brand-new empty database; `dispose` closes nothing, only removes it. */
  freshTarget(): Promise<{ open: () => Promise<SqlStore>; dispose: () => Promise<void> }>;
}

export function uniqueName(prefix = 'z'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}.example.test`;
}

export interface Seeded {
  account: Account;
  domain: Domain;
  zone: Zone;
  records: DnsRecord[];
  entry: JournalEntry;
}

/** Creates an account and a zone (with its domain) holding a few records. */
export async function seedZone(
  ctx: ContractContext,
  opts: { name?: string; serial?: number; records?: (zoneId: string, name: string) => DnsRecord[]; account?: Account } = {},
): Promise<Seeded> {
  const account = opts.account ?? makeAccount();
  if (!opts.account) await ctx.store.accounts.create(account);
  const name = opts.name ?? uniqueName();
  const domain = makeDomain(account.id, name);
  const zone = makeZone(account.id, domain.id, name, opts.serial ?? 1);
  const records = opts.records
    ? opts.records(zone.id, name)
    : [
        makeRecord(zone.id, name, 'NS', `ns1.${name}.`),
        makeRecord(zone.id, `www.${name}`, 'A', '192.0.2.10'),
        makeRecord(zone.id, `www.${name}`, 'AAAA', '2001:db8::10'),
        makeRecord(zone.id, `mail.${name}`, 'A', '198.51.100.7', { status: 'disabled' }),
      ];
  const entry = await ctx.store.createZone({ zone, domain, records });
  return { account, domain, zone: { ...zone, recordCount: records.length, nextRecordNum: records.length + 1 }, records, entry };
}
