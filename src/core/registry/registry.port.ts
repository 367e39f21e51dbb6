// The Registry port: what a registrar asks of the registry of a TLD (RFC 5730-5732 and 5910 in
// spirit, whatever the transport). Adapters: the built-in sandbox registry and the EPP client.
import type { DnssecMaterial } from './registry-rules.js';

export interface RegistryDomain {
  name: string;
  /** Registry object id (EPP roid). */
  roid: string;
  nameservers: string[];
  /** EPP status values, e.g. ok, clientTransferProhibited (registrar lock). */
  statuses: string[];
  createdAt: string;
  expiresAt: string;
  dnssec: DnssecMaterial[];
  /** The sponsoring client (EPP clID), when the registry reports it. */
  sponsor?: string;
}

export interface RegistryHost {
  name: string;
  addresses: string[];
  /** Domains whose nameserver set names this host (a linked host cannot be deleted). */
  linked: boolean;
  /** The sponsoring client (EPP clID), when the registry reports it. */
  sponsor?: string;
}

export interface DomainUpdate {
  addNameservers?: string[];
  removeNameservers?: string[];
  addStatuses?: string[];
  removeStatuses?: string[];
  addDnssec?: DnssecMaterial[];
  removeDnssec?: DnssecMaterial[];
}

/**
 * Why a registry operation failed. `unavailable`: the registry could not be reached or the session
 * broke (worth a retry); `rejected`: the registry refused on policy or state, with its own reason;
 * `not_found` and `exists`: the object's existence; `auth`: our credentials were refused.
 */
export type RegistryFailureKind = 'unavailable' | 'rejected' | 'not_found' | 'exists' | 'auth';

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryFailureKind,
    message: string,
    /** The registry's own result code and reason, when it sent one (EPP: RFC 5730 3). */
    readonly registryCode?: number,
    readonly registryReason?: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** One TLD's registry. Every method either completes at the registry or throws RegistryError. */
export interface Registry {
  /** Whether each name can be registered now. */
  checkDomains(names: string[]): Promise<{ name: string; available: boolean; reason?: string }[]>;
  createDomain(input: { name: string; years: number; nameservers: string[]; authInfo: string }): Promise<RegistryDomain>;
  renewDomain(name: string, currentExpiry: string, years: number): Promise<RegistryDomain>;
  infoDomain(name: string): Promise<RegistryDomain>;
  updateDomain(name: string, change: DomainUpdate): Promise<RegistryDomain>;
  createHost(name: string, addresses: string[]): Promise<RegistryHost>;
  /** Replaces the host's addresses (EPP: one update with add and rem). */
  updateHost(name: string, addresses: string[]): Promise<RegistryHost>;
  deleteHost(name: string): Promise<void>;
  infoHost(name: string): Promise<RegistryHost>;
  /** Hosts under the domain (sponsored by us). */
  listHosts(domain: string): Promise<RegistryHost[]>;
}
