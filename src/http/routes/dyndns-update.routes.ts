// The public DynDNS update endpoints (no API key; the DynDNS token is the credential):
// HostUp's GET /api/dyndns/update?hostname&token[&ip] and dyndns2's /nic/update (Basic auth).
// Answers are text/plain dyndns2 lines, one per host name (docs/dyndns.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseUpdateRequest, replyLine, type Query } from '../../core/dyndns/dyndns2.js';
import type { Services } from '../../core/services.js';

const PATHS = ['/api/dyndns/update', '/nic/update'] as const;
const TEXT = 'text/plain; charset=utf-8';

export async function dyndnsUpdateRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  // Some clients POST the parameters as a form instead of a query string.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<string> => {
    reply.type(TEXT).header('Cache-Control', 'no-store');
    const body = req.body !== null && typeof req.body === 'object' ? (req.body as Query) : {};
    const query: Query = { ...(req.query as Query), ...body };
    const parsed = parseUpdateRequest(query, req.headers.authorization, req.ip);
    // A malformed address cannot get better by retrying: a hard failure (clients stop on non-2xx).
    if (!parsed.ok) {
      reply.code(400);
      return `badrequest ${parsed.detail}\n`;
    }
    const ua = req.headers['user-agent'];
    try {
      const outcomes = await services.dyndns.update(parsed.request, { sourceIp: req.ip, userAgent: typeof ua === 'string' ? ua : null });
      return outcomes.map(replyLine).join('\n') + '\n';
    } catch (err) {
      // The store is unreachable or something unexpected broke: "911" tells clients to wait.
      req.log.error({ err }, 'dyndns update failed');
      return Array.from({ length: Math.max(1, parsed.request.hostnames.length) }, () => '911').join('\n') + '\n';
    }
  };

  for (const url of PATHS) {
    // No request log lines here: the HostUp form carries the token in the query string.
    // No automatic HEAD route: a HEAD must not change a record.
    app.route({ method: ['GET', 'POST'], url, logLevel: 'warn', exposeHeadRoute: false, schema: { hide: true }, handler });
  }
}
