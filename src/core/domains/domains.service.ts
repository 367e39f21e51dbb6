// Domains: every zone belongs to one. A domain created with a DNS zone is "external" (registered
// elsewhere); registered ones (core/registry) keep their registry settings at the registry.
import { AppError, fieldError } from '../errors.js';
import type { Domain } from '../model.js';
import { listQuery, toPage } from '../pagination.js';
import type { Clock, Store } from '../ports.js';
import type { RegistryService } from '../registry/registry.service.js';

export interface DomainPatch {
  autoRenewEnabled?: boolean;
  registrarLockEnabled?: boolean;
}

export class DomainsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly registry?: RegistryService,
  ) {}

  async get(accountId: string, id: string): Promise<Domain> {
    const d = await this.store.domains.get(id);
    if (!d || d.accountId !== accountId) throw new AppError('not_found', `Domain ${id} was not found.`);
    return d;
  }

  async list(accountId: string, q: { limit: number; cursor?: string; name?: string }): Promise<{ data: Domain[]; hasMore: boolean; nextCursor: string | null }> {
    const query = listQuery('dom', q);
    if (query === null) return { data: [], hasMore: false, nextCursor: null };
    const rows = await this.store.domains.list(accountId, query);
    return toPage('dom', rows, q.limit);
  }

  /**
   * Registry settings (auto-renew, registrar lock) live at the registry: a domain registered
   * elsewhere cannot change them here, and says so rather than pretending to.
   */
  async patch(accountId: string, id: string, patch: DomainPatch): Promise<Domain> {
    const d = await this.get(accountId, id);
    const fields = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
    if (fields.length === 0) {
      throw new AppError('invalid_request', 'The request body changes nothing.', { errors: [fieldError('', 'required', 'Send `autoRenewEnabled` and/or `registrarLockEnabled`.')] });
    }
    if (d.kind === 'external') {
      throw new AppError('operation_unavailable', `${d.name} is registered elsewhere; auto-renew and registrar lock are set at its registrar.`, {
        errors: fields.map((f) => fieldError(`/${f}`, 'not_allowed', `\`${f}\` applies only to domains registered through this server.`)),
      });
    }
    // The lock lives at the registry: set it there first, then record it.
    if (patch.registrarLockEnabled !== undefined && patch.registrarLockEnabled !== d.registrarLockEnabled && this.registry) {
      await this.registry.setLock(d, patch.registrarLockEnabled);
    }
    const updated = await this.store.domains.update(id, { ...patch, updatedAt: this.clock.now().toISOString() });
    if (!updated) throw new AppError('not_found', `Domain ${id} was not found.`);
    if (patch.autoRenewEnabled === true && this.registry) await this.registry.scheduleAutoRenew(updated);
    return updated;
  }
}
