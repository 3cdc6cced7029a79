import fs from 'node:fs/promises';
import path from 'node:path';
import type { HostInfo } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import type { QemuImgRunner } from '../../images/qemu-img.js';
import type { ImageLibrary } from '../../images/types.js';
import { readConsoleLog } from '../../streams/serial-console.js';
import type {
  Backend,
  BackendHandles,
  ConsoleStream,
  DisplayEndpoint,
  EnvRef,
  LaunchPlan,
  Progress,
  RuntimeStatus,
  SnapshotInfo,
  SnapshotKind,
  Stats,
} from '../backend.js';
import { bootSourceFor, ensureEnvDisks, type ImageLookup } from './env-disks.js';
import { InstanceManager } from './instance-manager.js';
import { buildQemuArgv } from './qemu-argv.js';
import { deadStatus } from './qemu-instance.js';
import * as qmpc from './qmp-commands.js';
import { envDirFor } from './runtime-paths.js';
import { removeSnapshot, restoreSnapshot, takeSnapshot } from './snapshot-ops.js';
import { StatsSampler } from './vm-stats.js';

/**
 * The qemu Backend: plans (argv), creates (disks), starts/adopts and controls VMs through
 * InstanceManager. It keeps no state a restart would lose: every path derives from the data dir
 * and the environment id, and running VMs are re-adopted from their runtime dirs.
 */

export type QemuBackendOptions = {
  dataDir: string;
  /** The image library (the store's images rows) for `image: {kind: 'library'}`. */
  lookupImage?: ImageLookup;
  library?: ImageLibrary;
  runner?: QemuImgRunner;
  /** qemu's seccomp sandbox (default on). */
  sandbox?: boolean;
  consoleRingBytes?: number;
  consoleLogMaxBytes?: number;
};

export class QemuBackend implements Backend {
  readonly kind = 'qemu' as const;
  readonly instances: InstanceManager;
  private readonly sampler = new StatsSampler();

  constructor(private readonly opts: QemuBackendOptions) {
    this.instances = new InstanceManager(path.join(opts.dataDir, 'run'), {
      ringBytes: opts.consoleRingBytes,
      logMaxBytes: opts.consoleLogMaxBytes,
    });
  }

  private envDir(env: EnvRef): string {
    return envDirFor(this.opts.dataDir, env.id);
  }

  private handles(env: EnvRef, pid?: number): BackendHandles {
    const h: BackendHandles = {
      runtimeDir: this.instances.paths(env.id).dir,
      envDir: this.envDir(env),
    };
    if (pid !== undefined) h.pid = pid;
    return h;
  }

  private async resolve(env: EnvRef, host: HostInfo) {
    const { boot, base } = await bootSourceFor(env.spec, this.envDir(env), this.opts.lookupImage);
    const runtime = this.instances.paths(env.id);
    const cmd = buildQemuArgv({
      spec: env.spec,
      host,
      boot,
      runtime,
      startPaused: true,
      sandbox: this.opts.sandbox,
    });
    return { boot, base, runtime, cmd };
  }

  async plan(env: EnvRef, host: HostInfo): Promise<LaunchPlan> {
    const { runtime, cmd } = await this.resolve(env, host);
    return {
      backend: 'qemu',
      binary: cmd.binary,
      argv: cmd.argv,
      runtimeDir: runtime.dir,
      notes: cmd.notes,
    };
  }

