import type { Readable } from 'node:stream';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { HostInfo } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import type { QemuImgRunner } from '../../images/qemu-img.js';
import type { ImageLibrary } from '../../images/types.js';
import type { SshTarget } from '../../streams/pty-ssh.js';
import { readConsoleLog, type SerialConsole } from '../../streams/serial-console.js';
import type {
  Backend,
  BackendHandles,
  ConsoleStream,
  DisplayEndpoint,
  DisplayProtocol,
  EnvRef,
  LaunchPlan,
  Progress,
  RuntimeStatus,
  SnapshotInfo,
  SnapshotKind,
  Stats,
} from '../backend.js';
import { downloadOptionsFor } from '../../provisioning/catalog-images.js';
import type { CatalogImageEntry } from '../../provisioning/catalog-entries.js';
import { instanceIdFor, seedInputForSpec } from '../../provisioning/guest-seed.js';
import { ensureCatalogDisks, fetchCatalogBase } from './catalog-disks.js';
import { readCredentials, type GuestCredentials } from './credentials.js';
import {
  bootSourceFor,
  ensureEnvDisks,
  type CatalogImageLookup,
  type ImageLookup,
  type ResolvedBoot,
} from './env-disks.js';
import {
  defaultTimeouts,
  readProvisionOutcome,
  watchFirstBoot,
  type FirstBootTimeouts,
} from './first-boot-watch.js';
import { InstanceManager } from './instance-manager.js';
import { ensureVars, uefiFor } from './firmware.js';
import {
  assertInstalledDisk,
  driversIso,
  ejectInstaller,
  withInstallState,
  type InstallerControl,
} from './install.js';
import { findSwtpm, startSwtpm, stopSwtpm, SWTPM_MISSING, tpmPaths } from './tpm.js';
import { buildQemuArgv } from './qemu-argv.js';
import { deadStatus } from './qemu-instance.js';
import * as qmpc from './qmp-commands.js';
import { envDirFor } from './runtime-paths.js';
import { removeSnapshot, restoreSnapshot, takeSnapshot } from './snapshot-ops.js';
import { sshTargetFor } from './ssh-access.js';
import { needsAutoSshForward, withSshForward } from './ssh-forward.js';
import { StatsSampler } from './vm-stats.js';
import { isCatalogInstaller, isCloudImage } from '../../../preload/contract.js';

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
  /** The VM image of a catalog OS/version (default: the built-in catalog). */
  catalogImage?: CatalogImageLookup;
  /** What catalog VMs take from the settings: the SSH key for the guest, download mirrors/proxy. */
  provisionSettings?: () => ProvisionSettings;
  /** How long a catalog VM's first boot may take (default: generous, longer under TCG). */
  firstBootTimeouts?: Partial<FirstBootTimeouts>;
};

export type ProvisionSettings = {
  sshPublicKey?: string | null;
  downloadMirrors?: Array<{ prefix: string; mirrors: string[] }>;
  downloadProxy?: string | null;
};

