// Detects a zone change plan calling the store directly instead of its ZoneChangeTx.
import { AsyncLocalStorage } from 'node:async_hooks';

const planScope = new AsyncLocalStorage<{ active: boolean }>();

/**
 * On Node 20 an enabled AsyncLocalStorage runs promise hooks for every promise of the process, and
 * only plans need them. So the tracking is switched off once no plan has run for IDLE_MS, and on
 * again by the next plan (run() enables it before the plan starts, so nothing a plan does escapes
 * it). Not per plan: switching costs more than the hooks save between two back-to-back writes.
 */
const IDLE_MS = 1000;
let running = 0;
let lastEnd = 0;
let idleTimer: NodeJS.Timeout | null = null;

function switchOffWhenIdle(): void {
  idleTimer = null;
  const idleFor = Date.now() - lastEnd;
  if (running > 0 || idleFor < IDLE_MS) {
    idleTimer = setTimeout(switchOffWhenIdle, running > 0 ? IDLE_MS : IDLE_MS - idleFor).unref();
    return;
  }
  // Contexts stay attached to the promises made while tracking; they hold only scopes of plans
  // that have ended (inactive), so switching off and on again cannot misreport.
  planScope.disable();
}

/**
 * Runs a plan callback marked as such. While it runs, taking a new connection from the store is
 * an error on both dialects: on SQLite it would wait forever for the plan's own transaction, on
 * PostgreSQL it would read outside the locked transaction and could exhaust the pool.
 */
export async function runPlan<T>(fn: () => Promise<T>): Promise<T> {
  const scope = { active: true };
  running++;
  idleTimer ??= setTimeout(switchOffWhenIdle, IDLE_MS).unref();
  try {
    return await planScope.run(scope, fn);
  } finally {
    // Work the plan started in the background may use the store once the plan has returned.
    scope.active = false;
    running--;
    lastEnd = Date.now();
  }
}

export class PlanReentryError extends Error {
  constructor() {
    super('A zone change plan called the store directly; read through the ZoneChangeTx it was given (the store is busy with the plan transaction).');
    this.name = 'PlanReentryError';
  }
}

/** Called by the drivers when a connection is requested (and by SqliteDirect per statement). */
export function assertNotInPlan(): void {
  if (running > 0 && planScope.getStore()?.active) throw new PlanReentryError();
}
