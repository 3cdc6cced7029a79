import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPLICATION_ID,
  MIGRATIONS,
  SCHEMA_VERSION,
  migrate,
} from '../../../main/store/migrations.js';
import { openStore } from '../../../main/store/store.js';
import { expectGenosError, tempDataDir } from '../../helpers/store-temp.js';

let tmp: ReturnType<typeof tempDataDir>;
beforeEach(() => (tmp = tempDataDir()));
afterEach(() => tmp.cleanup());

function raw(dir: string) {
  return new Database(path.join(dir, 'genos.db'));
}

describe('migrations', () => {
  it('builds the whole schema from an empty dir', () => {
    const dataDir = path.join(tmp.dir, 'nested', 'data');
    const store = openStore(dataDir);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    store.close();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, 'genos.db')).mode & 0o777).toBe(0o600);

    const db = raw(dataDir);
    const names = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_schema WHERE type IN ('table','trigger')",
      )
      .all()
      .map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'environments',
        'images',
        'snapshots',
        'events',
        'settings',
        'events_no_update',
        'events_no_delete',
      ]),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('re-opens idempotently, keeping data', () => {
    const a = openStore(tmp.dir);
    const env = a.insertEnvironment({ name: 'keep', backend: 'qemu', spec: { os: 'debian' } });
    a.updateSettings({ theme: 'dark' });
    a.close();
    for (let i = 0; i < 3; i++) {
      const b = openStore(tmp.dir);
      expect(b.schemaVersion).toBe(SCHEMA_VERSION);
      expect(b.getEnvironment(env.id)).toEqual(env);
      expect(b.getSettings().theme).toBe('dark');
      b.close();
    }
  });

  it('enables foreign keys on its connection and closes idempotently', () => {
    // Two stores on one file are only for inspection here; the data-dir lock prevents it in the app.
    const store = openStore(tmp.dir);
    const db = raw(tmp.dir);
    // foreign_keys is per connection: prove the store's connection has it by its effect.
    expect(() => store.insertSnapshot({ envId: 'nope', name: 's', kind: 'disk' })).toThrow(
      /No environment/,
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store.close();
    store.close(); // idempotent
  });

  it('refuses a database written by a newer GenOS, without touching it', () => {
    openStore(tmp.dir).close();
    const db = raw(tmp.dir);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = fs.readFileSync(path.join(tmp.dir, 'genos.db'));
    expectGenosError(
      () => openStore(tmp.dir),
      'CONFLICT',
      new RegExp(
        `newer GenOS \\(schema version ${SCHEMA_VERSION + 1}; this version knows up to ${SCHEMA_VERSION}\\)`,
      ),
    );
    expect(fs.readFileSync(path.join(tmp.dir, 'genos.db')).equals(before)).toBe(true);
  });

  it("refuses another program's database and a file that is not SQLite", () => {
    const db = raw(tmp.dir);
    db.exec('CREATE TABLE theirs (x)');
    db.close();
    expectGenosError(() => openStore(tmp.dir), 'CONFLICT', /another program/);

    fs.writeFileSync(
      path.join(tmp.dir, 'genos.db'),
      'this is not a database, just text '.repeat(200),
    );
    expectGenosError(() => openStore(tmp.dir), 'UNAVAILABLE', /damaged or not an SQLite file/);
  });

  it('applies each step in its own transaction and resumes after a failing step', () => {
    const file = path.join(tmp.dir, 'steps.db');
    const db = new Database(file);
    const steps = [
      `PRAGMA application_id = ${APPLICATION_ID}; CREATE TABLE a (x);`,
      'CREATE TABLE b (x); CREATE TABLE broken (;',
    ];
    expect(() => migrate(db, file, steps)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    // The half of step 2 that ran was rolled back with it.
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'b'").get()).toEqual({
      n: 0,
    });
    expect(migrate(db, file, [steps[0]!, 'CREATE TABLE b (x);'])).toBe(2);
    expect(migrate(db, file, [steps[0]!, 'CREATE TABLE b (x);'])).toBe(2);
    db.close();
  });

  it('has only non-empty steps', () => {
    expect(MIGRATIONS.length).toBe(SCHEMA_VERSION);
    for (const step of MIGRATIONS) expect(step.trim().length).toBeGreaterThan(0);
  });
});
