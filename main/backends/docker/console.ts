/**
 * Terminals into a container: a new shell through exec with a TTY over the hijacked HTTP stream
 * (what `docker exec -it` does), or attaching to the main process (what `docker attach` does).
 * With a TTY the stream is raw bytes both ways, so it plugs straight into the terminal bridge.
 */
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { GenosError } from '../../core/errors.js';
import type { ConsoleStream } from '../backend.js';
import { statusOf } from './docker-errors.js';

export type ExecConsoleOptions = {
  /** argv to run; default: the first of /bin/bash, /bin/sh the image has. */
  cmd?: string[];
  env?: Record<string, string>;
  user?: string;
  cols?: number;
  rows?: number;
};

const SHELLS = ['/bin/bash', '/bin/sh'];
const FIND_SHELL_TIMEOUT_MS = 10_000;
const RESIZE_ATTEMPTS = 5;

/** The first shell present in the container, asked of the engine (no exec, works on any image). */
export async function findShell(container: Docker.Container): Promise<string> {
  for (const sh of SHELLS) {
    try {
      // dockerode hands back the HEAD response as a stream; nothing reads it, so unless it is
      // destroyed its socket stays open and keeps the process alive after shutdown.
      const res = (await container.infoArchive({
        path: sh,
        abortSignal: AbortSignal.timeout(FIND_SHELL_TIMEOUT_MS),
      })) as unknown as Readable;
      res.destroy();
      return sh;
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }
  throw new GenosError(
    'UNSUPPORTED',
    `the container has no shell (${SHELLS.join(', ')}): it cannot have a terminal. Use logs, or an image with a shell.`,
  );
}

function closer(stream: Duplex): () => void {
  return () => {
    // Ending our side hangs up the TTY (the shell gets SIGHUP); destroy frees the socket.
    stream.end();
    stream.destroy();
  };
}

export async function openExecConsole(
  container: Docker.Container,
  opts: ExecConsoleOptions = {},
): Promise<ConsoleStream & { exec: Docker.Exec }> {
  const cmd = opts.cmd ?? [await findShell(container)];
  const env = Object.entries({ TERM: 'xterm-256color', ...opts.env }).map(([k, v]) => `${k}=${v}`);
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: env,
    ...(opts.user ? { User: opts.user } : {}),
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  // The engine may start the process only after the hijacked stream is up, and some engines
  // refuse to resize an exec that is not running yet; the docker CLI retries for the same reason.
  const resize = async (cols: number, rows: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await exec.resize({ h: rows, w: cols });
      } catch (e) {
        if (attempt >= RESIZE_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, attempt * 20));
      }
    }
  };
  if (opts.cols && opts.rows) await resize(opts.cols, opts.rows).catch(() => undefined);
  return { stream, resize, close: closer(stream), exec };
}

/** Attaches to the main process (PID 1's TTY). Closing detaches; the container keeps running. */
export async function attachConsole(container: Docker.Container): Promise<ConsoleStream> {
  const info = await container.inspect();
  if (!info.Config.Tty || !info.Config.OpenStdin) {
    throw new GenosError(
      'UNSUPPORTED',
      'this container was created without a TTY and open stdin, so its main process cannot be attached to; open a new shell instead',
    );
  }
  const stream = (await container.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  })) as unknown as Duplex;
  const resize = async (cols: number, rows: number): Promise<void> => {
    await container.resize({ h: rows, w: cols });
  };
  // Detach without ending our side first: a half-close could reach the main process as EOF.
  return { stream, resize, close: () => stream.destroy() };
}

export type CommandResult = { exitCode: number | null; stdout: string; stderr: string };

/** Runs argv in the container without a TTY and collects its output (health, tests, probes). */
export async function runCommand(
  container: Docker.Container,
  cmd: string[],
): Promise<CommandResult> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({})) as NodeJS.ReadableStream;
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  out.on('data', (c: Buffer) => chunks.stdout.push(c));
  err.on('data', (c: Buffer) => chunks.stderr.push(c));
  container.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  // The stream ends as the process exits; the engine may record the exit code a moment later.
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await exec.inspect();
  }
  return {
    exitCode: info.ExitCode,
    stdout: Buffer.concat(chunks.stdout).toString('utf8'),
    stderr: Buffer.concat(chunks.stderr).toString('utf8'),
  };
}
