// Read-your-writes for DNS: a Store whose writes resolve only once DNS serves them.
//
// The HTTP handlers and services call store.createZone / deleteZone / applyZoneChange; this
// decorator awaits `synced(entry.seq)` (DnsEngine.synced) before handing the result back. In one
// process the engine has already applied the entry synchronously in the ChangeFeed subscriber, so
// this costs one resolved await; with DNS worker processes it waits for every worker's
// acknowledgement. Nothing in core/ or http/ knows about DNS.
import type { JournalEntry } from '../core/model.js';
import type { CreateZoneInput, Store, ZoneChangeOutcome, ZoneChangePlan, ZoneChangeTx } from '../core/ports.js';

export class DnsSyncedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly synced: (seq: number) => Promise<void>,
  ) {}

  get dialect(): Store['dialect'] {
    return this.inner.dialect;
  }
  get accounts(): Store['accounts'] {
    return this.inner.accounts;
  }
  get apiKeys(): Store['apiKeys'] {
    return this.inner.apiKeys;
  }
  get domains(): Store['domains'] {
    return this.inner.domains;
  }
  get zones(): Store['zones'] {
    return this.inner.zones;
  }
  get records(): Store['records'] {
    return this.inner.records;
  }
  get journal(): Store['journal'] {
    return this.inner.journal;
  }
  get dyndns(): Store['dyndns'] {
    return this.inner.dyndns;
  }
  get meta(): Store['meta'] {
    return this.inner.meta;
  }
  get users(): Store['users'] {
    return this.inner.users;
  }
  get apiTokens(): Store['apiTokens'] {
    return this.inner.apiTokens;
  }
  get refreshTokens(): Store['refreshTokens'] {
    return this.inner.refreshTokens;
  }
  get registrar(): Store['registrar'] {
    return this.inner.registrar;
  }
  get sandbox(): Store['sandbox'] {
    return this.inner.sandbox;
  }
  get jobs(): Store['jobs'] {
    return this.inner.jobs;
  }
  get dnssecKeys(): Store['dnssecKeys'] {
    return this.inner.dnssecKeys;
  }

  get scriptStatus(): Store['scriptStatus'] {
    return this.inner.scriptStatus;
  }

  get feed(): Store['feed'] {
    return this.inner.feed;
  }

  async createZone(input: CreateZoneInput): Promise<JournalEntry> {
    const entry = await this.inner.createZone(input);
    await this.synced(entry.seq);
    return entry;
  }

  async deleteZone(zoneId: string, opts: { deleteDomain: boolean }): Promise<JournalEntry | null> {
    const entry = await this.inner.deleteZone(zoneId, opts);
    if (entry) await this.synced(entry.seq);
    return entry;
  }

  async applyZoneChange<T>(zoneId: string, plan: (tx: ZoneChangeTx) => Promise<ZoneChangePlan<T>>): Promise<ZoneChangeOutcome<T> | undefined> {
    const outcome = await this.inner.applyZoneChange(zoneId, plan);
    if (outcome?.entry) await this.synced(outcome.entry.seq);
    return outcome;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
