import { GenosError } from '../core/errors.js';

/** Position after the last row of a page: the (created_at, id) pair the next page starts past. */
export type PageCursor = { createdAt: string; id: string };

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * base64url of a small JSON array. Opaque to callers, so the ordering key can change later
 * without changing the contract; never trusted on the way back in.
 */
export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): PageCursor {
  const bad = () =>
    new GenosError('BAD_ARGS', 'The page cursor is invalid; start again from the first page.');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 2) throw bad();
  const [createdAt, id] = v as unknown[];
  if (typeof createdAt !== 'string' || !ISO_RE.test(createdAt)) throw bad();
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw bad();
  return { createdAt, id };
}
