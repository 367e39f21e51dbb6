// Group commit for DynDNS updates: the updates of one zone that arrive together (in the same turn of
// the event loop) are written in ONE zone change — one transaction, one serial bump, one journal
// entry, one DNS apply — instead of one each. Every update still gets its own outcome, log row and
// counters. If the combined change fails (one host name cannot take its record), each update of
// that batch is retried on its own, so one bad update never fails the others.
//
// Why at all: on SQLite a request runs from parsing to commit without yielding to other sockets,
// so without the deferral below there would be nothing to group; with it, the requests parsed in
// one poll phase of the event loop are committed together in the check phase right after it
// (setImmediate), which adds no waiting of its own. Measured in docs/benchmarks.md (bench/dyndns).

/** Updates of distinct host names per combined change (a host name twice waits for the next one). */
export const MAX_BATCH = 64;

export interface BatchItem<R> {
  /** The host name the update writes (distinct within a batch). */
  name: string;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export type ApplyBatch<I, R> = (zoneId: string, items: I[]) => Promise<R[]>;

export class ZoneUpdateBatcher<I extends { name: string }, R> {
  readonly #queues = new Map<string, (BatchItem<R> & { item: I })[]>();
  readonly #running = new Set<string>();

  constructor(
    /** Applies a batch as one change; resolves with one result per item, in order. */
    private readonly applyBatch: ApplyBatch<I, R>,
    /** Applies one update on its own (after its batch failed). */
    private readonly applyOne: (zoneId: string, item: I) => Promise<R>,
  ) {}

  submit(zoneId: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let q = this.#queues.get(zoneId);
      if (!q) this.#queues.set(zoneId, (q = []));
      q.push({ name: item.name, item, resolve, reject });
      if (!this.#running.has(zoneId)) {
        this.#running.add(zoneId);
        setImmediate(() => void this.#drain(zoneId));
      }
    });
  }

  async #drain(zoneId: string): Promise<void> {
    try {
      for (;;) {
        const batch = this.#take(zoneId);
        if (batch.length === 0) break;
        await this.#run(zoneId, batch);
      }
    } finally {
      this.#running.delete(zoneId);
      // An item queued between the last take and here starts its own drain.
      if ((this.#queues.get(zoneId)?.length ?? 0) > 0) {
        this.#running.add(zoneId);
        setImmediate(() => void this.#drain(zoneId));
      } else {
        this.#queues.delete(zoneId);
      }
    }
  }

  /** Up to MAX_BATCH queued items with distinct host names, in arrival order. */
  #take(zoneId: string): (BatchItem<R> & { item: I })[] {
    const q = this.#queues.get(zoneId);
    if (!q || q.length === 0) return [];
    const names = new Set<string>();
    const batch: (BatchItem<R> & { item: I })[] = [];
    const rest: (BatchItem<R> & { item: I })[] = [];
    for (const x of q) {
      if (batch.length < MAX_BATCH && !names.has(x.name)) {
        names.add(x.name);
        batch.push(x);
      } else rest.push(x);
    }
    this.#queues.set(zoneId, rest);
    return batch;
  }

  async #run(zoneId: string, batch: (BatchItem<R> & { item: I })[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await this.applyBatch(zoneId, batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
        return;
      } catch {
        // One of them cannot be written: each on its own below, so the others still succeed.
      }
    }
    for (const b of batch) {
      try {
        b.resolve(await this.applyOne(zoneId, b.item));
      } catch (err) {
        b.reject(err);
      }
    }
  }
}
