import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import { environmentsRepo, type EnvironmentsRepo } from './environments-repo.js';
import { eventsRepo, type EventsRepo } from './events-repo.js';
import { imagesRepo, type ImagesRepo } from './images-repo.js';
import { migrate } from './migrations.js';
import { settingsRepo, type SettingsRepo } from './settings-repo.js';
import { snapshotsRepo, type SnapshotsRepo } from './snapshots-repo.js';
import { sqliteCode } from './sql-util.js';

export const STORE_FILE = 'genos.db';

export type StoreOptions = {
  /** Clock for row timestamps; tests pin it to make ties and ordering deterministic. */
  now?: () => Date;
  /** How long a write waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number;
};

export type Store = EnvironmentsRepo &
  EventsRepo &
  SettingsRepo &
  ImagesRepo &
  SnapshotsRepo & {
    readonly file: string;
    readonly schemaVersion: number;
    /**
     * Runs fn in one transaction (nested calls become savepoints), e.g. a state change and its
     * audit event together. fn must be synchronous: better-sqlite3 refuses a promise.
     */
    transaction<T>(fn: () => T): T;
    /** Idempotent. */
    close(): void;
  };

/** Creates the file owner-only before SQLite does (it would use 0644); the -wal/-shm files copy its mode. */
function createPrivate(file: string): void {
  try {
    fs.writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

function openError(e: unknown, file: string): unknown {
  const code = sqliteCode(e);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new GenosError(
      'UNAVAILABLE',
      `The database ${file} is damaged or not an SQLite file (${code}). Move it aside to start ` +
        `fresh, or point GENOS_DATA_DIR / --data-dir elsewhere.`,
    );
  }
  if (code === 'SQLITE_BUSY') {
    return new GenosError('CONFLICT', `The database ${file} is locked by another process.`);
  }
  return e;
}

/**
 * Opens (creating and migrating as needed) the data dir's database. The caller should hold the
 * data dir lock (main/core/data-dir-lock.ts) first: SQLite keeps concurrent writers consistent,
 * but two orchestrators acting on the same environments would not be.
 */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, STORE_FILE);
  createPrivate(file);
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  let schemaVersion: number;
  try {
    // WAL: readers never block the writer, and a commit is one append to the -wal file.
    // synchronous=NORMAL: a commit is write()n to the WAL before COMMIT returns, but fsync()ed
    // only at checkpoints. The data then sits in the kernel's page cache, so it survives the
    // process being killed at any instant (SIGKILL, crash, OOM) — which is what
    // tests/integration/store-crash.test.ts checks. A power loss or kernel panic may lose the last
    // few commits, never consistency (WAL frames are checksummed); start-up reconciliation
    // re-derives state from the real processes anyway, and FULL would put an fsync in every
    // state change and audit event.
    // The schema check happens inside migrate() before anything is written.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new GenosError(
        'UNAVAILABLE',
        `The database ${file} cannot use write-ahead logging (got journal_mode=${String(mode)}); ` +
          `put the data dir on a local file system.`,
      );
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Keeps the -wal file from staying large after a burst (e.g. a bulk import of events).
    db.pragma('journal_size_limit = 67108864');
    schemaVersion = migrate(db, file);
  } catch (e) {
    db.close();
    throw openError(e, file);
  }

  const clock = options.now ?? (() => new Date());
  const now = () => clock().toISOString();

  return {
    file,
    schemaVersion,
    ...environmentsRepo(db, now),
    ...eventsRepo(db, now),
    ...settingsRepo(db),
    ...imagesRepo(db, now),
    ...snapshotsRepo(db, now),
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    close() {
      if (!db.open) return;
      // Cheap, and keeps the planner's statistics fresh for the next start.
      db.pragma('optimize');
      db.close();
    },
  };
}
