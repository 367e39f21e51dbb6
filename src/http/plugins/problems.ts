// RFC 7807 problem documents for every error: AppErrors, validation failures, body parsing errors,
// unknown routes (404) and known routes with another method (405). Never an HTML page or a stack.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../../core/errors.js';
import { toFieldErrors } from './validation.js';

export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export type PublicUrl = string | (() => string);
const base = (u: PublicUrl): string => (typeof u === 'function' ? u() : u);

export function problemBody(publicUrl: PublicUrl, req: FastifyRequest, err: AppError): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: `${base(publicUrl)}/errors/${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
    instance: req.url.split('?')[0],
    requestId: req.id,
    timestamp: new Date().toISOString(),
  };
  if (err.errors.length > 0) body.errors = err.errors;
  for (const [k, v] of Object.entries(err.extra)) if (!(k in body)) body[k] = v;
  return body;
}

export function sendProblem(publicUrl: PublicUrl, req: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).type(PROBLEM_TYPE).send(JSON.stringify(problemBody(publicUrl, req, err)));
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

/** Converts anything thrown in a request into an AppError. */
export function toAppError(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const errors: FieldError[] = toFieldErrors(fe.validation as never);
    const where = fe.validationContext === 'body' ? 'The request body' : fe.validationContext === 'querystring' ? 'The query string' : 'The request path';
    return new AppError('invalid_request', `${where} failed validation.`, { errors });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && fe.statusCode === 400)) {
    return new AppError('invalid_request', 'The request body is not valid JSON.', { errors: [{ pointer: '', code: 'invalid_format', detail: 'The body could not be parsed as JSON.' }] });
  }
  if (fe.code && FASTIFY_CODES[fe.code]) {
    const code = FASTIFY_CODES[fe.code]!;
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new AppError(code, 'The request body is empty but the content type says JSON.');
    if (code === 'unsupported_media_type') return new AppError(code, 'The request body must be sent as application/json.');
    if (code === 'payload_too_large') return new AppError(code, 'The request body is larger than this server accepts.');
    return new AppError(code, fe.message);
  }
  const status = fe.statusCode ?? 500;
  if (status === 413) return new AppError('payload_too_large');
  if (status === 415) return new AppError('unsupported_media_type');
  if (status >= 400 && status < 500) return new AppError('invalid_request', err.message);
  return new AppError('internal_error', 'An unexpected error occurred; the request id identifies it in the server log.');
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function installProblems(app: FastifyInstance, publicUrl: PublicUrl): void {
  // A second router, fed by onRoute, tells 405 (path known, method not) from 404.
  const known = FindMyWay();
  const allowed = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = route.url;
    if (!allowed.has(url)) {
      allowed.set(url, new Set());
      known.on('GET', url, () => undefined, { url });
    }
    for (const m of methods) allowed.get(url)!.add(m.toUpperCase());
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: appErr.code, detail: appErr.message }, 'request rejected');
    return sendProblem(publicUrl, req, reply, appErr);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const match = known.find('GET', path);
    const url = (match?.store as { url?: string } | undefined)?.url;
    const methods = url ? allowed.get(url) : undefined;
    if (methods && methods.size > 0 && !methods.has(req.method)) {
      const allow = METHODS.filter((m) => methods.has(m)).join(', ');
      return sendProblem(publicUrl, req, reply, new AppError('method_not_allowed', `${req.method} is not supported on ${path}; use ${allow}.`, { headers: { Allow: allow } }));
    }
    return sendProblem(publicUrl, req, reply, new AppError('not_found', `No resource at ${path}.`));
  });
}

export { ERROR_CATALOGUE };
