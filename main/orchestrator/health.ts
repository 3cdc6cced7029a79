import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { Audit } from '../core/audit.js';
import type { Store } from '../store/store.js';
import { planHealth, tcpConnect, type HealthPlan, type TcpConnect } from './health-probe.js';
import type { Orchestrator } from './orchestrator.js';

type Watched = {
  /** The spec the plan was made from: a changed spec is planned again. */
  specJson: string;
  plan: HealthPlan;
  failures: number;
  nextAt: number;
  inFlight: boolean;
};

const CHECKED_STATES = ['running', 'degraded'] as const;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * Runs the health checks GenOS itself owns (see planHealth: a VM's tcp check; Docker's are the
 * engine's) for every running or degraded environment. `retries` failures in a row move it to
 * degraded with the last reason; one pass moves it back to running. Counts start afresh whenever
 * an environment leaves running/degraded, so a restart gets a clean slate. A check that cannot
 * run is said once, in the audit log, per environment and spec.
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
      if (!w || w.plan.by !== 'genos' || w.inFlight || now < w.nextAt) continue;
      due.push(this.check(env, w, w.plan.probe));
    }
    await Promise.all(due);
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
      plan,
      failures: 0,
      nextAt: now + parsed.data.healthCheck.intervalSec * 1000,
      inFlight: false,
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
    const spec = EnvironmentSpec.parse(env.spec);
    const hc = spec.healthCheck!;
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
    // The environment may have moved on while the probe ran; act on what it is now.
    const now = this.deps.store.getEnvironment(env.id);
    if (!now || this.watched.get(env.id) !== w) return;
    if (this.deps.orchestrator.isBusy(env.id)) return;
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
      await this.deps.onFailed(
        env.id,
        `health check failed ${2 * hc.retries} times in a row: ${error}`,
      );
    }
  }
}