export class QemuBackend implements Backend, InstallerControl {
  readonly kind = 'qemu' as const;
  readonly instances: InstanceManager;
  private readonly sampler = new StatsSampler();
  private readonly watchers = new Map<string, { stop(): void }>();

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
    const resolved = withInstallState(
      env.spec,
      await bootSourceFor(env.spec, this.envDir(env), this.opts.lookupImage, {
        dataDir: this.opts.dataDir,
        catalogImage: this.opts.catalogImage,
      }),
      await driversIso(env.spec, this.opts.lookupImage),
    );
    const { boot, base, catalog } = resolved;
    const runtime = this.instances.paths(env.id);
    const cmd = buildQemuArgv({
      spec: env.spec,
      host,
      boot,
      runtime,
      uefi: await uefiFor(env.spec, this.envDir(env)),
      tpmSocket: env.spec.tpm ? this.tpm(env).socket : null,
      startPaused: true,
      sandbox: this.opts.sandbox,
    });
    if (env.spec.tpm && !(await findSwtpm())) cmd.notes.push(SWTPM_MISSING);
    if (catalog && boot.kind === 'iso') {
      cmd.notes.push(
        catalog.cached
          ? `Installer ISO: ${catalog.path} (cached; shared read-only).`
          : `Installer ISO: not cached yet: the newest ${path.basename(catalog.path)} is downloaded from ${path.dirname(catalog.entry.url)}/ when the VM is created.`,
        'Install with the display open, then "Finish installation" (genos install-done) to boot the disk from then on.',
      );
    } else if (catalog) {
      cmd.notes.push(
        catalog.cached
          ? `Base image: ${catalog.path} (cached; shared read-only by every VM of this OS).`
          : `Base image: ${catalog.path} (not cached yet: downloaded from ${catalog.entry.url} when the VM is created, whatever the VM's own network mode).`,
        `Disk: a qcow2 overlay ${boot.kind === 'disk' ? boot.disk.path : ''} on the base.`,
        `First boot: cloud-init reads the seed ${boot.kind === 'disk' ? boot.seed : ''} (hostname ${env.spec.name}, user genos with a generated password${env.spec.apps.length ? `, packages for ${env.spec.apps.join(', ')}` : ''}).`,
      );
      if (env.spec.apps.length && env.spec.network.mode !== 'nat') {
        cmd.notes.push(
          `Network ${env.spec.network.mode}: the guest cannot reach a package mirror, so installing ${env.spec.apps.join(', ')} will fail; use network "nat".`,
        );
      }
    }
    return { boot, base, catalog, runtime, cmd, resolved };
  }

  private tpm(env: EnvRef) {
    return tpmPaths(this.instances.paths(env.id).dir, this.envDir(env));
  }

  /** Makes the disks (and for a catalog VM the base download, overlay and seed, or the
   * installer ISO's download). */
  private async ensureDisks(
    env: EnvRef,
    r: ResolvedBoot,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<void> {
    await ensureVars(env.spec, this.envDir(env), { runner: this.opts.runner });
    await assertInstalledDisk(env.spec, r);
    if (r.catalog) {
      const s = this.opts.provisionSettings?.() ?? {};
      const deps = {
        envId: env.id,
        dataDir: this.opts.dataDir,
        runner: this.opts.runner,
        signal,
        progress,
        sshPublicKey: s.sshPublicKey ?? null,
        ...downloadOptionsFor({ image: r.catalog.entry } as CatalogImageEntry, {
          downloadMirrors: s.downloadMirrors ?? [],
          downloadProxy: s.downloadProxy ?? null,
        }),
      };
      if (r.boot.kind === 'disk') {
        await ensureCatalogDisks(env.spec, this.envDir(env), r.boot.disk.path, r.catalog, deps);
        return;
      }
      const boot = r.boot;
      if (boot.kind === 'iso') {
        if (!r.catalog.cached)
          r = { ...r, boot: { ...boot, iso: await fetchCatalogBase(r.catalog, deps) } };
        const made = await fs.stat(boot.disk.path).then(
          () => true,
          () => false,
        );
        if (!made)
          progress({ stage: 'preparing-disk', message: 'Making the blank disk to install onto' });
      }
    }
    await ensureEnvDisks(env.spec, this.envDir(env), r.boot, r.base, {
      library: this.opts.library,
      runner: this.opts.runner,
      signal,
    });
  }

  /** A catalog VM's generated login (null for other VMs, or before create()). */
  credentials(env: EnvRef): Promise<GuestCredentials | null> {
    return readCredentials(this.envDir(env));
  }

  /** Follows the first boot of a catalog VM that has not been provisioned yet. */
  private async followFirstBoot(
    env: EnvRef,
    host: HostInfo,
    inst: { console: SerialConsole },
    progress: Progress,
  ): Promise<void> {
    if (!isCloudImage(env.spec.image)) return;
    const envDir = this.envDir(env);
    if (await readProvisionOutcome(envDir)) return; // cloud-init provisions only once
    const creds = await readCredentials(envDir);
    const { input } = seedInputForSpec(env.spec, {
      instanceId: instanceIdFor(env.id),
      password: creds?.password ?? '',
    });
    this.watchers.get(env.id)?.stop();
    const w = watchFirstBoot({
      console: inst.console,
      instanceId: input.instanceId,
      packages: input.packages ?? [],
      envDir,
      consoleLog: this.instances.paths(env.id).consoleLog,
      envName: env.spec.name,
      progress,
      timeouts: { ...defaultTimeouts(host.accel.selected), ...this.opts.firstBootTimeouts },
    });
    this.watchers.set(env.id, w);
  }

  async followProvisioning(env: EnvRef, host: HostInfo, progress: Progress): Promise<void> {
    if (this.watchers.has(env.id)) return;
    const inst = await this.instances.get(env.id).catch(() => null);
    // The console's ring holds what the guest printed while nobody listened (since re-adoption).
    if (inst) await this.followFirstBoot(env, host, inst, progress);
  }

  async plan(env: EnvRef, host: HostInfo): Promise<LaunchPlan> {
    const { runtime, cmd } = await this.resolve(env, host);
    if (needsAutoSshForward(env.spec)) {
      cmd.notes.push(
        'SSH: guest port 22 is forwarded from a free 127.0.0.1 port chosen at start (for "Open SSH terminal").',
      );
    }
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
    const { resolved } = await this.resolve(env, host);
    progress({ stage: 'disks', message: 'Preparing the VM disks' });
    await this.ensureDisks(env, resolved, progress, signal);
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
    env = { ...env, spec: await withSshForward(env.spec) };
    const first = await this.resolve(env, host);
    const { resolved } = first;
    let { runtime, cmd } = first;
    progress({ stage: 'disks', message: 'Checking the VM disks' });
    await this.ensureDisks(env, resolved, progress, signal);
    // A catalog file fetched just now (removed from the cache since create()) may have a name
    // the plan could not know (an installer ISO's point release).
    if (resolved.catalog && !resolved.catalog.cached)
      ({ runtime, cmd } = await this.resolve(env, host));
    if (env.spec.tpm) {
      progress({ stage: 'launch', message: 'Starting the TPM (swtpm)' });
      await startSwtpm(this.tpm(env), { signal });
    }
    progress({ stage: 'launch', message: 'Starting qemu' });
    const inst = await this.instances
      .start({
        envId: env.id,
        binary: cmd.binary,
        argv: cmd.argv,
        paths: runtime,
        ports: env.spec.network.mode === 'none' ? [] : env.spec.network.ports,
        startPaused: true,
        signal,
      })
      .catch(async (e: unknown) => {
        if (env.spec.tpm) await stopSwtpm(this.tpm(env));
        throw e;
      });
    progress({ stage: 'running', message: `qemu runs as pid ${inst.pid}` });
    await this.followFirstBoot(env, host, inst, progress);
    if (isCatalogInstaller(env.spec.image) && !env.spec.installed) {
      // No cloud-init to wait for: what GenOS prepares (the download, the disk) is done.
      progress({
        stage: 'ready',
        message:
          'The installer runs: install with the display open, then Finish installation to boot the disk.',
      });
    }
    return this.handles(env, inst.pid);
  }

  async stop(env: EnvRef, timeoutMs: number): Promise<void> {
    const inst = await this.instances.get(env.id);
    if (inst) await inst.stop(timeoutMs);
    // swtpm ends itself when qemu's connection closes; this catches one that did not.
    if (env.spec.tpm) await stopSwtpm(this.tpm(env));
  }

  async kill(env: EnvRef): Promise<void> {
    const inst = await this.instances.get(env.id);
    if (inst) await inst.kill();
    if (env.spec.tpm) await stopSwtpm(this.tpm(env));
  }

  /** Ejects a running VM's installer ISO (finishInstall); false when the VM is not running. */
  async ejectInstaller(env: EnvRef): Promise<boolean> {
    const inst = await this.instances.get(env.id);
    if (!inst) return false;
    await ejectInstaller(await inst.control());
    return true;
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
    this.watchers.get(env.id)?.stop();
    this.watchers.delete(env.id);
    const inst = await this.instances.get(env.id);
    if (inst) await inst.kill();
    await stopSwtpm(this.tpm(env));
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

  /** Where the SSH terminal logs in (catalog VMs, once provisioned); throws why not. */
  async sshTarget(env: EnvRef): Promise<SshTarget> {
    return sshTargetFor(env, this.envDir(env), await this.instances.get(env.id).catch(() => null));
  }

  async openConsole(env: EnvRef): Promise<ConsoleStream> {
    const inst = await this.instances.require(env.id);
    const viewer = inst.console.attach();
    return { stream: viewer, close: () => viewer.destroy() };
  }

  /** Follows the serial console as a viewer that never takes the keyboard; `since` is for containers. */
  async followLog(env: EnvRef): Promise<Readable> {
    const inst = await this.instances.require(env.id);
    return inst.console.attach({ claimInput: false, replay: true });
  }

  async openDisplay(env: EnvRef, protocol: DisplayProtocol = 'vnc'): Promise<DisplayEndpoint> {
    if (env.spec.display !== 'gui') {
      return {
        protocol: 'none',
        reason: 'This VM is headless (no display device); use its console.',
      };
    }
    const inst = await this.instances.require(env.id);
    if (protocol === 'spice') {
      // A VM started by a GenOS without SPICE has no SPICE server: say so rather than a 502.
      const st = await fs.stat(inst.paths.spice).catch(() => null);
      if (!st?.isSocket()) {
        throw new GenosError(
          'UNSUPPORTED',
          `${env.spec.name} was started without a SPICE server (by an earlier GenOS): ` +
            'restart it to use SPICE, or use VNC.',
        );
      }
      return { protocol: 'spice', socketPath: inst.paths.spice };
    }
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
    for (const w of this.watchers.values()) w.stop();
    this.watchers.clear();
    return this.instances.detachAll();
  }
}