  async create(
    env: EnvRef,
    host: HostInfo,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<BackendHandles> {
    const { boot, base } = await this.resolve(env, host);
    progress({ stage: 'disks', message: 'Preparing the VM disks' });
    await ensureEnvDisks(env.spec, this.envDir(env), boot, base, {
      library: this.opts.library,
      runner: this.opts.runner,
      signal,
    });
    return this.handles(env);
  }

  async start(
    env: EnvRef,
    host: HostInfo,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<BackendHandles> {
    const running = await this.instances.get(env.id);
    if (running) return this.handles(env, running.pid); // idempotent: never a second qemu
    const { boot, base, runtime, cmd } = await this.resolve(env, host);
    progress({ stage: 'disks', message: 'Checking the VM disks' });
    await ensureEnvDisks(env.spec, this.envDir(env), boot, base, {
      library: this.opts.library,
      runner: this.opts.runner,
      signal,
    });
    progress({ stage: 'launch', message: 'Starting qemu' });
    const inst = await this.instances.start({
      envId: env.id,
      binary: cmd.binary,
      argv: cmd.argv,
      paths: runtime,
      ports: env.spec.network.mode === 'none' ? [] : env.spec.network.ports,
      startPaused: true,
      signal,
    });
    progress({ stage: 'running', message: `qemu runs as pid ${inst.pid}` });
    return this.handles(env, inst.pid);
  }

  async stop(env: EnvRef, timeoutMs: number): Promise<void> {
    const inst = await this.instances.get(env.id);
    if (inst) await inst.stop(timeoutMs);
  }

  async kill(env: EnvRef): Promise<void> {
    const inst = await this.instances.get(env.id);
    if (inst) await inst.kill();
  }

  async pause(env: EnvRef): Promise<void> {
    await (await this.instances.require(env.id)).pause();
  }

  async resume(env: EnvRef): Promise<void> {
    await (await this.instances.require(env.id)).resume();
  }

  /** Hard reset (the reset button): not in the Backend interface yet. */
  async reset(env: EnvRef): Promise<void> {
    await (await this.instances.require(env.id)).reset();
  }

  private async snapTarget(env: EnvRef) {
    return {
      envDir: this.envDir(env),
      hasDisk: env.spec.image.kind !== 'kernel',
      instance: await this.instances.get(env.id),
      runner: this.opts.runner,
    };
  }

  async snapshot(env: EnvRef, name: string, kind: SnapshotKind): Promise<SnapshotInfo> {
    return takeSnapshot(await this.snapTarget(env), name, kind);
  }

  async restore(env: EnvRef, name: string): Promise<void> {
    await restoreSnapshot(await this.snapTarget(env), name);
  }

  async deleteSnapshot(env: EnvRef, name: string): Promise<void> {
    await removeSnapshot(await this.snapTarget(env), name);
  }

  async remove(env: EnvRef): Promise<void> {
    const inst = await this.instances.get(env.id);
    if (inst) await inst.kill();
    this.instances.forget(env.id);
    await fs.rm(this.instances.paths(env.id).dir, { recursive: true, force: true });
    await fs.rm(this.envDir(env), { recursive: true, force: true });
  }

  async inspect(env: EnvRef): Promise<RuntimeStatus> {
    const inst = await this.instances.get(env.id).catch(() => null);
    if (inst) return inst.status();
    const dir = this.instances.paths(env.id);
    const exists = await fs.stat(dir.dir).then(
      () => true,
      () => false,
    );
    if (!exists) return { state: 'missing', reason: 'This VM has not been started yet.' };
    return deadStatus(dir);
  }

  async stats(env: EnvRef): Promise<Stats> {
    const inst = await this.instances.require(env.id);
    const s = await this.sampler.stats(
      inst.pid,
      await inst.control(),
      env.spec.resources.memoryMiB * 1024 * 1024,
    );
    if (!s) throw new GenosError('CONFLICT', 'The VM stopped while its statistics were read.');
    return s;
  }

  async openConsole(env: EnvRef): Promise<ConsoleStream> {
    const inst = await this.instances.require(env.id);
    const viewer = inst.console.attach();
    return { stream: viewer, close: () => viewer.destroy() };
  }

  async openDisplay(env: EnvRef): Promise<DisplayEndpoint> {
    if (env.spec.display !== 'gui') {
      return {
        protocol: 'none',
        reason: 'This VM is headless (no display device); use its console.',
      };
    }
    const inst = await this.instances.require(env.id);
    return { protocol: 'vnc', socketPath: inst.paths.vnc };
  }

  async listRunning(): Promise<Array<{ envId: string; handles: BackendHandles }>> {
    const list = await this.instances.listRunning();
    return list.map((r) => ({
      envId: r.envId,
      handles: {
        runtimeDir: r.runtimeDir,
        envDir: envDirFor(this.opts.dataDir, r.envId),
        pid: r.pid,
      },
    }));
  }

  /** The kept console output (live ring buffer when attached, else the log file). */
  async consoleLog(env: EnvRef, maxBytes = 256 * 1024): Promise<Buffer> {
    const inst = await this.instances.get(env.id).catch(() => null);
    if (inst && inst.console.isOpen) {
      await inst.console.log.flush();
    }
    return readConsoleLog(this.instances.paths(env.id).consoleLog, maxBytes);
  }

  /** Guest memory as the balloon sees it (virtio guests only; UNSUPPORTED otherwise). */
  async balloonInfo(env: EnvRef): Promise<qmpc.BalloonInfo> {
    const inst = await this.instances.require(env.id);
    return qmpc.queryBalloon(await inst.control());
  }

  /** Asks the guest to shrink (or regrow, up to the spec's memory) to `bytes` via its balloon. */
  async setBalloon(env: EnvRef, bytes: number): Promise<void> {
    const max = env.spec.resources.memoryMiB * 1024 * 1024;
    if (!Number.isSafeInteger(bytes) || bytes < 16 * 1024 * 1024 || bytes > max) {
      throw new GenosError(
        'BAD_ARGS',
        `The balloon target must be between 16 MiB and the VM's ${env.spec.resources.memoryMiB} MiB.`,
      );
    }
    const inst = await this.instances.require(env.id);
    await qmpc.setBalloon(await inst.control(), bytes);
  }

  /** A PNG of the VM's screen. */
  async screenshot(env: EnvRef): Promise<Buffer> {
    const inst = await this.instances.require(env.id);
    return qmpc.screendump(await inst.control(), inst.paths.screendump);
  }

  /** Lets go of all VMs (app quitting): they keep running and are re-adopted next time. */
  /** App shutdown: VMs keep running and are re-adopted by the next start. */
  close(): Promise<void> {
    return this.detachAll();
  }

  detachAll(): Promise<void> {
    return this.instances.detachAll();
  }
}
