import fs from 'node:fs/promises';

/**
 * What /proc says about a pid. A pid alone proves nothing after a restart (pids are reused), so a
 * VM is recognised by pid + the kernel's start time of that pid + its command line.
 */

export type ProcStat = {
  state: string;
  /** Start time in clock ticks since boot: with the pid, unique for the machine's uptime. */
  startTicks: number;
  utimeTicks: number;
  stimeTicks: number;
  rssPages: number;
};

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const f = (n: number) => Number(rest[n - 3]);
  return {
    state: rest[0] ?? '?',
    utimeTicks: f(14),
    stimeTicks: f(15),
    startTicks: f(22),
    rssPages: f(24),
  };
}

export async function readCmdline(pid: number): Promise<string[] | null> {
  const buf = await fs.readFile(`/proc/${pid}/cmdline`).catch(() => null);
  if (buf === null || buf.length === 0) return null;
  const parts = buf.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** True while the pid exists and is not a zombie (a zombie has exited; it awaits its parent). */
export async function isRunning(pid: number): Promise<boolean> {
  const st = await readProcStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** The kernel's clock ticks per second (USER_HZ): 100 on every Linux architecture GenOS runs. */
export const CLOCK_TICKS = 100;
export const PAGE_SIZE = 4096;
