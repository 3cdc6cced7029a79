import { spawn } from 'node:child_process';
import { GenosError } from '../core/errors.js';
import { findOnPath } from '../host/path-lookup.js';

/**
 * Runs qemu-img with an argv array (never a shell), under resource limits: an image file is
 * untrusted input to a large C program, so a crafted header must not be able to make it spin or
 * eat memory. With util-linux's prlimit the child gets RLIMIT_CPU and RLIMIT_AS; without it only
 * the wall-clock timeout applies. Every run is also killed on abort.
 */

export type RunLimits = {
  /** RLIMIT_CPU in seconds (SIGXCPU, then SIGKILL). Omit for long work such as convert. */
  cpuSeconds?: number;
  /** RLIMIT_AS in bytes. */
  addressSpaceBytes?: number;
};

export type RunOptions = {
  signal?: AbortSignal;
  /** Wall-clock limit; the child is killed after it. Omit for no limit. */
  timeoutMs?: number;
  limits?: RunLimits;
  /** Called with each stdout chunk as it arrives (convert -p progress). */
  onStdout?: (chunk: string) => void;
};

export type RunResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
};

/** Tests inject a spy here to prove qemu-img was (or was not) run. */
export type QemuImgRunner = (args: string[], opts?: RunOptions) => Promise<RunResult>;

/** Metadata reads (info, check): a few MB of RAM and well under a second of CPU normally. */
export const INSPECT_LIMITS: RunLimits = { cpuSeconds: 30, addressSpaceBytes: 1024 ** 3 };
export const INSPECT_TIMEOUT_MS = 60_000;
/**
 * Data work (convert, create, resize): qemu-img starts a thread pool, and each thread reserves a
 * stack and (without MALLOC_ARENA_MAX) a 64 MiB malloc arena, so 2 GiB of address space with
 * two arenas is what made every format pass reliably here; 256 MiB-1 GiB failed at random.
 */
export const DATA_LIMITS: RunLimits = { addressSpaceBytes: 2 * 1024 ** 3 };

export type RunnerConfig = {
  /** The qemu-img binary; default: found on PATH. */
  qemuImg?: string;
  /** The prlimit binary; null disables it; default: found on PATH. */
  prlimit?: string | null;
};

/** A runner bound to one qemu-img (and prlimit) binary. */
export function createQemuImgRunner(config: RunnerConfig = {}): QemuImgRunner {
  let resolved: Promise<{ qemuImg: string; prlimit: string | null }> | undefined;
  const resolve = () =>
    (resolved ??= (async () => ({
      qemuImg: config.qemuImg ?? (await findOnPath('qemu-img', process.env)) ?? 'qemu-img',
      prlimit:
        config.prlimit !== undefined ? config.prlimit : await findOnPath('prlimit', process.env),
    }))());
  return async (args, opts = {}) => {
    const bins = await resolve();
    return spawnLimited(bins.qemuImg, bins.prlimit, args, opts);
  };
}

export const defaultRunner: QemuImgRunner = createQemuImgRunner();

function spawnLimited(
  qemuImg: string,
  prlimit: string | null,
  args: string[],
  opts: RunOptions,
): Promise<RunResult> {
  const { signal, timeoutMs, limits, onStdout } = opts;
  if (signal?.aborted) return Promise.reject(cancelled());
  const limitArgs: string[] = [];
  if (limits?.cpuSeconds) limitArgs.push(`--cpu=${limits.cpuSeconds}`);
  if (limits?.addressSpaceBytes) limitArgs.push(`--as=${limits.addressSpaceBytes}`);
  // prlimit sets the limits on itself and execs qemu-img, so the pid we hold is qemu-img's.
  const [cmd, argv] =
    prlimit && limitArgs.length > 0
      ? [prlimit, [...limitArgs, '--', qemuImg, ...args]]
      : [qemuImg, args];

  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Two malloc arenas instead of one per thread: see DATA_LIMITS. LC_ALL=C keeps messages
      // in English, which the error mapping below reads.
      env: { ...process.env, MALLOC_ARENA_MAX: '2', LC_ALL: 'C' },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      stdout += c;
      onStdout?.(c);
    });
    child.stderr.on('data', (c: string) => {
      if (stderr.length < 64 * 1024) stderr += c;
    });
    const timer =
      timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, timeoutMs)
        : undefined;
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(
        e.code === 'ENOENT'
          ? new GenosError(
              'UNAVAILABLE',
              `${cmd} was not found. Install QEMU's image tool (Debian/Ubuntu: apt install qemu-utils).`,
            )
          : e,
      );
    });
    child.on('close', (code, sig) => {
      done();
      if (aborted) reject(cancelled());
      else resolve({ code, signal: sig, stdout, stderr, timedOut });
    });
  });
}

function cancelled(): GenosError {
  return new GenosError('CANCELLED', 'The image operation was cancelled.');
}

/** The last non-empty stderr line, without qemu-img's "qemu-img: " prefix. */
export function stderrSummary(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (lines.at(-1) ?? '').replace(/^qemu-img: /, '');
}

/**
 * Turns a failed run into a GenosError that names the file and says what to do. `what` is the
 * action, e.g. "read the image header of".
 */
export function runFailure(
  res: RunResult,
  what: string,
  file: string,
  limits?: RunLimits,
): GenosError {
  const detail = stderrSummary(res.stderr);
  if (res.timedOut) {
    return new GenosError(
      'UNAVAILABLE',
      `qemu-img took too long to ${what} ${file} and was stopped. The file may be damaged or hostile.`,
    );
  }
  if (res.signal === 'SIGXCPU' || (res.signal === 'SIGKILL' && limits?.cpuSeconds)) {
    return new GenosError(
      'BAD_ARGS',
      `qemu-img used more than its ${limits?.cpuSeconds ?? '?'} s of CPU time to ${what} ${file} ` +
        'and was stopped. The file may be damaged or hostile; it was not accepted.',
    );
  }
  if (/Cannot allocate memory|qemu_thread_create|failed to allocate/i.test(res.stderr)) {
    return new GenosError(
      'UNAVAILABLE',
      `qemu-img ran out of its memory limit while trying to ${what} ${file} (${detail}).`,
    );
  }
  if (/Failed to get .*lock|Is another process using the image/i.test(res.stderr)) {
    return new GenosError(
      'CONFLICT',
      `${file} is in use by another program (probably a running VM). Stop it and try again.`,
    );
  }
  if (/No such file or directory/.test(detail)) {
    return new GenosError('NOT_FOUND', `Could not ${what} ${file}: ${detail}.`);
  }
  return new GenosError(
    'BAD_ARGS',
    `qemu-img could not ${what} ${file}: ${detail || `exit ${res.code ?? res.signal}`}.`,
  );
}

/** Runs a qemu-img command that prints JSON (--output=json) and parses it. */
export async function runJson<T>(
  runner: QemuImgRunner,
  args: string[],
  what: string,
  file: string,
  opts: RunOptions & { okCodes?: number[] } = {},
): Promise<{ json: T; code: number }> {
  const res = await runner(args, opts);
  const ok = opts.okCodes ?? [0];
  if (res.code === null || !ok.includes(res.code)) throw runFailure(res, what, file, opts.limits);
  try {
    return { json: JSON.parse(res.stdout) as T, code: res.code };
  } catch {
    throw new GenosError(
      'INTERNAL',
      `qemu-img printed output that is not JSON while trying to ${what} ${file}.`,
    );
  }
}
