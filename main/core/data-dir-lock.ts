import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { GenosError } from './errors.js';

export const LOCK_FILE = 'owner.lock';
export const OWNER_FILE = 'owner.json';

export type OwnerMode = 'electron' | 'serve' | 'cli';
export type OwnerInfo = {
  pid: number;
  mode: OwnerMode;
  startedAt: string;
  socketPath: string | null;
};
export type DataDirLock = { readonly dataDir: string; readonly owner: OwnerInfo; release(): void };

/**
 * The lock is an SQLite file held in an EXCLUSIVE transaction. SQLite locks with fcntl(), which
 * the kernel drops the moment the process dies, however it dies: a SIGKILLed owner never leaves
 * a stale lock, and no pid/mtime guessing is needed. SQLite also tracks locks per inode inside
 * one process, so a second connection here conflicts too, and closing it does not drop ours.
 *
 * Never open owner.lock with fs.* in this process: closing any plain fd on a file releases all of
 * the process's fcntl locks on it (POSIX). Only SQLite, which defers such closes, may touch it.
 */

// A probe (readOwner) briefly takes a shared lock; waiting this long keeps it from turning a
// would-be owner's free lock into a false conflict. A real conflict costs this delay once.
const BUSY_MS = 250;

// Strong references: a better-sqlite3 connection that is garbage-collected is closed, which
// would silently release the lock while its owner still runs.
const held = new Set<Database.Database>();

function isBusy(e: unknown): boolean {
  return (
    e instanceof Error &&
    'code' in e &&
    typeof e.code === 'string' &&
    e.code.startsWith('SQLITE_BUSY')
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readInfoFile(dir: string): OwnerInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Partial<OwnerInfo>;
    if (typeof v.pid !== 'number' || typeof v.startedAt !== 'string') return null;
    if (v.mode !== 'electron' && v.mode !== 'serve' && v.mode !== 'cli') return null;
    return { pid: v.pid, mode: v.mode, startedAt: v.startedAt, socketPath: v.socketPath ?? null };
  } catch {
    return null;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * owner.json is only informative; the lock decides. A holder writes it right after locking, so a
 * missing file or one left by a dead pid means we caught that instant: look again briefly.
 */
function ownerInfoOfHolder(dir: string): OwnerInfo | null {
  for (let i = 0; i < 25; i++) {
    const info = readInfoFile(dir);
    if (info && alive(info.pid)) return info;
    sleep(20);
  }
  return null;
}

function conflict(dir: string): GenosError {
  const o = ownerInfoOfHolder(dir);
  const who = o ? `genos ${o.mode} (pid ${o.pid}, since ${o.startedAt})` : 'another genos process';
  return new GenosError(
    'CONFLICT',
    `The data dir ${dir} is in use by ${who}. Stop it, or point GENOS_DATA_DIR / --data-dir elsewhere.`,
  );
}

function writeInfoFile(dir: string, info: OwnerInfo): void {
  const tmp = path.join(dir, `${OWNER_FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, OWNER_FILE));
}

/** Takes the data dir or throws CONFLICT naming the process that has it. */
export function lockDataDir(
  dataDir: string,
  owner: { mode: OwnerMode; socketPath?: string },
): DataDirLock {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(dir, LOCK_FILE);
  try {
    // Owner-only, like the rest of the dir. 'wx' only ever touches a file nobody can have locked.
    fs.writeFileSync(lockFile, '', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const db = new Database(lockFile, { timeout: BUSY_MS });
  try {
    // EXCLUSIVE locking mode keeps the lock after any commit; the open transaction takes it now.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    throw isBusy(e) ? conflict(dir) : e;
  }
  held.add(db);
  const info: OwnerInfo = {
    pid: process.pid,
    mode: owner.mode,
    startedAt: new Date().toISOString(),
    socketPath: owner.socketPath ?? null,
  };
  try {
    writeInfoFile(dir, info);
  } catch (e) {
    held.delete(db);
    db.close();
    throw e;
  }

  return {
    dataDir: dir,
    owner: info,
    release() {
      if (!held.has(db)) return;
      // Still holding the lock, so owner.json cannot be a successor's yet; check it is ours anyway.
      const current = readInfoFile(dir);
      if (current?.pid === info.pid && current.startedAt === info.startedAt) {
        fs.rmSync(path.join(dir, OWNER_FILE), { force: true });
      }
      held.delete(db);
      db.close();
    },
  };
}

/** The live owner of the data dir, or null when nobody holds it (a stale owner.json is ignored). */
export function readOwner(dataDir: string): OwnerInfo | null {
  const dir = path.resolve(dataDir);
  const lockFile = path.join(dir, LOCK_FILE);
  if (!fs.existsSync(lockFile)) return null;
  let db: Database.Database;
  try {
    db = new Database(lockFile, { readonly: true, fileMustExist: true, timeout: 0 });
  } catch {
    return null;
  }
  try {
    // Needs a shared lock, which an owner's EXCLUSIVE lock refuses.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return null;
  } catch (e) {
    if (!isBusy(e)) throw e;
    return ownerInfoOfHolder(dir);
  } finally {
    db.close();
  }
}
