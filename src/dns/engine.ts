// Keeps the served zones equal to the store (docs/dns.md "dns/engine.ts"): loads every active zone
// at start, applies journal entries from this process (ChangeFeed.subscribe, synchronously after
// COMMIT) and from other processes (ChangeFeed.waitForNext), and repairs a zone from the store when
// its entries do not chain.
//
// Where the zones go is a `ZoneSink`: by default the engine's own ZoneSet (DNS answered in this
// process); with DNS worker processes, the primary's sink forwards to the workers instead
// (server/workers.ts). `synced(seq)` resolves once an entry is served by every DNS process; the
// write path awaits it (synced-store.ts), which is what makes reads-your-writes hold.
import { isJournaledType } from '../core/records/record-types.js';
import type { DnsRecord, JournalEntry, RR, Zone as ZoneRow } from '../core/model.js';
import type { Store } from '../core/ports.js';
import type { PullZoneEdges } from '../core/settings.js';
import { soaRR } from '../core/soa.js';
import { toRR } from '../core/records/record-rr.js';
import { SigningSink, type DnssecKeySource } from './dnssec/signing-sink.js';
import { OnlineSigner } from './dnssec/online-signer.js';
import type { SigningKey } from '../core/dnssec/keys.js';
import { errorText, type DnsLogger } from './server/types.js';
import { Zone } from './zone/zone.js';
import { ZoneSet } from './zone/zone-set.js';

/** Where the engine's view of the zones goes. Implementations never throw. */
export interface ZoneSink {
  /** Serve exactly these RRs (the SOA among them) for `origin` from now on. */
  replace(origin: string, rrs: readonly RR[], serial: number): void;
  /** Apply one change (removed first, then added) to the zone of `origin`. */
  apply(origin: string, removed: readonly RR[], added: readonly RR[], toSerial: number): void;
  /** Stop serving `origin`. */
  remove(origin: string): void;
  /** Resolves once everything given to the sink so far is served (other processes acknowledged). */
  settled?(): Promise<void>;
  /**
   * Optional: serve this zone, built by the engine (`replace` with the zone's RRs otherwise). A sink
   * that has it gets whole-zone loads this way: the engine builds the zone batch by batch as the
   * records stream from the store, and never holds an array of every RR.
   */
  replaceZone?(zone: Zone): void;
  /** Optional: the keys to sign per-query answers of `origin` with (null: none), after it is loaded signed. */
  setSigner?(origin: string, keys: readonly SigningKey[] | null): void;
}

/** RR identity as zones see it: owner, type and RDATA (a TTL change is a remove plus an add). */
export function rrKey(rr: RR): string {
  return `${rr.name}\u0000${rr.type}\u0000${rr.rdata}`;
}

/**
 * Builds a Zone; when the whole set does not load (a record the wire layer refuses), loads the SOA
 * and then each record on its own, leaving out (and reporting) the ones that fail.
 */
export function buildZone(origin: string, rrs: readonly RR[], logger: DnsLogger): Zone {
  try {
    return Zone.fromRRs(origin, rrs);
  } catch (err) {
    const soa = rrs.filter((rr) => rr.type === 'SOA' && rr.name === origin);
    const zone = Zone.fromRRs(origin, soa.slice(0, 1)); // no usable SOA: nothing to serve (throws)
    let refused = 0;
    for (const rr of rrs) {
      if (rr.type === 'SOA') continue;
      try {
        zone.apply([], [rr], zone.serial);
      } catch (e) {
        refused++;
        if (refused <= 5) logger.error({ zone: origin, rr, err: errorText(e) }, 'dns: record cannot be served; left out');
      }
    }
    logger.error({ zone: origin, refused, err: errorText(err) }, 'dns: zone loaded without the records it cannot serve');
    return zone;
  }
}

/** Applies changes to the engine's own ZoneSet (DNS answered in this process, or in a worker). */
export class LocalZoneSink implements ZoneSink {
  constructor(
    readonly zones: ZoneSet,
    private readonly logger: DnsLogger,
  ) {}

  replaceZone(zone: Zone): void {
    this.zones.set(zone);
  }

  setSigner(origin: string, keys: readonly SigningKey[] | null): void {
    const zone = this.zones.get(origin);
    if (zone === undefined) return;
    zone.signer = keys === null || keys.length === 0 ? null : new OnlineSigner(keys, zone.originWire);
    this.zones.touched();
  }

