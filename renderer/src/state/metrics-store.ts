import { create } from 'zustand';
import type { MetricSample } from '../../../preload/contract';
import { api } from '../bridge/api';

/** Samples kept per environment: the main process's own ring (720 x 5 s = one hour). */
export const METRICS_CAPACITY = 720;

type MetricsStore = {
  /** Per environment, oldest first, at most METRICS_CAPACITY. */
  samples: Readonly<Record<string, readonly MetricSample[]>>;
  /** Environments whose history was asked for (once per page life; pushes keep it current). */
  requested: ReadonlySet<string>;
  /** Fetches the history the main process kept, once; later samples arrive as pushes. */
  ensureHistory(envId: string): Promise<void>;
  /** A `metricsSampled` push. */
  received(envId: string, sample: MetricSample): void;
  /** The environment is gone: drop its ring. */
  forget(envId: string): void;
};

/** Merges two sorted runs by time, one sample per instant, keeping the newest `capacity`. */
export function mergeSamples(
  older: readonly MetricSample[],
  newer: readonly MetricSample[],
  capacity = METRICS_CAPACITY,
): MetricSample[] {
  const byTime = new Map<string, MetricSample>();
  for (const sample of [...older, ...newer]) byTime.set(sample.at, sample);
  const merged = [...byTime.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return merged.length > capacity ? merged.slice(merged.length - capacity) : merged;
}

export const useMetricsStore = create<MetricsStore>((set, get) => ({
  samples: {},
  requested: new Set(),

  async ensureHistory(envId) {
    if (get().requested.has(envId)) return;
    set({ requested: new Set([...get().requested, envId]) });
    try {
      const { items } = await api.call('getMetrics', { id: envId });
      // Pushes that arrived while the history was on its way are kept beside it.
      const current = get().samples[envId] ?? [];
      set({ samples: { ...get().samples, [envId]: mergeSamples(items, current) } });
    } catch {
      // No history (gone, or not reachable): pushes still fill the ring. Ask again next mount.
      const requested = new Set(get().requested);
      requested.delete(envId);
      set({ requested });
    }
  },

  received(envId, sample) {
    const ring = get().samples[envId] ?? [];
    const last = ring.at(-1);
    const next =
      !last || Date.parse(sample.at) > Date.parse(last.at)
        ? [...ring.slice(Math.max(0, ring.length + 1 - METRICS_CAPACITY)), sample]
        : mergeSamples(ring, [sample]);
    set({ samples: { ...get().samples, [envId]: next } });
  },

  forget(envId) {
    const { [envId]: _gone, ...rest } = get().samples;
    const requested = new Set(get().requested);
    requested.delete(envId);
    set({ samples: rest, requested });
  },
}));
