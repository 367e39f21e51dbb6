// Schemas of the registry routes: registrations, nameservers, glue records (seed 000), DNSSEC at
// the registry. Shapes only; the rules (host names, address ranges, digest lengths) are in core.
import { Type } from 'typebox';
import { Nullable } from './common.schema.js';

export const RegisterDomainBody = Type.Object(
  {
    name: Type.String({ maxLength: 300, description: 'The domain to register, e.g. example.test' }),
    years: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'Registration period (default 1)' })),
    nameservers: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 13, description: 'Default: this server\'s nameservers' })),
  },
  { additionalProperties: false },
);

export const NameserversBody = Type.Object(
  {
    nameservers: Type.Array(Type.String({ maxLength: 300 }), { maxItems: 20, description: '2-13 host names' }),
    nsips: Type.Optional(
      Type.Union(
        [
          Type.Array(Type.Union([Type.String({ maxLength: 1000 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }), Type.Null()]), { maxItems: 20 }),
          Type.Null(),
        ],
        { description: 'nsips[i]: the addresses of nameservers[i] when it is under the domain (a list, or one string of comma-separated addresses)' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const NameserversView = Type.Object({
  domainName: Type.String(),
  nameservers: Type.Array(Type.String()),
  nameserversChangedAt: Nullable(Type.String({ format: 'date-time' })),
  registrarLock: Type.Object({ enabled: Type.Boolean() }),
  actions: Type.Object({ canChangeNameservers: Type.Boolean(), reason: Nullable(Type.String()) }),
  dnssecAutoWillBeBlocked: Type.Boolean(),
  precheck: Nullable(Type.Object({ status: Type.String({ enum: ['queued', 'passed', 'failed'] }), checkedAt: Nullable(Type.String()), error: Nullable(Type.String()) })),
  pendingChange: Type.Optional(
    Type.Object(
      { nameservers: Type.Array(Type.String()), at: Type.String({ format: 'date-time' }), reason: Type.String() },
      { description: 'A signed domain moving to other nameservers: its DS was removed first; the change is made at `at` (202).' },
    ),
  ),
});

export const GlueBody = Type.Object(
  {
    hostname: Type.String({ maxLength: 300, description: 'A child nameserver under the domain, 3-255 characters' }),
    ips: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: '1-10 public IPv4/IPv6 addresses' }),
  },
  { additionalProperties: false },
);

export const GlueRecord = Type.Object({ hostname: Type.String(), ips: Type.Array(Type.String()) });

export const GlueList = Type.Object({
  domainName: Type.String(),
  glueRecords: Type.Array(GlueRecord),
  count: Type.Integer(),
  registryLimit: Type.Object({ current: Type.Integer(), max: Type.Integer(), reached: Type.Boolean() }),
  actions: Type.Object({ canCreateGlueRecord: Type.Object({ allowed: Type.Boolean(), reason: Nullable(Type.String()) }) }),
});

const NumOrString = (d: string) => Type.Union([Type.Integer(), Type.String({ maxLength: 10 })], { description: d });

export const DnssecBody = Type.Object(
  {
    type: Type.String({ enum: ['DS', 'KEY', 'ds', 'key'] }),
    keyTag: Type.Optional(NumOrString('DS: 0-65535')),
    algorithm: Type.Optional(NumOrString('IANA DNSSEC algorithm number')),
    digestType: Type.Optional(NumOrString('DS: 1 (SHA-1), 2 (SHA-256) or 4 (SHA-384)')),
    digest: Type.Optional(Type.String({ maxLength: 200, description: 'DS: hex' })),
    flags: Type.Optional(NumOrString('KEY: 256 or 257')),
    protocol: Type.Optional(NumOrString('KEY: 3')),
    publicKey: Type.Optional(Type.String({ maxLength: 4000, description: 'KEY: base64' })),
  },
  { additionalProperties: false },
);

export const DnssecRecord = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ enum: ['DS', 'KEY'] }),
    keyTag: Type.Optional(Type.Integer()),
    algorithm: Type.Integer(),
    digestType: Type.Optional(Type.Integer()),
    digest: Type.Optional(Type.String()),
    flags: Type.Optional(Type.Integer()),
    protocol: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(Type.String()),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);

export const DnssecList = Type.Object({ domainName: Type.String(), records: Type.Array(DnssecRecord), actions: Type.Object({ canAdd: Type.Boolean() }) });

/** POST /api/v2/domains/{id}/dnssec-auto (seed 004): unknown fields are refused. */
export const DnssecAutoBody = Type.Object(
  { action: Type.Union([Type.Literal('include'), Type.Literal('exclude')], { description: 'include: enroll the domain (it waits for the nameserver cooldown); exclude: withdraw the DS, then stop signing' }) },
  { additionalProperties: false },
);

const NStr = Type.Union([Type.String(), Type.Null()]);
const NDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** The state of automatic DNSSEC enrollment, field for field as seed 004. */
export const DnssecAutoView = Type.Object(
  {
    domainName: Type.String(),
    status: Type.Union(['blocked', 'active', 'inactive', 'excluded', 'pending', 'error'].map((s) => Type.Literal(s))),
    reason: NStr,
    isEnabled: Type.Boolean(),
    isBlocked: Type.Boolean(),
    blockedUntil: NDate,
    blockReason: NStr,
    lastCheckedAt: NDate,
    lastError: NStr,
    nameserversChangedAt: NDate,
  },
  { additionalProperties: false },
);
