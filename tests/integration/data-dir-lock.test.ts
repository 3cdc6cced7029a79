import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  lockDataDir,
  readOwner,
  type DataDirLock,
  type OwnerInfo,
} from '../../main/core/data-dir-lock.js';
import { expectGenosError, tempDataDir } from '../helpers/store-temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOLDER = path.join(ROOT, 'tests/helpers/store-lock-holder.ts');

type Holder = {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  next(prefix: string): Promise<string>;
};

/** Starts a real second process that tries to own dataDir. */
function startHolder(dataDir: string, mode: string, socketPath?: string): Holder {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', HOLDER, dataDir, mode, ...(socketPath ? [socketPath] : [])],
    {
      cwd: ROOT,
    },
  );
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    waiters.splice(0).forEach((w) => w());
  });
  child.on('close', () => waiters.splice(0).forEach((w) => w()));
  let read = 0;
  const next = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        while (read < lines.length) {
          const line = lines[read++]!;
          // An empty prefix takes the next line whatever it is.
          if (!prefix) return resolve(line);
          if (line.startsWith(`${prefix} `) || line === prefix)
            return resolve(line.slice(prefix.length + 1));
        }
        if (child.exitCode !== null || child.signalCode !== null)
          return reject(new Error(`holder exited: ${lines.join('|')} ${err}`));
        waiters.push(check);
      };
      check();
    });
  return { child, lines, next };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function conflictMessage(dir: string, o: OwnerInfo): string {
  return `The data dir ${dir} is in use by genos ${o.mode} (pid ${o.pid}, since ${o.startedAt}). Stop it, or point GENOS_DATA_DIR / --data-dir elsewhere.`;
}

let tmp: ReturnType<typeof tempDataDir>;
let dir: string;
const cleanups: Array<() => void> = [];
beforeEach(() => {
  tmp = tempDataDir('genos-lock-');
  dir = path.join(tmp.dir, 'data');
});
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  tmp.cleanup();
});

function own(mode: OwnerInfo['mode'], socketPath?: string): DataDirLock {
  const lock = lockDataDir(dir, { mode, ...(socketPath ? { socketPath } : {}) });
  cleanups.push(() => lock.release());
  return lock;
}

function holder(mode: string, socketPath?: string): Holder {
  const h = startHolder(dir, mode, socketPath);
  cleanups.push(() => h.child.kill('SIGKILL'));
  return h;
}

describe('data dir lock across processes', () => {
  it('refuses a second owner while another process holds the dir, naming it', async () => {
    const h = holder('serve', '/run/genos.sock');
    const owner = JSON.parse(await h.next('LOCKED')) as OwnerInfo;
    expect(owner).toMatchObject({ pid: h.child.pid, mode: 'serve', socketPath: '/run/genos.sock' });
    expect(readOwner(dir)).toEqual(owner);
    expectGenosError(
      () => lockDataDir(dir, { mode: 'electron' }),
      'CONFLICT',
      conflictMessage(path.resolve(dir), owner),
    );
  });

  it('is free again immediately after the owner is SIGKILLed', async () => {
    const h = holder('electron');
    const owner = JSON.parse(await h.next('LOCKED')) as OwnerInfo;
    h.child.kill('SIGKILL');
    await exited(h.child);
    // The killed owner's owner.json is still there; it must not count.
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8'))).toEqual(owner);
    expect(readOwner(dir)).toBeNull();
    // Right after the exit, on the first try: no stale-lock timeout to wait out.
    const lock = own('serve');
    expect(readOwner(dir)).toEqual({
      ...lock.owner,
      pid: process.pid,
      mode: 'serve',
      socketPath: null,
    });
  });

  it('makes another process wait its turn when this one owns the dir', async () => {
    const lock = own('electron');
    const h = holder('cli');
    expect(await h.next('CONFLICT')).toBe(
      `CONFLICT ${conflictMessage(path.resolve(dir), lock.owner)}`,
    );
    expect(JSON.parse(await h.next('OWNER'))).toEqual(lock.owner);
    await exited(h.child);
    expect(h.child.exitCode).toBe(3);

    lock.release();
    const h2 = holder('cli');
    expect(JSON.parse(await h2.next('LOCKED'))).toMatchObject({ pid: h2.child.pid, mode: 'cli' });
  });

  it('lets exactly one of several racing processes win', async () => {
    const racers = Array.from({ length: 4 }, () => holder('serve'));
    const outcomes = await Promise.all(
      racers.map((h) => h.next('').then((line) => line.split(' ')[0])),
    );
    expect(outcomes.filter((o) => o === 'LOCKED')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'CONFLICT')).toHaveLength(3);
    const winner = racers[outcomes.indexOf('LOCKED')]!;
    expect(readOwner(dir)?.pid).toBe(winner.child.pid);
  });

  it('hands over cleanly on release: owner.json goes, the next owner gets in', async () => {
    const h = holder('serve');
    await h.next('LOCKED');
    h.child.stdin.write('release\n');
    await h.next('RELEASED');
    expect(fs.existsSync(path.join(dir, 'owner.json'))).toBe(false);
    expect(readOwner(dir)).toBeNull();
    own('cli');
    h.child.stdin.end();
    await exited(h.child);
  });
});

describe('data dir lock within one process', () => {
  it('refuses a second lock in the same process, and keeps the first one intact', async () => {
    const lock = own('serve');
    expectGenosError(
      () => lockDataDir(dir, { mode: 'cli' }),
      'CONFLICT',
      /in use by genos serve \(pid \d+/,
    );
    expect(readOwner(dir)).toEqual(lock.owner);
    // The failed attempt and the probe each opened and closed the lock file in this process;
    // with plain fcntl that close would have dropped our lock. Another process must still be refused.
    const h = holder('cli');
    expect(await h.next('CONFLICT')).toContain(`pid ${process.pid}`);

    lock.release();
    lock.release(); // idempotent
    expect(fs.existsSync(path.join(dir, 'owner.json'))).toBe(false);
    expect(readOwner(dir)).toBeNull();
    own('cli').release();
  });

  it('reads no owner for a dir that does not exist, without creating it', () => {
    expect(readOwner(dir)).toBeNull();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('creates the dir and its files owner-only', () => {
    own('cli');
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'owner.lock')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'owner.json')).mode & 0o777).toBe(0o600);
  });
});
