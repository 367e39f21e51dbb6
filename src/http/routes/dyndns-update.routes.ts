// The public DynDNS update endpoints (no API key; the DynDNS token is the credential):
// HostUp's GET /api/dyndns/update?hostname&token[&ip] and dyndns2's /nic/update (Basic auth).
// Answers are text/plain dyndns2 lines, one per host name (docs/dyndns.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseUpdateRequest, replyLine, type Query } from '../../core/dyndns/dyndns2.js';
import type { Services } from '../../core/services.js';
import { Type } from 'typebox';

const PATHS = ['/api/dyndns/update', '/nic/update'] as const;

const text = (description: string) => Type.String({ description });

/** OpenAPI description of an update endpoint (documentation only, see attachValidation below). */
function updateSchema(url: (typeof PATHS)[number]) {
  const hostup = url === '/api/dyndns/update';
  return {
    tags: ['DynDNS updates'],
    summary: hostup ? 'Update a DynDNS host (HostUp form; the token in the query)' : 'Update DynDNS hosts (dyndns2: Basic auth, the token as password)',
    description:
      'No API key: the DynDNS token of the configuration is the credential (`token` parameter, or the password of HTTP Basic auth; the user name is free). ' +
      'Answers `text/plain`, one line per host name: `good <addresses>`, `nochg <addresses>`, `badauth`, `notfqdn`, `nohost`, `numhost`, `abuse`, `dnserr`, `911`; ' +
      'a malformed address is `400 badrequest <reason>`. GET and POST (query string, form or JSON body). See docs/dyndns.md.',
    security: hostup ? [] : [{ dyndnsBasic: [] }],
    querystring: Type.Object({
      hostname: text(hostup ? 'The host name to update.' : 'Host names to update, comma-separated (at most 20).'),
      ...(hostup ? { token: text('The DynDNS token (or send it as the Basic-auth password).') } : {}),
      ...(hostup ? {} : { myip: Type.Optional(text('Addresses, comma-separated: the first IPv4 goes to the A configuration, the first IPv6 to the AAAA one.')) }),
      ...(hostup ? {} : { myipv4: Type.Optional(text('The IPv4 address (wins over myip).')) }),
      ...(hostup ? {} : { myipv6: Type.Optional(text('The IPv6 address (wins over myip); `ipv6` is the same.')) }),
      ip: Type.Optional(text('The address (IPv4 or IPv6). Without any address parameter the client address is used.')),
    }),
    response: {
      200: { description: 'One dyndns2 line per host name', content: { 'text/plain': { schema: Type.String({ examples: ['good 192.0.2.10\n'] }) } } },
      400: { description: 'A malformed or unusable address: `badrequest <reason>`', content: { 'text/plain': { schema: Type.String() } } },
    },
  };
}
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
    // No automatic HEAD route: a HEAD must not change a record. The schema documents the endpoint
    // (OpenAPI) but never refuses a request: `attachValidation` hands any mismatch to the handler,
    // which reads the parameters leniently and answers in dyndns2 lines, never with a JSON problem.
    app.route({ method: ['GET', 'POST'], url, logLevel: 'warn', exposeHeadRoute: false, attachValidation: true, schema: updateSchema(url), handler });
  }
}
