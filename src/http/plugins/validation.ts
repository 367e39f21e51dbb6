// Request validation: Ajv compilers (bodies strict — no coercion, unknown fields rejected; query and
// path parameters coerced from text) and the mapping of Ajv errors to JSON-pointer field errors.
import type { ErrorObject } from 'ajv';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { FieldError, FieldErrorCode } from '../../core/errors.js';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export function makeAjv(coerce: boolean) {
  const ajv = new Ajv({ allErrors: true, coerceTypes: coerce ? 'array' : false, removeAdditional: false, useDefaults: true, strict: false });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  return ajv;
}

export function installValidators(app: FastifyInstance): void {
  const body = makeAjv(false);
  const other = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body.compile(schema) : other.compile(schema)));
}

function describe(name: string, e: ErrorObject): { code: FieldErrorCode; detail: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { code: 'required', detail: `\`${String(p.missingProperty)}\` is required.` };
    case 'additionalProperties':
      return { code: 'unknown_field', detail: `\`${String(p.additionalProperty)}\` is not a known field.` };
    case 'type':
      return { code: 'invalid_type', detail: `\`${name}\` must be ${article(String(p.type))}.` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { code: 'out_of_range', detail: `\`${name}\` ${e.message ?? 'is out of range'}.` };
    case 'minLength':
    case 'minItems':
      return { code: 'too_short', detail: `\`${name}\` ${e.message ?? 'is too short'}.` };
    case 'maxLength':
    case 'maxItems':
      return { code: 'too_long', detail: `\`${name}\` ${e.message ?? 'is too long'}.` };
    case 'enum':
    case 'const':
      return { code: 'invalid_value', detail: `\`${name}\` must be one of: ${((p.allowedValues as unknown[]) ?? [p.allowedValue]).join(', ')}.` };
    case 'pattern':
    case 'format':
      return { code: 'invalid_format', detail: `\`${name}\` has an invalid format.` };
    default:
      return { code: 'invalid_value', detail: `\`${name}\` ${e.message ?? 'is invalid'}.` };
  }
}

function article(type: string): string {
  const t = type.split(',').join(' or ');
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** Ajv errors → one field error per pointer (the first, most specific). */
export function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  const out = new Map<string, FieldError>();
  for (const e of errors) {
    const p = e.params as Record<string, unknown>;
    let pointer = e.instancePath;
    if (e.keyword === 'required') pointer += `/${String(p.missingProperty)}`;
    if (e.keyword === 'additionalProperties') pointer += `/${String(p.additionalProperty)}`;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const segments = pointer.split('/');
    const name = segments[segments.length - 1] || 'body';
    if (!out.has(pointer)) out.set(pointer, { pointer, ...describe(name.replace(/~1/g, '/').replace(/~0/g, '~'), e) });
  }
  return [...out.values()];
}
