// Master-file writer: $ORIGIN, the SOA, then every record in canonical order, one per line with
// absolute names, so that parseZoneFile reads back exactly the same records.
import type { Soa } from '../model.js';
import { compareNames } from '../names.js';
import { recordTypeCode } from '../records/record-types.js';
import { soaToRdata } from '../records/soa-type.js';

export interface ZoneFileRecordIn {
  name: string;
  type: string;
  ttl: number;
  rdata: string;
}

function bare(name: string): string {
  return name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
}

function absolute(name: string): string {
  return `${bare(name)}.`;
}

/** Type order: by RR type number (unknown types last, by mnemonic). */
function compareTypes(a: string, b: string): number {
  const ca = recordTypeCode(a) ?? 0x10000;
  const cb = recordTypeCode(b) ?? 0x10000;
  if (ca !== cb) return ca - cb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical order: owner (RFC 4034 6.1), then type number, then RDATA text. */
export function compareRecords(a: ZoneFileRecordIn, b: ZoneFileRecordIn): number {
  const byName = compareNames(bare(a.name), bare(b.name));
  if (byName !== 0) return byName;
  const byType = compareTypes(a.type.toUpperCase(), b.type.toUpperCase());
  if (byType !== 0) return byType;
  return a.rdata < b.rdata ? -1 : a.rdata > b.rdata ? 1 : 0;
}

function line(name: string, ttl: number, type: string, rdata: string): string {
  return `${absolute(name)}\t${ttl}\tIN\t${type.toUpperCase()}\t${rdata}`;
}

/** The zone as a master file; records are expected in canonical form (as stored). */
export function writeZoneFile(zone: { name: string; soa: Soa }, records: ZoneFileRecordIn[]): string {
  const out = [`$ORIGIN ${absolute(zone.name)}`, line(zone.name, zone.soa.ttl, 'SOA', soaToRdata(zone.soa))];
  for (const r of [...records].sort(compareRecords)) {
    if (r.type.toUpperCase() === 'SOA') continue; // the zone's own SOA is already written
    out.push(line(r.name, r.ttl, r.type, r.rdata));
  }
  return out.join('\n') + '\n';
}
