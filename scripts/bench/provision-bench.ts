/**
 * Prompt to ready, through the API a user drives: a real `genos serve` (the built out/) and its
 * WebSocket API, as the UI does — compose(prompt) -> createEnvironment -> startEnvironment ->
 * running, and for a catalog VM on until the provisioning stage `ready` arrives as a pushed
 * environmentChanged. Each against the raw tool in the same run:
 *  1. A cached local container image (busybox-static, tests/helpers/docker-test-image.ts) named in
 *     the prompt, GENOS_BENCH_REPS times (default 10), vs `docker run -d` of the same image with the
 *     options of GenOS's own plan (planEnvironment) until the command returns (container running).
 *     Target < 1.5 s.
 *  2. A cached Debian 12 base (scripts/build-debian-image.sh; GENOS_BENCH_DEBIAN_QCOW2=<file> uses
 *     an existing qcow2 instead of building) with GenOS's NoCloud seed, to cloud-init's ready
 *     marker, under the accelerator the host probe selects (TCG where KVM is unusable), vs
 *     qemu-system-x86_64 run directly with the same argv on a fresh overlay of the same base and
 *     the same seed, to the same marker. GENOS_BENCH_VM=0 skips it (it takes minutes under TCG).
 * Run: node --import tsx scripts/bench/provision-bench.ts   (after npm run build; needs dockerd, QEMU)
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type WebSocket from 'ws';
import type { EnvironmentSummary, HostInfo, LaunchPlan, TaskInfo } from '../../preload/contract.js';
import { PROVISIONED_MARKER } from '../../main/provisioning/cloud-init.js';
import { ensureDebianImage, writeDebianCatalog } from '../../tests/helpers/debian-image.js';
import {
  cleanupTestRun,
  ensureTestImage,
  testDocker,
  testRunId,
} from '../../tests/helpers/docker-test-image.js';
import {
  openWs,
  request,
  startServe,
  type ServeProcess,
} from '../../tests/helpers/serve-process.js';
import { ms, summarize, verdict } from './bench-util.js';

const run = promisify(execFile);
const REPS = Number(process.env.GENOS_BENCH_REPS ?? 10);
const VM_READY_MS = Number(process.env.GENOS_BENCH_VM_TIMEOUT_SEC ?? 1800) * 1000;
const runId = `bench${testRunId()}`;
/** Every environment the bench made, removed at the end whatever happens. */
const made = new Set<string>();

/** The WebSocket API of one serve: calls by id, and every pushed environmentChanged. */
class Api {
  private id = 0;
  private readonly listeners = new Set<(env: EnvironmentSummary) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as { event?: string; payload?: EnvironmentSummary };
      if (msg.event === 'environmentChanged' && msg.payload)
        for (const l of this.listeners) l(msg.payload);
    });
  }

  static async open(serve: ServeProcess): Promise<Api> {
    return new Api(await openWs(serve.port, { token: serve.token }));
  }

  async call<T>(name: string, args: unknown): Promise<T> {
    const id = ++this.id;
    const reply = await request(this.ws, JSON.stringify({ id, call: name, args }), id);
    if (reply.error) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
    return reply.result as T;
  }

  /** Resolves with the first pushed change of `envId` that `done` accepts. */
  until(envId: string, done: (e: EnvironmentSummary) => boolean, ms: number) {
    return new Promise<EnvironmentSummary>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error(`no such change of ${envId} within ${ms / 1000} s`));
      }, ms);
      const l = (e: EnvironmentSummary) => {
        if (e.id !== envId || !done(e)) return;
        clearTimeout(timer);
        this.listeners.delete(l);
        resolve(e);
      };
      this.listeners.add(l);
    });
  }

  async waitTask(task: TaskInfo): Promise<void> {
    for (let t = task; t.state === 'running';) {
      await new Promise((r) => setTimeout(r, 300));
      t = (await this.call<{ items: TaskInfo[] }>('listTasks', {})).items.find(
        (x) => x.id === task.id,
      )!;
      if (t.state === 'failed') throw new Error(`${t.title}: ${t.error?.message}`);
    }
  }
}

/** A single-environment prompt's answer (a refusal fails the call's caller below). */
type Composed = { spec: Record<string, unknown> };

type Steps = { compose: number; create: number; start: number; total: number };

/** compose -> createEnvironment -> startEnvironment (it answers once the environment runs). */
async function promptToRunning(api: Api, prompt: string) {
  const t0 = performance.now();
  const composed = await api.call<Composed>('compose', { prompt });
  const t1 = performance.now();
  const { items } = await api.call<{ items: EnvironmentSummary[] }>('createEnvironment', {
    spec: composed.spec,
  });
  const t2 = performance.now();
  made.add(items[0]!.id);
  const env = await api.call<EnvironmentSummary>('startEnvironment', { id: items[0]!.id });
  const t3 = performance.now();
  if (env.state !== 'running') throw new Error(`${env.name} is ${env.state}: ${env.stateReason}`);
  const steps: Steps = { compose: t1 - t0, create: t2 - t1, start: t3 - t2, total: t3 - t0 };
  return { env, t0, steps };
}

