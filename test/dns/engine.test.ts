// The DNS engine over a real SQLite store: load at start, in-process writes applied before the
// write resolves, writes of another process (a second store on the same file) followed, journal
// gaps repaired, a consistent load while another process writes, synced() and the synced store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { coreSettings } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/config.js';
import type { JournalEntry, Zone as ZoneRow } from '../../src/core/model.js';
import { systemClock, type Store } from '../../src/core/ports.js';
import { createServices, type Services } from '../../src/core/services.js';
import { DnsEngine } from '../../src/dns/engine.js';
import { DnsSyncedStore } from '../../src/dns/synced-store.js';
import { TYPE } from '../../src/dns/wire/constants.js';
import { openStore } from '../../src/storage/open-store.js';

let dir: string;
let store: Store;
let other: Store; // "another process": a second store on the same SQLite file
let svc: Services;
let otherSvc: Services;
let accountId: string;
const engines: DnsEngine[] = [];

const settings = coreSettings(loadConfig({}, {}, process.cwd()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const zoneName = (p = 'z') => `${p}-${process.pid}-${++seq}.example.test`;

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Log lines of the engines of this test: [level, message]. */
const logged: [string, string][] = [];
const captureLogger = {
  debug: (_o: object, m?: string) => void logged.push(['debug', m ?? '']),
  info: (_o: object, m?: string) => void logged.push(['info', m ?? '']),
  warn: (_o: object, m?: string) => void logged.push(['warn', m ?? '']),
  error: (_o: object, m?: string) => void logged.push(['error', m ?? '']),
};

async function startEngine(s: Store = store): Promise<DnsEngine> {
  const e = new DnsEngine(s, { logger: captureLogger });
  engines.push(e);
  await e.start();
  return e;
}

/** The store, but the engine hears only this process's writes (its journal follower never returns). */
function inProcessOnly(s: Store): Store {
  const feed = {
    subscribe: (l: (e: JournalEntry) => void) => s.feed.subscribe(l),
    waitForNext: (_after: number, _timeout: number, signal?: AbortSignal) =>
      new Promise<JournalEntry[]>((resolve) => {
        if (signal?.aborted) return resolve([]);
        signal?.addEventListener('abort', () => resolve([]), { once: true });
      }),
  };
  return new Proxy(s, { get: (t, k) => (k === 'feed' ? feed : Reflect.get(t, k)) });
}

const hasA = (e: DnsEngine, origin: string, name: string): boolean => e.zones.get(origin)?.node(name)?.rrset(TYPE.A) !== undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zk-engine-'));
  store = await openStore({ dataDir: dir, sqliteSynchronous: 'normal' });
  other = await openStore({ dataDir: dir, sqliteSynchronous: 'normal' });
  svc = createServices(store, settings, systemClock);
  otherSvc = createServices(other, settings, systemClock);
  accountId = (await svc.accounts.ensureAdminAccount()).account.id;
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
  logged.length = 0;
});

afterAll(async () => {
  await store.close();
  await other.close();
  await rm(dir, { recursive: true, force: true });
});

async function zoneRow(name: string): Promise<ZoneRow> {
  return (await store.zones.getByName(name))!;
}

