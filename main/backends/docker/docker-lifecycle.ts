/**
 * Container lifecycle for the Docker backend: plan, create, start, stop, kill, pause, resume,
 * restart, remove, inspect. It keeps no state between calls: the container is found again from
 * the environment's id and handles (container-access.ts), so an app restart loses nothing.
 */
import type Docker from 'dockerode';
import type { HostInfo } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import type { BackendHandles, EnvRef, LaunchPlan, Progress, RuntimeStatus } from '../backend.js';
import {
  containerRef,
  ignore304,
  mustOwn,
  ownedContainer,
  timeoutSeconds,
} from './container-access.js';
import { buildCreateOptions, type CreateInput, type CreatePlan } from './create-options.js';
import { statusOf } from './docker-errors.js';
import { DockerEngine } from './engine.js';
import { planImage, prepareImage, type ImageSources } from './image-resolve.js';
import { ensureIsolatedNetwork, removeNetworkIfUnused } from './networks.js';
import { describeRelaxations } from './relaxations.js';
import { mapInspect, type DockerStatus } from './state.js';

export type DockerBackendOptions = ImageSources & {
  engine?: DockerEngine;
  /** Labels on everything this backend creates, and narrowing what it lists (tests: genos.test). */
  extraLabels?: Record<string, string>;
};

export class DockerLifecycle {
  readonly engine: DockerEngine;
  protected readonly opts: DockerBackendOptions;

  constructor(opts: DockerBackendOptions = {}) {
    this.engine = opts.engine ?? new DockerEngine();
    this.opts = { ...opts, labels: { ...opts.extraLabels, ...opts.labels } };
  }

  protected createInput(env: EnvRef, image: string, host?: HostInfo): CreateInput {
    const stack = env.handles.stack;
    return {
      envId: env.id,
      spec: env.spec,
      image,
      // The orchestrator puts a stack's id in handles.stack so its members share one network.
      networkKey: typeof stack === 'string' && stack ? stack : undefined,
      hostCpus: host?.cpu.count || undefined,
      extraLabels: this.opts.extraLabels,
    };
  }

  /** One engine call about this environment's container, its failures named after `verb`. */
  protected on<T>(env: EnvRef, verb: string, fn: (docker: Docker) => Promise<T>): Promise<T> {
    return this.engine.run(`${verb} ${containerRef(env)}`, fn);
  }

  async plan(env: EnvRef, host: HostInfo): Promise<LaunchPlan> {
    const { image, notes } = await planImage(this.engine, env, this.opts);
    const plan = buildCreateOptions(this.createInput(env, image, host));
    return {
      backend: 'docker',
      image,
      createOptions: { ...plan.options },
      notes: [
        ...notes,
        ...plan.notes,
        ...describeRelaxations(env.spec).map((r) => `Relaxed (${r.risk} risk): ${r.text}`),
      ],
    };
  }

