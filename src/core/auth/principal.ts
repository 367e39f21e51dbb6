// Who is calling: the account and API key behind a request, and the checks every route applies.
import { AppError } from '../errors.js';
import type { Scope } from '../model.js';

export interface Principal {
  accountId: string;
  keyId: string;
  scopes: ReadonlySet<Scope>;
  /** Zone names this key is limited to; null = every zone of the account. */
  zones: readonly string[] | null;
}

/** `admin` holds every scope; otherwise each scope stands alone (write implies nothing else). */
export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has('admin') || p.scopes.has(scope);
}

export function requireScope(p: Principal, scope: Scope): void {
  if (!hasScope(p, scope)) {
    throw new AppError('forbidden', `This API key lacks the \`${scope}\` scope.`, { extra: { requiredScope: scope } });
  }
}

export function canAccessZone(p: Principal, zoneName: string): boolean {
  return p.zones === null || p.zones.includes(zoneName);
}

export function requireZoneAccess(p: Principal, zoneName: string): void {
  if (!canAccessZone(p, zoneName)) {
    throw new AppError('forbidden', `This API key is restricted to other zones and may not use ${zoneName}.`);
  }
}
