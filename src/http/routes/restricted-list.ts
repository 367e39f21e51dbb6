// Lists for keys limited to some zones: only the zones (or their domains) the key may use appear,
// paginated the same way as the unrestricted lists.
import type { Principal } from '../../core/auth/principal.js';
import { decodeCursor, toPage } from '../../core/pagination.js';
import { parseName } from '../../core/names.js';
import type { ListQueryT } from '../schemas/common.schema.js';

type PageResult<T> = { data: T[]; hasMore: boolean; nextCursor: string | null };

export async function listWithZoneRestriction<T extends { id: string; name: string }>(
  p: Principal,
  q: ListQueryT,
  kind: string,
  list: (q: { limit: number; cursor?: string; name?: string }) => Promise<PageResult<T>>,
  byName: (name: string) => Promise<T | undefined>,
): Promise<PageResult<T>> {
  const limit = q.limit ?? 100;
  if (p.zones === null) {
    return list({ limit, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}), ...(q.name !== undefined ? { name: q.name } : {}) });
  }
  let names = [...p.zones];
  if (q.name !== undefined && q.name !== '') {
    const n = parseName(q.name, 'any');
    names = n.ok && names.includes(n.name) ? [n.name] : [];
  }
  const afterId = decodeCursor(kind, q.cursor);
  const found: T[] = [];
  for (const n of names) {
    const x = await byName(n);
    if (x !== undefined) found.push(x);
  }
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rest = afterId ? found.filter((x) => x.id > afterId) : found;
  return toPage<T>(kind, rest.slice(0, limit + 1), limit);
}
