import type { EnvironmentSummary, MetricSample } from '../../preload/contract.js';
import type { Audit } from '../core/audit.js';
import type { Store } from '../store/store.js';
import type { Orchestrator } from './orchestrator.js';

/**
 * A sandbox's lifetime limits. Not in EnvironmentSpec yet: the lead adds
 * `lifetime: {ttlMinutes, idleStopMinutes, idleCpuPercent}` and passes `policyOf` reading it.
 */
export type LifetimePolicy = {
  /** Stop this long after the environment was created; null: no limit. */
  ttlMinutes: number | null;
  /** Stop after CPU stayed below idleCpuPercent for this long; null: never idle-stop. */
  idleStopMinutes: number | null;
  idleCpuPercent: number;
};

export type LifetimeInput = {
  now: number;
  /** When the clock of the TTL started (creation, by default). */
  since: number;
  policy: LifetimePolicy;
  /** The metrics ring, oldest first. */
  samples: readonly MetricSample[];
  /** A gap between samples longer than this means it was not running (stopped, or not sampled). */
  maxGapMs: number;
};

/** Why the environment should stop now, or null. Pure, so the rules are tested without clocks. */
export function lifetimeDue(input: LifetimeInput): string | null {
  const { now, since, policy, samples, maxGapMs } = input;
  if (policy.ttlMinutes !== null && now - since >= policy.ttlMinutes * 60_000) {
    return `its time to live of ${policy.ttlMinutes} min is over`;
  }
  if (policy.idleStopMinutes === null || samples.length === 0) return null;
  const windowMs = policy.idleStopMinutes * 60_000;
  // Walk back over the unbroken run of samples that ends now: samples from before a stop, or
  // older than a gap, say nothing about the current run.
  let newest = Date.parse(samples.at(-1)!.at);
  if (now - newest > maxGapMs) return null;
  let covered = newest;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    const at = Date.parse(s.at);
    if (newest - at > maxGapMs) break;
    if (now - at <= windowMs && s.cpuPercent >= policy.idleCpuPercent) return null;
    covered = at;
    newest = at;
    if (now - at >= windowMs) break;
  }
  if (now - covered < windowMs) return null; // not watched long enough yet
  return `idle: CPU below ${policy.idleCpuPercent}% for ${policy.idleStopMinutes} min`;
}

/**
 * Stops environments whose lifetime is over (an ephemeral one is then deleted by stop, as
 * always). The orchestrator's stop runs under the environment's lock, so this never races a
 * user's action; one that is busy is looked at again next tick.
 */
export class LifetimeEnforcer {
  private timer: NodeJS.Timeout | null = null;
  private readonly stopping = new Set<string>();

  constructor(
    private readonly deps: {
      store: Store;
      audit: Audit;
      orchestrator: Orchestrator;
      /** The metrics ring of an environment (MetricsSampler.get). */
      samples: (envId: string) => readonly MetricSample[];
      /** The environment's limits, or null when it has none. */
      policyOf: (env: EnvironmentSummary) => LifetimePolicy | null;
      since?: (env: EnvironmentSummary) => number;
    },
    private readonly opts: { tickMs: number; maxGapMs: number } = {
      tickMs: 30_000,
      maxGapMs: 15_000,
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    const envs = (['running', 'degraded'] as const).flatMap(
      (state) => this.deps.store.listEnvironments({ state, limit: 500 }).items,
    );
    const now = Date.now();
    await Promise.all(
      envs.map(async (env) => {
        const policy = this.deps.policyOf(env);
        if (!policy || this.stopping.has(env.id) || this.deps.orchestrator.isBusy(env.id)) return;
        const since = this.deps.since?.(env) ?? Date.parse(env.createdAt);
        const reason = lifetimeDue({
          now,
          since,
          policy,
          samples: this.deps.samples(env.id),
          maxGapMs: this.opts.maxGapMs,
        });
        if (!reason) return;
        this.stopping.add(env.id);
        this.deps.audit.record({
          actor: 'lifetime',
          action: 'env.lifetime',
          target: env.id,
          outcome: 'info',
          detail: { reason, ...policy },
        });
        try {
          await this.deps.orchestrator.stop(env.id, 'lifetime');
        } catch {
          // act() audited the failure and left the state it reached; next tick looks again.
        } finally {
          this.stopping.delete(env.id);
        }
      }),
    );
  }
}
