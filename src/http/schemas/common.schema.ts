// Shared schema pieces: nullable helper, list query, page wrapper, the problem document.
import { Type, type TSchema, type Static } from 'typebox';

/** `schema` or null, as a JSON Schema type array (clean Ajv errors, valid OpenAPI 3.1). */
export function Nullable<T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T> | null>> {
  const s = { ...(schema as Record<string, unknown>) };
  const t = s.type;
  return Type.Unsafe<Static<T> | null>({ ...s, type: Array.isArray(t) ? [...t, 'null'] : [t, 'null'] });
}

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Items per page (1-1000).' })),
    cursor: Type.Optional(Type.String({ maxLength: 400, description: 'The `nextCursor` of the previous page.' })),
    name: Type.Optional(Type.String({ maxLength: 300, description: 'Exact name filter.' })),
  },
  { additionalProperties: false },
);
export type ListQueryT = Static<typeof ListQuery>;

export function PageOf<T extends TSchema>(item: T, id: string) {
  return Type.Object(
    {
      data: Type.Array(item),
      hasMore: Type.Boolean(),
      nextCursor: Nullable(Type.String()),
    },
    { description: id },
  );
}

export const FieldErrorSchema = Type.Object({
  pointer: Type.String({ description: 'JSON pointer to the offending field ("" = the whole body).' }),
  detail: Type.String(),
  code: Type.String(),
});

export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.String(),
    requestId: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 7807 problem document (application/problem+json).' },
);

export const IdParam = (name: string, prefix: string) =>
  Type.Object({ [name]: Type.String({ pattern: `^${prefix}[0-9a-zA-Z]{26}$`, description: `Public id (\`${prefix}…\`).` }) }, { additionalProperties: false });

/** Error responses every authenticated route can give. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of [400, 401, 403, 404, 429, ...statuses]) out[s] = { $ref: 'Problem#', description: 'Problem document' };
  return out;
}
