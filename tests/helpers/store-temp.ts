import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { isGenosError, type GenosError } from '../../main/core/errors.js';
import { openStore, type Store, type StoreOptions } from '../../main/store/store.js';
import type { ErrorCode } from '../../preload/contract.js';

/** A fresh temp dir per test, removed afterwards: real SQLite files, never :memory:. */
export function tempDataDir(prefix = 'genos-store-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A clock that advances 1 ms per call, or stays put when step is 0 (to force ties). */
export function steppingClock(start = Date.UTC(2030, 0, 1), step = 1): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += step;
    return d;
  };
}

/**
 * Before each test of the calling file: a store on a fresh temp dir with a stepping clock, handed
 * to `set`; after it, the store is closed and the dir removed. `reopen` closes the store and opens
 * the same dir again with other options, as a restart would, and hands that one to `set` too.
 */
export function useTempStore(set: (store: Store) => void): { reopen(options: StoreOptions): void } {
  let tmp: ReturnType<typeof tempDataDir>;
  let store: Store;
  const open = (options: StoreOptions) => {
    store = openStore(tmp.dir, options);
    set(store);
  };
  beforeEach(() => {
    tmp = tempDataDir();
    open({ now: steppingClock() });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });
  return {
    reopen: (options) => {
      store.close();
      open(options);
    },
  };
}

/** Asserts fn throws a GenosError with this code and a message matching the pattern (or equal to the string). */
export function expectGenosError(
  fn: () => unknown,
  code: ErrorCode,
  message: RegExp | string = /./,
): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isGenosError(thrown), `expected a GenosError, got ${String(thrown)}`).toBe(true);
  expect((thrown as GenosError).code).toBe(code);
  if (typeof message === 'string') expect((thrown as GenosError).message).toBe(message);
  else expect((thrown as GenosError).message).toMatch(message);
}
