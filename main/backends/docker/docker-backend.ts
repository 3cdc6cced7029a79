/**
 * The Docker backend: environments as hardened containers on a Docker-compatible engine (Docker,
 * or Podman's compat API). Lifecycle lives in DockerLifecycle; this adds what runs against a live
 * container: stats, terminals, logs, snapshots, re-adoption listings and engine events.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type {
  Backend,
  BackendHandles,
  ConsoleStream,
  DisplayEndpoint,
  EnvRef,
  SnapshotInfo,
  SnapshotKind,
  Stats,
} from '../backend.js';
import {
  listLabelled,
  runningHandles,
  unknownContainers,
  type UnknownContainer,
} from './adoption.js';
import {
  attachConsole,
  openExecConsole,
  runCommand,
  type CommandResult,
  type ExecConsoleOptions,
} from './console.js';
import {
  checkpointUnsupported,
  createCheckpoint,
  deleteCheckpoint,
  listCheckpoints,
  LIVE_FALLBACK,
  restoreCheckpoint,
} from './checkpoints.js';
import { containerRef, mustOwn, ownedContainer, runningContainer } from './container-access.js';
import { buildCreateOptions } from './create-options.js';
import { DockerLifecycle } from './docker-lifecycle.js';
import {
  watchEvents,
  type EnvChange,
  type EnvEvent,
  type EventWatcher,
  type WatchOptions,
} from './events.js';
import { containerLogs, type LogOptions } from './logs.js';
import { commitSnapshot, deleteSnapshotImage, listSnapshots, snapshotImage } from './snapshots.js';
import { followStats, toStats, type RawStats } from './stats.js';

export type { UnknownContainer };
export type { DockerBackendOptions } from './docker-lifecycle.js';

export class DockerBackend extends DockerLifecycle implements Backend {
  readonly kind = 'docker' as const;
  private readonly watchers = new Set<EventWatcher>();
  async stats(env: EnvRef): Promise<Stats> {
    return this.on(env, 'read stats of', async (docker) => {
      const info = await mustOwn(docker, env, 'read stats of');
      // stream: false makes the engine take two samples a second apart, so CPU % is real.
      return toStats(
        (await docker.getContainer(info.Id).stats({ stream: false })) as unknown as RawStats,
      );
    });
  }

  /** Samples stats every second (the engine's own interval) for the metrics stream. */
  async sampleStats(env: EnvRef, onSample: (s: Stats) => void, signal: AbortSignal): Promise<void> {
    const docker = await this.engine.docker();
    const info = await this.on(env, 'sample stats of', (d) => mustOwn(d, env, 'sample stats of'));
    // Aborting destroys the stream (readJsonLines), which ends the request.
    await followStats(() => docker.getContainer(info.Id).stats({ stream: true }), onSample, signal);
  }

  /** A new shell with a TTY (exec), for the terminal bridge. */
  async openConsole(env: EnvRef, opts?: ExecConsoleOptions): Promise<ConsoleStream> {
    return this.on(env, 'open a terminal in', async (docker) =>
      openExecConsole(await runningContainer(docker, env, 'open a terminal in'), opts),
    );
  }

  /** The main process's TTY (docker attach). */
  async attach(env: EnvRef): Promise<ConsoleStream> {
    return this.on(env, 'attach to', async (docker) =>
      attachConsole(await runningContainer(docker, env, 'attach to')),
    );
  }

  /** Runs argv without a TTY and returns its exit code and output. */
  async exec(env: EnvRef, cmd: string[]): Promise<CommandResult> {
    return this.on(env, 'run a command in', async (docker) =>
      runCommand(await runningContainer(docker, env, 'run a command in'), cmd),
    );
  }

  /** The container's output, for consoleLog and `genos logs`. */
  async logs(env: EnvRef, opts: LogOptions = {}): Promise<Readable> {
    return this.on(env, 'read logs of', async (docker) => {
      const info = await mustOwn(docker, env, 'read logs of');
      return containerLogs(docker.getContainer(info.Id), opts);
    });
  }

  /** The newest log output of the container's main process (from `since`), at most maxBytes. */
  async consoleLog(env: EnvRef, maxBytes: number, since?: Date): Promise<Buffer> {
    const stream = await this.logs(env, since ? { since } : { tail: 2000 });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    const all = Buffer.concat(chunks);
    return all.length > maxBytes ? all.subarray(all.length - maxBytes) : all;
  }

  /**
   * The log from `since` (else its last `tail` lines, default 200), then new output as it comes;
   * the engine ends the stream when the container stops.
   */
  async followLog(env: EnvRef, opts: { since?: Date; tail?: number }): Promise<Readable> {
    return this.logs(env, {
      follow: true,
      ...(opts.since ? { since: opts.since } : { tail: opts.tail ?? 200 }),
      ...(opts.since && opts.tail !== undefined ? { tail: opts.tail } : {}),
    });
  }

  async openDisplay(_env: EnvRef): Promise<DisplayEndpoint> {
    return {
      protocol: 'none',
      reason: 'containers have no graphical display in GenOS yet: use the terminal',
    };
  }

  /**
   * 'live' is a CRIU checkpoint when the engine can take one; otherwise (or when CRIU fails) a
   * commit whose note says why. 'disk' and 'commit' are the same for a container: its files.
   */
  async snapshot(env: EnvRef, snapName: string, kind: SnapshotKind): Promise<SnapshotInfo> {
    return this.on(env, 'snapshot', async (docker) => {
      const info = await mustOwn(docker, env, 'snapshot');
      const container = docker.getContainer(info.Id);
      if (kind !== 'live') return commitSnapshot(docker, container, env.id, snapName);
      let why = info.State.Running
        ? await checkpointUnsupported(docker)
        : 'the container is not running, so there is no process state to keep';
      if (!why) {
        try {
          return await createCheckpoint(container, snapName);
        } catch (e) {
          why = `CRIU could not checkpoint it (${(e as Error).message.trim()})`;
        }
      }
      return commitSnapshot(docker, container, env.id, snapName, `${LIVE_FALLBACK}: ${why}`);
    });
  }

  async listSnapshots(env: EnvRef): Promise<SnapshotInfo[]> {
    return this.on(env, 'list snapshots of', async (docker) => {
      const commits = await listSnapshots(docker, env.id);
      const info = await ownedContainer(docker, env);
      if (!info) return commits;
      const live = (await listCheckpoints(docker.getContainer(info.Id))).map(
        (name): SnapshotInfo => ({ name, kind: 'live', createdAt: info.Created, sizeBytes: null }),
      );
      return [...live, ...commits];
    });
  }

  /** The checkpoint of that name, if the container has one (else the snapshot is a commit). */
  private async checkpointOf(env: EnvRef, snapName: string): Promise<Docker.Container | null> {
    return this.on(env, 'restore', async (docker) => {
      const info = await ownedContainer(docker, env);
      if (!info) return null;
      const container = docker.getContainer(info.Id);
      return (await listCheckpoints(container)).includes(snapName) ? container : null;
    });
  }

  /**
   * A checkpoint: the same container started from it, its processes where they were. A commit:
   * the container recreated from the snapshot's image, same options; running again if it was.
   */
  async restore(env: EnvRef, snapName: string): Promise<void> {
    const checkpointed = await this.checkpointOf(env, snapName);
    if (checkpointed) {
      await this.on(env, 'restore', () => restoreCheckpoint(checkpointed, snapName));
      return;
    }
    const image = await this.on(env, 'restore', (d) => snapshotImage(d, env.id, snapName));
    const wasRunning = await this.on(env, 'restore', async (docker) => {
      const info = await ownedContainer(docker, env);
      if (info) await docker.getContainer(info.Id).remove({ force: true, v: true });
      return info?.State.Running ?? false;
    });
    // The engine's CPU count, so a spec asking for more CPUs than the host is capped as at create.
    const ncpu = await this.engine.run(
      'read engine info',
      async (d) => (await d.info()).NCPU as number,
    );
    const input = { ...this.createInput(env, image), hostCpus: ncpu || undefined };
    await this.createFrom(env, buildCreateOptions(input), image);
    if (wasRunning)
      await this.on(env, 'start container', (d) => d.getContainer(containerRef(env)).start());
  }

  async deleteSnapshot(env: EnvRef, snapName: string): Promise<void> {
    const checkpointed = await this.checkpointOf(env, snapName);
    await this.on(env, `delete snapshot ${snapName} of`, (d) =>
      checkpointed
        ? deleteCheckpoint(checkpointed, snapName)
        : deleteSnapshotImage(d, env.id, snapName),
    );
  }

  async listRunning(): Promise<Array<{ envId: string; handles: BackendHandles }>> {
    const list = await this.engine.run('list GenOS containers', (d) =>
      listLabelled(d, false, this.opts.extraLabels),
    );
    return runningHandles(list);
  }

  /** GenOS-labelled containers the store does not know: reported to the user, never deleted. */
  async listUnknown(knownIds: Iterable<string>): Promise<UnknownContainer[]> {
    const list = await this.engine.run('list GenOS containers', (d) =>
      listLabelled(d, true, this.opts.extraLabels),
    );
    return unknownContainers(list, knownIds);
  }

  /** Engine events for GenOS containers, as `(envId, change)` (see events.ts). */
  watch(
    onEvent: (envId: string, change: EnvChange, event: EnvEvent) => void,
    opts: WatchOptions = {},
  ): EventWatcher {
    const w = watchEvents(this.engine, onEvent, { extraLabels: this.opts.extraLabels, ...opts });
    this.watchers.add(w);
    return {
      ready: w.ready,
      close: () => {
        this.watchers.delete(w);
        w.close();
      },
    };
  }

  /** Ends the event streams and the engine connection (app shutdown). Containers keep running. */
  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers.clear();
    this.engine.close();
  }
}
