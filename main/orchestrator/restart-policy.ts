import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { Audit } from '../core/audit.js';
import type { Store } from '../store/store.js';
import type { Orchestrator } from './orchestrator.js';

export type RestartOptions = {
  /** Delay before the first restart; each further attempt doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** This many restarts within loopWindowMs is a crash loop: the environment stays failed. */
  loopLimit: number;
  loopWindowMs: number;
};

export const DEFAULT_RESTART: RestartOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  loopLimit: 5,
  loopWindowMs: 5 * 60_000,
};

/** The actor restarts are recorded under, so the audit log tells them from the user's starts. */
export const RESTART_ACTOR = 'restart-policy';

type Policy = EnvironmentSpec['restartPolicy'];

/** 1 s, 2 s, 4 s ... for attempts 1, 2, 3 ..., capped. */
export function backoffDelay(attempt: number, opts: RestartOptions = DEFAULT_RESTART): number {
  const exp = Math.min(attempt - 1, 30); // 2^30 already exceeds any sane cap
  return Math.min(opts.baseDelayMs * 2 ** exp, opts.maxDelayMs);
}

/** on-failure restarts what failed; always also what stopped cleanly (exit 0) on its own. */
export function wantsRestart(policy: Policy, state: 'failed' | 'stopped'): boolean {
  return policy === 'always' || (policy === 'on-failure' && state === 'failed');
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

export type ExitOutcome = 'restarting' | 'crash-loop' | 'deleted' | 'left';

/**
 * Applies an environment's restart policy after it stopped or failed on its own — told so by
 * follow-changes (an engine event) or reconciliation (a qemu that died), never by a user's stop,
 * which does not go through here. Restarts are spaced by exponential backoff and counted within a
 * window; too many is a crash loop, after which it stays failed until someone starts it. An
 * ephemeral environment that is not restarted is deleted, as a user's stop would.
 *
 * Attempts live in memory: after an app restart the count starts again, which errs on the side of
 * one more try rather than none.
 */
export class RestartPolicies {
  private readonly attempts = new Map<string, number[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(
    private readonly deps: { store: Store; audit: Audit; orchestrator: Orchestrator },
    private readonly opts: RestartOptions = DEFAULT_RESTART,
  ) {}

  /** True while a restart of this environment waits for its delay. */
  pending(envId: string): boolean {
    return this.timers.has(envId);
  }

  /** Called once the environment is failed or stopped without anyone asking. */
  async onExit(envId: string): Promise<ExitOutcome> {
    const env = this.deps.store.getEnvironment(envId);
    if (this.disposed || !env || (env.state !== 'failed' && env.state !== 'stopped')) return 'left';
    if (this.timers.has(envId)) return 'restarting';
    const parsed = EnvironmentSpec.safeParse(env.spec);
    if (!parsed.success) return 'left';
    const spec = parsed.data;
    if (!wantsRestart(spec.restartPolicy, env.state)) return this.settle(env, spec);

    const now = Date.now();
    const recent = (this.attempts.get(envId) ?? []).filter((t) => now - t < this.opts.loopWindowMs);
    if (recent.length >= this.opts.loopLimit) {
      this.attempts.delete(envId); // a user's start later gets the full allowance again
      const reason = `crash loop: restarted ${recent.length} times in ${minutes(this.opts.loopWindowMs)}; not restarting again. Read its logs, fix the cause, then start it.`;
      this.deps.audit.record({
        actor: RESTART_ACTOR,
        action: 'env.restart',
        target: envId,
        outcome: 'error',
        detail: { policy: spec.restartPolicy, attempts: recent.length, gaveUp: true, reason },
      });
      const failed = this.deps.orchestrator.transition(env, 'failed', reason);
      return (await this.settle(failed, spec)) === 'deleted' ? 'deleted' : 'crash-loop';
    }

    const attempt = recent.length + 1;
    const delayMs = backoffDelay(attempt, this.opts);
    this.attempts.set(envId, [...recent, now]);
    this.deps.audit.record({
      actor: RESTART_ACTOR,
      action: 'env.restart',
      target: envId,
      outcome: 'info',
      detail: {
        policy: spec.restartPolicy,
        attempt,
        delayMs,
        because: env.stateReason,
      },
    });
    const timer = setTimeout(() => {
      this.timers.delete(envId);
      void this.fire(env);
    }, delayMs);
    timer.unref?.();
    this.timers.set(envId, timer);
    return 'restarting';
  }

  private async fire(scheduled: EnvironmentSummary): Promise<void> {
    const env = this.deps.store.getEnvironment(scheduled.id);
    // Someone acted meanwhile (started, deleted, or a start of theirs failed): theirs wins.
    if (this.disposed || !env || env.updatedAt !== scheduled.updatedAt) return;
    if (env.state !== scheduled.state) return;
    try {
      await this.deps.orchestrator.start(env.id, RESTART_ACTOR);
    } catch {
      // act() left it failed with the reason and audited env.start; the next attempt backs off.
      await this.onExit(env.id);
    }
  }

  /** Not restarting: an ephemeral environment goes, like after a user's stop. */
  private async settle(env: EnvironmentSummary, spec: EnvironmentSpec): Promise<ExitOutcome> {
    if (!spec.ephemeral) return 'left';
    try {
      await this.deps.orchestrator.remove(env.id, RESTART_ACTOR);
      return 'deleted';
    } catch {
      return 'left'; // act() audited why; the user can still delete it
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
