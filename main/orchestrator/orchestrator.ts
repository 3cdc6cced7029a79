import {
  EnvironmentSpec,
  type Backend as BackendKind,
  type EnvironmentState,
  type EnvironmentSummary,
  type HostInfo,
  type Settings,
} from '../../preload/contract.js';
import type { Backend, BackendHandles, EnvRef, LaunchPlan } from '../backends/backend.js';
import type { EventBus } from '../api/event-bus.js';
import type { Audit } from '../core/audit.js';
import { GenosError, isGenosError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { checkAdmission } from './admission.js';
import { EnvLocks } from './env-locks.js';
import { ProvisionTracker, type ProvisionChange } from './provision-status.js';
import {
  ACTIVE_STATES,
  TRANSIENT_STATES,
  assertAction,
  assertTransition,
  type Action,
} from './lifecycle.js';

/** Resolves a backend; throws UNAVAILABLE (saying what to install or start) when it cannot. */
export type BackendResolver = (kind: BackendKind) => Promise<Backend>;

export type OrchestratorDeps = {
  store: Store;
  audit: Audit;
  bus: EventBus;
  backend: BackendResolver;
  hostInfo: () => Promise<HostInfo>;
  settings: () => Settings;
  /** Where each environment's last provisioning stage is kept (none: memory only). */
  provisionDir?: string;
};

const STOP_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 20_000;

/**
 * Owns environment state: every change goes through the lifecycle table, is written to the
 * store, the audit log and pushed as `environmentChanged`. Backends do the work; they keep no
 * state a restart would lose (their handles live in the store).
 */
export class Orchestrator {
  private readonly locks = new EnvLocks();
  private readonly running = new Map<string, AbortController>();

  private ready: Promise<unknown> = Promise.resolve();
  /** Provisioning stages of catalog VMs (download -> ready), pushed on the environment. */
  readonly provision: ProvisionTracker;

  constructor(private readonly deps: OrchestratorDeps) {
    this.provision = new ProvisionTracker(deps.provisionDir ?? null, (c) =>
      this.provisionChanged(c),
    );
  }

  /** A stage change is audited; every change is pushed with the environment. */
  private provisionChanged({ id, status, stageChanged }: ProvisionChange): void {
    if (stageChanged) {
      this.deps.audit.record({
        actor: 'orchestrator',
        action: 'env.provision',
        target: id,
        outcome: status.failed ? 'error' : 'info',
        detail: { stage: status.stage, failed: status.failed, message: status.message },
      });
    }
    const env = this.deps.store.getEnvironment(id);
    if (env) this.deps.bus.emit('environmentChanged', this.provision.with(env));
  }

  /** Holds every action until `work` (start-up reconciliation) has settled. */
  waitFor(work: Promise<unknown>): void {
    // Bounded: a backend that hangs while being reconciled must not freeze every action.
    const settled = work.catch(() => undefined);
    this.ready = Promise.race([
      settled,
      new Promise((r) => setTimeout(r, READY_TIMEOUT_MS).unref()),
    ]);
  }

  /** Records a new environment (or `count` of them) as drafts; nothing runs yet. */
  create(input: unknown, actor: string): EnvironmentSummary[] {
    const spec = EnvironmentSpec.parse(input);
    const names =
      spec.count === 1
        ? [spec.name]
        : Array.from({ length: spec.count }, (_, i) => `${spec.name}-${i + 1}`);
    const { store } = this.deps;
    const created = store.transaction(() =>
      names.map((name) =>
        store.insertEnvironment({
          name,
          backend: spec.backend,
          spec: { ...spec, name, count: 1 },
          state: 'draft',
        }),
      ),
    );
    for (const env of created) {
      this.deps.audit.record({
        actor,
        action: 'env.create',
        target: env.id,
        outcome: 'ok',
        detail: { name: env.name },
      });
      this.deps.bus.emit('environmentChanged', env);
    }
    return created;
  }

  async plan(input: unknown): Promise<LaunchPlan> {
    const spec = EnvironmentSpec.parse(input);
    const backend = await this.deps.backend(spec.backend);
    return backend.plan({ id: 'dry-run', spec, handles: {} }, await this.deps.hostInfo());
  }

  start(id: string, actor: string): Promise<EnvironmentSummary> {
    return this.act(id, 'start', actor, async (env, ref, backend, signal) => {
      const host = await this.deps.hostInfo();
      let handles = ref.handles;
      // Outlives the call: a VM's first boot is followed (and reported) after it runs.
      const progress = (p: { stage: string; done?: number; total?: number; message?: string }) =>
        this.provision.report(env.id, p);
      if (env.state === 'draft' || env.state === 'failed') {
        this.transition(env, 'provisioning', `${actor} asked to start it`);
        // Merge: what the orchestrator put there (e.g. a stack id) stays beside what the backend adds.
        const created = await backend.create(ref, host, progress, signal).catch((err: unknown) => {
          this.provision.fail(env.id, err instanceof Error ? err.message : String(err));
          throw err;
        });
        handles = { ...handles, ...created };
        this.transition(env, 'stopped', 'provisioned', handles);
      }
      checkAdmission(
        { name: env.name, spec: ref.spec },
        this.activeSpecs(env.id),
        host,
        this.deps.settings(),
      );
      this.transition(env, 'starting', `${actor} asked to start it`);
      handles = {
        ...handles,
        ...(await backend.start({ ...ref, handles }, host, progress, signal)),
      };
      return this.transition(env, 'running', 'started', handles);
    });
  }

  stop(id: string, actor: string, timeoutMs = STOP_TIMEOUT_MS): Promise<EnvironmentSummary> {
    return this.act(id, 'stop', actor, async (env, ref, backend) => {
      this.transition(env, 'stopping', `${actor} asked to stop it`);
      await backend.stop(ref, timeoutMs);
      const stopped = this.transition(env, 'stopped', `stopped by ${actor}`);
      return ref.spec.ephemeral ? this.removeEphemeral(stopped, ref, backend, actor) : stopped;
    });
  }

  kill(id: string, actor: string): Promise<EnvironmentSummary> {
    this.running.get(id)?.abort(new GenosError('CANCELLED', 'Killed.'));
    return this.act(id, 'kill', actor, async (env, ref, backend) => {
      await backend.kill(ref);
      return this.transition(env, 'stopped', `killed by ${actor}`);
    });
  }

  pause(id: string, actor: string): Promise<EnvironmentSummary> {
    return this.act(id, 'pause', actor, async (env, ref, backend) => {
      await backend.pause(ref);
      return this.transition(env, 'paused', `paused by ${actor}`);
    });
  }

  resume(id: string, actor: string): Promise<EnvironmentSummary> {
    return this.act(id, 'resume', actor, async (env, ref, backend) => {
      await backend.resume(ref);
      return this.transition(env, 'running', `resumed by ${actor}`);
    });
  }

  async restart(id: string, actor: string): Promise<EnvironmentSummary> {
    await this.stop(id, actor);
    return this.start(id, actor);
  }

  /** Removes the environment and everything its backend made. */
  async remove(id: string, actor: string): Promise<void> {
    await this.act(id, 'delete', actor, async (env, ref, backend) => {
      this.transition(env, 'deleting', `${actor} asked to delete it`);
      await backend.remove(ref);
      this.deps.store.deleteEnvironment(id);
      this.provision.forget(id);
      // act() writes the one env.delete audit entry once this returns.
      return env;
    });
  }

  /** Runs fn under the environment's lock, so it never interleaves with a start or a stop. */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  /** True while an operation of ours is under way on this environment. */
  isBusy(id: string): boolean {
    return this.locks.busy(id);
  }

  /** Cancels the long operation under way on this environment, if any. */
  cancel(id: string): boolean {
    const controller = this.running.get(id);
    controller?.abort(new GenosError('CANCELLED', 'Cancelled by the user.'));
    return !!controller;
  }

  private getEnv(id: string): EnvironmentSummary {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    return env;
  }

  /** The host report (probed once, shared). */
  host(): Promise<HostInfo> {
    return this.deps.hostInfo();
  }

  refFor(env: EnvironmentSummary): EnvRef {
    return {
      id: env.id,
      spec: EnvironmentSpec.parse(env.spec),
      handles: (this.deps.store.getEnvironmentHandles(env.id) ?? {}) as BackendHandles,
    };
  }

  /** Runs one user action under the environment's lock; a failure leaves it `failed` with the reason. */
  private async act(
    id: string,
    action: Action,
    actor: string,
    op: (
      env: EnvironmentSummary,
      ref: EnvRef,
      backend: Backend,
      signal: AbortSignal,
    ) => Promise<EnvironmentSummary>,
  ): Promise<EnvironmentSummary> {
    await this.ready;
    const env = this.getEnv(id);
    assertAction(env.name, action, env.state);
    return this.locks.run(id, async () => {
      const current = this.getEnv(id);
      assertAction(current.name, action, current.state);
      const ref = this.refFor(current);
      const backend = await this.deps.backend(ref.spec.backend);
      const controller = new AbortController();
      this.running.set(id, controller);
      try {
        const result = await op(current, ref, backend, controller.signal);
        this.deps.audit.record({
          actor,
          action: `env.${action}`,
          target: id,
          outcome: 'ok',
          detail: null,
        });
        return result;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.deps.audit.record({
          actor,
          action: `env.${action}`,
          target: id,
          outcome: 'error',
          detail: { message },
        });
        const now = this.deps.store.getEnvironment(id);
        // Failing mid-transition leaves it failed; a refusal between steps (admission after
        // provisioning) leaves the settled state it reached.
        if (now && TRANSIENT_STATES.includes(now.state)) {
          this.transition(now, 'failed', `${action} failed: ${message}`);
        }
        throw isGenosError(err)
          ? err
          : new GenosError('INTERNAL', `${action} of ${current.name} failed: ${message}`);
      } finally {
        this.running.delete(id);
      }
    });
  }

  private async removeEphemeral(
    env: EnvironmentSummary,
    ref: EnvRef,
    backend: Backend,
    actor: string,
  ) {
    this.transition(env, 'deleting', 'ephemeral: deleted when stopped');
    await backend.remove(ref);
    this.deps.store.deleteEnvironment(env.id);
    this.deps.audit.record({
      actor,
      action: 'env.delete',
      target: env.id,
      outcome: 'ok',
      detail: { ephemeral: true },
    });
    return { ...env, state: 'deleting' as const };
  }

  private activeSpecs(exceptId: string) {
    return ACTIVE_STATES.flatMap(
      (state) => this.deps.store.listEnvironments({ state, limit: 500 }).items,
    )
      .filter((e) => e.id !== exceptId)
      .map((e) => ({ name: e.name, spec: EnvironmentSpec.parse(e.spec) }));
  }

  /** The one way state changes: checked, stored, audited, pushed. */
  transition(
    env: EnvironmentSummary,
    to: EnvironmentState,
    reason: string,
    handles?: BackendHandles,
  ): EnvironmentSummary {
    const current = this.deps.store.getEnvironment(env.id) ?? env;
    assertTransition(current.name, current.state, to);
    const next = this.deps.store.setEnvironmentState(env.id, to, reason, handles);
    this.deps.audit.record({
      actor: 'orchestrator',
      action: 'env.state',
      target: env.id,
      outcome: to === 'failed' ? 'error' : 'info',
      detail: { from: current.state, to, reason },
    });
    this.provision.leftRunning(next, current.state, to, reason);
    const shown = this.provision.with(next);
    this.deps.bus.emit('environmentChanged', shown);
    return shown;
  }
}
