// Redirect records (organization API type 5): where the built-in redirect service sends a request
// for a host name — the host's Redirect record in the zone that holds it, and the rule for paths.
import { parseName } from '../names.js';
import type { Store } from '../ports.js';

/** Where a request goes: the URL, with the request's path and query kept when the target ends in `/`. */
export function redirectTarget(url: string, requestPath: string): string {
  if (!url.endsWith('/')) return url;
  const rest = requestPath.startsWith('/') ? requestPath.slice(1) : requestPath;
  return url + rest;
}

export class RedirectsService {
  constructor(private readonly store: Store) {}

  /** The Redirect URL of a host (a Host header: port and trailing dot ignored), or null. */
  async urlFor(host: string): Promise<string | null> {
    const bare = host.trim().replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const n = parseName(bare, 'hostname');
    if (!n.ok) return null;
    // The zone that holds the name: the longest zone name it ends in.
    const zones = (await this.store.zones.findOverlapping(n.name)).filter((z) => z.status === 'active' && (n.name === z.name || n.name.endsWith(`.${z.name}`)));
    const zone = zones.sort((a, b) => b.name.length - a.name.length)[0];
    if (!zone) return null;
    const [rec] = await this.store.records.list(zone.id, { name: n.name, type: 'REDIRECT', limit: 1 });
    return rec && rec.status === 'active' ? rec.rdata : null;
  }
}
