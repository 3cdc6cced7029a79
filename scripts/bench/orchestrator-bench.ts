/**
 * Orchestrator figures:
 *  - dependency resolution of a 200-environment stack (stackLevels: checks, cycle search,
 *    levels) against a raw Kahn topological sort of the same graph; target < 10 ms;
 *  - one reconciliation pass over 100 running environments in a real SQLite store (the runtime
 *    side is an in-memory backend that answers at once), in main-process CPU time
 *    (process.cpuUsage), against a raw better-sqlite3 select of the same 100 rows; target < 50 ms;
 *  - health-check overhead: 20 environments with tcp checks every second, real connections to
 *    20 listeners on 127.0.0.1 in a child process, as CPU of this process over 30 s, minus the
 *    same process idle; target < 1 % of one core.
 * Run: node --import tsx scripts/bench/orchestrator-bench.ts   (figures, not a pass/fail test)
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { EnvironmentSpec, type HostInfo } from '../../preload/contract.js';
import { EventBus } from '../../main/api/event-bus.js';
import type { Backend, EnvRef, RuntimeStatus } from '../../main/backends/backend.js';
import { Audit } from '../../main/core/audit.js';
import { HealthMonitor } from '../../main/orchestrator/health.js';
import { tcpConnect, type TcpConnect } from '../../main/orchestrator/health-probe.js';
import { Orchestrator } from '../../main/orchestrator/orchestrator.js';
import { reconcile } from '../../main/orchestrator/reconcile.js';
import { stackLevels, type StackMember } from '../../main/orchestrator/stack-graph.js';
import { STORE_FILE, openStore, type Store } from '../../main/store/store.js';
import { ms, summarize, verdict } from './bench-util.js';

const STACK_SIZE = 200;
const RECONCILE_ENVS = 100;
const CHECKED_ENVS = 20;
const HEALTH_WINDOW_MS = Number(process.env.GENOS_BENCH_HEALTH_MS ?? 30_000);

function spec(name: string, over: Record<string, unknown> = {}): EnvironmentSpec {
  return EnvironmentSpec.parse({
    name,
    backend: 'qemu',
    os: { id: 'debian', version: '12' },
    resources: { cpus: 1, memoryMiB: 128, diskGiB: 1 },
    network: { mode: 'none', ports: [] },
    display: 'headless',
    desktop: null,
    apps: [],
    count: 1,
    ephemeral: false,
    image: { kind: 'catalog' },
    healthCheck: null,
    restartPolicy: 'never',
    requires: [],
    hardening: {},
    ...over,
  });
}

/** A deterministic DAG: member i requires up to 3 of the members before it. */
function stackOf(n: number): StackMember[] {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => {
    const requires = new Set<string>();
    for (let k = 0; k < 3 && i > 0; k++) requires.add(`env-${Math.floor(rand() * i)}`);
    return { name: `env-${i}`, requires: [...requires] };
  });
}

/** The floor: Kahn's algorithm on index arrays, no checks, no messages. */
function rawTopoSort(members: StackMember[]): number[] {
  const index = new Map(members.map((m, i) => [m.name, i]));
  const indegree = new Array<number>(members.length).fill(0);
  const users: number[][] = members.map(() => []);
  members.forEach((m, i) => {
    for (const r of m.requires) {
      indegree[i]!++;
      users[index.get(r)!]!.push(i);
    }
  });
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  for (let q = 0; q < queue.length; q++)
    for (const u of users[queue[q]!]!) if (--indegree[u]! === 0) queue.push(u);
  return queue;
}

function timeMs(fn: () => void, reps: number): number[] {
  for (let i = 0; i < 50; i++) fn();
  return Array.from({ length: reps }, () => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  });
}

function benchStack(): void {
  const wide = stackOf(STACK_SIZE);
  const chain = Array.from({ length: STACK_SIZE }, (_, i) => ({
    name: `env-${i}`,
    requires: i ? [`env-${i - 1}`] : [],
  }));
  for (const [label, members] of [
    ['random DAG (3 requires each)', wide],
    ['one chain (200 levels)', chain],
  ] as const) {
    const levels = stackLevels(members).length;
    const ours = summarize(timeMs(() => stackLevels(members), 300));
    const raw = summarize(timeMs(() => rawTopoSort(members), 300));
    console.log(
      `stack of ${STACK_SIZE}, ${label}: ${levels} levels; stackLevels p50 ${ms(ours.p50)}, ` +
        `p99 ${ms(ours.p99)} (raw topological sort p50 ${ms(raw.p50)}) — ${verdict(ours.p99, 10)}`,
    );
  }
}

/** Answers at once, as if every instance runs: the pass's cost is then GenOS's own. */
function instantBackend(ids: () => string[]): Backend {
  const fail = async (): Promise<never> => {
    throw new Error('not used by the bench');
  };
  return {
    kind: 'qemu',
    plan: fail,
    create: async () => ({}),
    start: async (env: EnvRef) => ({ ...env.handles }),
    stop: async () => undefined,
    kill: async () => undefined,
    pause: fail,
    resume: fail,
    snapshot: fail,
    restore: fail,
    deleteSnapshot: fail,
    remove: async () => undefined,
    inspect: async (): Promise<RuntimeStatus> => ({ state: 'running', pid: 1 }),
    stats: fail,
    openConsole: fail,
    consoleLog: async () => Buffer.alloc(0),
    openDisplay: async () => ({ protocol: 'none', reason: 'bench' }),
    listRunning: async () => ids().map((envId) => ({ envId, handles: {} })),
  };
}