  replace(origin: string, rrs: readonly RR[], _serial: number): void {
    try {
      this.zones.set(buildZone(origin, rrs, this.logger));
    } catch (err) {
      // Without a usable SOA nothing can be served; keep what was there (if anything).
      this.logger.error({ zone: origin, err: errorText(err) }, 'dns: zone cannot be loaded');
    }
  }

  apply(origin: string, removed: readonly RR[], added: readonly RR[], toSerial: number): void {
    const zone = this.zones.get(origin);
    if (zone === undefined) return;
    try {
      zone.apply(removed, added, toSerial);
    } catch (err) {
      // zone.apply validates everything first and changes nothing on error: apply RR by RR.
      this.logger.error({ zone: origin, err: errorText(err) }, 'dns: change contains a record that cannot be served; applying the rest');
      for (const rr of removed) this.#tryApply(zone, [rr], [], zone.serial);
      for (const rr of added) this.#tryApply(zone, [], [rr], zone.serial);
      zone.serial = toSerial >>> 0;
    }
    this.zones.touched();
  }

  #tryApply(zone: Zone, removed: RR[], added: RR[], serial: number): void {
    try {
      zone.apply(removed, added, serial);
    } catch {
      // reported above
    }
  }

  remove(origin: string): void {
    this.zones.delete(origin);
  }
}

export interface DnsEngineOptions {
  logger: DnsLogger;
  /** Default: a LocalZoneSink over `engine.zones`. */
  sink?: ZoneSink;
  /** Long-poll length of the follow loop (default 30 s). */
  followTimeoutMs?: number;
  /**
   * Least time between two journal reads of the follow loop (default 100 ms). Every in-process
   * write wakes the follower although the subscriber has applied it already; this bounds that
   * wasted read to a few per second instead of one per write.
   */
  followIntervalMs?: number;
  /** How long synced() waits for an entry before giving up with a warning (default 10 s). */
  syncTimeoutMs?: number;
  /** What Redirect and PullZone records answer (default: nothing). */
  smartTargets?: SmartRecordTargets;
  /** Signing keys of zones: zones with active keys are served signed (docs/dnssec.md). */
  dnssec?: DnssecKeySource;
}

/** How often signed zones are checked for signatures due to be refreshed. */
const RESIGN_CHECK_MS = 3_600_000;

/** True when a journal entry changes the apex DNSKEY set (keys added, rolled or removed). */
function touchesKeys(e: JournalEntry): boolean {
  const isKey = (r: RR): boolean => r.type === 'DNSKEY' && r.name === e.zoneName;
  return e.removed.some(isKey) || e.added.some(isKey);
}

/** What smart records become in DNS (docs/smart-records.md): the redirect service and the pull zones. */
export interface SmartRecordTargets {
  /** The redirect service's addresses: a Redirect record's name answers with them (none: no answer). */
  redirectAddresses: readonly string[];
  /** Pull zone name (lowercase) → its edges: one host name (answered like Flatten) or addresses. */
  pullZones: ReadonlyMap<string, PullZoneEdges>;
}

export const NO_SMART_TARGETS: SmartRecordTargets = { redirectAddresses: [], pullZones: new Map() };

function addressRRs(name: string, ttl: number, addresses: readonly string[], out: RR[]): void {
  for (const a of addresses) out.push({ name, type: a.includes(':') ? 'AAAA' : 'A', ttl, rdata: a });
}

/**
 * Redirect and PullZone records as DNS sees them, mapped where RRs enter the engine (zone loads,
 * journal entries), so new settings apply at the next start: a Redirect becomes A/AAAA records of
 * the redirect service's addresses, a PullZone an ALIAS to its edge host name or A/AAAA records of
 * its edge addresses, all with the record's TTL. An unknown pull zone answers nothing. Script
 * records pass as they are (the zone answers them by running the script).
 */
