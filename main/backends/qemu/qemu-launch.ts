import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import type { PortForward } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import {
  clearRuntimeLeftovers,
  ensureRuntimeDir,
  logHeader,
  qemuLogTail,
  trimQemuLog,
  writeInstanceRecord,
  type InstanceRecord,
} from './instance-record.js';
import { assertPortsFree } from './port-check.js';
import { readProcStat } from './proc-info.js';
import { QmpClient } from './qmp-client.js';
import type { RuntimePaths } from './runtime-paths.js';

/**
 * Starting qemu: a detached process (own session, so it outlives the app and no terminal signal
 * reaches it), argv array, stdout/stderr to qemu.log in the runtime dir. Not -daemonize: that
 * forks after the seccomp sandbox is on (which denies it) and sends qemu's later messages to
 * /dev/null. Resolves once QMP answers; rejects with qemu's own words when it exits first.
 */

export type LaunchOptions = {
  envId: string;
  binary: string;
  argv: string[];
  paths: RuntimePaths;
  ports?: readonly PortForward[];
  /** How long qemu may take to open its QMP socket. */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
};

export type Launched = { child: ChildProcess; record: InstanceRecord; qmp: QmpClient };

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with status ${code ?? 'unknown'}`;
}

export async function launchQemu(opts: LaunchOptions): Promise<Launched> {
  const { paths } = opts;
  await ensureRuntimeDir(paths.dir);
  await clearRuntimeLeftovers(paths);
  await assertPortsFree(opts.ports ?? []);
  opts.signal?.throwIfAborted();

  await trimQemuLog(paths);
  const log = await fs.open(paths.qemuLog, 'a', 0o600);
  await log.write(logHeader(`${opts.binary} ${opts.argv.join(' ')}`));
  let child: ChildProcess;
  try {
    child = spawn(opts.binary, opts.argv, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: opts.env ?? process.env,
    });
  } catch (e) {
    await log.close();
    throw e;
  }
  child.unref();
  // Listen before the next await: 'spawn' / 'error' / 'exit' may fire during it.
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) =>
      reject(new GenosError('UNAVAILABLE', `Could not run ${opts.binary}: ${e.message}.`)),
    );
  });
  const exitedEarly = new Promise<never>((_, reject) => {
    child.once('exit', (code, sig) => {
      void qemuLogTail(paths).then((tail) =>
        reject(
          new GenosError(
            'UNAVAILABLE',
            `qemu ${describeExit(code, sig)} before the VM was up: ${tail || 'it printed nothing'}.`,
          ),
        ),
      );
    });
  });
  spawned.catch(() => undefined);
  await log.close(); // the child has its own copy of the descriptor
  exitedEarly.catch(() => undefined); // observed below; avoid an unhandled rejection later

  const abort = new Promise<never>((_, reject) => {
    opts.signal?.addEventListener(
      'abort',
      () => reject(new GenosError('CANCELLED', 'Start was cancelled.')),
      { once: true },
    );
  });
  abort.catch(() => undefined);

  try {
    await Promise.race([spawned, exitedEarly, abort]);
    const pid = child.pid!;
    const st = await readProcStat(pid);
    const record: InstanceRecord = {
      version: 1,
      envId: opts.envId,
      pid,
      startTicks: st?.startTicks ?? 0,
      binary: opts.binary,
      argv: opts.argv,
      startedAt: new Date().toISOString(),
    };
    await writeInstanceRecord(paths, record);
    const connecting = QmpClient.connect(paths.qmp, { timeoutMs: opts.readyTimeoutMs ?? 15_000 });
    // qemu opens its sockets before it loads the kernel, so a refused launch can show first as
    // QMP closing; its exit (with its stderr) is then the better explanation.
    const explained = connecting.catch(async (e: unknown) => {
      const grace = new Promise<never>((_, reject) => setTimeout(() => reject(e), 1_000));
      return Promise.race([exitedEarly, grace]);
    });
    const qmp = await Promise.race([explained, exitedEarly, abort]);
    return { child, record, qmp };
  } catch (e) {
    // Nothing half-started survives a failed launch.
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGKILL');
    }
    throw e;
  }
}
