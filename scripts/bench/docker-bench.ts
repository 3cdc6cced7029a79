/**
 * Docker backend figures against the engine itself, in the same run:
 *  - create+start to running through the backend vs `docker run -d` (the CLI) and vs bare dockerode
 *    create+start with the same options (the floor any client reaches); target overhead <= 10 %.
 *  - exec round trip (`echo`) p50/p99 through the backend vs `docker exec`.
 *  - terminal throughput: bytes out of an exec TTY (target >= 20 MB/s).
 * Everything it makes is labelled genos.test=<run id> and removed at the end.
 * Run: node --import tsx scripts/bench/docker-bench.ts   (needs a running engine)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EnvRef } from '../../main/backends/backend.js';
import { buildCreateOptions } from '../../main/backends/docker/create-options.js';
import { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import {
  cleanupTestRun,
  ensureTestImage,
  testDocker,
  testHost,
  testRunId,
  testSpec,
} from '../../tests/helpers/docker-test-image.js';
import { ms, summarize, verdict } from './bench-util.js';

const run = promisify(execFile);
const STARTS = 10;
const EXECS = 100;
const CLI_EXECS = 30;
const TTY_BYTES = 64 * 1024 * 1024;

const runId = `bench${testRunId()}`;
const host = testHost();
const never = new AbortController().signal;
const docker = testDocker();
const backend = new DockerBackend({ extraLabels: { 'genos.test': runId } });
const image = await ensureTestImage(docker);

const env = (n: number): EnvRef => ({
  id: `${runId}${n}`,
  spec: testSpec(image, { name: 'bench' }),
  handles: {},
});

/** `docker run -d` with the options the backend's create options stand for. */
function cliArgs(name: string): string[] {
  return [
    'run',
    '-d',
    '-t',
    '-i',
    '--name',
    name,
    '--hostname',
    'bench',
    '--label',
    `genos.test=${runId}`,
    '--label',
    'genos.env=cli',
    '--label',
    'genos.version=bench',
    '--cpus',
    '1',
    '--memory',
    '64m',
    '--memory-swap',
    '64m',
    '--pids-limit',
    '512',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges:true',
    '--network',
    'none',
    '--init',
    '--restart',
    'no',
    '--log-opt',
    'max-size=10m',
    '--log-opt',
    'max-file=3',
    image,
  ];
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function benchStarts(): Promise<void> {
  const viaBackend: number[] = [];
  const viaCli: number[] = [];
  const viaDockerode: number[] = [];
  // Interleaved, so drift in the engine (caches, load) hits all three alike.
  for (let i = 0; i < STARTS; i++) {
    const e = env(i);
    viaBackend.push(
      await time(async () => {
        const handles = await backend.create(e, host, () => {}, never);
        await backend.start({ ...e, handles }, host, () => {}, never);
      }),
    );
    viaCli.push(await time(() => run('docker', cliArgs(`genos-bench-cli-${runId}-${i}`))));
    const raw = buildCreateOptions({
      envId: `${runId}r${i}`,
      spec: e.spec,
      image,
      extraLabels: { 'genos.test': runId },
    });
    viaDockerode.push(
      await time(async () => {
        const c = await docker.createContainer(raw.options);
        await c.start();
      }),
    );
  }
  const b = summarize(viaBackend);
  const c = summarize(viaCli);
  const d = summarize(viaDockerode);
  console.log(`create+start to running, ${STARTS} each (p50 / max):`);
  console.log(`  backend        ${ms(b.p50)} / ${ms(b.max)}`);
  console.log(`  docker run -d  ${ms(c.p50)} / ${ms(c.max)}`);
  console.log(`  dockerode bare ${ms(d.p50)} / ${ms(d.max)}`);
  const vsCli = (b.p50 / c.p50 - 1) * 100;
  const vsBare = (b.p50 / d.p50 - 1) * 100;
  console.log(`  overhead vs docker run -d: ${vsCli.toFixed(1)} % (${verdict(vsCli, 10)} %)`);
  console.log(`  overhead vs bare dockerode: ${vsBare.toFixed(1)} % (${verdict(vsBare, 10)} %)`);
}

async function benchExec(e: EnvRef, name: string): Promise<void> {
  for (let i = 0; i < 5; i++) await backend.exec(e, ['echo', 'hi']);
  const viaBackend: number[] = [];
  for (let i = 0; i < EXECS; i++)
    viaBackend.push(await time(() => backend.exec(e, ['echo', 'hi'])));
  const viaCli: number[] = [];
  for (let i = 0; i < CLI_EXECS; i++)
    viaCli.push(await time(() => run('docker', ['exec', name, 'echo', 'hi'])));
  const b = summarize(viaBackend);
  const c = summarize(viaCli);
  console.log(`exec round trip (echo):`);
  console.log(`  backend      n=${b.n} p50 ${ms(b.p50)} p99 ${ms(b.p99)}`);
  console.log(`  docker exec  n=${c.n} p50 ${ms(c.p50)} p99 ${ms(c.p99)}`);
}

async function benchTty(e: EnvRef): Promise<void> {
  const con = await backend.openConsole(e, { cmd: ['head', '-c', String(TTY_BYTES), '/dev/zero'] });
  let bytes = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    con.stream.on('data', (d: Buffer) => (bytes += d.length));
    con.stream.on('end', resolve);
    con.stream.on('close', resolve);
    con.stream.on('error', reject);
  });
  const secs = (performance.now() - t0) / 1000;
  const mbs = bytes / 1e6 / secs;
  console.log(
    `terminal (exec TTY) throughput: ${(bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(2)} s = ${mbs.toFixed(1)} MB/s (${mbs >= 20 ? 'meets' : 'MISSES'} target >= 20 MB/s)`,
  );
  con.close();
}

try {
  await benchStarts();
  const e = env(0);
  await benchExec(e, `genos-bench-${e.id}`);
  await benchTty(e);
} finally {
  backend.close();
  await cleanupTestRun(docker, runId);
}
