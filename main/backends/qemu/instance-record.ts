import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../../core/errors.js';
import { readCmdline, readProcStat } from './proc-info.js';
import type { RuntimePaths } from './runtime-paths.js';

/**
 * The runtime dir's bookkeeping files: instance.json (written at launch, what identifies our
 * qemu again after a restart) and exit.json (how it ended, when GenOS saw it end), plus helpers
 * to create the dir safely and to quote qemu's log.
 */

export type InstanceRecord = {
  version: 1;
  envId: string;
  pid: number;
  /** /proc/<pid>/stat start time: a reused pid has a different one. */
  startTicks: number;
  binary: string;
  argv: string[];
  startedAt: string;
};

export type ExitRecord = {
  at: string;
  code: number | null;
  signal: string | null;
  /** From QMP's SHUTDOWN event: guest-shutdown, host-qmp-quit, host-signal, guest-panic, ... */
  shutdownReason: string | null;
  /** Who ended it, when GenOS did: "stop", "kill", "stop (forced quit after timeout)". */
  by: string | null;
};

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
}

async function readJson<T>(file: string): Promise<T | null> {
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export const writeInstanceRecord = (p: RuntimePaths, r: InstanceRecord) =>
  writeJsonAtomic(p.instance, r);
export const writeExitRecord = (p: RuntimePaths, r: ExitRecord) => writeJsonAtomic(p.exit, r);
export const readExitRecord = (p: RuntimePaths) => readJson<ExitRecord>(p.exit);

export async function readInstanceRecord(p: RuntimePaths): Promise<InstanceRecord | null> {
  const r = await readJson<InstanceRecord>(p.instance);
  if (!r || r.version !== 1 || !Number.isInteger(r.pid) || r.pid <= 1) return null;
  return r;
}

export type Recognition = { alive: true } | { alive: false; why: 'gone' | 'reused' };

/**
 * Whether the pid in the record is still our qemu: the process exists, is not a zombie, started
 * at the recorded tick, and runs the recorded binary with the recorded QMP socket in its argv.
 */
export async function recognise(r: InstanceRecord, p: RuntimePaths): Promise<Recognition> {
  const st = await readProcStat(r.pid);
  if (!st || st.state === 'Z' || st.state === 'X') return { alive: false, why: 'gone' };
  const cmd = await readCmdline(r.pid);
  const ours =
    st.startTicks === r.startTicks &&
    cmd !== null &&
    path.basename(cmd[0] ?? '') === path.basename(r.binary) &&
    cmd.some((a) => a.includes(`path=${p.qmp.replaceAll(',', ',,')},`));
  return ours ? { alive: true } : { alive: false, why: 'reused' };
}

/** Creates `<dataDir>/run/<envId>` as a real 0700 directory (never through a symlink). */
export async function ensureRuntimeDir(dir: string): Promise<void> {
  await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  await fs.mkdir(dir, { recursive: false, mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const st = await fs.lstat(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) {
    throw new GenosError(
      'CONFLICT',
      `${dir} is not a directory GenOS made (a symlink or a file): remove it and start again.`,
    );
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new GenosError('FORBIDDEN', `${dir} belongs to another user: remove it and start again.`);
  }
  await fs.chmod(dir, 0o700);
}

/** Removes what a previous run left (stale sockets would make qemu's bind fail). */
export async function clearRuntimeLeftovers(p: RuntimePaths): Promise<void> {
  for (const f of [p.qmp, p.serial, p.vnc, p.spice, p.pidfile, p.exit, p.screendump, p.instance]) {
    await fs.rm(f, { force: true });
  }
}

const LOG_HEADER = '--- genos:';

export function logHeader(text: string): string {
  return `${LOG_HEADER} ${new Date().toISOString()} ${text}\n`;
}

/** The last few lines qemu wrote in its current run (after our last header), for a reason. */
export async function qemuLogTail(p: RuntimePaths, lines = 4): Promise<string> {
  const text = await fs.readFile(p.qemuLog, 'utf8').catch(() => '');
  const run = text.slice(Math.max(0, text.lastIndexOf(LOG_HEADER)));
  return run
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(LOG_HEADER))
    .slice(-lines)
    .join(' | ');
}

/** Keeps qemu.log from growing across many runs: past the cap, only the tail is kept. */
export async function trimQemuLog(p: RuntimePaths, maxBytes = 256 * 1024): Promise<void> {
  const st = await fs.stat(p.qemuLog).catch(() => null);
  if (!st || st.size <= maxBytes) return;
  const buf = await fs.readFile(p.qemuLog);
  await fs.writeFile(p.qemuLog, buf.subarray(buf.length - maxBytes / 2), { mode: 0o600 });
}
