// Building queries with our encoder and reading replies with our strict decoder.
import type { RR } from '../../../../src/core/model.js';
import { respond, type RespondContext } from '../../../../src/dns/answer/respond.js';
import { CLASS, FLAG, TYPE, typeName } from '../../../../src/dns/wire/constants.js';
import { type Edns, encodeMessage, decodeMessage, type Message, type WireRR } from '../../../../src/dns/wire/message.js';
import { nameToWire, wireToName } from '../../../../src/dns/wire/name.js';
import { rdataToText } from '../../../../src/dns/wire/rdata.js';
import { Zone } from '../../../../src/dns/zone/zone.js';
import { ZoneSet } from '../../../../src/dns/zone/zone-set.js';

export interface QueryOptions {
  id?: number;
  flags?: number;
  opcode?: number;
  qclass?: number;
  /** EDNS: null = no OPT (the default is an OPT with size 1232). */
  edns?: Partial<Edns> | null;
}

export function query(name: string, type: number, o: QueryOptions = {}): Buffer {
  const edns: Edns | null =
    o.edns === null
      ? null
      : { udpSize: 1232, extendedRcode: 0, version: 0, do: false, flags: 0, options: [], ...(o.edns ?? {}) };
  const msg: Message = {
    id: o.id ?? 0x1234,
    flags: o.flags ?? FLAG.RD,
    opcode: o.opcode ?? 0,
    rcode: 0,
    questions: [{ name: nameToWire(name), type, class: o.qclass ?? CLASS.IN }],
    answers: [],
    authorities: [],
    additionals: [],
    edns,
  };
  return encodeMessage(msg);
}

export function zoneSet(...zones: [string, RR[]][]): ZoneSet {
  const set = new ZoneSet();
  for (const [origin, rrs] of zones) set.set(Zone.fromRRs(origin, rrs));
  return set;
}

/** respond() that must answer synchronously. */
export function reply(packet: Uint8Array, zones: ZoneSet, ctx: RespondContext = { transport: 'udp' }): Uint8Array {
  const r = respond(packet, zones, ctx);
  if (r === null) throw new Error('dropped');
  if (r instanceof Promise) throw new Error('unexpected Promise');
  return r;
}

export function ask(zones: ZoneSet, name: string, type: number, o: QueryOptions = {}, ctx: RespondContext = { transport: 'udp' }): Message {
  return decodeMessage(reply(query(name, type, o), zones, ctx));
}

/** `owner ttl TYPE rdata` of a record, owner case kept. */
export function show(rr: WireRR): string {
  return `${wireToName(rr.name)} ${rr.ttl} ${typeName(rr.type)} ${rdataToText(rr.type, rr.rdata)}`;
}

export const flags = (m: Message): { aa: boolean; tc: boolean; rd: boolean; qr: boolean; cd: boolean } => ({
  aa: (m.flags & FLAG.AA) !== 0,
  tc: (m.flags & FLAG.TC) !== 0,
  rd: (m.flags & FLAG.RD) !== 0,
  qr: (m.flags & FLAG.QR) !== 0,
  cd: (m.flags & FLAG.CD) !== 0,
});

export { TYPE, CLASS, FLAG };