describe('DnsEngine', () => {
  it('loads every active zone at start with its records and the SOA from the zone row', async () => {
    const name = zoneName('load');
    const z = await svc.zones.create(accountId, name);
    await svc.records.create(z, { type: 'A', name: 'www', value: '192.0.2.1' } as never);
    await svc.records.create(z, { type: 'TXT', name: 'txt', value: 'hello' } as never);
    const e = await startEngine();
    const zone = e.zones.get(name)!;
    const row = await zoneRow(name);
    expect(zone).toBeDefined();
    expect(zone.serial).toBe(row.soa.serial);
    expect(zone.recordCount).toBe(row.recordCount + 1); // + SOA
    expect(hasA(e, name, `www.${name}`)).toBe(true);
    expect(e.servedSerial(name)).toBe(row.soa.serial);
  });

  it('applies an in-process write before the write resolves (read-your-writes)', async () => {
    const e = await startEngine();
    const name = zoneName('ryw');
    const z = await svc.zones.create(accountId, name);
    expect(e.zones.get(name)).toBeDefined();
    for (let i = 0; i < 20; i++) {
      await svc.records.create(z, { type: 'A', name: `h${i}`, value: `192.0.2.${i + 1}` } as never);
      expect(hasA(e, name, `h${i}.${name}`)).toBe(true);
    }
    expect(e.zones.get(name)!.serial).toBe((await zoneRow(name)).soa.serial);
    await svc.zones.delete(accountId, z.id);
    expect(e.zones.get(name)).toBeUndefined();
  });

  it('follows changes made by another process (create, update, delete)', async () => {
    const e = await startEngine();
    const name = zoneName('follow');
    const z = await otherSvc.zones.create(accountId, name);
    await until('the zone of the other process', () => e.zones.get(name) !== undefined);
    await otherSvc.records.create(z, { type: 'A', name: 'www', value: '192.0.2.7' } as never);
    await until('its record', () => hasA(e, name, `www.${name}`));
    await otherSvc.zones.importZoneFile((await other.zones.get(z.id))!, `$ORIGIN ${name}.\n@ 3600 IN NS ns1.example.net.\n@ 3600 IN NS ns2.example.net.\nmail 300 IN A 192.0.2.25\n`);
    await until('the import', () => hasA(e, name, `mail.${name}`) && !hasA(e, name, `www.${name}`));
    await otherSvc.zones.delete(accountId, z.id);
    await until('the deletion', () => e.zones.get(name) === undefined);
  });

  it('repairs a gap: an in-process entry that does not chain waits for the missing entries', async () => {
    const e = await startEngine(inProcessOnly(store));
    const name = zoneName('gap');
    const z = await svc.zones.create(accountId, name);
    expect(e.zones.get(name)).toBeDefined();
    // Another process writes (this engine does not hear of it), then this process writes on top.
    await otherSvc.records.create((await other.zones.get(z.id))!, { type: 'A', name: 'one', value: '192.0.2.1' } as never);
    expect(hasA(e, name, `one.${name}`)).toBe(false);
    await svc.records.batch((await store.zones.get(z.id))!, { posts: [{ type: 'A', name: 'two', value: '192.0.2.2' }] } as never);
    expect(logged).toContainEqual(['debug', 'dns: journal gap; repairing the zone']);
    await e.synced(await store.journal.latestSeq());
    expect(hasA(e, name, `one.${name}`)).toBe(true);
    expect(hasA(e, name, `two.${name}`)).toBe(true);
    expect(e.zones.get(name)!.serial).toBe((await zoneRow(name)).soa.serial);
    // Repaired from the journal chain: no whole-zone reload was needed.
    expect(logged.map((l) => l[1])).not.toContain('dns: zone reloaded from the store');
  });

  it('an entry of a zone it has never seen makes it read that zone from the store', async () => {
    const e = await startEngine(inProcessOnly(store));
    const name = zoneName('unknown');
    const z = await other.createZone({
      zone: { ...(await svc.zones.create(accountId, zoneName('tmp'))), id: 'zone_' + 'x'.repeat(26), name, domainId: 'dom_' + 'y'.repeat(26) },
      domain: { id: 'dom_' + 'y'.repeat(26), uuid: '00000000-0000-4000-8000-000000000001', accountId, name, kind: 'external', serviceStatus: 'active', autoRenewEnabled: false, registrarLockEnabled: false, expiresAt: null, nameservers: [], nameserversChangedAt: null, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
      records: [],
    });
    // Pretend the create entry was lost: only an update arrives.
    const row = (await other.zones.get(z.zoneId))!;
    const fake: JournalEntry = { ...z, seq: z.seq, kind: 'update', fromSerial: 1, toSerial: row.soa.serial, removed: [], added: [] };
    e.applyEntry(fake);
    await e.synced(fake.seq);
    expect(e.zones.get(name)?.serial).toBe(row.soa.serial);
    expect(logged).toContainEqual(['info', 'dns: zone reloaded from the store']);
  });

  it('loads a consistent copy while another process keeps writing to the zone', async () => {
    const name = zoneName('busy');
    const z = await svc.zones.create(accountId, name);
    for (let b = 0; b < 3; b++) {
      await svc.records.batch((await store.zones.get(z.id))!, { posts: Array.from({ length: 1000 }, (_, i) => ({ type: 'A', name: `n${b}-${i}`, value: `198.51.100.${(i % 250) + 1}` })) } as never);
    }
    let stop = false;
    const writer = (async () => {
      let i = 0;
      while (!stop) {
        const row = (await other.zones.get(z.id))!;
        await otherSvc.records.batch(row, { posts: [{ type: 'A', name: `w${i++}`, value: '203.0.113.1' }] } as never);
        await sleep(1);
      }
      return i;
    })();
    await sleep(20);
    const e = await startEngine();
    stop = true;
    const written = await writer;
    expect(written).toBeGreaterThan(0);
    await e.synced(await store.journal.latestSeq());
    await until('the engine to catch up', async () => e.servedSerial(name) === (await zoneRow(name)).soa.serial);
    const row = await zoneRow(name);
    expect(e.zones.get(name)!.recordCount).toBe(row.recordCount + 1);
    for (let i = 0; i < written; i++) expect(hasA(e, name, `w${i}.${name}`), `w${i}`).toBe(true);
  });

  it('a zone changed between reading its row and its records is corrected from the journal', async () => {
    const name = zoneName('midload');
    const z = await svc.zones.create(accountId, name);
    const rec = await svc.records.create(z, { type: 'A', name: 'old', value: '192.0.2.1' } as never);
    let fired = false;
    const records = {
      ...store.records,
      iterate: async function* (zoneId: string, batch?: number) {
        for await (const b of store.records.iterate(zoneId, batch)) {
          if (zoneId === z.id && !fired) {
            fired = true;
            // Another process changes the zone after the row (serial) was read, before these
            // records are used: the copy must end up exactly at the new state.
            const row = (await other.zones.get(z.id))!;
            await otherSvc.records.batch(row, { deletes: [rec.id], posts: [{ type: 'A', name: 'new', value: '192.0.2.2' }] } as never);
          }
          yield b;
        }
      },
    };
    const e = await startEngine(inProcessOnly(new Proxy(store, { get: (t, k) => (k === 'records' ? records : Reflect.get(t, k)) })));
    expect(fired).toBe(true);
    expect(logged).toContainEqual(['debug', 'dns: zone changed while being read; journal entries applied to the copy']);
    expect(hasA(e, name, `new.${name}`)).toBe(true);
    expect(hasA(e, name, `old.${name}`)).toBe(false);
    expect(e.servedSerial(name)).toBe((await zoneRow(name)).soa.serial);
  });

  it('scanRRs: a zone changed between reading its row and its RRs is corrected from the journal', async () => {
    const name = zoneName('midscan');
    const z = await svc.zones.create(accountId, name);
    const rec = await svc.records.create(z, { type: 'A', name: 'old', value: '192.0.2.1' } as never);
    await svc.records.create(z, { type: 'A', name: 'off', value: '192.0.2.9', status: 'disabled' } as never).catch(() => undefined);
    let fired = false;
    const base = store.records;
    const records = {
      get: base.get.bind(base),
      list: base.list.bind(base),
      iterate: () => {
        throw new Error('iterate must not be used when scanRRs exists');
      },
      scanRRs: async function* (zoneId: string, batch?: number) {
        for await (const b of base.scanRRs!(zoneId, batch)) {
          if (zoneId === z.id && !fired) {
            fired = true;
            const row = (await other.zones.get(z.id))!;
            await otherSvc.records.batch(row, { deletes: [rec.id], posts: [{ type: 'A', name: 'new', value: '192.0.2.2' }] } as never);
          }
          yield b;
        }
      },
    };
    const e = await startEngine(inProcessOnly(new Proxy(store, { get: (t, k) => (k === 'records' ? records : Reflect.get(t, k)) })));
    expect(fired).toBe(true);
    expect(logged).toContainEqual(['debug', 'dns: zone changed while being read; journal entries applied to the copy']);
    expect(hasA(e, name, `new.${name}`)).toBe(true);
    expect(hasA(e, name, `old.${name}`)).toBe(false);
    expect(e.servedSerial(name)).toBe((await zoneRow(name)).soa.serial);
    expect(e.zones.get(name)!.serial).toBe((await zoneRow(name)).soa.serial);
  });

  it('DnsSyncedStore: writes resolve after synced(seq)', async () => {
    const e = await startEngine();
    const calls: number[] = [];
    const wrapped = new DnsSyncedStore(store, async (s) => {
      calls.push(s);
      await e.synced(s);
    });
    const s2 = createServices(wrapped, settings, systemClock);
    const name = zoneName('wrapped');
    const z = await s2.zones.create(accountId, name);
    await s2.records.create(z, { type: 'A', name: 'www', value: '192.0.2.9' } as never);
    await s2.zones.delete(accountId, z.id);
    expect(calls).toHaveLength(3);
    expect(calls).toEqual([...calls].sort((a, b) => a - b));
    expect(e.zones.get(name)).toBeUndefined();
  });

  it('stop() ends following; start twice is refused', async () => {
    const e = await startEngine();
    await expect(e.start()).rejects.toThrow(/already started/);
    await e.stop();
    const name = zoneName('after-stop');
    await otherSvc.zones.create(accountId, name);
    await sleep(400);
    expect(e.zones.get(name)).toBeUndefined();
    await e.synced(Number.MAX_SAFE_INTEGER); // never hangs once stopped
  });
});
