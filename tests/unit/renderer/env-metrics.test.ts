import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenosBridge, MetricSample } from '../../../preload/contract';
import { METRICS_CAPACITY, useMetricsStore } from '../../../renderer/src/state/metrics-store';
import {
  cpuSeries,
  formatValue,
  memoryLimit,
  niceMax,
  rateSeries,
} from '../../../renderer/src/pages/environment/metrics/series';
import {
  domainOf,
  linePath,
  nearestIndex,
} from '../../../renderer/src/pages/environment/metrics/chart-geometry';

function sample(second: number, over: Partial<MetricSample> = {}): MetricSample {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
    cpuPercent: 1,
    memoryBytes: 1024,
    memoryLimitBytes: null,
    netRxBytes: 0,
    netTxBytes: 0,
    blockReadBytes: 0,
    blockWriteBytes: 0,
    ...over,
  };
}

type Global = { genos?: GenosBridge };

describe('metric series', () => {
  it('turns counter totals into per-second rates, starting over after a restart', () => {
    const samples = [
      sample(0, { netRxBytes: 1000 }),
      sample(5, { netRxBytes: 6000 }),
      sample(10, { netRxBytes: 500 }), // restarted: counts from zero again
    ];
    expect(rateSeries(samples, 'netRxBytes').map((p) => p.v)).toEqual([1000, 100]);
    expect(rateSeries([sample(0)], 'netRxBytes')).toEqual([]);
  });

  it('formats values with their unit and picks readable axis tops', () => {
    expect(formatValue(3.14159, 'percent')).toBe('3.1%');
    expect(formatValue(250, 'percent')).toBe('250%');
    expect(formatValue(64 * 1024 * 1024, 'bytes')).toBe('64.0 MiB');
    expect(formatValue(1536, 'bytesPerSecond')).toBe('1.50 KiB/s');
    expect(niceMax(3, 'percent', 10)).toBe(10);
    expect(niceMax(180, 'percent', 10)).toBe(200);
    expect(niceMax(3000, 'bytes', 1024)).toBe(4096);
    expect(memoryLimit([sample(0), sample(1, { memoryLimitBytes: 512 })])).toBe(512);
    expect(memoryLimit([sample(0)])).toBeNull();
  });

  it('draws one path command per sample inside the plot, and finds the nearest sample', () => {
    const points = cpuSeries([sample(0, { cpuPercent: 0 }), sample(5, { cpuPercent: 50 })]);
    const plot = { left: 10, top: 0, width: 100, height: 100 };
    const d = linePath(points, domainOf([points], 0, 100), plot);
    expect(d).toBe('M10 100 L110 50');
    expect(nearestIndex(points, points[1]!.t - 1000)).toBe(1);
    expect(nearestIndex([], 0)).toBe(-1);
  });
});

describe('metrics store', () => {
  beforeEach(() => useMetricsStore.setState({ samples: {}, requested: new Set() }));
  afterEach(() => delete (globalThis as Global).genos);

  it('keeps a bounded ring per environment, newest last', () => {
    const { received } = useMetricsStore.getState();
    for (let i = 0; i < METRICS_CAPACITY + 10; i++) received('a', sample(i));
    const ring = useMetricsStore.getState().samples.a!;
    expect(ring).toHaveLength(METRICS_CAPACITY);
    expect(ring.at(-1)).toEqual(sample(METRICS_CAPACITY + 9));
    expect(ring[0]).toEqual(sample(10));
    useMetricsStore.getState().forget('a');
    expect(useMetricsStore.getState().samples.a).toBeUndefined();
  });

  it('merges the fetched history with samples pushed meanwhile, once per environment', async () => {
    let calls = 0;
    (globalThis as Global).genos = {
      calls: {
        getMetrics: async () => {
          calls++;
          // A push arrives while the history is on its way.
          useMetricsStore.getState().received('a', sample(10));
          return { result: { items: [sample(0), sample(5), sample(10)] } };
        },
      } as unknown as GenosBridge['calls'],
      on: () => () => {},
      transport: 'websocket',
    };
    await useMetricsStore.getState().ensureHistory('a');
    await useMetricsStore.getState().ensureHistory('a');
    expect(calls).toBe(1);
    expect(useMetricsStore.getState().samples.a!.map((s) => s.at)).toEqual([
      sample(0).at,
      sample(5).at,
      sample(10).at,
    ]);
  });
});
