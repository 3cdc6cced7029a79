import { randomUUID } from 'node:crypto';
import { GenosError } from '../core/errors.js';

/** The contract's id rule; checked here too because callers may pass their own ids. */
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * 12 hex digits (48 random bits): short enough to type in the CLI, and a collision needs
 * millions of rows before it becomes plausible; the primary key would refuse it anyway.
 */
export function newId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}

export function checkId(id: string, what: string): string {
  if (!ID_RE.test(id)) {
    throw new GenosError(
      'BAD_ARGS',
      `The ${what} id "${id}" is invalid: use 1-64 letters, digits, - or _.`,
    );
  }
  return id;
}

export function checkLimit(limit: number, max: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new GenosError(
      'BAD_ARGS',
      `limit must be a whole number from 1 to ${max} (got ${limit}).`,
    );
  }
  return limit;
}

/** Code of a better-sqlite3 SqliteError (e.g. SQLITE_CONSTRAINT_UNIQUE), else undefined. */
export function sqliteCode(e: unknown): string | undefined {
  if (
    e instanceof Error &&
    'code' in e &&
    typeof e.code === 'string' &&
    e.code.startsWith('SQLITE_')
  ) {
    return e.code;
  }
  return undefined;
}

/**
 * Runs an insert and turns the constraint failures a caller can cause into GenosErrors, so a
 * duplicate name reads as a CONFLICT rather than an INTERNAL SQLite message.
 */
export function mapConstraint<T>(
  fn: () => T,
  messages: { primaryKey: string; unique: string; foreignKey?: string },
): T {
  try {
    return fn();
  } catch (e) {
    const code = sqliteCode(e);
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new GenosError('CONFLICT', messages.primaryKey);
    }
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') throw new GenosError('CONFLICT', messages.unique);
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && messages.foreignKey) {
      throw new GenosError('NOT_FOUND', messages.foreignKey);
    }
    throw e;
  }
}

export function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}
