import { spawn, type ChildProcess } from 'node:child_process';
import { DONE_MARK, START_MARK } from './probe-bios.js';

/**
 * Boots the probe BIOS once under one accelerator and reports how far it got. Never throws:
 * a qemu that cannot start is an outcome like any other.
 */

export type Accel = 'kvm' | 'tcg';

export type GuestOutcome =
  | 'done' // printed DONE_MARK within the deadline
  | 'stalled' // printed START_MARK but not DONE_MARK: the guest runs, far too slowly
  | 'silent' // printed nothing within the deadline
  | 'exited' // qemu quit before DONE_MARK (its stderr says why)
  | 'spawn-failed'; // qemu could not be executed at all

export type GuestRun = {
  accel: Accel;
  outcome: GuestOutcome;
  /** Milliseconds from spawn to START_MARK / DONE_MARK, null when not seen. */
  startMs: number | null;
  doneMs: number | null;
  /** The last line qemu wrote to stderr (or the spawn error), for the user-facing reason. */
  detail: string;
};

export type GuestOptions = {
  qemu: string;
  biosPath: string;
  accel: Accel;
  deadlineMs: number;
  env?: NodeJS.ProcessEnv;
};

export function probeGuestArgv(biosPath: string, accel: Accel): string[] {
  return [
    ...['-accel', accel, '-machine', 'pc', '-nodefaults', '-display', 'none'],
    ...['-bios', biosPath, '-serial', 'stdio', '-no-reboot'],
  ];
}

const START = START_MARK.charCodeAt(0);
const DONE = DONE_MARK.charCodeAt(0);

export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

/**
 * Probe guests still running. The guest halts forever by design, so if this process exits in the
 * middle of a probe (genos serve stopped while the Host page was probing), kill them on the way out.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function runProbeGuest(opts: GuestOptions): Promise<GuestRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    let startMs: number | null = null;
    let doneMs: number | null = null;
    let outcome: GuestOutcome | null = null;
    let stderr = '';
    let child: ChildProcess;

    const settle = (o: GuestOutcome, detail: string) => {
      clearTimeout(timer);
      resolve({ accel: opts.accel, outcome: o, startMs, doneMs, detail });
    };

    // Every outcome kills qemu: the guest halts forever by design and must not outlive the probe.
    const finish = (o: GuestOutcome) => {
      if (outcome !== null) return;
      outcome = o;
      child.kill('SIGKILL');
    };

    const timer = setTimeout(
      () => finish(startMs === null ? 'silent' : 'stalled'),
      opts.deadlineMs,
    );
    try {
      child = spawn(opts.qemu, probeGuestArgv(opts.biosPath, opts.accel), {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
      });
      running.add(child);
      child.once('exit', () => running.delete(child));
    } catch (e) {
      settle('spawn-failed', e instanceof Error ? e.message : String(e));
      return;
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      if (startMs === null && chunk.includes(START)) startMs = elapsed();
      if (chunk.includes(DONE)) {
        doneMs = elapsed();
        finish('done');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096);
    });
    child.on('error', (e) => {
      // Without a pid the process never existed, so no 'close' will follow.
      if (child.pid === undefined) settle('spawn-failed', e.message);
    });
    child.on('close', () => settle(outcome ?? 'exited', lastLine(stderr)));
  });
}
