// The organization API's record model (seed 003, bunny.net's enum): numeric types, the fields each
// type allows, and the mapping to zonekeeper's stored types. Flatten is stored as ALIAS (the same
// thing: CNAME flattening); Redirect, PullZone and Script as the unserved types of smart-types.ts.

/** Fields every type accepts. */
export const BASE_FIELDS = ['type', 'name', 'value', 'ttl', 'comment'] as const;
/** Fields only some types accept. */
export const EXTRA_FIELDS = ['weight', 'priority', 'port', 'flags', 'tag', 'monitorType'] as const;
export type ExtraField = (typeof EXTRA_FIELDS)[number];
export const WRITABLE_FIELDS: readonly string[] = [...BASE_FIELDS, ...EXTRA_FIELDS];

export interface OrgRecordType {
  /** The numeric `type`. */
  code: number;
  /** `typeString` in responses. */
  name: string;
  /** The type mnemonic zonekeeper stores. */
  stored: string;
  /** Extra fields this type accepts (seed 003). */
  extra: readonly ExtraField[];
}

const T = (code: number, name: string, stored: string, extra: readonly ExtraField[] = []): OrgRecordType => ({ code, name, stored, extra });

/** Indexed by code (0-15). */
export const ORG_RECORD_TYPES: readonly OrgRecordType[] = Object.freeze([
  T(0, 'A', 'A', ['monitorType', 'weight']),
  T(1, 'AAAA', 'AAAA', ['monitorType', 'weight']),
  T(2, 'CNAME', 'CNAME', ['monitorType', 'weight']),
  T(3, 'TXT', 'TXT'),
  T(4, 'MX', 'MX', ['priority']),
  T(5, 'Redirect', 'REDIRECT'),
  T(6, 'Flatten', 'ALIAS'),
  T(7, 'PullZone', 'PULLZONE'),
  T(8, 'SRV', 'SRV', ['priority', 'weight', 'port']),
  T(9, 'CAA', 'CAA', ['flags', 'tag']),
  T(10, 'PTR', 'PTR'),
  T(11, 'Script', 'SCRIPT'),
  T(12, 'NS', 'NS'),
  T(13, 'SVCB', 'SVCB', ['priority']),
  T(14, 'HTTPS', 'HTTPS', ['priority']),
  T(15, 'TLSA', 'TLSA'),
]);

const BY_STORED = new Map(ORG_RECORD_TYPES.map((t) => [t.stored, t]));

export function orgTypeByCode(code: number): OrgRecordType | undefined {
  return Number.isInteger(code) && code >= 0 && code < ORG_RECORD_TYPES.length ? ORG_RECORD_TYPES[code] : undefined;
}

/** The organization type of a stored record; undefined for types this API has no number for (SSHFP, DS). */
export function orgTypeOfStored(stored: string): OrgRecordType | undefined {
  return BY_STORED.get(stored);
}

/** `type` filter values: a number (`0`) or a typeString (`A`, `flatten`), any case. */
export function orgTypeByFilter(raw: string): OrgRecordType | undefined {
  const t = raw.trim();
  if (/^[0-9]{1,2}$/.test(t)) return orgTypeByCode(Number(t));
  return ORG_RECORD_TYPES.find((x) => x.name.toLowerCase() === t.toLowerCase());
}

/** Every stored type the organization API shows. */
export const ORG_STORED_TYPES: readonly string[] = Object.freeze(ORG_RECORD_TYPES.map((t) => t.stored));

/** Monitor types (monitorType) and statuses (monitorStatus), bunny.net's enums. */
export const MONITOR_TYPES = { 0: 'None', 1: 'Ping', 2: 'Http' } as const;
export const MONITOR_STATUSES = { 0: 'Unknown', 1: 'Online', 2: 'Offline' } as const;

export const ORG_TTL = { min: 15, max: 86_400, default: 3600 } as const;
