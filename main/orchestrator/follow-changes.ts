import type { Backend as BackendKind } from '../../preload/contract.js';
import type { BackendChange } from '../backends/backend.js';
import type { Audit } from '../core/audit.js';
import type { Store } from '../store/store.js';
import type { BackendResolver, Orchestrator } from './orchestrator.js';
import { ACTIVE_STATES, canTransition } from './lifecycle.js';
import { reconcile } from './reconcile.js';

type Deps = {
  store: Store;
  audit: Audit;
  backend: BackendResolver;
  /** Told when an environment stopped or failed on its own (restart policy, ephemeral cleanup). */
  onExit?: (envId: string) => void;
  /** The engine's health verdicts go to the health monitor, which judges every check one way. */
  onHealth?: (envId: string, status: 'starting' | 'healthy' | 'unhealthy') => Promise<void>;
  /** Told when an engine goes away or comes back, so the host report can follow it. */
  onEngine?: (kind: BackendKind, up: boolean) => void;
};

function describe(change: BackendChange): string {
  switch (change.kind) {
    case 'died':
      return change.exitCode === null ? 'it exited' : `it exited with code ${change.exitCode}`;
    case 'oom':
      return 'it ran out of memory and was killed; give it more memory';
    case 'health':
      return `health check: ${change.status}`;
    default:
      return change.kind;
  }
}

/**
 * Applies a change the backend reported on its own (not in answer to a call): a container that
 * died or was OOM-killed becomes failed (or stopped, on a clean exit) with the reason, a health
 * verdict goes to the health monitor (onHealth), a pause from outside GenOS is mirrored. A change that
 * arrives while GenOS itself is acting on the environment (a stop it asked for) is left to that
 * operation.
 */
export async function applyChange(
  orchestrator: Orchestrator,
  deps: Deps,
  envId: string,
  change: BackendChange,
) {
  const env = deps.store.getEnvironment(envId);
  if (!env) return;
  const serious = change.kind === 'oom' || (change.kind === 'died' && change.exitCode !== 0);
  deps.audit.record({
    actor: 'engine',
    action: `env.${change.kind}`,
    target: envId,
    outcome: serious ? 'error' : 'info',
    detail: { ...change },
  });
  // Told even mid-operation: the monitor keeps the verdict and acts once the operation is over.
  if (change.kind === 'health') return deps.onHealth?.(envId, change.status);
  if (orchestrator.isBusy(envId)) return;
  const move = (to: 'failed' | 'stopped' | 'running' | 'degraded' | 'paused', reason: string) => {
    if (canTransition(env.state, to)) orchestrator.transition(env, to, reason);
  };
  switch (change.kind) {
    case 'oom':
      // The die event follows; remember why, so its reason names the real cause.
      oomKilled.add(envId);
      return;
    case 'died':
    case 'destroyed': {
      if (!ACTIVE_STATES.includes(env.state)) return;
      const reason = oomKilled.delete(envId) ? describe({ kind: 'oom' }) : describe(change);
      const clean = change.kind === 'died' && change.exitCode === 0;
      move(clean ? 'stopped' : 'failed', reason);
      // The restart policy decides what happens next (and deletes an ephemeral one it leaves).
      deps.onExit?.(envId);
      return;
    }
    case 'paused':
      if (env.state === 'running' || env.state === 'degraded')
        move('paused', 'paused outside GenOS');
      return;
    case 'unpaused':
      if (env.state === 'paused') move('running', 'resumed outside GenOS');
      return;
    case 'started':
      return;
  }
}

const oomKilled = new Set<string>();

/** Subscribes to every backend that can push changes; reconciles when an engine comes back. */
export async function followChanges(orchestrator: Orchestrator, deps: Deps): Promise<() => void> {
  const closers: Array<() => void> = [];
  for (const kind of ['docker', 'qemu'] as BackendKind[]) {
    const backend = await deps.backend(kind).catch(() => null);
    if (!backend?.watch) continue;
    let wasDown = false;
    const watcher = backend.watch(
      (envId, change) => {
        void applyChange(orchestrator, deps, envId, change).catch((err) =>
          console.error(`genos: applying ${change.kind} of ${envId} failed:`, err),
        );
      },
      {
        onEngine: (state) => {
          if (state.up === wasDown) deps.onEngine?.(kind, state.up);
          if (state.up && wasDown)
            void reconcile(orchestrator, deps, { startup: false }).catch(() => undefined);
          wasDown = !state.up;
        },
      },
    );
    closers.push(() => watcher.close());
  }
  return () => closers.forEach((close) => close());
}
