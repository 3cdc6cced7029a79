import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { Audit } from '../core/audit.js';
import type { Store } from '../store/store.js';
import {
  engineCycleMs,
  planHealth,
  tcpConnect,
  type EngineVerdict,
  type HealthPlan,
  type TcpConnect,
} from './health-probe.js';
import type { Orchestrator } from './orchestrator.js';

type Watched = {
  /** The spec the plan was made from: a changed spec is planned again. */
  specJson: string;
  /** The spec's check, parsed once per spec (a check runs every few seconds). */
  check: Check;
  plan: HealthPlan;
  failures: number;
  nextAt: number;
  inFlight: boolean;
  /** A check the engine runs: its last verdict ('unhealthy' holds until one of its probes passes). */
  engine: EngineVerdict | null;
  /** The last check passed (the first pass is audited: `genos up --wait` waits for it). */
  healthy: boolean;
};

type Check = NonNullable<EnvironmentSpec['healthCheck']>;

const CHECKED_STATES = ['running', 'degraded'] as const;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Health of every running or degraded environment, judged one way whoever runs the check: GenOS
 * itself (a VM's tcp check, see planHealth) or the container engine (Docker's HEALTHCHECK, whose
 * verdicts arrive through engineReport). `retries` failures in a row move it to degraded with the
 * last reason; `retries` more while degraded hand it to onFailed (stopped, failed, then its
 * restart policy); one pass moves it back to running. Counts start afresh whenever an environment
 * leaves running/degraded, so a restart gets a clean slate. A check that cannot run is said once,
 * in the audit log, per environment and spec.
 *
 * The engine only reports changes (unhealthy after `retries` failures, healthy on the first pass),
 * not each probe. While it holds an environment unhealthy every probe it runs fails — a pass would
 * have been reported — and it runs one per interval plus the probe's own time (at most timeoutSec).
 * So each engineCycleMs after the unhealthy verdict counts as one more failure: never more than
 * the engine has really seen, so the threshold is the spec's and is never reached early.
 */
export class HealthMonitor {
  private readonly watched = new Map<string, Watched>();
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly connect: TcpConnect;

  constructor(
    private readonly deps: {
      store: Store;
      audit: Audit;
      orchestrator: Orchestrator;
      connect?: TcpConnect;
      /**
       * Called when a degraded environment keeps failing (twice the threshold in all): it is
       * treated as failed, so its restart policy decides what happens next.
       */
      onFailed?: (envId: string, reason: string) => Promise<void>;
    },
    private readonly opts: { tickMs: number } = { tickMs: 1000 },
  ) {
    this.connect = deps.connect ?? tcpConnect();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Failures in a row of this environment's check (for tests and the UI's detail). */
  failures(envId: string): number {
    return this.watched.get(envId)?.failures ?? 0;
  }

  /** One pass: starts every check that is due; never waits for a slow one. */
  async tick(): Promise<void> {
    const envs = CHECKED_STATES.flatMap(
      (state) => this.deps.store.listEnvironments({ state, limit: 500 }).items,
    );
    const live = new Set(envs.map((e) => e.id));
    for (const id of this.watched.keys()) if (!live.has(id)) this.watched.delete(id);
    const now = Date.now();
    const due: Array<Promise<void>> = [];
    for (const env of envs) {
      const w = this.watch(env, now);
      if (!w || w.inFlight || now < w.nextAt) continue;
      if (w.plan.by === 'genos') due.push(this.check(env, w, w.plan.probe));
      else if (w.plan.by === 'engine' && w.engine === 'unhealthy') {
        w.nextAt = now + engineCycleMs(w.check);
        due.push(this.judge(env.id, w, w.check, `${w.plan.describe} still fails`));
      }
    }
    await Promise.all(due);
  }

