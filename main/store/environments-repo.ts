import type Database from 'better-sqlite3';
import type { Backend, EnvironmentState, EnvironmentSummary } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import { decodeCursor, encodeCursor, type PageCursor } from './cursor.js';
import { checkId, checkLimit, mapConstraint, newId, parseJsonObject } from './sql-util.js';

/**
 * What a backend needs to find its processes again after a restart. Not part of the contract:
 * the renderer never sees pids or socket paths.
 */
export type EnvironmentHandles = {
  pid?: number;
  containerId?: string;
  qmpSocket?: string;
  vncSocket?: string;
  serialSocket?: string;
  [key: string]: unknown;
};

export type NewEnvironment = {
  id?: string;
  name: string;
  backend: Backend;
  spec: Record<string, unknown>;
  state?: EnvironmentState;
};

export type EnvironmentPage = { items: EnvironmentSummary[]; next: string | null; total: number };
export type ListEnvironmentsQuery = { limit?: number; cursor?: string; state?: EnvironmentState };
export type EnvironmentHandleRow = {
  id: string;
  state: EnvironmentState;
  handles: EnvironmentHandles;
};

type Row = {
  id: string;
  name: string;
  backend: Backend;
  spec_json: string;
  state: EnvironmentState;
  state_reason: string | null;
  created_at: string;
  updated_at: string;
};

const COLS = 'id, name, backend, spec_json, state, state_reason, created_at, updated_at';
const ORDER = 'ORDER BY created_at DESC, id LIMIT @limit';
// "created_at <= c" is the index range; the OR only filters rows that tie with the cursor's time.
const AFTER = 'created_at <= @c AND (created_at < @c OR id > @i)';

/** Exported so a test can check each one's query plan is an index range scan. */
export const PAGE_SQL = {
  all: `SELECT ${COLS} FROM environments ${ORDER}`,
  allAfter: `SELECT ${COLS} FROM environments WHERE ${AFTER} ${ORDER}`,
  state: `SELECT ${COLS} FROM environments WHERE state = @s ${ORDER}`,
  stateAfter: `SELECT ${COLS} FROM environments WHERE state = @s AND ${AFTER} ${ORDER}`,
};