async function removeEnv(api: Api, id: string): Promise<void> {
  await api.call('killEnvironment', { id }).catch(() => undefined);
  await api.call('deleteEnvironment', { id }).catch(() => undefined);
  made.delete(id);
}

type CreateOptions = {
  Image: string;
  Hostname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  HostConfig: {
    NanoCpus?: number;
    Memory?: number;
    MemorySwap?: number;
    PidsLimit?: number;
    CapDrop?: string[];
    CapAdd?: string[];
    SecurityOpt?: string[];
    ReadonlyRootfs?: boolean;
    NetworkMode?: string;
    Init?: boolean;
    LogConfig?: { Config?: Record<string, string> };
  };
};

/** `docker run -d` flags standing for the create options GenOS's plan would send. */
function dockerRunArgs(o: CreateOptions, name: string): string[] {
  const h = o.HostConfig;
  return [
    'run',
    '-d',
    ...(o.Tty ? ['-t'] : []),
    ...(o.OpenStdin ? ['-i'] : []),
    '--name',
    name,
    '--label',
    `genos.test=${runId}`,
    ...(o.Hostname ? ['--hostname', o.Hostname] : []),
    ...(h.NanoCpus ? ['--cpus', String(h.NanoCpus / 1e9)] : []),
    ...(h.Memory ? ['--memory', String(h.Memory)] : []),
    ...(h.MemorySwap ? ['--memory-swap', String(h.MemorySwap)] : []),
    ...(h.PidsLimit ? ['--pids-limit', String(h.PidsLimit)] : []),
    ...(h.CapDrop ?? []).flatMap((c) => ['--cap-drop', c]),
    ...(h.CapAdd ?? []).flatMap((c) => ['--cap-add', c]),
    ...(h.SecurityOpt ?? []).flatMap((s) => ['--security-opt', s]),
    ...(h.ReadonlyRootfs ? ['--read-only'] : []),
    ...(h.NetworkMode ? ['--network', h.NetworkMode] : []),
    ...(h.Init ? ['--init'] : []),
    ...Object.entries(h.LogConfig?.Config ?? {}).flatMap(([k, v]) => ['--log-opt', `${k}=${v}`]),
    o.Image,
  ];
}

function line(label: string, samples: number[]): string {
  const s = summarize(samples);
  return `  ${label.padEnd(34)} p50 ${ms(s.p50)}  max ${ms(s.max)}  (n=${s.n})`;
}

async function benchContainer(api: Api): Promise<void> {
  const image = await ensureTestImage(testDocker());
  const prompt = (i: number) =>
    `busybox container from image ${image}, 1 cpu, 64MB, no network, called pb-${runId}-${i}`;
  const plan = await api.call<LaunchPlan>('planEnvironment', {
    spec: (await api.call<Composed>('compose', { prompt: prompt(0) })).spec,
  });
  if (plan.backend !== 'docker') throw new Error('the prompt did not compose to a container');
  const options = plan.createOptions as unknown as CreateOptions;
  // One of each first: the engine's and serve's first container pays for caches and lazy loads.
  await removeEnv(api, (await promptToRunning(api, prompt(REPS))).env.id);
  const warm = `genos-bench-raw-${runId}-warm`;
  await run('docker', dockerRunArgs(options, warm));
  await run('docker', ['rm', '-f', warm]);
  const genos: Steps[] = [];
  const raw: number[] = [];
  // Interleaved, so drift in the engine (caches, load) hits both alike; each removed before the
  // next, so admission and the engine see one running container at a time.
  for (let i = 0; i < REPS; i++) {
    const r = await promptToRunning(api, prompt(i));
    genos.push(r.steps);
    await removeEnv(api, r.env.id);
    const name = `genos-bench-raw-${runId}-${i}`;
    const t0 = performance.now();
    await run('docker', dockerRunArgs(options, name));
    raw.push(performance.now() - t0);
    await run('docker', ['rm', '-f', name]);
  }
  const totals = genos.map((s) => s.total);
  const g = summarize(totals);
  const d = summarize(raw);
  console.log(`container, prompt to running (cached image ${image}), ${REPS} reps:`);
  console.log(line('genos serve (WebSocket API)', totals));
  console.log(
    line(
      '  compose',
      genos.map((s) => s.compose),
    ),
  );
  console.log(
    line(
      '  createEnvironment',
      genos.map((s) => s.create),
    ),
  );
  console.log(
    line(
      '  startEnvironment (to running)',
      genos.map((s) => s.start),
    ),
  );
  console.log(line('docker run -d (same options)', raw));
  console.log(
    `  ratio genos/docker p50 ${(g.p50 / d.p50).toFixed(2)}x; ${verdict(g.p50, 1500)} ms (p50), ${verdict(g.max, 1500)} ms (max)`,
  );
}

