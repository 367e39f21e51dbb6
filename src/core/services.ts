// The core services wired over one store: what the HTTP API and the CLI call.
import { AccountsService } from './accounts/accounts.service.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import type { DataKey } from './crypto/data-key.js';
import { DomainsService } from './domains/domains.service.js';
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
}

/**
 * `secrets.dataKey` seals secrets that are shown again (DynDNS tokens); without it those operations
 * answer 503 (CLI commands that never touch them open no key).
 */
export function createServices(store: Store, settings: CoreSettings, clock: Clock, secrets: { dataKey?: DataKey } = {}): Services {
  return {
    store,
    settings,
    clock,
    accounts: new AccountsService(store, clock),
    apiKeys: new ApiKeysService(store, clock),
    domains: new DomainsService(store, clock),
    zones: new ZonesService(store, settings, clock),
    records: new RecordsService(store, settings, clock),
    dyndns: new DynDnsService(store, settings, clock, secrets.dataKey ?? null),
  };
}