export function mapSmartRecords(rrs: readonly RR[], targets: SmartRecordTargets): readonly RR[] {
  let any = false;
  for (let i = 0; i < rrs.length; i++) {
    const t = rrs[i]!.type;
    if (t === 'REDIRECT' || t === 'PULLZONE') {
      any = true;
      break;
    }
  }
  if (!any) return rrs;
  const out: RR[] = [];
  for (const r of rrs) {
    if (r.type === 'REDIRECT') addressRRs(r.name, r.ttl, targets.redirectAddresses, out);
    else if (r.type === 'PULLZONE') {
      const edges = targets.pullZones.get(r.rdata.toLowerCase());
      if (edges === undefined) continue;
      if ('host' in edges) out.push({ name: r.name, type: 'ALIAS', ttl: r.ttl, rdata: edges.host });
      else addressRRs(r.name, r.ttl, edges.addresses, out);
    } else out.push(r);
  }
  return out;
}

/** A sink that maps Redirect and PullZone records before they reach the zones (see mapSmartRecords). */
class SmartRecordSink implements ZoneSink {
  constructor(
    private readonly inner: ZoneSink,
    private readonly targets: SmartRecordTargets,
  ) {
    if (inner.settled) this.settled = () => inner.settled!();
    if (inner.replaceZone) this.replaceZone = (zone: Zone) => inner.replaceZone!(zone); // built from mapped batches
  }

  settled?: () => Promise<void>;
  replaceZone?: (zone: Zone) => void;

  replace(origin: string, rrs: readonly RR[], serial: number): void {
    this.inner.replace(origin, mapSmartRecords(rrs, this.targets), serial);
  }

  apply(origin: string, removed: readonly RR[], added: readonly RR[], toSerial: number): void {
    this.inner.apply(origin, mapSmartRecords(removed, this.targets), mapSmartRecords(added, this.targets), toSerial);
  }

  remove(origin: string): void {
    this.inner.remove(origin);
  }
}

/** What the engine knows of one origin: the zone incarnation served (null: none) and how far it is. */
interface ZoneState {
  zoneId: string | null;
  serial: number;
  /** Journal entries of this origin with seq <= this are reflected. */
  seq: number;
}

interface LoadedZone {
  /** The zone built while reading (sinks with replaceZone), or its RRs. */
  zone: Zone | null;
  rrs: RR[];
  /** Number of RRs (SOA included). */
  count: number;
  serial: number;
  seq: number;
  /** Active signing keys ([]: unsigned). */
  keys: readonly SigningKey[];
}

/**
 * Builds a zone RR by RR as batches arrive; an RR the zone refuses is left out and reported (the
 * first five, then a count), like buildZone does for a whole set.
 */
class ZoneLoader {
  readonly zone: Zone;
  count = 0;
  refused = 0;

  constructor(
    readonly origin: string,
    soa: RR,
    private readonly logger: DnsLogger,
  ) {
    this.zone = Zone.loading(origin);
    this.zone.load(soa); // no usable SOA: nothing to serve (throws)
    this.count = 1;
  }

  add(rrs: readonly RR[]): void {
    const zone = this.zone;
    for (let i = 0; i < rrs.length; i++) {
      const rr = rrs[i]!;
      try {
        if (rr.type === 'SOA') throw new Error('an SOA record besides the zone SOA');
        zone.load(rr);
        this.count++;
      } catch (e) {
        this.refused++;
        if (this.refused <= 5) this.logger.error({ zone: this.origin, rr, err: errorText(e) }, 'dns: record cannot be served; left out');
      }
    }
  }

