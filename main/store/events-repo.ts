import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import { checkLimit, parseJsonObject } from './sql-util.js';

export type NewEvent = {
  actor: string;
  action: string;
  target?: string | null;
  outcome: AuditEvent['outcome'];
  detail?: Record<string, unknown> | null;
  /** Defaults to now; set when recording something that happened earlier. */
  at?: string;
};

export type ListEventsQuery = { limit?: number; beforeSeq?: number; target?: string };

type Row = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: AuditEvent['outcome'];
  detail_json: string | null;
};

const COLS = 'seq, at, actor, action, target, outcome, detail_json';

function toEvent(r: Row): AuditEvent {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    detail: parseJsonObject(r.detail_json),
  };
}

/** The audit log: insert and read only. The table's triggers refuse UPDATE and DELETE as well. */
export function eventsRepo(db: Database.Database, now: () => string) {
  const insert = db.prepare(
    `INSERT INTO events (at, actor, action, target, outcome, detail_json)
       VALUES (@at, @actor, @action, @target, @outcome, @detail)`,
  );
  // MAX_SAFE_INTEGER stands in for "no upper bound" so one statement per filter covers both cases.
  const newest = db.prepare<object, Row>(
    `SELECT ${COLS} FROM events WHERE seq < @before ORDER BY seq DESC LIMIT @limit`,
  );
  const newestFor = db.prepare<object, Row>(
    `SELECT ${COLS} FROM events WHERE target = @target AND seq < @before ORDER BY seq DESC LIMIT @limit`,
  );

  function append(e: NewEvent): AuditEvent {
    if (!e.actor || !e.action) {
      throw new GenosError('BAD_ARGS', 'An audit event needs an actor and an action.');
    }
    const row = {
      at: e.at ?? now(),
      actor: e.actor,
      action: e.action,
      target: e.target ?? null,
      outcome: e.outcome,
      detail: e.detail == null ? null : JSON.stringify(e.detail),
    };
    const seq = Number(insert.run(row).lastInsertRowid);
    // Mapped from the stored text, so the pushed event equals what a later read returns.
    return toEvent({ seq, ...row, detail_json: row.detail });
  }
  const appendAll = db.transaction((batch: readonly NewEvent[]) => batch.map(append));

  return {
    appendEvent: append,

    /** All or nothing, in one transaction: one commit instead of one per event. */
    appendEvents(batch: readonly NewEvent[]): AuditEvent[] {
      return appendAll(batch);
    },

    /**
     * Newest first, shaped as the contract's listAuditEvents result. For the next page pass the
     * last seq of this one as beforeSeq.
     */
    listEvents(q: ListEventsQuery = {}): { items: AuditEvent[] } {
      const limit = checkLimit(q.limit ?? 100, 1000);
      const before = q.beforeSeq ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(before)) {
        throw new GenosError('BAD_ARGS', 'beforeSeq must be a whole number.');
      }
      const rows =
        q.target === undefined
          ? newest.all({ before, limit })
          : newestFor.all({ before, limit, target: q.target });
      return { items: rows.map(toEvent) };
    },
  };
}

export type EventsRepo = ReturnType<typeof eventsRepo>;
