// /errors and /errors/<code>: the page behind every problem `type` URL, from the one catalogue.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../../core/errors.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — zonekeeper</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1em .3em}td,th{padding:.3em .8em;text-align:left;vertical-align:top}</style></head>
<body>${body}</body></html>`;
}

export async function errorsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/errors', { schema: { hide: true } }, async (_req, reply) => {
    const rows = Object.entries(ERROR_CATALOGUE)
      .map(([code, d]) => `<tr><td><a href="/errors/${code}"><code>${code}</code></a></td><td>${d.status}</td><td>${esc(d.title)}</td></tr>`)
      .join('');
    return reply.type('text/html; charset=utf-8').send(page('Error codes', `<h1>zonekeeper error codes</h1><p>Every API error is an RFC 7807 problem document whose <code>code</code> is one of these.</p><table><tr><th>code</th><th>status</th><th>title</th></tr>${rows}</table>`));
  });

  app.get('/errors/:code', { schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 64 }) }) } }, async (req, reply) => {
    const code = (req.params as { code: string }).code;
    if (!Object.hasOwn(ERROR_CATALOGUE, code)) throw new AppError('not_found', `There is no error code ${code}.`);
    const d = ERROR_CATALOGUE[code as ErrorCode];
    if ((req.headers.accept ?? '').includes('application/json')) return { code, status: d.status, title: d.title, description: d.description };
    return reply.type('text/html; charset=utf-8').send(page(d.title, `<h1><code>${code}</code> — ${esc(d.title)}</h1><p>HTTP status ${d.status}.</p><p>${esc(d.description).replace(/`([^`]+)`/g, '<code>$1</code>')}</p><p><a href="/errors">All error codes</a></p>`));
  });
}
