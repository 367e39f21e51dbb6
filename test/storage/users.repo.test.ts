// The organization API's storage, on SQLite and on PostgreSQL (opened the way store.contract.test.ts
// opens them): users and memberships, API tokens, refresh tokens; and migration 003's record numbers
// (assigned by createZone and applyZoneChange, never reused; backfilled for rows written before 003).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { Account, ApiToken, Membership, RefreshSession, Role, User } from '../../src/core/model.js';
import { migrate } from '../../src/storage/migrate.js';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/store.js';
import { dropTestSchema, randomSchemaName, requirePg, TEST_DATABASE_URL } from '../helpers/postgres.js';
import { uniqueName } from './contract/context.js';
import { expectConflict, makeAccount, makeDomain, makeRecord, makeZone, T0, TestClock } from './fixtures.js';

interface Target {
  open: (clock: TestClock) => Promise<SqlStore>;
  /**
   * A brand-new database with only the migrations before 003 applied; `seed` writes rows into it
   * (pre-003 schema) before the store is opened, which runs 003.
   */
  openPre003: (clock: TestClock, seed: (db: Kysely<any>) => Promise<void>) => Promise<SqlStore>;
  dispose: () => Promise<void>;
}
interface DialectCase {
  dialect: 'sqlite' | 'postgres';
  target: () => Target;
}

const PRE_003 = MIGRATIONS.filter((m) => m.id < '003');
const tmpDirs: string[] = [];

function sqliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'zk-users-'));
  tmpDirs.push(dir);
  return {
    open: (clock) => openStore({ dataDir: dir, clock }),
    openPre003: async (clock, seed) => {
      const old = mkdtempSync(join(dir, 'pre003-'));
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(join(old, 'zonekeeper.db')) }) });
      try {
        await migrate(db, 'sqlite', { now: () => T0 }, PRE_003);
        await seed(db);
      } finally {
        await db.destroy();
      }
      return openStore({ dataDir: old, clock });
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function pgTarget(): Target {
  const schema = randomSchemaName();
  const extra: string[] = [];
  return {
    open: (clock) => openStore({ url: TEST_DATABASE_URL, pgSchema: schema, clock }),
    openPre003: async (clock, seed) => {
      const old = randomSchemaName();
      extra.push(old);
      const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${old}`, max: 2 });
      pool.on('error', () => {});
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
      try {
        await migrate(db, 'postgres', { now: () => T0, pgSchema: old }, PRE_003);
        await seed(db);
      } finally {
        await db.destroy();
      }
      return openStore({ url: TEST_DATABASE_URL, pgSchema: old, clock });
    },
    dispose: async () => {
      await dropTestSchema(schema);
      for (const s of extra) await dropTestSchema(s);
    },
  };
}

const cases: DialectCase[] = [{ dialect: 'sqlite', target: sqliteTarget }];
if (await requirePg('users storage')) cases.push({ dialect: 'postgres', target: pgTarget });

// ---- builders ---------------------------------------------------------------------------------

function makeUser(over: Partial<User> = {}): User {
  return {
    id: newId('user'),
    email: `u-${randomBytes(4).toString('hex')}@example.org`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    disabledAt: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function membership(accountId: string, userId: string, role: Role = 'member', createdAt = T0): Membership {
  return { accountId, userId, role, createdAt };
}

const hash = () => randomBytes(32).toString('hex');

function makeToken(userId: string, over: Partial<ApiToken> = {}): ApiToken {
  return { id: newId('apiToken'), userId, name: 'ci token', tokenHash: hash(), tokenPrefix: 'zkt_abcd', organizations: null, expiresAt: null, createdAt: T0, lastUsedAt: null, ...over };
}

function makeRefresh(familyId: string, over: Partial<RefreshSession> = {}): RefreshSession {
  return { id: newId('refresh'), familyId, tokenHash: hash(), expiresAt: '2026-05-27T12:34:56.000Z', createdAt: T0, usedAt: null, ...over };
}

// ---- the suite --------------------------------------------------------------------------------

describe.each(cases)('users storage: $dialect', ({ target }) => {
  const main = target();
  const clock = new TestClock();
  let store: SqlStore;

  async function account(name = 'Example account'): Promise<Account> {
    const a = makeAccount(name);
    await store.accounts.create(a);
    return a;
  }

  async function user(over: Partial<User> = {}, m?: (u: User) => Membership): Promise<User> {
    const u = makeUser(over);
    await store.users.create(u, m?.(u));
    return u;
  }

  beforeAll(async () => {
    store = await main.open(clock);
  });
  afterAll(async () => {
    await store?.close();
    await main.dispose();
  });

  describe('users and memberships', () => {
    it('create, get, getByEmail', async () => {
      const u = makeUser({ email: 'alice@example.org' });
      await store.users.create(u);
      expect(await store.users.get(u.id)).toEqual(u);
      expect(await store.users.getByEmail('alice@example.org')).toEqual(u);
      expect(await store.users.get(newId('user'))).toBeUndefined();
      expect(await store.users.getByEmail('nobody@example.org')).toBeUndefined();
      // the repo matches emails exactly (normalising them is the service's job)
      expect(await store.users.getByEmail('ALICE@example.org')).toBeUndefined();
      expect(await store.users.memberships(u.id)).toEqual([]);
    });

    it('a second user with the same email is a conflict, and its membership is not written', async () => {
      const a = await account();
      const first = await user({ email: 'dup@example.org' });
      const second = makeUser({ email: 'dup@example.org' });
      await expectConflict(store.users.create(second, membership(a.id, second.id, 'owner')));
      expect(await store.users.get(second.id)).toBeUndefined();
      expect(await store.users.getByEmail('dup@example.org')).toEqual(first);
      expect(await store.users.memberships(second.id)).toEqual([]);
    });

    it('a second user with the same id is a conflict', async () => {
      const first = await user();
      await expectConflict(store.users.create(makeUser({ id: first.id })));
    });

    it('create is atomic: a membership of a missing organization leaves no user behind', async () => {
      const u = makeUser();
      await expect(store.users.create(u, membership(newId('account'), u.id))).rejects.toThrow();
      expect(await store.users.get(u.id)).toBeUndefined();
      expect(await store.users.getByEmail(u.email)).toBeUndefined();
    });

    it('the membership is created with the user; putMembership changes the role and adds a second organization', async () => {
      const a = await account('First org');
      const b = await account('Second org');
      const u = await user({}, (x) => membership(a.id, x.id, 'owner'));
      expect(await store.users.memberships(u.id)).toEqual([{ accountId: a.id, userId: u.id, role: 'owner', createdAt: T0, accountName: 'First org', accountCreatedAt: a.createdAt }]);

      // same organization: the role changes, the membership's creation time stays
      await store.users.putMembership(membership(a.id, u.id, 'read-only', '2030-01-01T00:00:00.000Z'));
      expect(await store.users.memberships(u.id)).toEqual([{ accountId: a.id, userId: u.id, role: 'read-only', createdAt: T0, accountName: 'First org', accountCreatedAt: a.createdAt }]);

      // another organization: added
      await store.users.putMembership(membership(b.id, u.id, 'admin', '2026-04-28T00:00:00.000Z'));
      expect(await store.users.memberships(u.id)).toEqual([
        { accountId: a.id, userId: u.id, role: 'read-only', createdAt: T0, accountName: 'First org', accountCreatedAt: a.createdAt },
        { accountId: b.id, userId: u.id, role: 'admin', createdAt: '2026-04-28T00:00:00.000Z', accountName: 'Second org', accountCreatedAt: b.createdAt },
      ]);

      // other users are untouched
      const other = await user({}, (x) => membership(a.id, x.id, 'member'));
      expect((await store.users.memberships(other.id)).map((m) => m.role)).toEqual(['member']);
      expect((await store.users.memberships(u.id)).map((m) => m.role)).toEqual(['read-only', 'admin']);
    });

    it('every role is stored; an unknown role is refused by the database', async () => {
      const a = await account();
      for (const role of ['owner', 'admin', 'member', 'read-only'] as const) {
        const u = await user({}, (x) => membership(a.id, x.id, role));
        expect((await store.users.memberships(u.id))[0]!.role).toBe(role);
      }
      const u = await user();
      await expect(store.users.putMembership(membership(a.id, u.id, 'superuser' as Role))).rejects.toThrow();
      expect(await store.users.memberships(u.id)).toEqual([]);
    });

    it('putMembership of a missing user or organization fails', async () => {
      const a = await account();
      const u = await user();
      await expect(store.users.putMembership(membership(newId('account'), u.id))).rejects.toThrow();
      await expect(store.users.putMembership(membership(a.id, newId('user')))).rejects.toThrow();
      expect(await store.users.memberships(u.id)).toEqual([]);
    });

    it('memberships(): with the account name, ordered by account id (not by name or insertion)', async () => {
      // ids are time-ordered: zulu < mike < alpha by id, the reverse by name
      const zulu = await account('Zulu');
      const mike = await account('Mike');
      const alpha = await account('Alpha');
      expect(zulu.id < mike.id && mike.id < alpha.id).toBe(true);
      const u = await user({}, (x) => membership(alpha.id, x.id, 'owner'));
      await store.users.putMembership(membership(zulu.id, u.id, 'member'));
      await store.users.putMembership(membership(mike.id, u.id, 'read-only'));
      const ms = await store.users.memberships(u.id);
      expect(ms.map((m) => [m.accountId, m.accountName, m.role])).toEqual([
        [zulu.id, 'Zulu', 'member'],
        [mike.id, 'Mike', 'read-only'],
        [alpha.id, 'Alpha', 'owner'],
      ]);
      expect(ms.every((m) => m.userId === u.id)).toBe(true);
    });

    it('list: by id, keyset-paginated', async () => {
      const made = [await user(), await user(), await user()];
      const all = await store.users.list({ limit: 1000 });
      const ids = all.map((u) => u.id);
      expect(ids).toEqual([...ids].sort());
      for (const u of made) expect(all).toContainEqual(u);
      const page = await store.users.list({ limit: 2, afterId: made[0]!.id });
      expect(page.map((u) => u.id)).toEqual([made[1]!.id, made[2]!.id]);
      expect(await store.users.list({ limit: 10, afterId: made[2]!.id })).toEqual(all.filter((u) => u.id > made[2]!.id));
    });

    it('setDisabled sets and clears disabledAt (updatedAt follows); an unknown id gives undefined', async () => {
      const u = await user();
      const off = await store.users.setDisabled(u.id, '2026-04-28T00:00:00.000Z', '2026-04-28T00:00:01.000Z');
      expect(off).toEqual({ ...u, disabledAt: '2026-04-28T00:00:00.000Z', updatedAt: '2026-04-28T00:00:01.000Z' });
      expect(await store.users.get(u.id)).toEqual(off);
      const on = await store.users.setDisabled(u.id, null, '2026-04-29T00:00:00.000Z');
      expect(on).toEqual({ ...u, disabledAt: null, updatedAt: '2026-04-29T00:00:00.000Z' });
      expect(await store.users.get(u.id)).toEqual(on);
      expect(await store.users.setDisabled(newId('user'), T0, T0)).toBeUndefined();
    });

    it('setPasswordHash replaces the hash of that user only', async () => {
      const u = await user();
      const other = await user();
      await store.users.setPasswordHash(u.id, '$argon2id$new', '2026-04-30T00:00:00.000Z');
      expect(await store.users.get(u.id)).toEqual({ ...u, passwordHash: '$argon2id$new', updatedAt: '2026-04-30T00:00:00.000Z' });
      expect(await store.users.get(other.id)).toEqual(other);
    });
  });

  describe('API tokens', () => {
    it('create and findByHash (organizations null or a list; expiry kept)', async () => {
      const u = await user();
      const a = await account();
      const all = makeToken(u.id);
      const scoped = makeToken(u.id, { name: 'scoped', organizations: [a.id], expiresAt: '2027-01-01T00:00:00.000Z' });
      await store.apiTokens.create(all);
      await store.apiTokens.create(scoped);
      expect(await store.apiTokens.findByHash(all.tokenHash)).toEqual(all);
      expect(await store.apiTokens.findByHash(scoped.tokenHash)).toEqual(scoped);
      expect(await store.apiTokens.findByHash(hash())).toBeUndefined();
    });

    it('a second token with the same hash is a conflict', async () => {
      const u = await user();
      const t = makeToken(u.id);
      await store.apiTokens.create(t);
      await expectConflict(store.apiTokens.create(makeToken(u.id, { tokenHash: t.tokenHash })));
    });

    it('a token of a missing user is refused', async () => {
      await expect(store.apiTokens.create(makeToken(newId('user')))).rejects.toThrow();
    });

    it('listByUser: that user only, by id', async () => {
      const u = await user();
      const other = await user();
      const ts = [makeToken(u.id, { name: 'a' }), makeToken(u.id, { name: 'b' }), makeToken(u.id, { name: 'c' })];
      // inserted out of order
      for (const t of [ts[2]!, ts[0]!, ts[1]!]) await store.apiTokens.create(t);
      await store.apiTokens.create(makeToken(other.id));
      expect(await store.apiTokens.listByUser(u.id)).toEqual(ts);
      expect(await store.apiTokens.listByUser(newId('user'))).toEqual([]);
    });

    it("delete: the owner's token only; another user's delete returns false and keeps it", async () => {
      const u = await user();
      const other = await user();
      const t = makeToken(u.id);
      await store.apiTokens.create(t);
      expect(await store.apiTokens.delete(other.id, t.id)).toBe(false);
      expect(await store.apiTokens.findByHash(t.tokenHash)).toEqual(t);
      expect(await store.apiTokens.delete(u.id, t.id)).toBe(true);
      expect(await store.apiTokens.findByHash(t.tokenHash)).toBeUndefined();
      expect(await store.apiTokens.listByUser(u.id)).toEqual([]);
      expect(await store.apiTokens.delete(u.id, t.id)).toBe(false);
      expect(await store.apiTokens.delete(u.id, newId('apiToken'))).toBe(false);
    });

    it('touch sets lastUsedAt of that token only', async () => {
      const u = await user();
      const t = makeToken(u.id);
      const t2 = makeToken(u.id);
      await store.apiTokens.create(t);
      await store.apiTokens.create(t2);
      await store.apiTokens.touch(t.id, '2026-04-28T08:00:00.000Z');
      expect(await store.apiTokens.findByHash(t.tokenHash)).toEqual({ ...t, lastUsedAt: '2026-04-28T08:00:00.000Z' });
      await store.apiTokens.touch(t.id, '2026-04-28T09:00:00.000Z');
      expect((await store.apiTokens.findByHash(t.tokenHash))!.lastUsedAt).toBe('2026-04-28T09:00:00.000Z');
      expect(await store.apiTokens.findByHash(t2.tokenHash)).toEqual(t2);
      await store.apiTokens.touch(newId('apiToken'), T0); // unknown id: nothing happens
    });
  });

  describe('refresh tokens', () => {
    /** A login of `userId`: its family and first token. */
    async function login(userId: string, over: Partial<RefreshSession> = {}): Promise<RefreshSession> {
      const id = newId('refresh');
      const first = makeRefresh(id, { id, ...over });
      await store.refreshTokens.createFamily({ id, userId, createdAt: T0, revokedAt: null }, first);
      return first;
    }

    it('createFamily and findByHash (with the user and the family state)', async () => {
      const u = await user();
      const s = await login(u.id);
      expect(await store.refreshTokens.findByHash(s.tokenHash)).toEqual({ ...s, userId: u.id, familyRevokedAt: null });
      expect(await store.refreshTokens.findByHash(hash())).toBeUndefined();
      expect(await store.refreshTokens.familyActive(s.familyId)).toBe(true);
      expect(await store.refreshTokens.familyActive(newId('refresh'))).toBe(false);
    });

    it('rotate: uses the token up and adds the next; using it again is reuse and revokes the family', async () => {
      const u = await user();
      const s = await login(u.id);
      const next = makeRefresh(s.familyId);
      expect(await store.refreshTokens.rotate(s.id, next, '2026-04-28T00:00:00.000Z')).toBe('rotated');
      expect((await store.refreshTokens.findByHash(s.tokenHash))!.usedAt).toBe('2026-04-28T00:00:00.000Z');
      expect((await store.refreshTokens.findByHash(next.tokenHash))!.usedAt).toBeNull();
      expect(await store.refreshTokens.rotate(s.id, makeRefresh(s.familyId), '2026-04-28T00:00:05.000Z')).toBe('reused');
      expect(await store.refreshTokens.familyActive(s.familyId)).toBe(false);
      expect((await store.refreshTokens.findByHash(next.tokenHash))!.familyRevokedAt).toBe('2026-04-28T00:00:05.000Z');
      expect(await store.refreshTokens.rotate(next.id, makeRefresh(s.familyId), '2026-04-28T00:00:06.000Z')).toBe('revoked');
    });

    it('concurrent rotations of one token: exactly one wins, and the family ends revoked', async () => {
      const u = await user();
      const s = await login(u.id);
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store.refreshTokens.rotate(s.id, makeRefresh(s.familyId), `2026-04-28T00:00:0${i}.000Z`)));
      expect(results.filter((r) => r === 'rotated')).toHaveLength(1);
      expect(await store.refreshTokens.familyActive(s.familyId)).toBe(false);
    });

    it('a rotation racing a revocation never leaves a live token behind', async () => {
      const u = await user();
      for (let i = 0; i < 10; i++) {
        const s = await login(u.id);
        const next = makeRefresh(s.familyId);
        await Promise.all([store.refreshTokens.rotate(s.id, next, T0), store.refreshTokens.revokeFamily(s.familyId, T0)]);
        expect(await store.refreshTokens.familyActive(s.familyId)).toBe(false);
        const found = await store.refreshTokens.findByHash(next.tokenHash);
        if (found) expect(found.familyRevokedAt).not.toBeNull();
      }
    });

    it("revokeUser: every family of that user, no one else's", async () => {
      const u = await user();
      const other = await user();
      const a = await login(u.id);
      const b = await login(u.id);
      const o = await login(other.id);
      await store.refreshTokens.revokeUser(u.id, '2026-04-28T00:00:00.000Z');
      expect(await store.refreshTokens.familyActive(a.familyId)).toBe(false);
      expect(await store.refreshTokens.familyActive(b.familyId)).toBe(false);
      expect(await store.refreshTokens.familyActive(o.familyId)).toBe(true);
    });

    it('prune deletes tokens that expired strictly before the time given, and families left empty', async () => {
      const u = await user();
      const old = await login(u.id, { expiresAt: '2026-04-01T00:00:00.000Z' });
      const edge = await login(u.id, { expiresAt: '2026-04-15T00:00:00.000Z' });
      const live = await login(u.id, { expiresAt: '2026-05-01T00:00:00.000Z' });
      const oldOfLive = makeRefresh(live.familyId, { expiresAt: '2026-04-01T00:00:00.000Z' });
      expect(await store.refreshTokens.rotate(live.id, oldOfLive, T0)).toBe('rotated');
      await store.refreshTokens.prune('2026-04-15T00:00:00.000Z');
      expect(await store.refreshTokens.findByHash(old.tokenHash)).toBeUndefined();
      expect(await store.refreshTokens.familyActive(old.familyId)).toBe(false);
      expect(await store.refreshTokens.findByHash(edge.tokenHash)).toBeDefined();
      expect(await store.refreshTokens.findByHash(oldOfLive.tokenHash)).toBeUndefined();
      expect(await store.refreshTokens.findByHash(live.tokenHash)).toBeDefined();
      expect(await store.refreshTokens.familyActive(live.familyId)).toBe(true);
    });
  });

  describe('record numbers (migration 003)', () => {
    async function seed(n: number) {
      const a = await account();
      const name = uniqueName('num');
      const domain = makeDomain(a.id, name);
      const zone = makeZone(a.id, domain.id, name);
      const records = Array.from({ length: n }, (_, i) => makeRecord(zone.id, `h${i}.${name}`, 'A', `192.0.2.${i + 1}`));
      await store.createZone({ zone, domain, records });
      return { zone, name, records };
    }

    const nums = async (zoneId: string) => (await store.records.list(zoneId, { limit: 1000 })).map((r) => [r.id, r.num]);

    it('createZone numbers records 1..n in the order given; zones.nextRecordNum = n + 1', async () => {
      const { zone, records } = await seed(5);
      expect(await nums(zone.id)).toEqual(records.map((r, i) => [r.id, i + 1]));
      expect((await store.zones.get(zone.id))!.nextRecordNum).toBe(6);
      for (const [i, r] of records.entries()) expect((await store.records.getByNum(zone.id, i + 1))!.id).toBe(r.id);
      expect(await store.records.getByNum(zone.id, 6)).toBeUndefined();
      expect(await store.records.getByNum(zone.id, 0)).toBeUndefined();
    });

    it('a zone created without records starts at 1; every zone counts on its own', async () => {
      const empty = await seed(0);
      expect((await store.zones.get(empty.zone.id))!.nextRecordNum).toBe(1);
      const other = await seed(2);
      expect((await nums(other.zone.id)).map(([, n]) => n)).toEqual([1, 2]);
      const out = await store.applyZoneChange(empty.zone.id, async () => ({ insert: [makeRecord(empty.zone.id, `x.${empty.name}`, 'A', '192.0.2.99')], update: [], delete: [], result: null }));
      expect(out!.zone.nextRecordNum).toBe(2);
      expect((await nums(empty.zone.id)).map(([, n]) => n)).toEqual([1]);
    });

    it('applyZoneChange inserts continue the numbering; updates keep their number', async () => {
      const { zone, name, records } = await seed(3);
      clock.advance(1000);
      const a = makeRecord(zone.id, `new-a.${name}`, 'A', '198.51.100.1');
      const b = makeRecord(zone.id, `new-b.${name}`, 'A', '198.51.100.2');
      const changed = { ...records[1]!, rdata: '192.0.2.200', num: 0 }; // a stale num in the update is ignored
      const out = await store.applyZoneChange(zone.id, async () => ({ insert: [a, b], update: [changed], delete: [], result: null }));
      expect(out!.zone.nextRecordNum).toBe(6);
      expect((await store.zones.get(zone.id))!.nextRecordNum).toBe(6);
      expect((await store.records.get(zone.id, a.id))!.num).toBe(4);
      expect((await store.records.get(zone.id, b.id))!.num).toBe(5);
      expect(await store.records.get(zone.id, records[1]!.id)).toMatchObject({ num: 2, rdata: '192.0.2.200' });
    });

    it("a deleted record's number is never reused (not even the highest one)", async () => {
      const { zone, name, records } = await seed(3);
      // delete the highest number, then insert: 4, not 3
      await store.applyZoneChange(zone.id, async () => ({ insert: [], update: [], delete: [records[2]!.id], result: null }));
      expect((await store.zones.get(zone.id))!.nextRecordNum).toBe(4);
      const c = makeRecord(zone.id, `c.${name}`, 'A', '198.51.100.3');
      await store.applyZoneChange(zone.id, async () => ({ insert: [c], update: [], delete: [], result: null }));
      expect((await store.records.get(zone.id, c.id))!.num).toBe(4);
      expect(await store.records.getByNum(zone.id, 3)).toBeUndefined();

      // delete and insert in one change: the new record gets a new number
      const d = makeRecord(zone.id, `d.${name}`, 'A', '198.51.100.4');
      const out = await store.applyZoneChange(zone.id, async () => ({ insert: [d], update: [], delete: [records[0]!.id, c.id], result: null }));
      expect((await store.records.get(zone.id, d.id))!.num).toBe(5);
      expect(out!.zone.nextRecordNum).toBe(6);
      expect((await nums(zone.id)).map(([, n]) => n).sort()).toEqual([2, 5]);
    });

    it('a change that rolls back does not use up numbers', async () => {
      const { zone, name, records } = await seed(2);
      const dupId = makeRecord(zone.id, `dup.${name}`, 'A', '198.51.100.5', { id: records[0]!.id });
      await expect(store.applyZoneChange(zone.id, async () => ({ insert: [dupId], update: [], delete: [], result: null }))).rejects.toThrow();
      expect((await store.zones.get(zone.id))!.nextRecordNum).toBe(3);
      await expect(
        store.applyZoneChange(zone.id, async () => {
          throw new Error('plan says no');
        }),
      ).rejects.toThrow('plan says no');
      const e = makeRecord(zone.id, `e.${name}`, 'A', '198.51.100.6');
      await store.applyZoneChange(zone.id, async () => ({ insert: [e], update: [], delete: [], result: null }));
      expect((await store.records.get(zone.id, e.id))!.num).toBe(3);
    });

    it('migration 003 numbers existing records per zone in id order and sets next_record_num; domains get UUIDs', async () => {
      const acc = makeAccount('Before 003');
      const z1 = { domain: makeDomain(acc.id, uniqueName('old1')), records: [] as string[] };
      const z2 = { domain: makeDomain(acc.id, uniqueName('old2')), records: [] as string[] };
      const z3 = { domain: makeDomain(acc.id, uniqueName('old3')), records: [] as string[] };
      const zoneIds = [newId('zone'), newId('zone'), newId('zone')];
      // record ids in creation order; inserted in a shuffled order (the backfill sorts by id)
      z1.records = Array.from({ length: 4 }, () => newId('record'));
      z2.records = Array.from({ length: 2 }, () => newId('record'));
      const fresh = await main.openPre003(clock, async (db) => {
        await db.insertInto('accounts').values({ id: acc.id, name: acc.name, created_at: T0 }).execute();
        for (const [i, z] of [z1, z2, z3].entries()) {
          const d = z.domain;
          await db
            .insertInto('domains')
            .values({ id: d.id, account_id: acc.id, name: d.name, kind: 'external', service_status: 'active', auto_renew_enabled: 0, registrar_lock_enabled: 1, created_at: T0, updated_at: T0 })
            .execute();
          await db
            .insertInto('zones')
            .values({
              id: zoneIds[i],
              account_id: acc.id,
              domain_id: d.id,
              name: d.name,
              status: 'active',
              soa_mname: `ns1.${d.name}`,
              soa_rname: `hostmaster.${d.name}`,
              soa_serial: 1,
              soa_refresh: 7200,
              soa_retry: 3600,
              soa_expire: 1209600,
              soa_minimum: 300,
              soa_ttl: 3600,
              record_count: z.records.length,
              created_at: T0,
              updated_at: T0,
            })
            .execute();
          const order = [...z.records].reverse();
          if (order.length > 2) order.push(order.splice(1, 1)[0]!);
          for (const [j, id] of order.entries()) {
            await db
              .insertInto('records')
              .values({ id, zone_id: zoneIds[i], name: `h${j}.${d.name}`, type: 'A', ttl: 300, rdata: `192.0.2.${j + 1}`, comment: null, status: 'active', created_at: T0, updated_at: T0 })
              .execute();
          }
        }
      });
      try {
        for (const [i, z] of [z1, z2, z3].entries()) {
          const got = (await fresh.records.list(zoneIds[i]!, { limit: 100 })).map((r) => [r.id, r.num, r.weight, r.monitorType, r.monitorStatus]);
          expect(got).toEqual(z.records.map((id, j) => [id, j + 1, null, 0, 0]));
          expect((await fresh.zones.get(zoneIds[i]!))!.nextRecordNum).toBe(z.records.length + 1);
        }
        const uuids = await Promise.all([z1, z2, z3].map(async (z) => (await fresh.domains.get(z.domain.id))!.uuid));
        for (const u of uuids) expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(new Set(uuids).size).toBe(3);
        // and the migrated zone numbers on from there
        const r = makeRecord(zoneIds[0]!, `new.${z1.domain.name}`, 'A', '198.51.100.9');
        await fresh.applyZoneChange(zoneIds[0]!, async () => ({ insert: [r], update: [], delete: [], result: null }));
        expect((await fresh.records.get(zoneIds[0]!, r.id))!.num).toBe(5);
      } finally {
        await fresh.close();
      }
    });
  });
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});
