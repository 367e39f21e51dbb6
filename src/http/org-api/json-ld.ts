// JSON-LD shapes of the organization API (API Platform / Hydra): items with @context, @id and
// @type; collections as hydra:Collection with hydra:member, hydra:totalItems and hydra:view.

export const LD_JSON = 'application/ld+json; charset=utf-8';

/** The resource classes this API serves, with the fields their contexts describe. */
export const LD_CLASSES: Record<string, readonly string[]> = {
  DnsRecord: ['recordId', 'domainId', 'type', 'ttl', 'value', 'name', 'weight', 'priority', 'port', 'flags', 'tag', 'monitorStatus', 'monitorType', 'comment', 'id', 'typeString', 'scriptError', 'scriptErrorAt'],
  Organization: ['id', 'name', 'role', 'createdAt'],
  Domain: ['id', 'name', 'kind', 'serviceStatus', 'dnsZone', 'createdAt'],
  ApiToken: ['id', 'name', 'tokenPrefix', 'organizations', 'expiresAt', 'createdAt', 'lastUsedAt', 'token'],
};

export function ldItem(type: string, id: string, body: object): Record<string, unknown> {
  return { '@context': `/api/contexts/${type}`, '@id': id, '@type': type, ...body };
}

/** A collection member: as an item, without its own @context (the collection's applies). */
export function ldMember(type: string, id: string, body: object): Record<string, unknown> {
  return { '@id': id, '@type': type, ...body };
}

export interface Paging {
  page: number;
  itemsPerPage: number;
  /** Query parameters to keep in the view links (filters). */
  keep: Record<string, string>;
  /** The client asked for a page (API Platform shows hydra:view then, or when there are several). */
  explicit: boolean;
}

function pageUrl(path: string, keep: Record<string, string>, page: number, itemsPerPage: number | null): string {
  const q = new URLSearchParams(keep);
  if (itemsPerPage !== null) q.set('itemsPerPage', String(itemsPerPage));
  q.set('page', String(page));
  return `${path}?${q.toString()}`;
}

export function ldCollection(type: string, path: string, members: object[], total: number, paging?: Paging): Record<string, unknown> {
  const out: Record<string, unknown> = { '@context': `/api/contexts/${type}`, '@id': path, '@type': 'hydra:Collection', 'hydra:totalItems': total, 'hydra:member': members };
  if (paging) {
    const last = Math.max(1, Math.ceil(total / paging.itemsPerPage));
    if (paging.explicit || last > 1) {
      const per = paging.keep.itemsPerPage !== undefined || paging.itemsPerPage !== 30 ? paging.itemsPerPage : null;
      const keep = { ...paging.keep };
      delete keep.itemsPerPage;
      const view: Record<string, unknown> = {
        '@id': pageUrl(path, keep, paging.page, per),
        '@type': 'hydra:PartialCollectionView',
        'hydra:first': pageUrl(path, keep, 1, per),
        'hydra:last': pageUrl(path, keep, last, per),
      };
      if (paging.page > 1) view['hydra:previous'] = pageUrl(path, keep, Math.min(paging.page - 1, last), per);
      if (paging.page < last) view['hydra:next'] = pageUrl(path, keep, paging.page + 1, per);
      out['hydra:view'] = view;
    }
  }
  return out;
}

/** GET /api/contexts/{class}: the JSON-LD context document of one class. */
export function ldContext(type: string): Record<string, unknown> | undefined {
  const fields = Object.hasOwn(LD_CLASSES, type) ? LD_CLASSES[type] : undefined;
  if (!fields) return undefined;
  const ctx: Record<string, unknown> = { '@vocab': '/api/docs.jsonld#', hydra: 'http://www.w3.org/ns/hydra/core#' };
  for (const f of fields) ctx[f] = `${type}/${f}`;
  return { '@context': ctx };
}
