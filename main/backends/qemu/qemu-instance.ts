import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { GenosError } from '../../core/errors.js';
import { SerialConsole } from '../../streams/serial-console.js';
import type { RuntimeStatus } from '../backend.js';
import {
  qemuLogTail,
  readExitRecord,
  readInstanceRecord,
  recognise,
  writeExitRecord,
  type ExitRecord,
  type InstanceRecord,
} from './instance-record.js';
import { launchQemu, type LaunchOptions } from './qemu-launch.js';
import { isRunning, waitForExit } from './proc-info.js';
import { QmpClient } from './qmp-client.js';
import * as qmpc from './qmp-commands.js';
import type { RuntimePaths } from './runtime-paths.js';

/**
 * One running qemu and the connections GenOS holds to it (QMP, serial console). Made either by
 * launching or by adopting a VM that an earlier app process started. It notices the VM's end
 * (as parent: the exit status; after adoption: QMP closing) and records how it ended in exit.json.
 */

export type ConsoleOptions = { ringBytes?: number; logMaxBytes?: number };
export type StartOptions = LaunchOptions & { startPaused: boolean; console?: ConsoleOptions };

const PAUSED_STATES = new Set(['paused', 'prelaunch', 'suspended', 'save-vm', 'restore-vm']);

export class QemuInstance extends EventEmitter<{ exit: [ExitRecord] }> {
  private exitRecord: ExitRecord | null = null;
  private shutdownReason: string | null = null;
  private endedBy: string | null = null;
  readonly exited: Promise<ExitRecord>;
  private resolveExit!: (r: ExitRecord) => void;
  /** As qemu's parent, its 'exit' event (with the status) is authoritative; else QMP closing. */
  private readonly isParent: boolean;
  private unwatchChild: () => void = () => undefined;
  /** Let go of (the app is leaving it running): whatever happens next is not this object's to record. */
  private detached = false;

  private constructor(
    readonly envId: string,
    readonly paths: RuntimePaths,
    readonly record: InstanceRecord,
    private qmp: QmpClient,
    readonly console: SerialConsole,
    child: ChildProcess | null,
  ) {
    super();
    this.exited = new Promise((r) => (this.resolveExit = r));
    this.isParent = child !== null;
    this.watchQmp(qmp);
    if (child) {
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => void this.gone(code, sig);
      child.once('exit', onExit);
      this.unwatchChild = () => child.off('exit', onExit);
      // It may have ended while the console was being attached, before this listener existed.
      if (child.exitCode !== null || child.signalCode !== null)
        onExit(child.exitCode, child.signalCode);
    }
  }

  static async start(opts: StartOptions): Promise<QemuInstance> {
    const { child, record, qmp } = await launchQemu(opts);
    try {
      const console = await SerialConsole.open({
        socketPath: opts.paths.serial,
        logPath: opts.paths.consoleLog,
        ...opts.console,
      });
      const inst = new QemuInstance(opts.envId, opts.paths, record, qmp, console, child);
      // The argv had -S: the console is attached now, so no boot output is lost.
      if (opts.startPaused) await qmpc.resume(qmp);
      return inst;
    } catch (e) {
      qmp.close();
      child.kill('SIGKILL');
      throw e;
    }
  }

  /**
   * Re-adopts the VM recorded in the runtime dir if it is still our qemu; null when it is not
   * running (the caller reports it with `deadStatus`).
   */
  static async adopt(
    envId: string,
    paths: RuntimePaths,
    console?: ConsoleOptions,
  ): Promise<QemuInstance | null> {
    const record = await readInstanceRecord(paths);
    if (!record || record.envId !== envId) return null;
    if (!(await recognise(record, paths)).alive) return null;
    const qmp = await QmpClient.connect(paths.qmp, { timeoutMs: 3_000 });
    try {
      const con = await SerialConsole.open({
        socketPath: paths.serial,
        logPath: paths.consoleLog,
        ...console,
      });
      return new QemuInstance(envId, paths, record, qmp, con, null);
    } catch (e) {
      qmp.close();
      throw e;
    }
  }

  get pid(): number {
    return this.record.pid;
  }

  get hasExited(): boolean {
    return this.exitRecord !== null;
  }

  /** The live QMP connection (reconnected if it dropped while qemu still runs). */
  async control(): Promise<QmpClient> {
    if (this.exitRecord) {
      throw new GenosError('CONFLICT', 'The VM is not running: start it first.');
    }
    if (this.qmp.closed) {
      this.qmp = await QmpClient.connect(this.paths.qmp, { timeoutMs: 3_000 });
      this.watchQmp(this.qmp);
    }
    return this.qmp;
  }

  async status(): Promise<RuntimeStatus> {
    if (this.exitRecord) return deadStatus(this.paths, this.exitRecord);
    const s = await qmpc.queryStatus(await this.control());
    const since = this.record.startedAt;
    // 'shutdown' means the guest powered off and qemu is on its way out: still running here.
    return { state: PAUSED_STATES.has(s.status) ? 'paused' : 'running', pid: this.pid, since };
  }

  async pause(): Promise<void> {
    await qmpc.pause(await this.control());
  }

