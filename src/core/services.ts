// The core services wired over one store: what the HTTP API and the CLI call.
import { AccountsService } from './accounts/accounts.service.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { ApiTokensService } from './auth/api-tokens.service.js';
import { SessionsService } from './auth/sessions.service.js';
import { OrgRecordsService } from './organizations/org-records.service.js';
import { UsersService } from './users/users.service.js';
import type { Registry } from './registry/registry.port.js';
import { RegistryService } from './registry/registry.service.js';
import { RedirectsService } from './redirects/redirects.service.js';
import type { DataKey } from './crypto/data-key.js';
import { DomainsService } from './domains/domains.service.js';
import { DnssecService } from './dnssec/dnssec.service.js';
import { DnssecAutoService } from './dnssec/dnssec-auto.service.js';
import { HealthMonitor, type HealthProbes } from './monitoring/health-monitor.js';
import { DynDnsService } from './dyndns/dyndns.service.js';
import type { Clock, Store } from './ports.js';
import { RecordsService } from './records/records.service.js';
import type { CoreSettings } from './settings.js';
import { ZonesService } from './zones/zones.service.js';

export interface Services {
  store: Store;
  settings: CoreSettings;
  clock: Clock;
  accounts: AccountsService;
  apiKeys: ApiKeysService;
  domains: DomainsService;
  zones: ZonesService;
  records: RecordsService;
  dyndns: DynDnsService;
  users: UsersService;
  sessions: SessionsService;
  apiTokens: ApiTokensService;
  orgRecords: OrgRecordsService;
  registry: RegistryService;
  redirects: RedirectsService;
  health: HealthMonitor;
  dnssec: DnssecService;
  dnssecAuto: DnssecAutoService;
}

/** Health checks that cannot run: for commands that never sweep (the CLI's admin commands). */
const NO_PROBES: HealthProbes = {
  ping: () => Promise.reject(new Error('health checks are not available here')),
  http: () => Promise.reject(new Error('health checks are not available here')),
};

/**
 * `secrets.dataKey` seals secrets that are shown again (DynDNS tokens); without it those operations
 * answer 503 (CLI commands that never touch them open no key).
 */
export function createServices(store: Store, settings: CoreSettings, clock: Clock, secrets: { dataKey?: DataKey; registries?: ReadonlyMap<string, Registry>; probes?: HealthProbes } = {}): Services {
  const accounts = new AccountsService(store, clock);
  const records = new RecordsService(store, settings, clock);
  const zones = new ZonesService(store, settings, clock);
  const registry = new RegistryService(store, settings, clock, zones, secrets.registries);
  const dnssec = new DnssecService(store, clock, secrets.dataKey ?? null);
  if (registry.sandbox && secrets.dataKey) registry.sandbox.signer = (zone) => dnssec.ensureSigned(zone);
  const dnssecAuto = new DnssecAutoService(store, clock, settings, registry, dnssec);
  registry.beforeNameserversLeave = (d, removeDs) => dnssecAuto.nameserversLeaving(d, removeDs);
  registry.allowDnssecAdd = (domainId) => dnssecAuto.allowsDsAdd(domainId);
  return {
    store,
    settings,
    clock,
    accounts,
    apiKeys: new ApiKeysService(store, clock),
    domains: new DomainsService(store, clock, registry),
    zones,
    records,
    dyndns: new DynDnsService(store, settings, clock, secrets.dataKey ?? null),
    users: new UsersService(store, clock, (name) => accounts.create(name)),
    sessions: new SessionsService(store, clock, settings.auth, secrets.dataKey?.deriveKey('access-token-v1') ?? null),
    apiTokens: new ApiTokensService(store, clock),
    orgRecords: new OrgRecordsService(store, records, settings.smart.pullZones),
    registry,
    redirects: new RedirectsService(store),
    dnssec,
    dnssecAuto,
    health: new HealthMonitor(store, clock, settings.smart.monitor, secrets.probes ?? NO_PROBES),
  };
}
