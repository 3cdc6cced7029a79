import type { AuditEvent, EnvironmentSummary } from '../../preload/contract.js';
import type { ApiSession } from './api-session.js';

/** `genos up --wait` exit codes beyond 0 (all ready) and 2 (usage). */
export const EXIT_NOT_READY = 3;
export const EXIT_TIMEOUT = 4;

export type Readiness = {
  env: EnvironmentSummary;
  outcome: 'ready' | 'failed' | 'timeout';
  /** The stage it reached (failed at, or was still in at the deadline). */
  stage: string;
  message: string;
};

type Phase = { done: 'ready' | 'failed' | null; stage: string; message: string };

type Tracked = { env: EnvironmentSummary; needsHealth: boolean; shown: string; stage: string };

/** While waiting, a missed push (a dropped socket, a race at start) costs at most this long. */
const POLL_MS = 2000;
const CONSOLE_LINES = 15;

function hasHealthCheck(env: EnvironmentSummary): boolean {
  return !!(env.spec as { healthCheck?: unknown }).healthCheck;
}

/**
 * Ready means running, a catalog VM's provisioning at `ready`, and with a health check its first
 * pass. Judged only after the start call returned: on the way, `stopped` is create() finishing.
 */
function phaseOf(env: EnvironmentSummary, healthy: boolean, reached: string): Phase {
  const p = env.provision;
  if (p?.failed) return { done: 'failed', stage: p.stage, message: p.message };
  switch (env.state) {
    case 'failed':
    case 'stopped':
    case 'deleting':
      return {
        done: 'failed',
        stage: reached,
        message: `it is ${env.state}${env.stateReason ? `: ${env.stateReason}` : ''}`,
      };
    case 'running':
    case 'degraded':
      if (p && p.stage !== 'ready') return { done: null, stage: p.stage, message: p.message };
      if (hasHealthCheck(env) && (!healthy || env.state === 'degraded')) {
        return {
          done: null,
          stage: 'health-check',
          message: env.state === 'degraded' ? (env.stateReason ?? '') : 'waiting for it to pass',
        };
      }
      return { done: 'ready', stage: 'ready', message: '' };
    default:
      // Provisioning or starting: a catalog VM's download and disk are stages of their own.
      return p
        ? { done: null, stage: p.stage, message: p.message }
        : { done: null, stage: env.state, message: '' };
  }
}

/**
 * Follows environments `genos up` starts until each is ready, failed, or the deadline passes,
 * printing each stage change as a line (and, on a TTY, a download's progress in place). It
 * listens from construction, before anything starts, so no change is missed; the health
 * monitor's first pass arrives as its `env.health` audit entry.
 */
export class ReadyWaiter {
  private readonly latest = new Map<string, EnvironmentSummary>();
  private readonly healthy = new Set<string>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly off: () => void;
  private wake: () => void = () => undefined;
  private judging = false;
  private inPlace = false;

  constructor(
    private readonly session: ApiSession,
    private readonly io: { lines: NodeJS.WritableStream; tty: boolean },
  ) {
    this.off = session.onAny((event, payload) => {
      if (event === 'environmentChanged') {
        const env = payload as EnvironmentSummary;
        this.latest.set(env.id, env);
        this.show(env.id);
      } else if (event === 'auditAppended') {
        const a = payload as AuditEvent;
        if (a.action !== 'env.health' || a.outcome !== 'ok' || !a.target) return;
        this.healthy.add(a.target);
        this.show(a.target);
      } else return;
      this.wake();
    });
  }

  /** Starts following `env` (just created or started); its stage lines print from now on. */
  track(env: EnvironmentSummary): void {
    if (this.tracked.has(env.id)) return;
    if (!this.latest.has(env.id)) this.latest.set(env.id, env);
    this.tracked.set(env.id, {
      env,
      needsHealth: hasHealthCheck(env),
      shown: '',
      stage: env.state,
    });
    this.show(env.id);
  }

  /** Stops following `env` (its start failed: that is its outcome); the stage it had reached. */
  untrack(id: string): string | null {
    const stage = this.tracked.get(id)?.stage ?? null;
    this.tracked.delete(id);
    return stage;
  }

