// DNS protocol numbers (RFC 1035, 3596, 4034, 5155, 6891, 7344, 8945, 9460, 8659, 6698, 4255).
// The one place a type, class, opcode or rcode number is spelled out.

/** RR type numbers by mnemonic. */
export const TYPE = Object.freeze({
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DNAME: 39,
  OPT: 41,
  DS: 43,
  SSHFP: 44,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  CDS: 59,
  CDNSKEY: 60,
  SVCB: 64,
  HTTPS: 65,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const);

export type TypeMnemonic = keyof typeof TYPE;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));

/** Mnemonic of a type number, or `TYPE<n>` (RFC 3597) when unknown. */
export function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

/** Type number of a mnemonic (any case) or of `TYPE<n>`; undefined when neither. */
export function typeCode(mnemonic: string): number | undefined {
  const upper = mnemonic.toUpperCase();
  if (Object.hasOwn(TYPE, upper)) return TYPE[upper as TypeMnemonic];
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m) {
    const n = Number(m[1]);
    if (n <= 0xffff) return n;
  }
  return undefined;
}

/** Meta and question-only types (RFC 6895 3.1): never stored in a zone. */
export function isMetaType(code: number): boolean {
  return code === TYPE.OPT || (code >= 128 && code <= 255);
}

/**
 * zonekeeper's apex CNAME (ALIAS): PowerDNS's private-use number, used only for ordering inside
 * zonekeeper; never sent as its own type. On the wire 65401 is an ordinary unknown type (RFC 3597).
 */
export const ALIAS_TYPE = 65401;

export const CLASS = Object.freeze({ IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const);

export const OPCODE = Object.freeze({ QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const);

/** Response codes; values above 15 need EDNS (the upper 8 bits live in the OPT TTL). */
export const RCODE = Object.freeze({
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
} as const);

/** Header flag bits in the 16-bit flags word (opcode and rcode are separate fields). */
export const FLAG = Object.freeze({
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const);

/** The DO bit in the OPT record's TTL field (RFC 3225). */
export const EDNS_DO = 0x8000;

/** UDP payload size zonekeeper advertises (DNS flag day 2020). */
export const EDNS_UDP_SIZE = 1232;

/** Classic UDP limit without EDNS (RFC 1035 4.2.1). */
export const CLASSIC_UDP_SIZE = 512;

export const HEADER_SIZE = 12;
export const MAX_MESSAGE_SIZE = 65535;
