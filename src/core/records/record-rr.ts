// The RR a stored record contributes to DNS and the journal: owner, type, TTL, RDATA, and for A/AAAA
// its answer policy (weight, offline) when it has one (docs/smart-records.md); and the plain records
// the server writes itself.
import { newId } from '../ids.js';
import type { DnsRecord, RR } from '../model.js';

export function toRR(r: DnsRecord): RR {
  return withPolicy({ name: r.name, type: r.type, ttl: r.ttl, rdata: r.rdata }, r.weight, r.monitorStatus);
}

/** Adds an A/AAAA record's answer policy (weight, offline) to its RR when it has one. */
export function withPolicy(rr: RR, weight: number | null, monitorStatus: number): RR {
  if (rr.type !== 'A' && rr.type !== 'AAAA') return rr;
  if (weight !== null) rr.weight = weight;
  if (monitorStatus === 2) rr.offline = true;
  return rr;
}

/** A record the server itself writes (apex NS, DNSSEC keys, a sandbox TLD's delegations): plain, no comment, no smart fields. */
export function serverRecord(zoneId: string, name: string, type: string, ttl: number, rdata: string, iso: string): DnsRecord {
  return { id: newId('record'), num: 0, zoneId, name, type, ttl, rdata, comment: null, status: 'active', weight: null, monitorType: 0, monitorStatus: 0, createdAt: iso, updatedAt: iso };
}
