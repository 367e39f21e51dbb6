// How zones and domains appear in API responses (HostUp v2 field names).
import type { Domain, Zone } from '../core/model.js';

export function zoneView(z: Zone, nameservers: string[]) {
  return {
    id: z.id,
    name: z.name,
    zoneStatus: z.status,
    status: z.status,
    isDnsOnly: true,
    kind: 'dns_only' as const,
    recordCount: z.recordCount,
    domainId: z.domainId,
    serial: z.soa.serial,
    soa: z.soa,
    nameservers,
    createdAt: z.createdAt,
    updatedAt: z.updatedAt,
  };
}

export function domainView(d: Domain, zoneId: string | null) {
  return {
    id: d.id,
    name: d.name,
    serviceStatus: d.serviceStatus,
    lifecycle: {
      type: d.kind,
      autoRenewEnabled: d.autoRenewEnabled,
      registrarLockEnabled: d.registrarLockEnabled,
      transferInProgress: false,
      expiresAt: d.expiresAt,
    },
    nameservers: d.nameservers,
    nameserversChangedAt: d.nameserversChangedAt,
    zoneId,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
