// Durable scheduled work: due jobs from the job table run one at a time by kind, with exponential
// backoff on failure, until done or out of attempts. `serve` runs them every few seconds;
// `zonekeeper jobs run-due` runs what is due once (operators, tests).
import type { Job } from '../core/model.js';
import type { Clock, Store } from '../core/ports.js';

/**
 * A handler resolves when done, or with `{ rerunAt }` to run the same job again then (recurring
 * work; `note`: a problem worth showing that did not stop the work, kept as the job's lastError).
 * work). An error with `final: true` ends the job as failed at once: retrying cannot help.
 */
export type JobHandler = (job: Job) => Promise<void | { rerunAt: string; note?: string }>;

export interface JobRunnerOptions {
  /** Attempts before a job is marked failed. */
  maxAttempts?: number;
  /** First retry delay; doubled per attempt, capped at one hour. */
  retryBaseMs?: number;
  /** Kinds that are retried without an attempt limit (recurring work such as auto-renewal). */
  persistentKinds?: readonly string[];
}

/** How long a claimed job is this runner's (a handler's own timeouts are far shorter). */
export const LEASE_MS = 10 * 60_000;

export class JobRunner {
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly opts: JobRunnerOptions = {},
  ) {}

  /** Runs every pending job due now; returns how many ran (done or retried). */
  async runDue(limit = 100): Promise<{ ran: number; done: number; failed: number }> {
    if (this.running) return { ran: 0, done: 0, failed: 0 }; // one pass at a time per process
    this.running = true;
    let done = 0;
    let failed = 0;
    try {
      const now = this.clock.now();
      // Claimed for a lease: another process's runner does not take them; if this one dies, the
      // lease runs out and they are claimed again.
      const jobs = await this.store.jobs.claimDue(now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString(), limit);
      for (const job of jobs) {
        const ok = await this.runOne(job);
        if (ok) done++;
        else failed++;
      }
      return { ran: jobs.length, done, failed };
    } finally {
      this.running = false;
    }
  }

  private async runOne(job: Job): Promise<boolean> {
    const handler = this.handlers[job.kind];
    const attempts = job.attempts + 1;
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const next = await handler(job);
      const updatedAt = this.clock.now().toISOString();
      if (next) await this.store.jobs.save({ ...job, status: 'pending', runAt: next.rerunAt, attempts: 0, lastError: next.note ?? null, updatedAt });
      else await this.store.jobs.save({ ...job, status: 'done', attempts, lastError: null, updatedAt });
      return true;
    } catch (err) {
      const now = this.clock.now();
      const max = this.opts.maxAttempts ?? 8;
      const delay = Math.min(3_600_000, (this.opts.retryBaseMs ?? 30_000) * 2 ** (attempts - 1));
      await this.store.jobs.save({
        ...job,
        status: (attempts >= max && !(this.opts.persistentKinds ?? []).includes(job.kind)) || (err as { final?: unknown }).final === true ? 'failed' : 'pending',
        attempts,
        lastError: (err as Error).message,
        runAt: new Date(now.getTime() + delay).toISOString(),
        updatedAt: now.toISOString(),
      });
      return false;
    }
  }

  /** Runs due jobs every `intervalMs` until the returned stop function is called. */
  start(intervalMs: number, onError: (err: unknown) => void): () => void {
    const timer = setInterval(() => void this.runDue().catch(onError), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
