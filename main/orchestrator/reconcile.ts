import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { Backend as BackendKind } from '../../preload/contract.js';
import type { Orchestrator, BackendResolver } from './orchestrator.js';
import type { Store } from '../store/store.js';
import type { Audit } from '../core/audit.js';
import type { Backend } from '../backends/backend.js';
import { ACTIVE_STATES, TRANSIENT_STATES } from './lifecycle.js';

export type ReconcileReport = {
  checked: number;
  changed: Array<{ id: string; from: string; to: string; reason: string }>;
  unknown: Array<{ backend: BackendKind; envId: string }>;
  unavailable: BackendKind[];
};

function listByStates(store: Store, states: readonly string[]): EnvironmentSummary[] {
  return states.flatMap(
    (state) => store.listEnvironments({ state: state as never, limit: 500 }).items,
  );
}

/**
 * Brings the store in line with what really runs: at start-up (after a crash or a restart) and
 * every few seconds. Known-but-gone becomes stopped/failed with the reason; running-but-unknown is
 * reported, never deleted; an operation a crash cut short is settled so some action can leave it.
 */
export async function reconcile(
  orchestrator: Orchestrator,
  deps: {
    store: Store;
    audit: Audit;
    backend: BackendResolver;
    /** Told when an environment is found stopped or failed on its own (see follow-changes). */
    onExit?: (envId: string) => void;
  },
  opts: { startup: boolean },
): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, changed: [], unknown: [], unavailable: [] };
  const backends = new Map<BackendKind, Backend | null>();
  const resolve = async (kind: BackendKind) => {
    if (!backends.has(kind)) backends.set(kind, await deps.backend(kind).catch(() => null));
    const backend = backends.get(kind) ?? null;
    if (!backend && !report.unavailable.includes(kind)) report.unavailable.push(kind);
    return backend;
  };
  const change = (
    env: EnvironmentSummary,
    to: 'stopped' | 'failed' | 'running' | 'paused',
    reason: string,
  ) => {
    orchestrator.transition(env, to, reason);
    report.changed.push({ id: env.id, from: env.state, to, reason });
  };

  const states = opts.startup ? [...ACTIVE_STATES, 'provisioning', 'deleting'] : ACTIVE_STATES;
  for (const env of listByStates(deps.store, [...new Set(states)])) {
    report.checked++;
    // A start or stop of ours is under way: what the backend says now is a moment in it.
    if (!opts.startup && orchestrator.isBusy(env.id)) continue;
    const backend = await resolve(env.backend);
    if (!backend) continue;
    if (opts.startup && env.state === 'provisioning') {
      change(env, 'failed', 'GenOS stopped while provisioning it; start it again to retry.');
      continue;
    }
    const ref = orchestrator.refFor(env);
    if (opts.startup && env.state === 'deleting') {
      // The user asked for it to go: finish the job.
      await backend.remove(ref).catch(() => undefined);
      deps.store.deleteEnvironment(env.id);
      report.changed.push({
        id: env.id,
        from: 'deleting',
        to: 'deleted',
        reason: 'finished an interrupted delete',
      });
      continue;
    }
    const status = await backend.inspect(ref).catch(() => null);
    if (!status) continue;
    if (status.state === 'running' || status.state === 'paused') {
      const settled = TRANSIENT_STATES.includes(env.state)
        ? status.state === 'running'
          ? 'running'
          : 'paused'
        : null;
      if (settled && env.state !== 'stopping') change(env, settled, 're-adopted after a restart');
      else if (env.state === 'paused' && status.state === 'running')
        change(env, 'running', 'resumed outside GenOS');
      else if (env.state === 'running' && status.state === 'paused')
        change(env, 'paused', 'paused outside GenOS');
      // A first boot the previous owner was following goes on being followed here.
      if (opts.startup && backend.followProvisioning) {
        const id = env.id;
        void orchestrator
          .host()
          .then((host) =>
            backend.followProvisioning!(ref, host, (p) => orchestrator.provision.report(id, p)),
          )
          .catch(() => undefined);
      }
      continue;
    }
    const clean = status.state === 'stopped' && (status.exitCode === 0 || env.state === 'stopping');
    change(env, clean ? 'stopped' : 'failed', 'reason' in status ? status.reason : 'it stopped');
    // It died on its own (a user's stop holds the lock): the restart policy decides what next,
    // and deletes an ephemeral one it does not restart (store row included).
    if (env.state !== 'stopping') deps.onExit?.(env.id);
    else if (EnvironmentSpec.parse(env.spec).ephemeral) {
      // A user's stop a crash cut short: finish it, as stop() would have, by deleting it. Not
      // awaited: actions wait for start-up reconciliation, so awaiting here would deadlock.
      void orchestrator.remove(env.id, 'orchestrator').catch(() => undefined);
    }
  }

  for (const kind of ['qemu', 'docker'] as const) {
    const backend = await resolve(kind);
    if (!backend) continue;
    const running = await backend.listRunning().catch(() => []);
    for (const { envId } of running) {
      if (deps.store.getEnvironment(envId)) continue;
      report.unknown.push({ backend: kind, envId });
      if (opts.startup) {
        deps.audit.record({
          actor: 'orchestrator',
          action: 'env.unknown',
          target: envId,
          outcome: 'info',
          detail: {
            backend: kind,
            note: 'runs with a GenOS label but is not in this data dir; left alone',
          },
        });
      }
    }
  }
  return report;
}