  /** Waits until every tracked environment is ready or failed, or until `deadline` (ms epoch). */
  async wait(deadline: number): Promise<Readiness[]> {
    this.judging = true;
    const results = new Map<string, Readiness>();
    let polled = Date.now();
    for (;;) {
      for (const [id, t] of this.tracked) {
        if (results.has(id)) continue;
        const env = this.latest.get(id) ?? t.env;
        const phase = phaseOf(env, this.healthy.has(id), t.stage);
        this.show(id);
        if (phase.done)
          results.set(id, { env, outcome: phase.done, stage: phase.stage, message: phase.message });
      }
      const pending = [...this.tracked.keys()].filter((id) => !results.has(id));
      if (pending.length === 0) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        for (const id of pending) {
          const t = this.tracked.get(id)!;
          const env = this.latest.get(id) ?? t.env;
          const phase = phaseOf(env, this.healthy.has(id), t.stage);
          results.set(id, { env, outcome: 'timeout', stage: phase.stage, message: phase.message });
        }
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(POLL_MS, left));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (Date.now() - polled >= POLL_MS) {
        polled = Date.now();
        await this.poll(pending);
      }
    }
    this.endInPlace();
    return [...this.tracked.keys()].map((id) => results.get(id)!);
  }

  /** The last console lines of a failed environment, and where the whole log is. */
  async consoleTail(env: EnvironmentSummary): Promise<string> {
    const log = await this.session
      .call('consoleLog', { id: env.id, maxBytes: 8192 })
      .catch(() => ({ text: '' }));
    const lines = log.text.replace(/\r/g, '').trimEnd().split('\n').slice(-CONSOLE_LINES);
    const where = `all of it: genos logs ${env.name}`;
    return lines.join('').trim()
      ? `Last console lines of ${env.name} (${where}):\n${lines.map((l) => `  | ${l}`).join('\n')}\n`
      : `${env.name} wrote nothing to its console (${where}).\n`;
  }

  close(): void {
    this.off();
    this.endInPlace();
  }

  private async poll(ids: string[]): Promise<void> {
    for (const id of ids) {
      const env = await this.session.call('getEnvironment', { id }).catch(() => null);
      if (env) this.latest.set(id, env);
      if (!this.tracked.get(id)!.needsHealth || this.healthy.has(id)) continue;
      const { items } = await this.session
        .call('listAuditEvents', { target: id, limit: 50 })
        .catch(() => ({ items: [] as AuditEvent[] }));
      if (items.some((a) => a.action === 'env.health' && a.outcome === 'ok')) this.healthy.add(id);
    }
  }

  /** Prints the environment's stage when it changed since the last line. */
  private show(id: string): void {
    const t = this.tracked.get(id);
    const env = this.latest.get(id);
    if (!t || !env) return;
    const phase = phaseOf(env, this.healthy.has(id), t.stage);
    // Before wait() the start call is still under way: a state on the way (draft, stopped once
    // created) is neither an outcome nor worth a line.
    if (!this.judging && (env.state === 'draft' || phase.done === 'failed')) {
      if (!env.provision?.failed) return;
    }
    if (!phase.done || phase.done === 'ready') t.stage = phase.stage;
    const p = env.provision;
    if (this.io.tty && p?.stage === 'downloading' && !p.failed && p.total) {
      const pct = Math.floor(((p.done ?? 0) / p.total) * 100);
      const mib = (n: number) => (n / 1048576).toFixed(1);
      this.io.lines.write(
        `\r${env.name}: downloading ${String(pct).padStart(3)}% (${mib(p.done ?? 0)} of ${mib(p.total)} MiB)`,
      );
      this.inPlace = true;
      t.shown = `${env.name}: downloading`;
      return;
    }
    const text = phase.done === 'failed' ? '' : `${env.name}: ${phase.stage}`;
    const line = text && phase.message ? `${text} (${phase.message})` : text;
    // A download's message changes with every byte count: one line for the stage is enough.
    const key = phase.stage === 'downloading' ? text : line;
    if (!line || t.shown === key) return;
    this.endInPlace();
    t.shown = key;
    this.io.lines.write(`${line}\n`);
  }

  private endInPlace(): void {
    if (!this.inPlace) return;
    this.inPlace = false;
    this.io.lines.write('\n');
  }
}
