// A real zonekeeper HTTP server for tests: in-process, listening on a free loopback port, over a
// fresh SQLite file or a fresh PostgreSQL schema; plus a small fetch-based client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type SettingName } from '../../src/config/config.js';
import { coreSettings } from '../../src/cli/context.js';
import { systemClock, type Clock, type Store } from '../../src/core/ports.js';
import { createServices, type Services } from '../../src/core/services.js';
import { DataKey } from '../../src/core/crypto/data-key.js';
import type { Registry } from '../../src/core/registry/registry.port.js';
import type { CoreSettings } from '../../src/core/settings.js';
import type { Scope } from '../../src/core/model.js';
import { DnsService } from '../../src/dns/index.js';
import { probeSoa } from '../../src/dns/probe.js';
import { SystemProbes } from '../../src/monitoring/probes.js';
import type { HealthProbes } from '../../src/core/monitoring/health-monitor.js';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/storage/open-store.js';
import { dropTestSchema, randomSchemaName, TEST_DATABASE_URL } from './postgres.js';

export type Dialect = 'sqlite' | 'postgres';

export interface TestServer {
  url: string;
  dialect: Dialect;
  services: Services;
  app: FastifyInstance;
  /** The admin account and its `admin` key. */
  accountId: string;
  adminToken: string;
  /** A key of `accountId` (or another account) with these scopes/restrictions. */
  makeKey(opts: { scopes: Scope[]; accountId?: string; zones?: string[]; allowIps?: string[]; expiresInDays?: number }): Promise<string>;
  /** A second account with an admin key. */
  makeAccount(name: string): Promise<{ accountId: string; token: string }>;
  /** The in-process DNS server (engine + UDP/TCP listeners) when started with `dns: true`. */
  dns: DnsService | null;
  /** A second store on the same database, as another process would open it (caller closes it). */
  openOtherStore(): Promise<Store>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dialect?: Dialect;
  /** Settings by flag name, e.g. { 'rate-limit': 'off', 'max-records-per-zone': '10' }. */
  settings?: Partial<Record<SettingName, string>>;
  clock?: Clock;
  /**
   * Also run DNS in this process on 127.0.0.1 (a free port, UDP and TCP; `dns.port`), with API
   * writes resolving only once DNS serves them, as in `zonekeeper serve`.
   */
  dns?: boolean;
  /** The health checks (default: the system's, on --monitor-http-port). */
  probes?: HealthProbes;
  /** Registries by TLD (a test double of the Registry port, e.g. one that goes down on command). */
  registries?: (services: { store: Store; clock: Clock; settings: CoreSettings }) => ReadonlyMap<string, Registry>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dialect = opts.dialect ?? 'sqlite';
  const config = loadConfig({ 'rate-limit': 'off', 'log-level': 'silent', ...opts.settings }, {}, process.cwd());
  const clock = opts.clock ?? systemClock;
  let dir: string | undefined;
  let schema: string | undefined;
  const store =
    dialect === 'sqlite'
      ? await openStore({ dataDir: (dir = await mkdtemp(path.join(tmpdir(), 'zk-test-'))), clock, sqliteSynchronous: 'normal', sqliteCheckpoint: 'background' })
      : await openStore({ url: TEST_DATABASE_URL, pgSchema: (schema = randomSchemaName('zk_http')), clock, pgPoolSize: 40 });
  let servicesRef: Services | null = null;
  const dns = opts.dns
    ? new DnsService(store, {
        host: '127.0.0.1',
        port: 0,
        workers: 0,
        tcpIdleTimeoutMs: config.dnsTcpIdleTimeout * 1000,
        tcpMaxConnections: config.dnsTcpMaxConnections,
        aliasUpstream: null,
        redirectAddresses: config.redirectAddresses,
        pullZones: config.smart.pullZones,
        // The services exist once DNS serves zones (DNS starts with an empty store here).
        dnssec: { keys: (zoneId) => (servicesRef ? servicesRef.dnssec.signingKeys(zoneId) : Promise.resolve([])) },
        onScriptStatus: (s) => void store.scriptStatus.report(s.origin, s.name, s.key, s.error, s.at).catch(() => {}),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      })
    : null;
  await dns?.start();
  const wrapped = dns ? dns.wrap(store) : store;
  const settings = coreSettings(config);
  const registries = opts.registries?.({ store: wrapped, clock, settings });
  const services = (servicesRef = createServices(wrapped, settings, clock, { dataKey: DataKey.generate(), probes: opts.probes ?? new SystemProbes({ httpPort: config.smart.monitor.httpPort, allowPrivate: config.smart.monitor.allowPrivate }), ...(registries ? { registries } : {}) }));
  // As in `serve`: the registry's zone checks ask this process's DNS.
  if (dns) services.registry.setZoneProbe((zone) => probeSoa('127.0.0.1', dns.port, zone));
  const app = await buildApp({
    services,
    publicUrl: 'http://zonekeeper.test',
    rateLimit: config.rateLimit,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { account } = await services.accounts.ensureAdminAccount();
  const admin = await services.apiKeys.create(account.id, { name: 'test admin', scopes: ['admin'] });
  return {
    url,
    dialect,
    services,
    app,
    accountId: account.id,
    adminToken: admin.token,
    async makeKey(k) {
      const r = await services.apiKeys.create(k.accountId ?? account.id, {
        name: 'test key',
        scopes: k.scopes,
        zones: k.zones ?? null,
        allowIps: k.allowIps ?? null,
        expiresInDays: k.expiresInDays ?? null,
      });
      return r.token;
    },
    async makeAccount(name) {
      const a = await services.accounts.create(name);
      const r = await services.apiKeys.create(a.id, { name: 'admin', scopes: ['admin'] });
      return { accountId: a.id, token: r.token };
    },
    dns,
    openOtherStore() {
      return dir !== undefined ? openStore({ dataDir: dir, clock, sqliteSynchronous: 'normal' }) : openStore({ url: TEST_DATABASE_URL, pgSchema: schema!, clock });
    },
    async close() {
      await app.close();
      await dns?.close();
      await store.close();
      if (dir) await rm(dir, { recursive: true, force: true });
      if (schema) await dropTestSchema(schema);
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A tiny client: JSON in, JSON (or text) out; never throws on HTTP errors. */
export function client(baseUrl: string, token?: string) {
  return async function call<T = any>(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (token !== undefined && !('authorization' in Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])))) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(baseUrl + urlPath, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    const ct = res.headers.get('content-type') ?? '';
    if (ct.includes('json') && text !== '') parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
}
