import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../../core/errors.js';
import { readInstanceRecord, recognise } from './instance-record.js';
import { QemuInstance, type ConsoleOptions, type StartOptions } from './qemu-instance.js';
import { runtimePaths, type RuntimePaths } from './runtime-paths.js';

/**
 * The VMs this process holds connections to, by environment id. Everything it knows can be
 * rebuilt from the runtime dirs: a fresh manager (after the app died and came back) adopts each
 * VM the first time it is asked about it, so there is never a second qemu for one environment.
 */
export class InstanceManager {
  private readonly live = new Map<string, QemuInstance>();
  private readonly adopting = new Map<string, Promise<QemuInstance | null>>();
  private readonly starting = new Set<string>();

  constructor(
    readonly runRoot: string,
    private readonly console: ConsoleOptions = {},
  ) {}

  paths(envId: string): RuntimePaths {
    return runtimePaths(path.join(this.runRoot, envId));
  }

  /** The running VM for the environment (adopting it if an earlier process started it), or null. */
  async get(envId: string): Promise<QemuInstance | null> {
    const held = this.live.get(envId);
    if (held && !held.hasExited) return held;
    this.live.delete(envId);
    let p = this.adopting.get(envId);
    if (!p) {
      p = QemuInstance.adopt(envId, this.paths(envId), this.console).finally(() =>
        this.adopting.delete(envId),
      );
      this.adopting.set(envId, p);
    }
    const inst = await p;
    if (inst) this.hold(inst);
    return inst;
  }

  /** Like get(), but says what to do when the VM is not running. */
  async require(envId: string): Promise<QemuInstance> {
    const inst = await this.get(envId);
    if (!inst) throw new GenosError('CONFLICT', 'The VM is not running: start it first.');
    return inst;
  }

  async start(opts: StartOptions): Promise<QemuInstance> {
    if (this.starting.has(opts.envId) || (await this.get(opts.envId))) {
      throw new GenosError('CONFLICT', 'The VM is already running; GenOS never starts it twice.');
    }
    this.starting.add(opts.envId);
    try {
      const inst = await QemuInstance.start({ ...opts, console: opts.console ?? this.console });
      this.hold(inst);
      return inst;
    } finally {
      this.starting.delete(opts.envId);
    }
  }

  /** Environment ids whose runtime dir records a qemu that is still provably ours. */
  async listRunning(): Promise<Array<{ envId: string; pid: number; runtimeDir: string }>> {
    const dirs = await fs.readdir(this.runRoot).catch(() => [] as string[]);
    const out: Array<{ envId: string; pid: number; runtimeDir: string }> = [];
    for (const envId of dirs.sort()) {
      const p = this.paths(envId);
      const rec = await readInstanceRecord(p);
      if (rec && rec.envId === envId && (await recognise(rec, p)).alive) {
        out.push({ envId, pid: rec.pid, runtimeDir: p.dir });
      }
    }
    return out;
  }

  /** Lets go of every VM without stopping them (the app is quitting; the VMs keep running). */
  async detachAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((i) => i.detach().catch(() => undefined)));
  }

  forget(envId: string): void {
    this.live.delete(envId);
  }

  private hold(inst: QemuInstance): void {
    this.live.set(inst.envId, inst);
    inst.once('exit', () => {
      if (this.live.get(inst.envId) === inst) this.live.delete(inst.envId);
    });
  }
}
