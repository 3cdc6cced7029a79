import type { MetricSample } from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';
import type { Store } from '../store/store.js';
import type { BackendResolver, Orchestrator } from './orchestrator.js';

const SAMPLED_STATES = ['running', 'degraded'] as const;

/**
 * Samples CPU, memory, network and disk of every running environment every few seconds into a
 * bounded ring per environment, pushes each sample (`metricsSampled`) for the UI's charts, and
 * renders the latest as Prometheus text for serve's /metrics.
 */
export class MetricsSampler {
  private readonly rings = new Map<string, MetricSample[]>();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      store: Store;
      backend: BackendResolver;
      bus: EventBus;
      orchestrator: Orchestrator;
    },
    private readonly opts: { intervalMs: number; capacity: number } = {
      intervalMs: 5000,
      capacity: 720,
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get(envId: string): MetricSample[] {
    return [...(this.rings.get(envId) ?? [])];
  }

  /** One round: every running environment sampled concurrently; a slow one is skipped, not queued. */
  async tick(): Promise<void> {
    const running = SAMPLED_STATES.flatMap(
      (state) => this.deps.store.listEnvironments({ state, limit: 500 }).items,
    );
    const live = new Set(running.map((e) => e.id));
    for (const id of this.rings.keys())
      if (!this.deps.store.getEnvironment(id)) this.rings.delete(id);
    await Promise.all(
      running
        .filter((env) => !this.inFlight.has(env.id))
        .map(async (env) => {
          this.inFlight.add(env.id);
          try {
            const ref = this.deps.orchestrator.refFor(env);
            const backend = await this.deps.backend(ref.spec.backend);
            const sample = await backend.stats(ref);
            if (!live.has(env.id)) return;
            const ring = this.rings.get(env.id) ?? [];
            ring.push(sample);
            if (ring.length > this.opts.capacity) ring.splice(0, ring.length - this.opts.capacity);
            this.rings.set(env.id, ring);
            this.deps.bus.emit('metricsSampled', { envId: env.id, sample });
          } catch {
            // A VM that stopped mid-read, an engine that went away: reconciliation reports those.
          } finally {
            this.inFlight.delete(env.id);
          }
        }),
    );
  }

  /** The newest sample of each environment in the Prometheus text exposition format. */
  prometheus(): string {
    const gauges: Array<[string, string, keyof MetricSample]> = [
      ['genos_env_cpu_percent', 'CPU use in percent of one host CPU', 'cpuPercent'],
      ['genos_env_memory_bytes', 'Memory in use', 'memoryBytes'],
      ['genos_env_network_receive_bytes_total', 'Bytes received', 'netRxBytes'],
      ['genos_env_network_transmit_bytes_total', 'Bytes sent', 'netTxBytes'],
      ['genos_env_block_read_bytes_total', 'Bytes read from disk', 'blockReadBytes'],
      ['genos_env_block_write_bytes_total', 'Bytes written to disk', 'blockWriteBytes'],
    ];
    const latest = [...this.rings].flatMap(([id, ring]) => {
      const env = this.deps.store.getEnvironment(id);
      const sample = ring.at(-1);
      return env && sample ? [{ env, sample }] : [];
    });
    const escape = (v: string) =>
      v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines: string[] = [];
    for (const [name, help, key] of gauges) {
      const type = name.endsWith('_total') ? 'counter' : 'gauge';
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const { env, sample } of latest) {
        lines.push(
          `${name}{env="${escape(env.id)}",name="${escape(env.name)}",backend="${env.backend}"} ${Number(sample[key])}`,
        );
      }
    }
    const states = new Map<string, number>();
    for (const state of ['running', 'paused', 'stopped', 'failed', 'degraded'] as const) {
      states.set(state, this.deps.store.listEnvironments({ state, limit: 1 }).total);
    }
    lines.push(
      '# HELP genos_environments Environments by state',
      '# TYPE genos_environments gauge',
    );
    for (const [state, count] of states)
      lines.push(`genos_environments{state="${state}"} ${count}`);
    return lines.join('\n') + '\n';
  }
}