function core(store: Store, backend: Backend) {
  const bus = new EventBus();
  const audit = new Audit(store, bus);
  const deps = {
    store,
    audit,
    bus,
    backend: async () => backend,
    hostInfo: async () =>
      ({ cpu: { count: 64, model: 'bench' }, memory: { totalMiB: 1 << 20 } }) as HostInfo,
    settings: () => store.getSettings(),
  };
  return { deps, audit, orchestrator: new Orchestrator(deps) };
}

function cpuMs(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  return fn().then(() => {
    const d = process.cpuUsage(before);
    return (d.user + d.system) / 1000;
  });
}

async function benchReconcile(dir: string): Promise<void> {
  const store = openStore(dir);
  const ids: string[] = [];
  const { deps, orchestrator } = core(
    store,
    instantBackend(() => ids),
  );
  for (let i = 0; i < RECONCILE_ENVS; i++) {
    const env = store.insertEnvironment({
      name: `rec-${i}`,
      backend: 'qemu',
      spec: spec(`rec-${i}`),
      state: 'running',
    });
    ids.push(env.id);
  }
  const pass = () =>
    reconcile(orchestrator, deps, { startup: false }).then((r) => {
      if (r.checked !== RECONCILE_ENVS || r.changed.length) throw new Error('unexpected report');
    });
  for (let i = 0; i < 10; i++) await pass();
  const ours: number[] = [];
  for (let i = 0; i < 100; i++) ours.push(await cpuMs(pass));
  store.close();

  // The floor: the same rows straight from SQLite, specs parsed, nothing else.
  const db = new Database(path.join(dir, STORE_FILE), { readonly: true });
  const select = db.prepare('SELECT * FROM environments WHERE state = ?');
  const rawPass = async () => {
    const rows = select.all('running') as Array<{ spec_json: string }>;
    for (const r of rows) JSON.parse(r.spec_json);
    if (rows.length !== RECONCILE_ENVS) throw new Error(`raw select saw ${rows.length} rows`);
  };
  for (let i = 0; i < 10; i++) await rawPass();
  const raw: number[] = [];
  for (let i = 0; i < 100; i++) raw.push(await cpuMs(rawPass));
  db.close();
  const o = summarize(ours);
  const r = summarize(raw);
  console.log(
    `reconciliation pass, ${RECONCILE_ENVS} running environments (real SQLite, instant backend): ` +
      `CPU p50 ${ms(o.p50)}, p99 ${ms(o.p99)} (raw select of the rows p50 ${ms(r.p50)}) — ${verdict(o.p99, 50)}`,
  );
}

/** 20 listeners on 127.0.0.1 in a child, so their work is not counted as ours. */
async function listeners(n: number) {
  const code = `
    const net = require('node:net');
    const open = [];
    let ports = [];
    let left = ${n};
    for (let i = 0; i < ${n}; i++) {
      const s = net.createServer((c) => { c.on('error', () => {}); open.push(c); });
      s.listen(0, '127.0.0.1', () => {
        ports.push(s.address().port);
        if (--left === 0) console.log(JSON.stringify(ports));
      });
    }`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) =>
    readline.createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { ports: JSON.parse(line) as number[], stop: () => child.kill('SIGTERM') };
}

async function idleCpu(windowMs: number): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, windowMs));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

async function benchHealth(dir: string): Promise<void> {
  const store = openStore(dir);
  const { deps, orchestrator } = core(
    store,
    instantBackend(() => []),
  );
  const targets = await listeners(CHECKED_ENVS);
  try {
    targets.ports.forEach((port, i) =>
      store.insertEnvironment({
        name: `hc-${i}`,
        backend: 'qemu',
        spec: spec(`hc-${i}`, {
          network: { mode: 'nat', ports: [{ host: port, guest: 80, protocol: 'tcp' }] },
          healthCheck: { kind: 'tcp', port: 80, intervalSec: 1, timeoutSec: 1, retries: 3 },
        }),
        state: 'running',
      }),
    );
    const checks = { ok: 0, run: 0 };
    const real = tcpConnect();
    const connect: TcpConnect = (port, timeoutMs) => (checks.run++, real(port, timeoutMs));
    const monitor = new HealthMonitor({ store, audit: deps.audit, orchestrator, connect });
    const idleMs = Math.min(10_000, HEALTH_WINDOW_MS);
    const idle = await idleCpu(idleMs);
    monitor.start();
    await new Promise((r) => setTimeout(r, 2500)); // every check seen and run once
    const before = process.cpuUsage();
    const t0 = performance.now();
    const runBefore = checks.run;
    await new Promise((r) => setTimeout(r, HEALTH_WINDOW_MS));
    const run = checks.run - runBefore;
    const d = process.cpuUsage(before);
    const wall = performance.now() - t0;
    monitor.stop();
    const envs = store.listEnvironments({ state: 'running', limit: 500 }).items;
    checks.ok = envs.filter((e) => monitor.failures(e.id) === 0).length;
    const busy = (d.user + d.system) / 1000;
    const idleShare = (idle / idleMs) * 100;
    const share = (busy / wall) * 100 - idleShare;
    const perCheck = busy / run;
    console.log(
      `health checks, ${CHECKED_ENVS} environments, tcp every 1 s to 127.0.0.1 listeners ` +
        `(${run} checks, ${checks.ok}/${CHECKED_ENVS} healthy): ${busy.toFixed(0)} ms CPU in ${(wall / 1000).toFixed(0)} s ` +
        `= ${(share + idleShare).toFixed(2)} % of one core; idle baseline ${idleShare.toFixed(2)} %; ` +
        `overhead ${share.toFixed(2)} % (~${perCheck.toFixed(2)} ms CPU per check) — ${verdict(share, 1)} (%)`,
    );
  } finally {
    targets.stop();
    store.close();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-bench-orch-'));
try {
  benchStack();
  await benchReconcile(path.join(dir, 'reconcile'));
  await benchHealth(path.join(dir, 'health'));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
