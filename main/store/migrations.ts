import type Database from 'better-sqlite3';
import { GenosError } from '../core/errors.js';

/** 'GENO': marks the file as ours, so we never migrate some other program's database. */
export const APPLICATION_ID = 0x47454e4f;

/**
 * Schema steps; step i brings the database to user_version i + 1. Append only: a shipped step
 * is never edited, because databases in the field have already run it.
 *
 * Times are ISO-8601 UTC text from Date.toISOString(): fixed width, so text order is time order
 * and indexes on them sort correctly, and the file stays readable with the sqlite3 shell.
 */
export const MIGRATIONS: readonly string[] = [
  `
  PRAGMA application_id = ${APPLICATION_ID};

  CREATE TABLE environments (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    backend      TEXT NOT NULL CHECK (backend IN ('qemu', 'docker')),
    spec_json    TEXT NOT NULL CHECK (json_valid(spec_json)),
    state        TEXT NOT NULL CHECK (state IN ('draft', 'provisioning', 'starting', 'running',
                   'degraded', 'paused', 'stopping', 'stopped', 'failed', 'deleting')),
    state_reason TEXT,
    handles_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(handles_json)),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
  ) WITHOUT ROWID;
  -- The list page order (newest first, id as tie-break), with and without a state filter, so a
  -- page is an index range scan and never a sort of the whole table.
  CREATE INDEX environments_by_created ON environments (created_at DESC, id);
  CREATE INDEX environments_by_state ON environments (state, created_at DESC, id);

  CREATE TABLE images (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    path         TEXT NOT NULL UNIQUE,
    format       TEXT NOT NULL CHECK (format IN ('qcow2', 'raw', 'vdi', 'vhdx', 'vmdk', 'iso')),
    virtual_size INTEGER NOT NULL CHECK (virtual_size >= 0),
    actual_size  INTEGER NOT NULL CHECK (actual_size >= 0),
    source       TEXT,
    sha256       TEXT,
    created_at   TEXT NOT NULL
  );
  CREATE INDEX images_by_sha256 ON images (sha256) WHERE sha256 IS NOT NULL;

  CREATE TABLE snapshots (
    id         TEXT PRIMARY KEY,
    env_id     TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (env_id, name)
  );

  CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'info')),
    detail_json TEXT CHECK (detail_json IS NULL OR json_valid(detail_json))
  );
  CREATE INDEX events_by_target ON events (target, seq);
  -- An audit log that code can rewrite is not an audit log. Retention, if ever needed, is a
  -- migration that says so explicitly.
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  -- INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse an existing seq.
  CREATE TRIGGER events_no_replace BEFORE INSERT ON events
    WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  -- An explicit seq below the newest would slip an event into the past.
  CREATE TRIGGER events_no_backdate AFTER INSERT ON events
    WHEN NEW.seq < (SELECT max(seq) FROM events)
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value_json TEXT NOT NULL CHECK (json_valid(value_json))
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Refuses files we must not touch before anything is written to them: one from a newer GenOS
 * (its schema may mean things this code does not know) or one that belongs to another program.
 */
export function checkSchema(db: Database.Database, file: string, known = SCHEMA_VERSION): void {
  const version = userVersion(db);
  if (version > known) {
    throw new GenosError(
      'CONFLICT',
      `The database ${file} was written by a newer GenOS (schema version ${version}; this version ` +
        `knows up to ${known}). Update GenOS, or point GENOS_DATA_DIR / --data-dir elsewhere.`,
    );
  }
  const appId = db.pragma('application_id', { simple: true }) as number;
  const hasTables = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number })
    .n;
  if (appId !== APPLICATION_ID && (appId !== 0 || version > 0 || hasTables > 0)) {
    throw new GenosError(
      'CONFLICT',
      `The file ${file} is an SQLite database of another program, not GenOS. Move it aside, or ` +
        `point GENOS_DATA_DIR / --data-dir elsewhere.`,
    );
  }
}

/**
 * Applies the pending steps, each in its own IMMEDIATE transaction together with its
 * user_version bump, so a crash leaves the schema at a whole step and the next open resumes.
 * The version is re-read inside the write lock in case another connection migrated meanwhile.
 */
export function migrate(db: Database.Database, file: string, steps = MIGRATIONS): number {
  checkSchema(db, file, steps.length);
  for (;;) {
    const applied = db
      .transaction(() => {
        const version = userVersion(db);
        const step = steps[version];
        if (step === undefined) return false;
        db.exec(step);
        db.pragma(`user_version = ${version + 1}`);
        return true;
      })
      .immediate();
    if (!applied) break;
  }
  checkSchema(db, file, steps.length);
  return userVersion(db);
}