  finish(): Zone {
    this.zone.sealLoad();
    if (this.refused > 0) {
      this.logger.error({ zone: this.origin, refused: this.refused }, 'dns: zone loaded without the records it cannot serve');
    }
    return this.zone;
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** RFC 1982: a is greater than b. */
export function serialGreater(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}

export class DnsEngine {
  /** The zones answered in this process (empty when a custom sink sends them elsewhere). */
  readonly zones = new ZoneSet();
  readonly #sink: ZoneSink;
  readonly #smart: SmartRecordTargets;
  readonly #signing: SigningSink | null;
  #resignTimer: NodeJS.Timeout | null = null;
  readonly #logger: DnsLogger;
  readonly #states = new Map<string, ZoneState>();
  /** Origins being reloaded: entries that arrive meanwhile wait here. */
  readonly #busy = new Map<string, JournalEntry[]>();
  readonly #reloads = new Set<Promise<void>>();
  /** Seqs of entries waiting in #busy. */
  readonly #pendingSeqs = new Set<number>();
  #maxSeen = 0;
  #cursor = 0;
  #waiters: { seq: number; resolve: () => void }[] = [];
  #unsubscribe: (() => void) | null = null;
  #follow: Promise<void> | null = null;
  readonly #abort = new AbortController();
  #started = false;
  #stopped = false;

  constructor(
    private readonly store: Store,
    private readonly opts: DnsEngineOptions,
  ) {
    this.#logger = opts.logger;
    this.#smart = opts.smartTargets ?? NO_SMART_TARGETS;
    const inner = opts.sink ?? new LocalZoneSink(this.zones, opts.logger);
    this.#signing = opts.dnssec ? new SigningSink(inner, opts.logger) : null;
    this.#sink = new SmartRecordSink(this.#signing ?? inner, this.#smart);
  }

  /** Zones served now. */
  get zoneCount(): number {
    let n = 0;
    for (const s of this.#states.values()) if (s.zoneId !== null) n++;
    return n;
  }

  /** The serial served for an origin, or undefined. */
  servedSerial(origin: string): number | undefined {
    const s = this.#states.get(origin);
    return s && s.zoneId !== null ? s.serial : undefined;
  }

  /**
   * Loads every active zone (yielding to the event loop between zones and record batches),
   * catches up with the journal, then follows it. Resolves once the zones are current.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('DnsEngine already started');
    this.#started = true;
    const t0 = performance.now();
    const { journal } = this.store;
    const startSeq = await journal.latestSeq();
    this.#cursor = startSeq;
    this.#maxSeen = startSeq;
    const rows = await this.store.zones.listAll();
    let loaded = 0;
    let records = 0;
    let failed = 0;
    // While nothing has been committed since startSeq, the rows of listAll are current.
    let seq = startSeq;
    for (const row of rows) {
      if (this.#stopped) return;
      if (row.status !== 'active') continue;
      const origin = row.name;
      try {
        const z = await this.#readZone(row.id, seq === startSeq ? { row, seq } : undefined);
        seq = z.seq;
        if (!('gone' in z)) {
          this.#serve(origin, z);
          this.#states.set(origin, { zoneId: row.id, serial: z.serial, seq: z.seq });
          loaded++;
          records += z.count;
        }
      } catch (err) {
        failed++;
        seq = -1;
        this.#logger.error({ zone: origin, err: errorText(err) }, 'dns: zone could not be loaded at start; will retry on its next change');
      }
      await yieldToEventLoop();
    }
    this.#unsubscribe = this.store.feed.subscribe((entry) => {
      try {
        this.applyEntry(entry);
        if (entry.seq === this.#cursor + 1) this.#cursor = entry.seq;
      } catch (err) {
        this.#logger.error({ seq: entry.seq, err: errorText(err) }, 'dns: journal entry could not be applied');
      }
    });
    // Catch up before answering: whatever was committed while loading.
    for (;;) {
      const entries = await journal.readAfter(this.#cursor, 1000);
      if (entries.length === 0) break;
      this.#handleBatch(entries);
      await yieldToEventLoop();
    }
    await Promise.all([...this.#reloads]);
    this.#follow = this.#followLoop();
    if (this.#signing) {
      const signing = this.#signing;
      this.#resignTimer = setInterval(() => {
        const n = signing.refresh();
        if (n > 0) this.#logger.info({ zones: n }, 'dnssec: signatures refreshed');
      }, RESIGN_CHECK_MS);
      this.#resignTimer.unref();
    }
    this.#logger.info(
      { zones: loaded, records, failed, ms: Math.round(performance.now() - t0), seq: this.#cursor },
      `dns: loaded ${loaded} zones (${records} records) in ${Math.round(performance.now() - t0)} ms`,
    );
  }

  /** Stops following the journal; zones stay as they are. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#resignTimer) clearInterval(this.#resignTimer);
    this.#abort.abort();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#follow;
    await Promise.all([...this.#reloads]);
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  /**
   * Applies one journal entry: skipped when already reflected, applied when it continues the zone's
   * serial, otherwise the zone is repaired from the store (the entry then waits for that).
   */
  applyEntry(entry: JournalEntry): void {
    this.#handle(entry);
    this.#notify();
  }

  /**
   * Resolves once entry `seq` is served by every DNS process (applied or found already reflected).
   * Never rejects; gives up with a warning after syncTimeoutMs.
   */
  async synced(seq: number): Promise<void> {
    if (!this.#isProcessed(seq) && !this.#stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
          this.#logger.warn({ seq }, 'dns: a write was not applied to DNS in time; answering the API request anyway');
          resolve();
        }, this.opts.syncTimeoutMs ?? 10_000);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.#waiters.push({ seq, resolve: done });
      });
    }
    await this.#sink.settled?.();
  }

  #isProcessed(seq: number): boolean {
    return seq <= this.#maxSeen && !this.#pendingSeqs.has(seq);
  }

  #notify(): void {
    if (this.#waiters.length === 0) return;
    const still: { seq: number; resolve: () => void }[] = [];
    for (const w of this.#waiters) {
      if (this.#isProcessed(w.seq)) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  #handleBatch(entries: readonly JournalEntry[]): void {
    for (const e of entries) {
      try {
        this.#handle(e);
      } catch (err) {
        this.#logger.error({ seq: e.seq, err: errorText(err) }, 'dns: journal entry could not be applied');
      }
      if (e.seq > this.#cursor) this.#cursor = e.seq;
    }
    this.#notify();
  }

  #handle(e: JournalEntry): void {
    if (e.seq > this.#maxSeen) this.#maxSeen = e.seq;
    const origin = e.zoneName;
    const queue = this.#busy.get(origin);
    if (queue !== undefined) {
      queue.push(e);
      this.#pendingSeqs.add(e.seq);
      return;
    }
    const st = this.#states.get(origin);
    if (st !== undefined && e.seq <= st.seq) return;
    switch (e.kind) {
      case 'create':
        if (st !== undefined && st.zoneId === e.zoneId && !serialGreater(e.toSerial, st.serial)) {
          st.seq = e.seq;
          return;
        }
        this.#signing?.setKeys(origin, []); // a new zone has no keys yet
        this.#sink.replace(origin, e.added, e.toSerial);
        this.#states.set(origin, { zoneId: e.zoneId, serial: e.toSerial, seq: e.seq });
        return;
      case 'delete':
        if (st === undefined) {
          this.#states.set(origin, { zoneId: null, serial: 0, seq: e.seq });
        } else if (st.zoneId === e.zoneId) {
          this.#sink.remove(origin);
          this.#states.set(origin, { zoneId: null, serial: 0, seq: e.seq });
        }
        // else: the delete of an incarnation that is not the one served; nothing to do.
        return;
      case 'update':
        if (st === undefined || st.zoneId !== e.zoneId) {
          // A zone this engine does not serve (yet): whatever the store has now.
          this.#reload(origin, e.zoneId, e);
          return;
        }
        if (this.#signing && touchesKeys(e)) {
          // New, rolled or removed keys: read the keys and the zone again, and sign it whole.
          this.#reload(origin, e.zoneId, e, true);
          return;
        }
        if (e.fromSerial === st.serial) {
          this.#sink.apply(origin, e.removed, e.added, e.toSerial);
          st.serial = e.toSerial;
          st.seq = e.seq;
        } else if (!serialGreater(e.toSerial, st.serial)) {
          st.seq = Math.max(st.seq, e.seq); // already reflected
        } else {
          this.#logger.debug({ zone: origin, serial: st.serial, fromSerial: e.fromSerial, seq: e.seq }, 'dns: journal gap; repairing the zone');
          this.#reload(origin, e.zoneId, e);
        }
        return;
    }
  }

  /** Repairs one origin from the store; entries for it wait until that is done. */
  #reload(origin: string, zoneId: string, waiting: JournalEntry, full = false): void {
    this.#busy.set(origin, [waiting]);
    this.#pendingSeqs.add(waiting.seq);
    let reflected = 0;
    const p = this.#repair(origin, zoneId, full)
      .then((seq) => {
        reflected = seq;
      })
      .finally(() => {
        this.#reloads.delete(p);
        const queued = this.#busy.get(origin) ?? [];
        this.#busy.delete(origin);
        for (const e of queued) this.#pendingSeqs.delete(e.seq);
        for (const e of queued) {
          // Entries of this zone up to `reflected` are in the copy just read (or the zone is gone).
          if (e.zoneId === zoneId && e.seq <= reflected) continue;
          try {
            this.#handle(e);
          } catch (err) {
            this.#logger.error({ seq: e.seq, err: errorText(err) }, 'dns: journal entry could not be applied');
          }
        }
        this.#notify();
      });
    this.#reloads.add(p);
  }

  /**
   * Brings one zone up to the store: the missing journal entries when they chain from the served
   * serial, else a fresh copy (or its removal when it is gone). Returns the seq up to which this
   * zone's entries are now reflected. Retries with backoff while the store fails.
   */
  async #repair(origin: string, zoneId: string, full = false): Promise<number> {
    let delay = 200;
    while (!this.#stopped) {
      try {
        const st = this.#states.get(origin);
        // Cheap path: the missing entries are still in the journal (not for new keys: those need a whole load).
        if (!full && st !== undefined && st.zoneId === zoneId) {
          const chain = await this.store.journal.readZoneSince(zoneId, st.serial);
          // (A chain that changes the keys needs a whole load with them, below.)
          if (chain !== null && !(this.#signing && chain.some(touchesKeys)) && chain.every((e, i) => e.fromSerial === (i === 0 ? st.serial : chain[i - 1]!.toSerial))) {
            for (const e of chain) {
              this.#sink.apply(origin, e.removed, e.added, e.toSerial);
              st.serial = e.toSerial;
              st.seq = Math.max(st.seq, e.seq);
            }
            return st.seq;
          }
        }
        const z = await this.#readZone(zoneId);
        const current = this.#states.get(origin);
        if ('gone' in z) {
          // Gone (or not active): stop serving it if it is the incarnation served.
          if (current === undefined) this.#states.set(origin, { zoneId: null, serial: 0, seq: z.seq });
          else if (current.zoneId === zoneId) {
            this.#sink.remove(origin);
            this.#states.set(origin, { zoneId: null, serial: 0, seq: Math.max(current.seq, z.seq) });
          }
          return z.seq;
        }
        this.#serve(origin, z);
        this.#states.set(origin, { zoneId, serial: z.serial, seq: Math.max(current?.seq ?? 0, z.seq) });
        this.#logger.info({ zone: origin, serial: z.serial, records: z.count }, 'dns: zone reloaded from the store');
        return z.seq;
      } catch (err) {
        if (this.#stopped) break;
        this.#logger.warn({ zone: origin, err: errorText(err), retryMs: delay }, 'dns: zone reload failed; retrying');
        await this.#sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
    return Number.MAX_SAFE_INTEGER;
  }

  #serve(origin: string, z: LoadedZone): void {
    this.#signing?.setKeys(origin, z.keys);
    if (z.zone !== null && this.#sink.replaceZone) this.#sink.replaceZone(z.zone);
    else this.#sink.replace(origin, z.rrs, z.serial);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#abort.signal;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * A consistent copy of one zone from the store, or `{ gone }` when it does not exist or is not
   * active. The zone row is read first, its records (in batches) next; if anything was committed
   * meanwhile, the journal entries since the row's serial are applied to the copy (they may be
   * partly reflected in the records already: RRs are a set, so re-applying is harmless).
   * `seq`: this zone's entries up to it are reflected. `hint`: a row current as of seq `hint.seq`.
   */
  async #readZone(zoneId: string, hint?: { row: ZoneRow; seq: number }): Promise<LoadedZone | { gone: true; seq: number }> {
    const { journal } = this.store;
    for (let attempt = 0; attempt < 5; attempt++) {
      let row: ZoneRow | undefined;
      let before: number;
      if (hint !== undefined && attempt === 0) {
        row = hint.row;
        before = hint.seq;
      } else {
        before = await journal.latestSeq();
        row = await this.store.zones.get(zoneId);
      }
      if (row === undefined || row.status !== 'active') return { gone: true, seq: before };
      const soa = soaRR(row.name, row.soa);
      const keys = this.opts.dnssec ? await this.opts.dnssec.keys(zoneId) : [];
      // Sinks that take a built zone get it built batch by batch (no array of every RR); a signed
      // zone goes through the signing sink as RRs.
      let loader: ZoneLoader | null = null;
      if (this.#sink.replaceZone && keys.length === 0) {
        try {
          loader = new ZoneLoader(row.name, soa, this.#logger);
        } catch {
          loader = null; // replace() below reports it and keeps what was served
        }
      }
      const rrs: RR[] = loader === null ? [soa] : [];
      const { records } = this.store;
      if (records.scanRRs) {
        for await (const batch of records.scanRRs(zoneId)) {
          // The loader builds the zone itself: smart records are mapped here (the sink maps `rrs`).
          if (loader !== null) loader.add(mapSmartRecords(batch, this.#smart) as RR[]);
          else for (const rr of batch) rrs.push(rr);
          await yieldToEventLoop();
        }
      } else {
        for await (const batch of records.iterate(zoneId)) {
          const active = activeRRs(batch);
          if (loader !== null) loader.add(mapSmartRecords(active, this.#smart) as RR[]);
          else for (const rr of active) rrs.push(rr);
          await yieldToEventLoop();
        }
      }
      const after = await journal.latestSeq();
      const chain = after === before ? [] : await journal.readZoneSince(zoneId, row.soa.serial);
      if (chain === null) continue; // deleted meanwhile, or history gone: read again
      // Keys changed while reading (they were read first): read again, so zone and keys match.
      if (this.opts.dnssec && chain.some(touchesKeys)) {
        const now = await this.opts.dnssec.keys(zoneId);
        if (now.map((k) => k.keyTag).join() !== keys.map((k) => k.keyTag).join()) continue;
      }
      const last = chain.length > 0 ? chain[chain.length - 1]! : undefined;
      if (last !== undefined) {
        this.#logger.debug({ zone: row.name, entries: chain.length, serial: last.toSerial }, 'dns: zone changed while being read; journal entries applied to the copy');
      }
      const serial = last?.toSerial ?? row.soa.serial;
      const seq = last !== undefined ? Math.max(after, last.seq) : after;
      if (loader !== null) {
        const zone = loader.finish();
        // The entries may be partly reflected in the records already; Zone.apply ignores removing
        // what is absent and adding what is present, so re-applying is harmless.
        for (const e of chain) applyToZone(zone, { ...e, removed: [...mapSmartRecords(e.removed, this.#smart)], added: [...mapSmartRecords(e.added, this.#smart)] }, this.#logger);
        zone.serial = serial >>> 0;
        return { zone, rrs: [], count: zone.recordCount, serial, seq, keys };
      }
      if (chain.length === 0) return { zone: null, rrs, count: rrs.length, serial, seq, keys };
      const set = new Map<string, RR>();
      for (const rr of rrs) set.set(rrKey(rr), rr);
      for (const e of chain) {
        for (const rr of e.removed) set.delete(rrKey(rr));
        for (const rr of e.added) set.set(rrKey(rr), rr);
      }
      const out = [...set.values()];
      return { zone: null, rrs: out, count: out.length, serial, seq, keys };
    }
    throw new Error('the zone changed during every read; giving up for now');
  }

  #followLoop(): Promise<void> {
    return (async () => {
      let delay = 500;
      while (!this.#stopped) {
        try {
          const entries = await this.store.feed.waitForNext(this.#cursor, this.opts.followTimeoutMs ?? 30_000, this.#abort.signal);
          if (this.#stopped) return;
          if (entries.length > 0) this.#handleBatch(entries);
          delay = 500;
          await this.#sleep(this.opts.followIntervalMs ?? 100);
        } catch (err) {
          if (this.#stopped) return;
          this.#logger.warn({ err: errorText(err), retryMs: delay }, 'dns: reading the journal failed; retrying');
          await this.#sleep(delay);
          delay = Math.min(delay * 2, 30_000);
        }
      }
    })();
  }
}

function activeRRs(records: readonly DnsRecord[]): RR[] {
  const out: RR[] = [];
  for (const r of records) if (r.status === 'active' && isJournaledType(r.type)) out.push(toRR(r));
  return out;
}

/** One journal entry applied to a zone being loaded; RRs it cannot serve are left out. */
function applyToZone(zone: Zone, e: JournalEntry, logger: DnsLogger): void {
  try {
    zone.apply(e.removed, e.added, e.toSerial);
  } catch (err) {
    logger.error({ zone: zone.origin, err: errorText(err) }, 'dns: change contains a record that cannot be served; applying the rest');
    for (const rr of e.removed) {
      try {
        zone.apply([rr], [], zone.serial);
      } catch {
        // reported above
      }
    }
    for (const rr of e.added) {
      try {
        zone.apply([], [rr], zone.serial);
      } catch {
        // reported above
      }
    }
  }
}