  /**
   * The container engine's verdict on a check it runs (its health events). Unhealthy means it
   * saw `retries` failures in a row: its Retries is the spec's (create-options.ts).
   */
  async engineReport(envId: string, verdict: EngineVerdict): Promise<void> {
    const env = this.deps.store.getEnvironment(envId);
    if (!env || !(CHECKED_STATES as readonly string[]).includes(env.state)) return;
    const w = this.watch(env, Date.now());
    if (!w || w.plan.by !== 'engine') return;
    const hc = w.check;
    w.engine = verdict;
    if (verdict === 'starting') return;
    if (verdict === 'healthy') return this.judge(env.id, w, hc, null);
    w.failures = Math.max(w.failures, hc.retries - 1); // judge counts this one
    w.nextAt = Date.now() + engineCycleMs(hc);
    return this.judge(env.id, w, hc, `${w.plan.describe} failed`);
  }

  private watch(env: EnvironmentSummary, now: number): Watched | null {
    const specJson = JSON.stringify(env.spec);
    const known = this.watched.get(env.id);
    if (known?.specJson === specJson) return known;
    const parsed = EnvironmentSpec.safeParse(env.spec);
    if (!parsed.success || !parsed.data.healthCheck) return null;
    const plan = planHealth(parsed.data, this.connect);
    const w: Watched = {
      specJson,
      check: parsed.data.healthCheck,
      plan,
      failures: 0,
      nextAt: now + parsed.data.healthCheck.intervalSec * 1000,
      inFlight: false,
      engine: null,
      healthy: false,
    };
    this.watched.set(env.id, w);
    if (plan.by === 'unsupported') this.reportOnce(env, specJson, plan);
    return w;
  }

  private reportOnce(
    env: EnvironmentSummary,
    specJson: string,
    plan: Extract<HealthPlan, { by: 'unsupported' }>,
  ): void {
    const key = `${env.id}\n${specJson}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.deps.audit.record({
      actor: 'health',
      action: 'env.health',
      target: env.id,
      outcome: 'error',
      detail: { status: 'unsupported', ...plan.error.toShape() },
    });
  }

  private async check(env: EnvironmentSummary, w: Watched, probe: () => Promise<void>) {
    const hc = w.check;
    w.inFlight = true;
    let error: string | null = null;
    try {
      await withTimeout(probe(), hc.timeoutSec * 1000);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      w.inFlight = false;
      w.nextAt = Date.now() + hc.intervalSec * 1000;
    }
    await this.judge(env.id, w, hc, error);
  }

  /** The one place a check's outcome (null: it passed) becomes a state change. */
  private async judge(envId: string, w: Watched, hc: Check, error: string | null): Promise<void> {
    // The environment may have moved on while the probe ran; act on what it is now.
    const now = this.deps.store.getEnvironment(envId);
    if (!now || this.watched.get(envId) !== w) return;
    // Said even while an operation holds it: the engine reports a pass once, not every probe.
    if (error === null && !w.healthy) {
      this.deps.audit.record({
        actor: 'health',
        action: 'env.health',
        target: envId,
        outcome: 'ok',
        detail: { status: 'healthy', check: 'describe' in w.plan ? w.plan.describe : null },
      });
    }
    w.healthy = error === null;
    // An operation of ours (a start, a stop) is under way: its outcome decides, not this check.
    if (this.deps.orchestrator.isBusy(envId)) return;
    if (error === null) {
      w.failures = 0;
      if (now.state === 'degraded') {
        this.deps.orchestrator.transition(now, 'running', 'health check passes again');
      }
      return;
    }
    w.failures++;
    if (w.failures >= hc.retries && now.state === 'running') {
      this.deps.orchestrator.transition(
        now,
        'degraded',
        `health check failed ${w.failures} times: ${error}`,
      );
    } else if (w.failures >= 2 * hc.retries && now.state === 'degraded' && this.deps.onFailed) {
      w.failures = 0;
      w.engine = null; // the restart starts the engine's count afresh too
      await this.deps.onFailed(
        envId,
        `health check failed ${2 * hc.retries} times in a row: ${error}`,
      );
    }
  }
}
