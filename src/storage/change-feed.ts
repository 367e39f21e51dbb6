// The change feed: in-process subscribers after each commit, and waitForNext for journal followers.
import type { JournalEntry } from '../core/model.js';
import type { ChangeFeed, JournalRepo } from '../core/ports.js';
import type { PgJournalListener } from './pg-listener.js';

export interface FeedOptions {
  /** Poll interval when nothing else can wake us (SQLite; PostgreSQL without LISTEN). */
  pollMs: number;
  /** Poll interval on PostgreSQL while LISTEN works (a safety net only). */
  listeningPollMs: number;
  /** Max entries returned by one waitForNext. */
  batch: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = { pollMs: 200, listeningPollMs: 1000, batch: 1000 };

export class StoreChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<(entry: JournalEntry) => void>();
  readonly #wakers = new Set<() => void>();
  #generation = 0;
  #closed = false;
  #listener: PgJournalListener | null = null;

  constructor(
    private readonly journal: JournalRepo,
    private readonly opts: FeedOptions = DEFAULT_FEED_OPTIONS,
  ) {}

  /** PostgreSQL: the LISTEN connection (created by the store; it calls wake()). */
  attachListener(listener: PgJournalListener): void {
    this.#listener = listener;
  }

  subscribe(listener: (entry: JournalEntry) => void): () => void {
    // Wrapped so the same function may subscribe twice and unsubscribe each independently.
    const wrapped = (e: JournalEntry): void => listener(e);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  /**
   * Called by the store right after COMMIT, synchronously. A throwing subscriber cannot undo a
   * committed write or hide it from the writer, so its error becomes a process warning.
   */
  publish(entry: JournalEntry): void {
    for (const l of [...this.#listeners]) {
      try {
        l(entry);
      } catch (err) {
        process.emitWarning(`zonekeeper change-feed subscriber threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.wake();
  }

  /** Wakes every waitForNext so it reads the journal again. */
  wake(): void {
    this.#generation++;
    for (const w of [...this.#wakers]) w();
  }

  async waitForNext(afterSeq: number, timeoutMs: number, signal?: AbortSignal): Promise<JournalEntry[]> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    try {
      for (;;) {
        if (this.#closed || signal?.aborted) return [];
        // Capture the generation before reading: a commit that lands after the read bumps it,
        // and the sleep below then returns at once instead of missing the wake-up.
        const generation = this.#generation;
        // Not awaited: until LISTEN is up the short poll covers the gap, and the listener wakes
        // every waiter once it is connected.
        void this.#listener?.ensure();
        if ((await this.journal.latestSeq()) > afterSeq) {
          const entries = await this.journal.readAfter(afterSeq, this.opts.batch);
          if (entries.length > 0) return entries;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) return [];
        const poll = this.#listener?.connected ? this.opts.listeningPollMs : this.opts.pollMs;
        await this.#sleep(generation, Math.min(remaining, poll), signal);
      }
    } catch (err) {
      if (this.#closed) return [];
      throw err;
    }
  }

  #sleep(generation: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (generation !== this.#generation || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops timers and the LISTEN connection; pending waits resolve with []. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.wake();
    await this.#listener?.close();
  }
}
