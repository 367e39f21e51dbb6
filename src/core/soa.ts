// The SOA record as DNS and the journal see it: presentation RDATA built from the zone's SOA fields.
import type { RR, Soa } from './model.js';

/** RFC 1035 3.3.13 presentation form; mname/rname are stored canonical (no trailing dot). */
export function soaRdata(soa: Soa): string {
  return `${absolute(soa.mname)} ${absolute(soa.rname)} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
}

/** The zone's SOA resource record. */
export function soaRR(zoneName: string, soa: Soa): RR {
  return { name: zoneName, type: 'SOA', ttl: soa.ttl, rdata: soaRdata(soa) };
}

function absolute(name: string): string {
  return name === '' || name === '.' ? '.' : `${name}.`;
}