  async resume(): Promise<void> {
    await qmpc.resume(await this.control());
  }

  async reset(): Promise<void> {
    await qmpc.reset(await this.control());
  }

  /**
   * ACPI power button, then `quit` when the guest has not shut down within `timeoutMs` (a paused
   * guest cannot react, so it is quit at once), then SIGKILL if even that does not end it.
   */
  async stop(timeoutMs: number): Promise<ExitRecord> {
    if (this.exitRecord) return this.exitRecord;
    const q = await this.control();
    const { status } = await qmpc.queryStatus(q);
    if (!PAUSED_STATES.has(status)) {
      this.endedBy = 'stop (ACPI power-down)';
      await qmpc.powerdown(q);
      const r = await this.waitExit(timeoutMs);
      if (r) return r;
      this.endedBy = `stop (the guest ignored the ACPI power button for ${timeoutMs} ms; quit)`;
    } else {
      this.endedBy = 'stop (the VM was paused; quit)';
    }
    await qmpc.quit(q).catch(() => undefined);
    return (await this.waitExit(5_000)) ?? this.kill();
  }

  /** SIGKILL, but only to the pid that is still provably our qemu. */
  async kill(): Promise<ExitRecord> {
    if (this.exitRecord) return this.exitRecord;
    this.endedBy ??= 'kill';
    if ((await recognise(this.record, this.paths)).alive) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const r = await this.waitExit(5_000);
    if (r) return r;
    await waitForExit(this.pid, 5_000);
    return this.gone(null, 'SIGKILL');
  }

  /** Lets go of the VM without stopping it (the app is quitting; the VM keeps running). */
  async detach(): Promise<void> {
    this.detached = true;
    this.unwatchChild();
    this.qmp.close();
    await this.console.close();
  }

  private waitExit(ms: number): Promise<ExitRecord | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => {
      timer = setTimeout(() => r(null), ms);
    });
    // Cleared either way: a pending timer would hold the process open after the VM is gone.
    return Promise.race([this.exited, timeout]).finally(() => clearTimeout(timer));
  }

  private watchQmp(q: QmpClient): void {
    q.on('event', (e) => {
      if (e.event === 'SHUTDOWN') this.shutdownReason = String(e.data?.reason ?? 'unknown');
    });
    // After adoption qemu is not our child: QMP closing is how its end shows. Confirm by pid.
    q.once('close', () => {
      if (this.isParent || this.detached) return;
      void (async () => {
        if (this.exitRecord || !(await waitForExit(this.pid, 3_000))) return;
        await this.gone(null, null);
      })();
    });
  }

  private async gone(code: number | null, signal: NodeJS.Signals | null): Promise<ExitRecord> {
    if (this.exitRecord) return this.exitRecord;
    if (this.detached) return { at: '', code, signal, shutdownReason: null, by: 'detached' };
    const rec: ExitRecord = {
      at: new Date().toISOString(),
      code,
      signal,
      shutdownReason: this.shutdownReason,
      by: this.endedBy,
    };
    this.exitRecord = rec;
    await writeExitRecord(this.paths, rec).catch(() => undefined);
    await this.console.close().catch(() => undefined);
    this.qmp.close();
    this.resolveExit(rec);
    this.emit('exit', rec);
    return rec;
  }
}

/** Words for how a VM ended, for RuntimeStatus.reason (shown to the user). */
export function describeEnd(rec: ExitRecord | null, pid: number | null, logTail: string): string {
  const parts: string[] = [];
  if (rec) {
    if (rec.by) parts.push(`ended by ${rec.by}`);
    else if (rec.shutdownReason === 'guest-shutdown') parts.push('the guest powered itself off');
    else if (rec.shutdownReason === 'guest-panic') parts.push('the guest kernel panicked');
    else if (rec.shutdownReason) parts.push(`qemu shut down (${rec.shutdownReason})`);
    if (rec.signal) parts.push(`qemu was killed by ${rec.signal}`);
    else if (rec.code !== null) parts.push(`qemu exited with status ${rec.code}`);
  } else {
    parts.push(
      `qemu${pid ? ` (pid ${pid})` : ''} is no longer running; it ended while GenOS was not ` +
        'watching, so its exit status is unknown',
    );
  }
  if (logTail) parts.push(`qemu's last words: ${logTail}`);
  return parts.join('; ');
}

/** The status of a VM that is not (or no longer) running, from the runtime dir alone. */
export async function deadStatus(
  paths: RuntimePaths,
  rec?: ExitRecord | null,
): Promise<RuntimeStatus> {
  const record = await readInstanceRecord(paths);
  if (!record) return { state: 'missing', reason: 'This VM has not been started yet.' };
  if (await isRunning(record.pid)) {
    const r = await recognise(record, paths);
    if (r.alive) return { state: 'running', pid: record.pid, since: record.startedAt };
  }
  const resolved = rec ?? (await readExitRecord(paths));
  const tail = await qemuLogTail(paths);
  return {
    state: 'stopped',
    exitCode: resolved?.code ?? null,
    reason: describeEnd(resolved, record.pid, tail),
  };
}
