// Request and response schemas of DNS records (HostUp v2 shape) and the atomic batch.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.schema.js';

const u16 = Nullable(Type.Integer({ minimum: 0, maximum: 65535 }));

export const RecordBody = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 16, description: 'A, AAAA, CNAME, ALIAS, MX, TXT, SRV, CAA, NS, PTR, TLSA, SSHFP, SVCB, HTTPS, DS' }),
    name: Type.String({ maxLength: 300, description: 'Owner, relative to the zone (`@` or "" = apex) or the FQDN' }),
    value: Type.String({ maxLength: 70000, description: 'RDATA in the type\'s API form (see docs/records.md)' }),
    ttl: Type.Optional(Nullable(Type.Integer({ description: 'Seconds; default and range are configurable (3600, 60-86400)' }))),
    priority: Type.Optional(u16),
    weight: Type.Optional(u16),
    port: Type.Optional(u16),
    comment: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);
export type RecordBodyT = Static<typeof RecordBody>;

export const RecordSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    name: Type.String({ description: 'FQDN without trailing dot' }),
    value: Type.String(),
    ttl: Type.Integer(),
    priority: Nullable(Type.Integer()),
    weight: Nullable(Type.Integer()),
    port: Nullable(Type.Integer()),
    status: Type.String({ enum: ['active', 'disabled', 'pending', 'error'] }),
    comment: Nullable(Type.String()),
    zoneId: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  {},
);

export const RecordsQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 16 })),
    name: Type.Optional(Type.String({ maxLength: 300, description: 'Owner name: relative or FQDN (as acme.sh sends it)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
  },
  { additionalProperties: false },
);

export const BatchBody = Type.Object(
  {
    deletes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
    puts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ maxLength: 64 }),
            type: RecordBody.properties.type,
            name: RecordBody.properties.name,
            value: RecordBody.properties.value,
            ttl: RecordBody.properties.ttl,
            priority: RecordBody.properties.priority,
            weight: RecordBody.properties.weight,
            port: RecordBody.properties.port,
            comment: RecordBody.properties.comment,
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    ),
    posts: Type.Optional(Type.Array(RecordBody, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type BatchBodyT = Static<typeof BatchBody>;

export const BatchResult = Type.Object({
  created: Type.Array(RecordSchema),
  updated: Type.Array(RecordSchema),
  deleted: Type.Array(Type.String()),
  zone: Type.Object({ id: Type.String(), serial: Type.Integer(), recordCount: Type.Integer() }),
});
