// Opaque cursors for keyset pagination: the id of the last item, base64url-wrapped with a kind tag so
// a cursor from one list cannot be replayed on another.
import { AppError, fieldError } from './errors.js';
import { parseName } from './names.js';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export function encodeCursor(kind: string, lastId: string): string {
  return Buffer.from(`${kind}:${lastId}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith(`${kind}:`) || text.length > 200 || !/^[0-9a-z_]+$/.test(text.slice(kind.length + 1))) {
    throw new AppError('invalid_request', 'The cursor is not valid for this list.', {
      errors: [fieldError('/cursor', 'invalid_value', '`cursor` must be a `nextCursor` returned by this list.')],
    });
  }
  return text.slice(kind.length + 1);
}

/** Turns `limit + 1` fetched items into one page. */
export function toPage<T extends { id: string }>(kind: string, fetched: T[], limit: number): { data: T[]; hasMore: boolean; nextCursor: string | null } {
  const hasMore = fetched.length > limit;
  const data = hasMore ? fetched.slice(0, limit) : fetched;
  const last = data[data.length - 1];
  return { data, hasMore, nextCursor: hasMore && last ? encodeCursor(kind, last.id) : null };
}

/**
 * The keyset query of a list request: the cursor decoded, and the optional exact `name` filter in
 * canonical form. `null` when the name cannot match anything (the list is then empty).
 */
export function listQuery(kind: string, q: { limit: number; cursor?: string; name?: string }): { limit: number; afterId?: string; name?: string } | null {
  const afterId = decodeCursor(kind, q.cursor);
  const out: { limit: number; afterId?: string; name?: string } = { limit: q.limit + 1, ...(afterId ? { afterId } : {}) };
  if (q.name !== undefined && q.name !== '') {
    const r = parseName(q.name, 'any');
    if (!r.ok) return null;
    out.name = r.name;
  }
  return out;
}
