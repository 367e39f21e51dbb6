// OpenAPI schemas of the organization API (documentation; dns-record and api-token bodies are
// validated in the core, so that each type's field rules give one clear violation each).
import { Type } from 'typebox';

const Int = (min: number, max: number, description: string) => Type.Union([Type.Integer({ minimum: min, maximum: max }), Type.Null()], { description });
const Str = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const DnsRecordWrite = Type.Object(
  {
    type: Type.Integer({ minimum: 0, maximum: 15, description: '0 A, 1 AAAA, 2 CNAME, 3 TXT, 4 MX, 5 Redirect, 6 Flatten, 7 PullZone, 8 SRV, 9 CAA, 10 PTR, 11 Script, 12 NS, 13 SVCB, 14 HTTPS, 15 TLSA' }),
    ttl: Type.Optional(Int(15, 86400, 'Seconds, 15-86400; default 3600.')),
    value: Type.String({ description: 'The record value: an address, a host name, text, a URL (Redirect), a pull zone (PullZone), a script (Script), or the RDATA after the separate fields.' }),
    name: Type.String({ description: 'Relative to the domain; "" or "@" is the domain itself.' }),
    weight: Type.Optional(Int(0, 65535, 'A, AAAA, CNAME (weighted answers) and SRV.')),
    priority: Type.Optional(Int(0, 65535, 'MX, SRV, SVCB, HTTPS.')),
    port: Type.Optional(Int(0, 65535, 'SRV.')),
    flags: Type.Optional(Int(0, 255, 'CAA; default 0.')),
    tag: Type.Optional(Str('CAA: issue, issuewild, iodef, ...')),
    monitorType: Type.Optional(Int(0, 2, 'A, AAAA, CNAME: 0 None, 1 Ping, 2 Http.')),
    comment: Type.Optional(Str('Free text, at most 500 characters.')),
  },
  { additionalProperties: false, 'x-validated-in-code': true },
);

export const DnsRecordPatch = Type.Partial(DnsRecordWrite, { additionalProperties: false, 'x-validated-in-code': true, description: 'JSON merge patch (RFC 7396): members replace, null clears.' });

const Ld = { '@context': Type.String(), '@id': Type.String(), '@type': Type.String() };
const NInt = Type.Union([Type.Integer(), Type.Null()]);
const NStr = Type.Union([Type.String(), Type.Null()]);

export const DnsRecordRead = Type.Object(
  {
    ...Ld,
    recordId: Type.Integer(),
    domainId: Type.String({ format: 'uuid' }),
    type: Type.Integer(),
    ttl: Type.Integer(),
    value: Type.String(),
    name: Type.String(),
    weight: NInt,
    priority: NInt,
    port: NInt,
    flags: NInt,
    tag: NStr,
    monitorStatus: Type.Integer({ description: '0 Unknown, 1 Online, 2 Offline' }),
    monitorType: Type.Integer(),
    comment: NStr,
    id: Type.String({ description: '<domainId>:<recordId>' }),
    typeString: Type.String(),
    scriptError: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Script records only: why the script failed when DNS last ran it (DNS answers SERVFAIL then), or null while it answers.' })),
    scriptErrorAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Script records only: when that state began.' })),
  },
  { additionalProperties: true },
);

/** Collection members: an item's schema without @context (the collection's applies). */
function member(item: ReturnType<typeof Type.Object>) {
  const { '@context': _ctx, ...properties } = item.properties as Record<string, never>;
  return Type.Object(properties, { additionalProperties: true });
}

export function HydraCollection(item: ReturnType<typeof Type.Object>) {
  return Type.Object(
    {
      '@context': Type.String(),
      '@id': Type.String(),
      '@type': Type.Literal('hydra:Collection'),
      'hydra:totalItems': Type.Integer(),
      'hydra:member': Type.Array(member(item)),
      'hydra:view': Type.Optional(Type.Object({}, { additionalProperties: true })),
    },
    { additionalProperties: true },
  );
}

export const OrganizationRead = Type.Object({ ...Ld, id: Type.String(), name: Type.String(), role: Type.String(), createdAt: Type.String() }, { additionalProperties: true });
export const DomainRead = Type.Object(
  { ...Ld, id: Type.String({ format: 'uuid' }), name: Type.String(), kind: Type.String(), serviceStatus: Type.String(), dnsZone: Type.Boolean(), createdAt: Type.String() },
  { additionalProperties: true },
);

export const ApiTokenWrite = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    organizations: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Organization ids; null or absent = all of yours.' })),
  },
  { additionalProperties: false, 'x-validated-in-code': true },
);
export const ApiTokenRead = Type.Object(
  {
    ...Ld,
    id: Type.String(),
    name: Type.String(),
    tokenPrefix: Type.String(),
    organizations: Type.Union([Type.Array(Type.String()), Type.Null()]),
    expiresAt: NStr,
    createdAt: Type.String(),
    lastUsedAt: NStr,
    token: Type.Optional(Type.String({ description: 'Only in the reply to POST: shown once.' })),
  },
  { additionalProperties: true },
);

export const LoginBody = Type.Object({ email: Type.String({ maxLength: 1000 }), password: Type.String({ maxLength: 5000 }) }, { additionalProperties: false });
export const RefreshBody = Type.Object({ refresh_token: Type.String({ maxLength: 400 }) }, { additionalProperties: false });
export const TokenPair = Type.Object({
  token: Type.String({ description: 'JWT access token: `Authorization: Bearer <token>`' }),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token_expires_in: Type.Integer(),
});

export const PageQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Page number, from 1 (default 1).' })),
    itemsPerPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Items per page, 1-100 (default 30).' })),
  },
  { additionalProperties: false },
);
export const RecordsQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Page number, from 1 (default 1).' })),
    itemsPerPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Items per page, 1-100 (default 30).' })),
    type: Type.Optional(Type.String({ maxLength: 20, description: 'A type number (0-15) or typeString.' })),
    name: Type.Optional(Type.String({ maxLength: 300, description: 'Exact name, relative to the domain ("" or @ = the domain).' })),
  },
  { additionalProperties: false },
);
