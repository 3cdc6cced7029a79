import Database from 'better-sqlite3';
import path from 'node:path';
import { SCHEMA_VERSION } from '../../main/store/migrations.js';
import { openStore } from '../../main/store/store.js';

/** What the crash child reported as committed. */
export type CrashClaim =
  | { t: 'env'; id: string; name: string; seq: number; action: string }
  | { t: 'state'; id: string; step: number; seq: number; action: string }
  | { t: 'events'; first: number; last: number; tag: string };

export function parseClaims(stdout: string): CrashClaim[] {
  // A line cut by the kill has no newline yet: it is dropped, which only weakens the check.
  const lines = stdout.split('\n').slice(0, -1);
  return lines.filter((l) => l.startsWith('C ')).map((l) => JSON.parse(l.slice(2)) as CrashClaim);
}

/**
 * Opens the data dir the way the app would and lists every broken promise: integrity, schema
 * version, and each claimed row. Returns [] when everything the child reported is there.
 */
export function verifyClaims(dataDir: string, claims: readonly CrashClaim[]): string[] {
  const problems: string[] = [];
  const raw = new Database(path.join(dataDir, 'genos.db'));
  const integrity = raw.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
  const fk = raw.pragma('foreign_key_check') as unknown[];
  if (fk.length) problems.push(`foreign_key_check: ${JSON.stringify(fk)}`);
  const eventAction = raw.prepare<[number], { action: string }>(
    'SELECT action FROM events WHERE seq = ?',
  );
  const stepOf = raw.prepare<[string], { state_reason: string | null }>(
    'SELECT state_reason FROM environments WHERE id = ?',
  );

  const store = openStore(dataDir);
  try {
    if (store.schemaVersion !== SCHEMA_VERSION)
      problems.push(`schema version ${store.schemaVersion}`);
    const maxStep = new Map<string, number>();
    const expectEvent = (seq: number, action: string) => {
      const got = eventAction.get(seq)?.action;
      if (got !== action)
        problems.push(`event ${seq}: expected ${action}, found ${got ?? 'nothing'}`);
    };
    for (const c of claims) {
      if (c.t === 'env') {
        const env = store.getEnvironment(c.id);
        if (env?.name !== c.name) problems.push(`environment ${c.id} (${c.name}) missing`);
        expectEvent(c.seq, c.action);
      } else if (c.t === 'state') {
        maxStep.set(c.id, Math.max(maxStep.get(c.id) ?? 0, c.step));
        expectEvent(c.seq, c.action);
      } else {
        for (let seq = c.first; seq <= c.last; seq++) expectEvent(seq, `${c.tag}-${seq - c.first}`);
      }
    }
    // A later, unreported update may have committed just before the kill, never an earlier one.
    for (const [id, step] of maxStep) {
      const reason = stepOf.get(id)?.state_reason ?? '';
      const found = Number(/^step (\d+)$/.exec(reason)?.[1] ?? -1);
      if (found < step) problems.push(`environment ${id}: state step ${found} < reported ${step}`);
    }
  } finally {
    store.close();
    raw.close();
  }
  return problems;
}
