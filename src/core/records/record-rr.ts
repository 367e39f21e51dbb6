// The RR a stored record contributes to DNS and the journal: owner, type, TTL, RDATA, and for A/AAAA
// its answer policy (weight, offline) when it has one (docs/smart-records.md).
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
