// Schemas of DynDNS configurations and logs as the API shows them (HostUp seeds 001 and 002).
import { Type } from 'typebox';
import { Nullable } from './common.schema.js';

export const DynDnsConfigSchema = Type.Object({
  id: Type.String({ description: 'Public id (`ddns_…`).' }),
  hostname: Type.String(),
  recordType: Type.String({ enum: ['A', 'AAAA'] }),
  token: Nullable(Type.String({ description: 'The update token: shown to callers holding `write:domains`, otherwise null.' })),
  lastIp: Nullable(Type.String()),
  lastUpdatedAt: Nullable(Type.String({ format: 'date-time' })),
  updateCount: Type.Integer(),
  enabled: Type.Boolean(),
  createdAt: Nullable(Type.String({ format: 'date-time' })),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const DynDnsTokenRotated = Type.Intersect([
  DynDnsConfigSchema,
  Type.Object({ rotatedConfigIds: Type.Array(Type.String(), { description: 'Every configuration that got the new token: this one and the one of the other record type for the same host name, if any.' }) }),
]);

export const DynDnsList = Type.Object({
  available: Type.Boolean(),
  reason: Nullable(Type.String()),
  configs: Type.Array(DynDnsConfigSchema),
  actions: Type.Object({ canManage: Type.Boolean(), canEnable: Type.Boolean(), canUpdateToken: Type.Boolean() }),
});

export const CreateDynDnsBody = Type.Object(
  {
    hostname: Type.String({ minLength: 1, maxLength: 300, description: 'The domain itself or a name under it.' }),
    recordType: Type.String({ enum: ['A', 'AAAA'] }),
  },
  { additionalProperties: false },
);

export const PatchDynDnsBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

export const DynDnsLogSchema = Type.Object({
  oldIp: Nullable(Type.String()),
  newIp: Nullable(Type.String()),
  sourceIp: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  status: Type.String({ enum: ['success', 'no_change', 'failed'] }),
  errorMessage: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const DynDnsLogs = Type.Object({
  logs: Type.Array(DynDnsLogSchema, { description: 'Newest first.' }),
  hasMore: Type.Boolean(),
  nextCursor: Nullable(Type.String()),
});

export const DynDnsLogsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 100, description: 'The `nextCursor` of the previous page.' })),
  },
  { additionalProperties: false },
);
