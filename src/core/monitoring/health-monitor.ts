// Health monitoring of records (organization API `monitorType`; docs/smart-records.md): a sweep
// probes every monitored address through the HealthProbes port (Ping: one ICMP echo; Http: a
// request on port 80) and writes each changed `monitorStatus` through the one change engine
// (applyZoneChange), so DNS learns it from the journal like any edit. The job system runs a sweep
// every `--monitor-interval` seconds (job kind `health_check`).
import { newId } from '../ids.js';
import type { DnsRecord, MonitorStatus } from '../model.js';
import type { Clock, MonitoredRecord, Store } from '../ports.js';
import type { MonitorSettings } from '../settings.js';

export const MONITOR_NONE = 0;
export const MONITOR_PING = 1;
export const MONITOR_HTTP = 2;
export const STATUS_ONLINE: MonitorStatus = 1;
export const STATUS_OFFLINE: MonitorStatus = 2;

/** The checks themselves (src/monitoring/probes.ts): true = online. A throw: could not check at all. */
export interface HealthProbes {
  /** An ICMP echo reply from `target` (an address or host name) within 2.5 s. */
  ping(target: string): Promise<boolean>;
  /** A non-5xx HTTP answer from `target` on the Http port within 10 s, with `Host: host`. */
  http(target: string, host: string): Promise<boolean>;
}

/** Monitored records read per query of the sweep. */
const PAGE = 1000;
/** Probes in flight at once. */
const CONCURRENCY = 64;
/**
 * A sweep starts no probe after this long (the ones left wait for the next sweep, which takes them
 * in another order): it stays well inside the job's lease (jobs/job-runner.ts LEASE_MS, 10 min),
 * and the jobs behind it in the runner's pass are not held up for longer.
 */
export const SWEEP_BUDGET_MS = 2 * 60_000;

export interface SweepResult {
  /** Distinct checks run (records of one address and kind share one). */
  checked: number;
  /** Records whose status changed. */
  changed: number;
  /** Checks that could not run (the status stays as it was), with why. */
  failures: string[];
}

export class HealthMonitor {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: MonitorSettings,
    private readonly probes: HealthProbes,
  ) {}

  /** What one record's check is: kind, target and Host header (records sharing it share one probe). */
  static checkKey(r: Pick<MonitoredRecord, 'name' | 'type' | 'rdata' | 'monitorType'>): { key: string; target: string; host: string } {
    const target = r.type === 'CNAME' ? r.rdata.replace(/\.$/, '') : r.rdata;
    const host = r.name.startsWith('*.') ? r.name.slice(2) : r.name;
    return { key: `${r.monitorType}\u0000${target}\u0000${r.monitorType === MONITOR_HTTP ? host : ''}`, target, host };
  }

  /** Probes every monitored record once and writes the changed statuses. */
  async sweep(): Promise<SweepResult> {
    const records: MonitoredRecord[] = [];
    for (let after: string | null = null; ; ) {
      const page = await this.store.records.listMonitored(after, PAGE);
      for (const r of page) records.push(r);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    const checks = new Map<string, { target: string; host: string; type: number; result?: MonitorStatus }>();
    /** Each record's check key, computed once. */
    const keyOf = new Map<string, string>();
    for (const r of records) {
      const c = HealthMonitor.checkKey(r);
      keyOf.set(r.id, c.key);
      if (!checks.has(c.key)) checks.set(c.key, { target: c.target, host: c.host, type: r.monitorType });
    }
    const failures: string[] = [];
    // A new order each sweep: when the budget runs out, it is not always the same checks that wait.
    const queue = [...checks.values()];
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [queue[i], queue[j]] = [queue[j]!, queue[i]!];
    }
    const deadline = Date.now() + SWEEP_BUDGET_MS;
    let skipped = 0;
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        if (Date.now() > deadline) {
          skipped++;
          continue;
        }
        try {
          const online = c.type === MONITOR_PING ? await this.probes.ping(c.target) : await this.probes.http(c.target, c.host);
          c.result = online ? STATUS_ONLINE : STATUS_OFFLINE;
        } catch (err) {
          if (failures.length < 10) failures.push(`${c.type === MONITOR_PING ? 'ping' : 'http'} ${c.target}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    if (skipped > 0) failures.push(`${skipped} checks did not start within the sweep's ${SWEEP_BUDGET_MS / 1000} s; they run in the next sweep`);

    // Changed statuses, per zone; each zone's are written in one change.
    const byZone = new Map<string, Map<string, { rec: MonitoredRecord; status: MonitorStatus }>>();
    for (const r of records) {
      const status = checks.get(keyOf.get(r.id)!)!.result;
      if (status === undefined || status === r.monitorStatus) continue;
      let m = byZone.get(r.zoneId);
      if (m === undefined) byZone.set(r.zoneId, (m = new Map()));
      m.set(r.id, { rec: r, status });
    }
    let changed = 0;
    for (const [zoneId, wanted] of byZone) {
      const outcome = await this.store.applyZoneChange(zoneId, async (tx) => {
        const update: DnsRecord[] = [];
        for (const cur of await tx.recordsById([...wanted.keys()])) {
          const w = wanted.get(cur.id)!;
          // Only a result measured on what the record still is (an edit meanwhile resets it).
          if (cur.status !== 'active' || cur.rdata !== w.rec.rdata || cur.type !== w.rec.type || cur.name !== w.rec.name || cur.monitorType !== w.rec.monitorType) continue;
          if (cur.monitorStatus === w.status) continue;
          update.push({ ...cur, monitorStatus: w.status });
        }
        return { insert: [], update, delete: [], result: update.length };
      });
      changed += outcome?.result ?? 0;
    }
    return { checked: checks.size - skipped, changed, failures };
  }

  /** Makes sure a `health_check` job is scheduled (serve and `jobs run-due` call this). */
  async schedule(): Promise<void> {
    const latest = await this.store.jobs.latest(HEALTH_CHECK_SUBJECT, HEALTH_CHECK_JOB);
    if (latest !== undefined && (latest.status === 'pending' || latest.status === 'running')) return;
    const now = this.clock.now().toISOString();
    await this.store.jobs.enqueue({ id: newId('job'), kind: HEALTH_CHECK_JOB, subject: HEALTH_CHECK_SUBJECT, payload: {}, status: 'pending', runAt: now, attempts: 0, lastError: null, createdAt: now, updatedAt: now });
  }

  /** The job: one sweep, then again `intervalSeconds` after this one started. */
  async runJob(): Promise<{ rerunAt: string; note?: string }> {
    const started = this.clock.now().getTime();
    const r = await this.sweep();
    const next = new Date(Math.max(started + this.settings.intervalSeconds * 1000, this.clock.now().getTime() + 1000)).toISOString();
    // Checks that could not run are noted on the job (its lastError); the next sweep runs on time.
    return r.failures.length > 0 ? { rerunAt: next, note: `health checks that could not run: ${r.failures.join('; ')}` } : { rerunAt: next };
  }
}

export const HEALTH_CHECK_JOB = 'health_check';
export const HEALTH_CHECK_SUBJECT = 'all';
