// Detects a zone change plan calling the store directly instead of its ZoneChangeTx.
import { AsyncLocalStorage } from 'node:async_hooks';

const planScope = new AsyncLocalStorage<{ active: boolean }>();

/**
 * Runs a plan callback marked as such. While it runs, taking a new connection from the store is
 * an error on both dialects: on SQLite it would wait forever for the plan's own transaction, on
 * PostgreSQL it would read outside the locked transaction and could exhaust the pool.
 */
export async function runPlan<T>(fn: () => Promise<T>): Promise<T> {
  const scope = { active: true };
  try {
    return await planScope.run(scope, fn);
  } finally {
    // Work the plan started in the background may use the store once the plan has returned.
    scope.active = false;
  }
}

export class PlanReentryError extends Error {
  constructor() {
    super('A zone change plan called the store directly; read through the ZoneChangeTx it was given (the store is busy with the plan transaction).');
    this.name = 'PlanReentryError';
  }
}

/** Called by the drivers when a connection is requested. */
export function assertNotInPlan(): void {
  if (planScope.getStore()?.active) throw new PlanReentryError();
}
