import { GenosError } from '../core/errors.js';

/**
 * The start of a log window from the API's two spellings: `since` (an ISO time, already checked
 * by the contract) or `sinceSec` (seconds back from now). Both at once is ambiguous.
 */
export function logSince(since?: string, sinceSec?: number): Date | undefined {
  if (since !== undefined && sinceSec !== undefined) {
    throw new GenosError(
      'BAD_ARGS',
      'Give since (an ISO time) or sinceSec (seconds ago), not both.',
    );
  }
  if (since !== undefined) return new Date(since);
  if (sinceSec !== undefined) return new Date(Date.now() - sinceSec * 1000);
  return undefined;
}

/** `10m`, `90s`, `2h`, `1d` or an ISO time, as the CLI's --since takes it. */
export function parseSinceFlag(text: string): { since: string } | { sinceSec: number } {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    const sec = Number(rel[1]) * unit;
    if (sec >= 1) return { sinceSec: sec };
  }
  const t = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(t.getTime())) {
    return { since: t.toISOString() };
  }
  throw new GenosError(
    'BAD_ARGS',
    `--since takes a duration (30s, 10m, 2h, 1d) or an ISO time (2026-01-02T03:04:05Z), not "${text}".`,
  );
}
