// The one error catalogue: every problem `code` the API can answer with, its HTTP status and title.
// docs/errors.md lists the same codes (a test keeps the two in step), and /errors/<code> serves each.

export interface ErrorDefinition {
  status: number;
  title: string;
  description: string;
}

export const ERROR_CATALOGUE = {
  invalid_request: { status: 400, title: 'Invalid request', description: 'The request is malformed or failed validation; `errors[]` points at each invalid field with a JSON pointer.' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', description: 'The request body must be `application/json`.' },
  payload_too_large: { status: 413, title: 'Payload too large', description: 'The request body is larger than the server accepts.' },
  unauthorized: { status: 401, title: 'Unauthorized', description: 'No API key was sent, or the key is unknown, revoked or expired.' },
  forbidden: { status: 403, title: 'Forbidden', description: 'The API key lacks a scope the operation needs, or a restriction of the key (zones, client address) excludes this request.' },
  not_found: { status: 404, title: 'Not found', description: 'The resource does not exist or belongs to another account.' },
  method_not_allowed: { status: 405, title: 'Method not allowed', description: 'The resource exists but does not support this HTTP method; the `Allow` header lists those it does.' },
  validation_failed: { status: 422, title: 'Unprocessable entity', description: 'The organization API\'s validation error (API Platform style): `violations[]` lists each invalid property with `propertyPath` and `message`.' },
  conflict: { status: 409, title: 'Conflict', description: 'The request conflicts with the current state (a duplicate, a name taken by another zone, a CNAME beside other data).' },
  limit_exceeded: { status: 409, title: 'Limit exceeded', description: 'The operation would exceed a configured limit, such as the number of records a zone may hold.' },
  operation_unavailable: { status: 409, title: 'Operation unavailable', description: 'The operation does not apply to this resource in its current state (for example a registry setting on a domain registered elsewhere).' },
  domain_locked: { status: 409, title: 'Domain locked', description: 'The registrar lock of the domain is on; turn it off (PATCH /domains/{id} registrarLockEnabled: false) before changing nameservers, glue or DNSSEC at the registry.' },
  registry_rejected: { status: 409, title: 'Rejected by the registry', description: 'The registry of the TLD refused the operation; `registryReason` (and `registryCode`) carry its own words. Nothing changed.' },
  rate_limit_exceeded: { status: 429, title: 'Rate limit exceeded', description: 'Too many requests for this API key or client; retry after the number of seconds in `Retry-After`.' },
  internal_error: { status: 500, title: 'Internal error', description: 'An unexpected server error. The request id identifies it in the server log.' },
  registry_unavailable: { status: 503, title: 'Registry unavailable', description: 'The registry of the TLD could not be reached or did not answer in time; nothing changed here. Retry later.' },
  service_unavailable: { status: 503, title: 'Service unavailable', description: 'The server is starting, shutting down or cannot reach its store; retry later.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One invalid field: a JSON pointer into the request, a human sentence, and a machine code. */
export interface FieldError {
  pointer: string;
  detail: string;
  code: FieldErrorCode;
}

/** Machine codes for field errors (stable; clients may branch on them). */
export type FieldErrorCode =
  | 'required'
  | 'invalid_type'
  | 'invalid_format'
  | 'invalid_value'
  | 'out_of_range'
  | 'too_long'
  | 'too_short'
  | 'unknown_field'
  | 'duplicate'
  | 'conflict'
  | 'not_allowed';

/** An error the API turns into an RFC 7807 problem document. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly errors: FieldError[];
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail?: string,
    opts: { errors?: FieldError[]; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    const def = ERROR_CATALOGUE[code];
    super(detail ?? def.description);
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.title = def.title;
    this.errors = opts.errors ?? [];
    this.headers = opts.headers ?? {};
    this.extra = opts.extra ?? {};
  }
}

/** A 400 `invalid_request` carrying one or more field errors. */
export function invalid(errors: FieldError[], detail = 'The request body failed validation.'): AppError {
  return new AppError('invalid_request', detail, { errors });
}

export function fieldError(pointer: string, code: FieldErrorCode, detail: string): FieldError {
  return { pointer, code, detail };
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} was not found.`);
