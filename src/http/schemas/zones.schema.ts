// Schemas of DNS zones, domains and API keys as the API shows them.
import { Type } from 'typebox';
import { Nullable } from './common.schema.js';
import { RecordSchema } from './records.schema.js';

export const SoaSchema = Type.Object({
  mname: Type.String(),
  rname: Type.String(),
  serial: Type.Integer(),
  refresh: Type.Integer(),
  retry: Type.Integer(),
  expire: Type.Integer(),
  minimum: Type.Integer(),
  ttl: Type.Integer(),
});

export const ZoneSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  zoneStatus: Type.String({ enum: ['active', 'disabled', 'pending', 'error'] }),
  status: Type.String({ enum: ['active', 'disabled', 'pending', 'error'] }),
  isDnsOnly: Type.Boolean(),
  kind: Type.String({ enum: ['dns_only', 'linked'] }),
  recordCount: Type.Integer(),
  domainId: Type.String(),
  serial: Type.Integer(),
  soa: SoaSchema,
  nameservers: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ZoneWithRecords = Type.Object({
  zone: ZoneSchema,
  records: Type.Array(RecordSchema),
  hasMore: Type.Optional(Type.Boolean()),
  nextCursor: Type.Optional(Nullable(Type.String())),
});

export const CreateZoneBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });

export const ImportBody = Type.Object(
  { zoneFile: Type.String({ description: 'RFC 1035 master file text; $ORIGIN defaults to the zone' }) },
  { additionalProperties: false },
);

export const ImportResult = Type.Object({
  zone: ZoneSchema,
  added: Type.Integer(),
  removed: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  ignored: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })),
});

export const DomainSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  serviceStatus: Type.String({ enum: ['active', 'suspended', 'terminated', 'pending', 'cancelled', 'expired', 'fraud', 'unknown'] }),
  lifecycle: Type.Object({
    type: Type.String({ enum: ['external', 'registered'] }),
    autoRenewEnabled: Type.Boolean(),
    registrarLockEnabled: Type.Boolean(),
    transferInProgress: Type.Boolean(),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
  }),
  nameservers: Type.Array(Type.String(), { description: 'Registered domains: the set at the registry' }),
  nameserversChangedAt: Nullable(Type.String({ format: 'date-time' })),
  zoneId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const DomainPatchBody = Type.Object(
  { autoRenewEnabled: Type.Optional(Type.Boolean()), registrarLockEnabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const DomainDns = Type.Object({
  zone: Nullable(ZoneSchema),
  records: Type.Array(RecordSchema),
  nameservers: Type.Array(Type.String()),
  actions: Type.Object({ canManageRecords: Type.Boolean() }),
});

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  accountId: Type.String(),
  tokenPrefix: Type.String(),
  scopes: Type.Array(Type.String()),
  zones: Nullable(Type.Array(Type.String())),
  allowIps: Nullable(Type.Array(Type.String())),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const ApiKeyCreated = Type.Object({ ...ApiKeySchema.properties, token: Type.String({ description: 'Shown once; store it now.' }) });

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.String(), { minItems: 1, maxItems: 10 }),
    zones: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 1000 }))),
    allowIps: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 }))),
    expiresInDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650 }))),
  },
  { additionalProperties: false },
);

/** GET /api/v2/dns-zones/{id}/dnssec (docs/dnssec.md). */
export const DnssecZoneView = Type.Object(
  {
    zone: Type.String(),
    signed: Type.Boolean({ description: 'True while the zone has an active signing key (DNS serves it with RRSIGs and NSEC).' }),
    rollover: Type.Union([
      Type.Object({
        next: Type.String({ description: 'ds-swap or remove-old' }),
        at: Type.String({ format: 'date-time' }),
        oldKeyTag: Type.Integer(),
        newKeyTag: Type.Integer(),
      }),
      Type.Null(),
    ]),
    keys: Type.Array(
      Type.Object({
        id: Type.String(),
        keyTag: Type.Integer(),
        algorithm: Type.Integer({ description: '13 ECDSAP256SHA256, 15 ED25519' }),
        algorithmName: Type.String(),
        flags: Type.Integer({ description: '257: a combined signing key (zone key, secure entry point)' }),
        state: Type.String({ description: 'published, active or retired' }),
        dnskey: Type.String({ description: 'DNSKEY RDATA in presentation form' }),
        createdAt: Type.String({ format: 'date-time' }),
      }),
    ),
    ds: Type.Array(
      Type.Object({
        keyTag: Type.Integer(),
        algorithm: Type.Integer(),
        digestType: Type.Integer({ description: '2 SHA-256, 4 SHA-384' }),
        digest: Type.String({ description: 'hex, uppercase' }),
        record: Type.String({ description: 'The DS record as the parent zone publishes it' }),
      }),
    ),
  },
  { additionalProperties: false },
);
