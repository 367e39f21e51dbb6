// A dedicated PostgreSQL connection that LISTENs on the journal channel and wakes the change feed.
import pg from 'pg';
import { JOURNAL_CHANNEL } from './journal.repo.js';

/** After a failed connect, wait this long before trying again (polling covers the gap). */
const RETRY_AFTER_MS = 5000;

/**
 * Connected lazily by the first waitForNext, kept until close. Notifications of other schemas in
 * the same database (tests, several installations) are ignored by payload prefix. When the
 * connection drops the feed falls back to polling and the next wait reconnects.
 */
export class PgJournalListener {
  #client: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  #lastFailure = 0;
  #closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onNotify: () => void,
  ) {}

  get connected(): boolean {
    return this.#client !== null;
  }

  /** Connects and LISTENs if not already done; never throws (polling is the fallback). */
  async ensure(): Promise<void> {
    if (this.#closed || this.#client || Date.now() - this.#lastFailure < RETRY_AFTER_MS) return;
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = null;
    });
    await this.#connecting;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionTimeoutMillis: 5000, ...this.config });
    let schema: string | null = null;
    client.on('error', () => this.#drop(client));
    client.on('end', () => this.#drop(client));
    client.on('notification', (n) => {
      if (n.channel === JOURNAL_CHANNEL && schema !== null && (n.payload ?? '').startsWith(schema + ':')) this.onNotify();
    });
    try {
      await client.connect();
      const r = await client.query<{ s: string | null }>('select current_schema() as s');
      schema = r.rows[0]?.s ?? 'public';
      await client.query(`LISTEN ${JOURNAL_CHANNEL}`);
      if (this.#closed) {
        await client.end();
        return;
      }
      this.#client = client;
      // Anything committed while we were connecting: let waiters look again.
      this.onNotify();
    } catch {
      this.#lastFailure = Date.now();
      client.end().catch(() => {});
    }
  }

  #drop(client: pg.Client): void {
    if (this.#client === client) {
      this.#client = null;
      this.#lastFailure = Date.now();
    }
    client.end().catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connecting;
    const client = this.#client;
    this.#client = null;
    if (client) await client.end().catch(() => {});
  }
}
