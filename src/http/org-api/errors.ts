// Errors of the organization API: the project's problem documents with the Hydra keys API Platform
// clients read, and validation as 422 with `violations[{propertyPath, message, code}]`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError, FieldError } from '../../core/errors.js';
import { PROBLEM_TYPE, problemBody, type PublicUrl } from '../plugins/problems.js';

/** "/records/0/ttl" → "records[0].ttl" (Symfony's property paths). */
export function propertyPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^[0-9]+$/.test(seg) ? `${acc}[${seg}]` : acc === '' ? seg : `${acc}.${seg}`), '');
}

export function violationsOf(errors: FieldError[]): { propertyPath: string; message: string; code: string }[] {
  return errors.map((e) => ({ propertyPath: propertyPath(e.pointer), message: e.detail, code: e.code }));
}

export function sendOrgProblem(publicUrl: PublicUrl, req: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  const base = problemBody(publicUrl, req, err);
  let body: Record<string, unknown>;
  if (err.code === 'validation_failed') {
    const violations = violationsOf(err.errors);
    const summary = violations.map((v) => (v.propertyPath ? `${v.propertyPath}: ${v.message}` : v.message)).join('\n');
    body = {
      '@context': '/api/contexts/ConstraintViolationList',
      '@type': 'ConstraintViolationList',
      'hydra:title': 'An error occurred',
      'hydra:description': summary || err.message,
      ...base,
      detail: summary || err.message,
      violations,
    };
  } else {
    body = { '@context': '/api/contexts/Error', '@type': 'hydra:Error', 'hydra:title': err.title, 'hydra:description': err.message, ...base };
  }
  return reply.code(err.status).type(PROBLEM_TYPE).send(JSON.stringify(body));
}