/** GenOS's argv for the VM, on another overlay, with the serial console on stdout and no QMP. */
function rawQemuArgv(argv: string[], overlay: string, envDisk: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1] ?? '';
    if (a === '-S') continue;
    if (a === '-pidfile' || a === '-mon' || (a === '-chardev' && /id=(qmp0|serial0)/.test(next))) {
      i++;
      continue;
    }
    if (a === '-serial') {
      out.push('-serial', 'stdio');
      i++;
      continue;
    }
    out.push(a.replace(envDisk, overlay));
  }
  return out;
}

/** Spawns qemu and resolves once its serial console prints the provisioned marker. */
function rawBootToMarker(qemu: string, argv: string[]): Promise<number> {
  const marker = new RegExp(`${PROVISIONED_MARKER} \\S+ ok`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(qemu, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), VM_READY_MS);
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d: Buffer) => {
      tail = (tail + d.toString('latin1')).slice(-8192);
      if (!marker.test(tail)) return;
      const elapsed = performance.now() - t0;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(elapsed);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`raw qemu ended (${code}) before the marker: ${stderr}\n${tail.slice(-2000)}`),
      );
    });
  });
}

async function benchVm(api: Api, serve: ServeProcess, host: HostInfo): Promise<void> {
  const name = `pvm-${runId}`;
  const r = await promptToRunning(api, `debian 12 vm, 1 cpu, 1GB, no network, called ${name}`);
  let shown: EnvironmentSummary;
  try {
    shown = await api.until(
      r.env.id,
      (e) => e.provision?.stage === 'ready' || e.provision?.failed === true,
      VM_READY_MS,
    );
  } finally {
    await api.call('killEnvironment', { id: r.env.id }).catch(() => undefined);
  }
  const readyMs = performance.now() - r.t0;
  if (shown.provision?.failed) throw new Error(`provisioning failed: ${shown.provision.message}`);
  const plan = await api.call<LaunchPlan>('planEnvironment', { spec: r.env.spec });
  if (plan.backend !== 'qemu') throw new Error('the prompt did not compose to a VM');

  // The raw run: the same argv (the dry run's paths become this environment's), a fresh overlay
  // on the same cached base, the seed GenOS made for the environment.
  const envDir = path.join(serve.dataDir, 'qemu', r.env.id);
  const argv = plan.argv.map((a) => a.replaceAll('/dry-run/', `/${r.env.id}/`));
  const base = JSON.parse(
    (await run('qemu-img', ['info', '--output=json', path.join(envDir, 'disk.qcow2')])).stdout,
  ) as { 'full-backing-filename': string };
  const overlay = path.join(envDir, 'raw-bench.qcow2');
  await run('qemu-img', [
    'create',
    '-f',
    'qcow2',
    '-F',
    'qcow2',
    '-b',
    base['full-backing-filename'],
    overlay,
  ]);
  const rawMs = await rawBootToMarker(
    plan.binary,
    rawQemuArgv(argv, overlay, path.join(envDir, 'disk.qcow2')),
  );
  console.log(
    `VM, prompt to provisioning ready (cached Debian 12 base, NoCloud seed, accel ${host.accel.selected}):`,
  );
  console.log(
    `  genos serve (WebSocket API)        ${ms(readyMs)}  (compose ${ms(r.steps.compose)}, create ${ms(r.steps.create)}, start to running ${ms(r.steps.start)})`,
  );
  console.log(`  qemu-system-x86_64 (same argv)     ${ms(rawMs)}  (exec to the same marker)`);
  console.log(`  ratio genos/qemu ${(readyMs / rawMs).toFixed(2)}x`);
  if (host.accel.selected !== 'kvm')
    console.log(`  KVM: not measured here — ${host.accel.kvm.reason}`);
  await removeEnv(api, r.env.id);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-provision-bench-'));
const dataDir = path.join(tmp, 'data');
fs.mkdirSync(dataDir, { mode: 0o700 });
const wantVm = process.env.GENOS_BENCH_VM !== '0';
const given = process.env.GENOS_BENCH_DEBIAN_QCOW2;
const debian = !wantVm
  ? null
  : given
    ? { file: path.resolve(given), sha256: '' }
    : await ensureDebianImage();
if (debian) writeDebianCatalog(dataDir, debian);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const serve = await startServe({ dataDir });
const api = await Api.open(serve);
try {
  await benchContainer(api);
  if (debian) {
    const host = await api.call<HostInfo>('hostInfo', {});
    // Cached before the clock starts: the figure is for a base already downloaded.
    const { task } = await api.call<{ task: TaskInfo }>('addCatalogBase', {
      osId: 'debian',
      version: '12',
      path: debian.file,
    });
    await api.waitTask(task);
    await benchVm(api, serve, host);
  }
} finally {
  for (const id of made) await removeEnv(api, id);
  api.ws.close();
  await serve.stop();
  await cleanupTestRun(testDocker(), runId);
  fs.rmSync(tmp, { recursive: true, force: true });
}
