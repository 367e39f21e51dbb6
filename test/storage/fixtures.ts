// Builders of model objects for the storage tests (example.test names, documentation addresses).
import { expect } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { randomUUID } from 'node:crypto';
import { newId } from '../../src/core/ids.js';
import type { Account, ApiKey, DnsRecord, Domain, Zone } from '../../src/core/model.js';
import type { Clock } from '../../src/core/ports.js';

export const T0 = '2026-04-27T12:34:56.000Z';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(public current: Date = new Date(T0)) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function makeAccount(name = 'Example account'): Account {
  return { id: newId('account'), name, createdAt: T0 };
}

export function makeKey(accountId: string, over: Partial<ApiKey> = {}): ApiKey {
  const hash = newId('apiKey').replace('key_', '').padEnd(64, '0');
  return {
    id: newId('apiKey'),
    accountId,
    name: 'ci key',
    tokenHash: hash,
    tokenPrefix: 'zk_abc',
    scopes: ['read:dns', 'write:dns'],
    zones: null,
    allowIps: null,
    expiresAt: null,
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    ...over,
  };
}

export function makeDomain(accountId: string, name: string): Domain {
  return {
    id: newId('domain'),
    uuid: randomUUID(),
    accountId,
    name,
    kind: 'external',
    serviceStatus: 'active',
    autoRenewEnabled: false,
    registrarLockEnabled: true,
    expiresAt: null,
    nameservers: [],
    nameserversChangedAt: null,
    createdAt: T0,
    updatedAt: T0,
  };
}

export function makeZone(accountId: string, domainId: string, name: string, serial = 1): Zone {
  return {
    id: newId('zone'),
    accountId,
    domainId,
    name,
    status: 'active',
    soa: { mname: `ns1.${name}`, rname: `hostmaster.${name}`, serial, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300, ttl: 3600 },
    recordCount: 0,
    nextRecordNum: 1,
    createdAt: T0,
    updatedAt: T0,
  };
}

export function makeRecord(zoneId: string, name: string, type: string, rdata: string, over: Partial<DnsRecord> = {}): DnsRecord {
  return {
    id: newId('record'),
    zoneId,
    name,
    type,
    ttl: 300,
    rdata,
    comment: null,
    status: 'active',
    num: 0,
    weight: null,
    monitorType: 0,
    monitorStatus: 0,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** Asserts that `p` rejects with the store's `conflict` (409) problem. */
export async function expectConflict(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('conflict');
  expect((err as AppError).status).toBe(409);
}
