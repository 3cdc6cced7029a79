import { useEffect } from 'react';
import type { MetricSample } from '../../../../../preload/contract';
import { useMetricsStore } from '../../../state/metrics-store';

const NONE: readonly MetricSample[] = [];

/**
 * The environment's samples, newest last: the history the main process kept is fetched once when
 * `live`, and `metricsSampled` pushes extend it (bound in live-events.ts). No timer here.
 */
export function useEnvironmentMetrics(envId: string, live: boolean): readonly MetricSample[] {
  const samples = useMetricsStore((store) => store.samples[envId]) ?? NONE;
  const ensureHistory = useMetricsStore((store) => store.ensureHistory);
  useEffect(() => {
    if (live) void ensureHistory(envId);
  }, [envId, live, ensureHistory]);
  return samples;
}
