import fs from 'node:fs/promises';
import path from 'node:path';
import { Duplex } from 'node:stream';
import type * as NodePtyModule from 'node-pty';
import type { IPty } from 'node-pty';
import type { ConsoleStream } from '../backends/backend.js';
import { GenosError } from '../core/errors.js';

/**
 * An SSH session into a VM as a console stream: the system `ssh` client in a pseudo-terminal
 * (node-pty), so the guest gets a real TTY whose size follows xterm.js. ssh runs from an argv
 * array with every option on the command line (-F /dev/null: the user's ~/.ssh/config cannot
 * change where it goes or what it trusts), logs in with the environment's own key only, and
 * checks the guest's host key against the environment's known_hosts: the first key is
 * accepted and kept, a different one later is refused.
 */
export type SshTarget = {
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
  /** The name the host key is kept under, so a VM keeps its entry when its host port changes. */
  hostKeyAlias: string;
};

export type SshPtyOptions = {
  /** The ssh client (default: `ssh` from PATH). */
  binary?: string;
  cols?: number;
  rows?: number;
  /** Extra variables for ssh's environment (tests). */
  env?: Record<string, string>;
};

const MISSING_SSH =
  'The ssh client is not installed: install the openssh-client package ' +
  '(Debian/Ubuntu: `sudo apt install openssh-client`) to open SSH terminals.';

/** ssh's arguments: loopback only, the environment's key only, no prompts of any kind. */
export function sshArgv(t: SshTarget): string[] {
  const o = (opt: string) => ['-o', opt];
  return [
    '-tt',
    '-F',
    '/dev/null',
    '-i',
    t.privateKeyPath,
    '-p',
    String(t.port),
    ...o('IdentitiesOnly=yes'),
    ...o('IdentityAgent=none'),
    ...o('BatchMode=yes'),
    ...o('PasswordAuthentication=no'),
    ...o('KbdInteractiveAuthentication=no'),
    ...o('StrictHostKeyChecking=accept-new'),
    ...o(`UserKnownHostsFile=${t.knownHostsPath}`),
    ...o('GlobalKnownHostsFile=/dev/null'),
    ...o(`HostKeyAlias=${t.hostKeyAlias}`),
    ...o('UpdateHostKeys=no'),
    ...o('ConnectTimeout=15'),
    ...o('ServerAliveInterval=30'),
    ...o('LogLevel=ERROR'),
    '-l',
    t.user,
    '--',
    '127.0.0.1',
  ];
}

/** Finds an executable on PATH (node-pty forks before exec, so a missing one fails silently). */
async function which(name: string): Promise<string | null> {
  if (name.includes('/')) {
    return fs.access(name, fs.constants.X_OK).then(
      () => name,
      () => null,
    );
  }
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    const ok = await fs.access(p, fs.constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return p;
  }
  return null;
}

type NodePty = typeof NodePtyModule;
let ptyModule: Promise<NodePty> | null = null;

/** node-pty is native: a build for another ABI (Electron vs Node) fails here, not at app start. */
function loadNodePty(): Promise<NodePty> {
  ptyModule ??= import('node-pty').catch((e: unknown) => {
    ptyModule = null;
    throw new GenosError(
      'UNAVAILABLE',
      `SSH terminals need node-pty, which could not be loaded (${(e as Error).message}): ` +
        'run `node scripts/native-runtime.js node` (or `electron` for the desktop app) to build it for this runtime.',
    );
  });
  return ptyModule;
}

/** ssh's environment: the app's, minus an agent (only the environment's key may be offered). */
function sshEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'SSH_AUTH_SOCK' && k !== 'SSH_AGENT_PID') env[k] = v;
  }
  return { ...env, TERM: 'xterm-256color', ...extra };
}

/** Kills ssh: SIGHUP as a closed terminal would, SIGKILL if it is still there a moment later. */
function killPty(pty: IPty): void {
  try {
    pty.kill('SIGHUP');
  } catch {
    return; // already gone
  }
  const t = setTimeout(() => {
    try {
      process.kill(pty.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }, 2_000);
  t.unref();
  pty.onExit(() => clearTimeout(t));
}

/** Runs ssh into the target in a pty; the stream's end is ssh's end, destroying it kills ssh. */
export async function openSshPty(
  target: SshTarget,
  opts: SshPtyOptions = {},
): Promise<ConsoleStream & { pid: number }> {
  const binary = await which(opts.binary ?? 'ssh');
  if (!binary) throw new GenosError('UNAVAILABLE', MISSING_SSH);
  const { spawn } = await loadNodePty();
  const pty = spawn(binary, sshArgv(target), {
    name: 'xterm-256color',
    cols: opts.cols ?? 80,
    rows: opts.rows ?? 24,
    cwd: path.dirname(target.privateKeyPath),
    env: sshEnv(opts.env),
    encoding: null,
  });
  let exited = false;
  const stream = new Duplex({
    read() {
      pty.resume();
    },
    write(chunk: Buffer, _enc, done) {
      if (!exited) pty.write(chunk);
      done();
    },
    destroy(err, done) {
      if (!exited) killPty(pty);
      done(err);
    },
  });
  pty.onData((data: string | Buffer) => {
    if (!stream.push(typeof data === 'string' ? Buffer.from(data) : data)) pty.pause();
  });
  pty.onExit(() => {
    exited = true;
    stream.push(null);
  });
  return {
    pid: pty.pid,
    stream,
    resize: async (cols, rows) => {
      if (!exited) pty.resize(cols, rows);
    },
    close: () => stream.destroy(),
  };
}
