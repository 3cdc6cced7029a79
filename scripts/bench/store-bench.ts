/**
 * Store figures: bulk audit appends, and one page of the environment list with 10,000 rows, via
 * the Store and via raw better-sqlite3 on the same file (the floor the Store's mapping sits on).
 * Run: node --import tsx scripts/bench/store-bench.ts   (figures, not a pass/fail test)
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PAGE_SQL } from '../../main/store/environments-repo.js';
import { openStore, type Store } from '../../main/store/store.js';
import { ms, summarize, verdict } from './bench-util.js';

const EVENTS = 100_000;
const BATCH = 1_000;
const ENVIRONMENTS = 10_000;
const PAGE = 100;
const REPS = 200;
const TARGET_MS = 5;

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function samples(fn: () => void): number[] {
  for (let i = 0; i < 20; i++) fn(); // warm the page cache and the JIT
  return Array.from({ length: REPS }, () => time(fn));
}

function benchEvents(store: Store): void {
  let seq = 0;
  const total = time(() => {
    for (let b = 0; b < EVENTS / BATCH; b++) {
      const batch = Array.from({ length: BATCH }, (_, i) => ({
        actor: 'bench',
        action: 'env.state',
        target: `env-${(b * BATCH + i) % 500}`,
        outcome: 'info' as const,
        detail: { i, batch: b },
      }));
      seq = store.appendEvents(batch).at(-1)!.seq;
    }
  });
  console.log(
    `appendEvents: ${EVENTS} events in batches of ${BATCH}: ${total.toFixed(0)} ms, ` +
      `${Math.round((EVENTS / total) * 1000)} events/s (last seq ${seq})`,
  );
  const single = 2_000;
  const one = time(() => {
    for (let i = 0; i < single; i++)
      store.appendEvent({ actor: 'bench', action: 'one', outcome: 'ok' });
  });
  console.log(
    `appendEvent: ${single} single-event commits: ${one.toFixed(0)} ms, ${Math.round((single / one) * 1000)} events/s`,
  );
}

function seedEnvironments(store: Store): void {
  const states = ['running', 'stopped', 'paused', 'failed'] as const;
  const took = time(() =>
    store.transaction(() => {
      for (let i = 0; i < ENVIRONMENTS; i++) {
        store.insertEnvironment({
          name: `env-${i}`,
          backend: i % 3 ? 'docker' : 'qemu',
          spec: {
            os: 'debian-12',
            memoryMiB: 4096,
            cpus: 2,
            apps: ['firefox'],
            network: 'none',
            i,
          },
          state: states[i % states.length],
        });
      }
    }),
  );
  console.log(`seeded ${ENVIRONMENTS} environments in one transaction: ${took.toFixed(0)} ms`);
}

function report(label: string, store: number[], raw: number[]): void {
  const s = summarize(store);
  const r = summarize(raw);
  console.log(
    `${label.padEnd(28)} store p50 ${ms(s.p50)} p99 ${ms(s.p99)} (${verdict(s.p99, TARGET_MS)} ms at p99) | ` +
      `raw p50 ${ms(r.p50)} p99 ${ms(r.p99)} | ratio p50 ${(s.p50 / r.p50).toFixed(2)}x`,
  );
}

function benchPages(store: Store, file: string): void {
  // The deep cursor: walk to the 90th page once, the way a client scrolling down would.
  let cursor: string | undefined;
  for (let i = 0; i < 90; i++)
    cursor =
      store.listEnvironments({ limit: PAGE, ...(cursor ? { cursor } : {}) }).next ?? undefined;
  const deepRows = store.listEnvironments({ limit: PAGE, cursor: cursor! }).items.length;

  // Raw baseline: same SQL, same file, its own connection; rows returned as SQLite gives them
  // plus the count, with no cursor decoding, JSON parsing or mapping to the contract shape.
  const raw = new Database(file, { readonly: true });
  const rawFirst = raw.prepare(PAGE_SQL.all);
  const rawAfter = raw.prepare(PAGE_SQL.allAfter);
  const rawState = raw.prepare(PAGE_SQL.state);
  const rawCount = raw.prepare('SELECT count(*) AS n FROM environments');
  const rawCountState = raw.prepare('SELECT count(*) AS n FROM environments WHERE state = ?');
  // The same position as the Store's cursor, decoded here so the baseline pays nothing for it.
  const after = JSON.parse(Buffer.from(cursor!, 'base64url').toString('utf8')) as [string, string];

  console.log(
    `list page of ${PAGE} over ${ENVIRONMENTS} environments, ${REPS} repetitions each (deep page = page 91, ${deepRows} rows):`,
  );
  report(
    'first page',
    samples(() => store.listEnvironments({ limit: PAGE })),
    samples(() => {
      rawFirst.all({ limit: PAGE + 1 });
      rawCount.get();
    }),
  );
  report(
    'deep page (cursor)',
    samples(() => store.listEnvironments({ limit: PAGE, cursor: cursor! })),
    samples(() => {
      rawAfter.all({ limit: PAGE + 1, c: after[0], i: after[1] });
      rawCount.get();
    }),
  );
  report(
    'first page, state=running',
    samples(() => store.listEnvironments({ limit: PAGE, state: 'running' })),
    samples(() => {
      rawState.all({ limit: PAGE + 1, s: 'running' });
      rawCountState.get('running');
    }),
  );
  raw.close();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-store-bench-'));
try {
  const store = openStore(dir);
  const mem = new Database(':memory:');
  const { v } = mem.prepare('SELECT sqlite_version() AS v').get() as { v: string };
  mem.close();
  console.log(
    `store at ${store.file} (SQLite ${v}, node ${process.version}, ${os.cpus().length} CPUs)`,
  );
  benchEvents(store);
  seedEnvironments(store);
  benchPages(store, store.file);
  const events = time(() => store.listEvents({ limit: 100, target: 'env-7' }));
  console.log(`listEvents target filter over ${EVENTS} events: ${ms(events)} (single run)`);
  store.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