function toSummary(r: Row): EnvironmentSummary {
  return {
    id: r.id,
    name: r.name,
    backend: r.backend,
    state: r.state,
    stateReason: r.state_reason,
    spec: parseJsonObject(r.spec_json) ?? {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function environmentsRepo(db: Database.Database, now: () => string) {
  const insert = db.prepare(
    `INSERT INTO environments (id, name, backend, spec_json, state, state_reason, handles_json,
       created_at, updated_at) VALUES (@id, @name, @backend, @spec, @state, NULL, '{}', @at, @at)`,
  );
  const get = db.prepare<[string], Row>(`SELECT ${COLS} FROM environments WHERE id = ?`);
  const page = {
    all: db.prepare<object, Row>(PAGE_SQL.all),
    allAfter: db.prepare<object, Row>(PAGE_SQL.allAfter),
    state: db.prepare<object, Row>(PAGE_SQL.state),
    stateAfter: db.prepare<object, Row>(PAGE_SQL.stateAfter),
  };
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM environments');
  const countState = db.prepare<[string], { n: number }>(
    'SELECT count(*) AS n FROM environments WHERE state = ?',
  );
  const setState = db.prepare(
    `UPDATE environments SET state = @state, state_reason = @reason, updated_at = @at,
       handles_json = coalesce(@handles, handles_json) WHERE id = @id`,
  );
  const setSpec = db.prepare(
    'UPDATE environments SET spec_json = @spec, updated_at = @at WHERE id = @id',
  );
  const del = db.prepare<[string]>('DELETE FROM environments WHERE id = ?');
  const getHandles = db.prepare<[string], { handles_json: string }>(
    'SELECT handles_json FROM environments WHERE id = ?',
  );
  const allHandles = db.prepare<[], { id: string; state: EnvironmentState; handles_json: string }>(
    'SELECT id, state, handles_json FROM environments ORDER BY created_at, id',
  );

  const listPage = db.transaction(
    (
      limit: number,
      state: EnvironmentState | undefined,
      after: PageCursor | undefined,
    ): EnvironmentPage => {
      const params = { limit: limit + 1, s: state, c: after?.createdAt, i: after?.id };
      const which = `${state ? 'state' : 'all'}${after ? 'After' : ''}` as keyof typeof page;
      const rows = page[which].all(params);
      const more = rows.length > limit;
      const items = (more ? rows.slice(0, limit) : rows).map(toSummary);
      const last = items[items.length - 1];
      const next = more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
      const total = (state ? countState.get(state) : countAll.get())?.n ?? 0;
      return { items, next, total };
    },
  );

  function mustGet(id: string): EnvironmentSummary {
    const row = get.get(id);
    if (!row) throw new GenosError('NOT_FOUND', `No environment with id "${id}".`);
    return toSummary(row);
  }

  return {
    insertEnvironment(env: NewEnvironment): EnvironmentSummary {
      const id = checkId(env.id ?? newId(), 'environment');
      const name = env.name.trim();
      if (!name) throw new GenosError('BAD_ARGS', 'An environment needs a name.');
      const at = now();
      mapConstraint(
        () =>
          insert.run({
            id,
            name,
            backend: env.backend,
            spec: JSON.stringify(env.spec),
            state: env.state ?? 'draft',
            at,
          }),
        {
          primaryKey: `An environment with id "${id}" already exists.`,
          unique: `An environment named "${name}" already exists; choose another name.`,
        },
      );
      return mustGet(id);
    },

    getEnvironment(id: string): EnvironmentSummary | undefined {
      const row = get.get(id);
      return row && toSummary(row);
    },

    /**
     * Keyset pagination: a deep page costs the same as the first, and rows inserted meanwhile
     * never shift a page. Page and total are read in one transaction, so they agree.
     */
    listEnvironments(q: ListEnvironmentsQuery = {}): EnvironmentPage {
      const limit = checkLimit(q.limit ?? 100, 500);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      return listPage(limit, q.state, after);
    },

    /** Replaces the handles when given; leaves them as they are when omitted. */
    setEnvironmentState(
      id: string,
      state: EnvironmentState,
      reason: string | null,
      handles?: EnvironmentHandles,
    ): EnvironmentSummary {
      const res = setState.run({
        id,
        state,
        reason,
        at: now(),
        handles: handles === undefined ? null : JSON.stringify(handles),
      });
      if (res.changes === 0) throw new GenosError('NOT_FOUND', `No environment with id "${id}".`);
      return mustGet(id);
    },

    /** Replaces the spec (the caller validated it); the name and backend never change. */
    setEnvironmentSpec(id: string, spec: Record<string, unknown>): EnvironmentSummary {
      const res = setSpec.run({ id, spec: JSON.stringify(spec), at: now() });
      if (res.changes === 0) throw new GenosError('NOT_FOUND', `No environment with id "${id}".`);
      return mustGet(id);
    },

    /** Idempotent: true when a row was removed. Its snapshots go with it (ON DELETE CASCADE). */
    deleteEnvironment(id: string): boolean {
      return del.run(id).changes > 0;
    },

    getEnvironmentHandles(id: string): EnvironmentHandles | undefined {
      const row = getHandles.get(id);
      return row && ((parseJsonObject(row.handles_json) ?? {}) as EnvironmentHandles);
    },

    /** Every environment with its handles, oldest first: what start-up reconciliation walks. */
    listEnvironmentHandles(): EnvironmentHandleRow[] {
      return allHandles.all().map((r) => ({
        id: r.id,
        state: r.state,
        handles: (parseJsonObject(r.handles_json) ?? {}) as EnvironmentHandles,
      }));
    },
  };
}

export type EnvironmentsRepo = ReturnType<typeof environmentsRepo>;
