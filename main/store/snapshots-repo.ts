import type Database from 'better-sqlite3';
import { checkId, mapConstraint, newId } from './sql-util.js';

export type SnapshotRecord = {
  id: string;
  envId: string;
  name: string;
  /** Backend-defined, e.g. a qemu internal snapshot or a docker commit; the store does not interpret it. */
  kind: string;
  createdAt: string;
};

export type NewSnapshot = { id?: string; envId: string; name: string; kind: string };

type Row = { id: string; env_id: string; name: string; kind: string; created_at: string };

const COLS = 'id, env_id, name, kind, created_at';

function toSnapshot(r: Row): SnapshotRecord {
  return { id: r.id, envId: r.env_id, name: r.name, kind: r.kind, createdAt: r.created_at };
}

export function snapshotsRepo(db: Database.Database, now: () => string) {
  const insert = db.prepare(
    `INSERT INTO snapshots (${COLS}) VALUES (@id, @envId, @name, @kind, @createdAt)`,
  );
  const get = db.prepare<[string], Row>(`SELECT ${COLS} FROM snapshots WHERE id = ?`);
  const list = db.prepare<[string], Row>(
    `SELECT ${COLS} FROM snapshots WHERE env_id = ? ORDER BY created_at, id`,
  );
  const del = db.prepare<[string]>('DELETE FROM snapshots WHERE id = ?');

  return {
    insertSnapshot(s: NewSnapshot): SnapshotRecord {
      const rec: SnapshotRecord = {
        id: checkId(s.id ?? newId(), 'snapshot'),
        envId: s.envId,
        name: s.name,
        kind: s.kind,
        createdAt: now(),
      };
      mapConstraint(() => insert.run(rec), {
        primaryKey: `A snapshot with id "${rec.id}" already exists.`,
        unique: `The environment already has a snapshot named "${rec.name}".`,
        foreignKey: `No environment with id "${rec.envId}".`,
      });
      return rec;
    },

    getSnapshot(id: string): SnapshotRecord | undefined {
      const row = get.get(id);
      return row && toSnapshot(row);
    },

    /** Oldest first: the order they were taken in. */
    listSnapshots(envId: string): SnapshotRecord[] {
      return list.all(envId).map(toSnapshot);
    },

    deleteSnapshot(id: string): boolean {
      return del.run(id).changes > 0;
    },
  };
}

export type SnapshotsRepo = ReturnType<typeof snapshotsRepo>;
