import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../preload/contract.js';
import { DEFAULT_SETTINGS } from '../../../main/store/settings-repo.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { expectGenosError, tempDataDir } from '../../helpers/store-temp.js';

let tmp: ReturnType<typeof tempDataDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDataDir();
  store = openStore(tmp.dir);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('settings', () => {
  it('starts from the defaults', () => {
    expect(store.getSettings()).toEqual({
      theme: 'system',
      defaultNetworkMode: 'nat',
      admissionMemoryShare: 0.8,
      cpuOvercommit: 4,
      llmEndpoint: null,
      downloadMirrors: [],
      downloadProxy: null,
      sshPublicKey: null,
      pullImages: false,
    });
    expect(store.getSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('applies a patch over the defaults and keeps it across re-open', () => {
    const next = store.updateSettings({ theme: 'dark', llmEndpoint: 'http://127.0.0.1:11434' });
    expect(next).toEqual({
      ...DEFAULT_SETTINGS,
      theme: 'dark',
      llmEndpoint: 'http://127.0.0.1:11434',
    });
    expect(store.updateSettings({ cpuOvercommit: 2 })).toEqual({ ...next, cpuOvercommit: 2 });
    expect(store.updateSettings({ llmEndpoint: null }).llmEndpoint).toBeNull();
    store.close();
    store = openStore(tmp.dir);
    expect(store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', cpuOvercommit: 2 });
  });

  it('rejects invalid values and unknown keys without writing anything', () => {
    const bad: unknown[] = [
      { theme: 'neon' },
      { admissionMemoryShare: 1.5 },
      { cpuOvercommit: 0 },
      { llmEndpoint: 'ftp://example.com' },
      { theme: 'dark', colour: 'red' },
      { theme: 'dark', cpuOvercommit: 99 },
    ];
    for (const patch of bad)
      expectGenosError(
        () => store.updateSettings(patch as Partial<Settings>),
        'BAD_ARGS',
        /Invalid settings/,
      );
    expect(store.getSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('falls back to the default for a stored value that no longer validates', () => {
    store.updateSettings({ theme: 'light', cpuOvercommit: 8 });
    const db = new Database(store.file);
    db.prepare("UPDATE settings SET value_json = '\"neon\"' WHERE key = 'theme'").run();
    db.prepare("INSERT INTO settings VALUES ('fromTheFuture', 'true')").run();
    db.close();
    expect(store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, cpuOvercommit: 8 });
  });
});