  async create(
    env: EnvRef,
    host: HostInfo,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<BackendHandles> {
    // Refuse a spec the engine could not run before pulling or building anything for it.
    buildCreateOptions(this.createInput(env, 'validation-only', host));
    const image = await prepareImage(this.engine, env, this.opts, progress, signal);
    return this.createFrom(
      env,
      buildCreateOptions(this.createInput(env, image, host)),
      image,
      signal,
    );
  }

  protected async createFrom(
    env: EnvRef,
    plan: CreatePlan,
    image: string,
    signal?: AbortSignal,
  ): Promise<BackendHandles> {
    const network = plan.network?.name ?? null;
    return this.on(env, 'create container', async (docker) => {
      // Idempotent: a retried create finds the container it made the first time.
      const existing = await ownedContainer(docker, env);
      let id = existing?.Id;
      if (!id) {
        if (plan.network) await ensureIsolatedNetwork(docker, plan.network);
        id = (
          await docker.createContainer({
            ...plan.options,
            ...(signal ? { abortSignal: signal } : {}),
          })
        ).id;
      }
      return { ...env.handles, containerId: id, containerName: containerRef(env), image, network };
    });
  }

  async start(
    env: EnvRef,
    host: HostInfo,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<BackendHandles> {
    let handles = env.handles;
    // A container removed behind GenOS's back is made again from the spec.
    if (!(await this.on(env, 'inspect', (d) => ownedContainer(d, env)))) {
      handles = await this.create(env, host, progress, signal);
    }
    return this.on(env, 'start container', async (docker) => {
      const info = await mustOwn(docker, env, 'start');
      const c = docker.getContainer(info.Id);
      if (info.State.Paused) await c.unpause();
      else if (!info.State.Running) await c.start().catch(ignore304);
      return { ...handles, containerId: info.Id, containerName: containerRef(env) };
    });
  }

  async stop(env: EnvRef, timeoutMs: number): Promise<void> {
    await this.on(env, 'stop container', async (docker) => {
      const info = await ownedContainer(docker, env);
      if (!info) return;
      const c = docker.getContainer(info.Id);
      // A frozen process cannot handle SIGTERM: thaw it so the graceful stop can work.
      if (info.State.Paused) await c.unpause();
      if (info.State.Running) await c.stop({ t: timeoutSeconds(timeoutMs) }).catch(ignore304);
    });
    if (env.spec.ephemeral) await this.remove(env);
  }

  async kill(env: EnvRef): Promise<void> {
    await this.on(env, 'kill container', async (docker) => {
      const info = await ownedContainer(docker, env);
      if (!info?.State.Running) return;
      await docker
        .getContainer(info.Id)
        .kill({ signal: 'SIGKILL' })
        .catch((e: unknown) => {
          if (statusOf(e) !== 409) throw e; // 409: it stopped meanwhile
        });
    });
    if (env.spec.ephemeral) await this.remove(env);
  }

  async pause(env: EnvRef): Promise<void> {
    await this.on(env, 'pause container', async (docker) => {
      const info = await mustOwn(docker, env, 'pause');
      if (info.State.Paused) return;
      if (!info.State.Running)
        throw new GenosError('CONFLICT', `cannot pause ${env.spec.name}: it is not running`);
      await docker.getContainer(info.Id).pause();
    });
  }

  async resume(env: EnvRef): Promise<void> {
    await this.on(env, 'resume container', async (docker) => {
      const info = await mustOwn(docker, env, 'resume');
      if (info.State.Paused) await docker.getContainer(info.Id).unpause();
    });
  }

  async restart(env: EnvRef, timeoutMs: number): Promise<void> {
    await this.on(env, 'restart container', async (docker) => {
      const info = await mustOwn(docker, env, 'restart');
      if (info.State.Paused) await docker.getContainer(info.Id).unpause();
      await docker.getContainer(info.Id).restart({ t: timeoutSeconds(timeoutMs) });
    });
  }

  async remove(env: EnvRef): Promise<void> {
    await this.on(env, 'remove container', async (docker) => {
      const info = await ownedContainer(docker, env);
      if (info) {
        // v: the anonymous volumes go with it; named volumes are the user's.
        await docker
          .getContainer(info.Id)
          .remove({ v: true, force: true })
          .catch((e: unknown) => {
            if (statusOf(e) !== 404 && statusOf(e) !== 409) throw e; // 409: removal under way
          });
      }
      const nets = new Set([
        env.handles.network,
        ...Object.keys(info?.NetworkSettings?.Networks ?? {}),
      ]);
      for (const n of nets) {
        if (typeof n === 'string' && n.startsWith('genos-isolated-'))
          await removeNetworkIfUnused(docker, n);
      }
    });
  }

  /** Status plus health and the OOM flag (RuntimeStatus has no place for them yet). */
  async inspectDetailed(env: EnvRef): Promise<DockerStatus | null> {
    return this.on(env, 'inspect container', async (docker) => {
      const info = await ownedContainer(docker, env);
      return info ? mapInspect(info) : null;
    });
  }

  async inspect(env: EnvRef): Promise<RuntimeStatus> {
    const d = await this.inspectDetailed(env);
    return (
      d?.status ?? {
        state: 'missing',
        reason: `container ${containerRef(env)} does not exist (removed outside GenOS?)`,
      }
    );
  }
}
