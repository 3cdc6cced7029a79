import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../../core/errors.js';
import { findOnPath } from '../../host/path-lookup.js';
import { readCmdline, waitForExit } from './proc-info.js';

/**
 * A software TPM 2.0 (swtpm) beside a VM. swtpm runs as its own detached process, like qemu, so
 * it outlives an app restart together with the VM it serves. Its socket and pid file live in the
 * VM's runtime dir (found again from the env id alone); its state (keys, NV) in the env dir, so
 * BitLocker and Windows Hello keep working across restarts. `--terminate` ends it when qemu's
 * connection closes, so a VM that stops or dies takes its TPM with it.
 */

export const SWTPM_MISSING =
  'This environment has a TPM, but swtpm is not installed: install it ' +
  '(sudo apt-get install swtpm swtpm-tools), or turn the TPM off.';

export type TpmPaths = { socket: string; pidfile: string; log: string; stateDir: string };

export function tpmPaths(runtimeDir: string, envDir: string): TpmPaths {
  return {
    socket: path.join(runtimeDir, 'swtpm.sock'),
    pidfile: path.join(runtimeDir, 'swtpm.pid'),
    log: path.join(runtimeDir, 'swtpm.log'),
    stateDir: path.join(envDir, 'tpm'),
  };
}

export function findSwtpm(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  return findOnPath('swtpm', env);
}

// swtpm's option parser has no escape for ",": a path holding one would add options.
function swtpmValue(p: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[,\u0000-\u001f\u007f]/.test(p) || !path.isAbsolute(p)) {
    throw new GenosError(
      'BAD_ARGS',
      `The swtpm ${what} path "${p}" must be absolute and free of commas and control characters: use another data directory.`,
    );
  }
  return p;
}

export function swtpmArgv(p: TpmPaths): string[] {
  return [
    'socket',
    '--tpm2',
    ...['--tpmstate', `dir=${swtpmValue(p.stateDir, 'state')},mode=0600`],
    ...['--ctrl', `type=unixio,path=${swtpmValue(p.socket, 'socket')},mode=0600`],
    ...['--pid', `file=${swtpmValue(p.pidfile, 'pid file')}`],
    ...['--log', `file=${swtpmValue(p.log, 'log')},level=1`],
    '--terminate',
  ];
}

async function readPid(pidfile: string): Promise<number | null> {
  const text = await fs.readFile(pidfile, 'utf8').catch(() => null);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}

/** The pid in the pid file if it is still the swtpm serving this socket (pids get reused). */
export async function runningSwtpm(p: TpmPaths): Promise<number | null> {
  const pid = await readPid(p.pidfile);
  if (pid === null) return null;
  const cmd = await readCmdline(pid);
  const ours =
    cmd !== null &&
    path.basename(cmd[0] ?? '') === 'swtpm' &&
    cmd.some((a) => a.includes(`path=${p.socket},`));
  return ours ? pid : null;
}

/** Ends a swtpm whose VM is gone (normally it has ended itself through --terminate). */
export async function stopSwtpm(p: TpmPaths): Promise<void> {
  const pid = await runningSwtpm(p);
  if (pid !== null) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    if (!(await waitForExit(pid, 3_000))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await fs.rm(p.socket, { force: true });
  await fs.rm(p.pidfile, { force: true });
}

async function logTail(file: string): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-3).join(' | ');
}

/**
 * Starts swtpm for a VM that is about to launch and waits for its socket. A swtpm left by an
 * earlier run of this VM is ended first (the VM is not running, so it has no client).
 */
export async function startSwtpm(
  p: TpmPaths,
  opts: {
    binary?: string | null;
    timeoutMs?: number;
    signal?: AbortSignal;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<number> {
  const binary = opts.binary ?? (await findSwtpm(opts.env));
  if (!binary) throw new GenosError('UNAVAILABLE', SWTPM_MISSING);
  await stopSwtpm(p);
  await fs.mkdir(p.stateDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(path.dirname(p.socket), { recursive: true, mode: 0o700 });
  const log = await fs.open(p.log, 'w', 0o600);
  const child = spawn(binary, swtpmArgv(p), {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
  });
  child.unref();
  await log.close();
  let exited: string | null = null;
  child.once('exit', (code, sig) => (exited = sig ?? `status ${code}`));
  child.once('error', (e) => (exited = e.message));
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const st = await fs.stat(p.socket).catch(() => null);
    if (st?.isSocket() && child.pid !== undefined) return child.pid;
    if (exited !== null || Date.now() > deadline || opts.signal?.aborted) {
      if (exited === null) child.kill('SIGKILL');
      const why =
        exited !== null ? `swtpm ended (${exited})` : 'swtpm did not open its socket in time';
      throw new GenosError(
        opts.signal?.aborted ? 'CANCELLED' : 'UNAVAILABLE',
        `${why}: ${(await logTail(p.log)) || 'it printed nothing'}.`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
