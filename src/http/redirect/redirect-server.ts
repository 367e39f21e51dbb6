// The built-in redirect service (`--redirect HOST:PORT`): answers every HTTP request for a name
// with a Redirect record with a redirect to its URL — 301 by default, `Location` and a small HTML
// page for browsers; unknown hosts get 404. TLS is out of scope here (put a proxy in front).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { redirectTarget, type RedirectsService } from '../../core/redirects/redirects.service.js';

export interface RedirectServerOptions {
  host: string;
  port: number;
  /** 301 (default), 302, 307 or 308. */
  status: number;
  redirects: RedirectsService;
  onError?: (err: unknown) => void;
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>` +
    `<meta name="viewport" content="width=device-width"><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}</style></head>` +
    `<body><h1>${html(title)}</h1><p>${body}</p></body></html>\n`;
}

export class RedirectServer {
  readonly #server: http.Server;

  constructor(private readonly opts: RedirectServerOptions) {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.headersTimeout = 10_000;
    this.#server.requestTimeout = 15_000;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = await this.opts.redirects.urlFor(req.headers.host ?? '');
      res.setHeader('Cache-Control', 'no-cache');
      if (url === null) {
        res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : page('Not found', 'No redirect is configured for this host name.'));
        return;
      }
      const to = redirectTarget(url, req.url ?? '/');
      res.writeHead(this.opts.status, { Location: to, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : page('Moved', `This address has moved to <a href="${html(to)}">${html(to)}</a>.`));
    } catch (err) {
      this.opts.onError?.(err);
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' });
      res.end('The redirect service cannot look up this host right now.\n');
    }
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.opts.port, this.opts.host, () => {
        const a = this.#server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
