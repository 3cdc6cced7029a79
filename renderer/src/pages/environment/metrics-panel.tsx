import type { EnvironmentSummary } from '../../../../preload/contract';
import '../../styles/metrics.css';
import { MetricChart } from './metrics/metric-chart';
import { cpuSeries, memoryLimit, memorySeries, rateSeries } from './metrics/series';
import { useEnvironmentMetrics } from './metrics/use-metrics';
import { isLive } from './tabs';

const KIB = 1024;

/**
 * Live charts of CPU, memory, network and disk, from the samples the main process takes every
 * few seconds (history on mount, then pushes). Rates come from the totals' differences.
 */
export function MetricsPanel({ env }: { env: EnvironmentSummary }) {
  const live = isLive(env.state);
  // Asked even when stopped: the main process keeps the last run's samples.
  const samples = useEnvironmentMetrics(env.id, true);
  const cpus =
    typeof env.spec.resources === 'object' && env.spec.resources !== null
      ? Number((env.spec.resources as { cpus?: unknown }).cpus) || 1
      : 1;
  return (
    <div className="metrics-view">
      <p className="hint">
        {live
          ? `Sampled every few seconds while ${env.name} runs; the last hour is kept. Point at a chart (or focus it and use the arrow keys) to read a value.`
          : samples.length
            ? `${env.name} is ${env.state}: these are the samples from when it last ran. Start it to see live values.`
            : `${env.name} is ${env.state}: metrics are sampled while it runs.`}
      </p>
      <div className="metrics-view__grid">
        <MetricChart
          title="CPU"
          unit="percent"
          floor={Math.min(100, 10 * cpus)}
          series={[{ label: 'CPU', points: cpuSeries(samples) }]}
        />
        <MetricChart
          title="Memory"
          unit="bytes"
          floor={16 * KIB * KIB}
          max={memoryLimit(samples)}
          series={[{ label: 'used', points: memorySeries(samples) }]}
        />
        <MetricChart
          title="Network"
          unit="bytesPerSecond"
          floor={KIB}
          series={[
            { label: 'received', points: rateSeries(samples, 'netRxBytes') },
            { label: 'sent', points: rateSeries(samples, 'netTxBytes') },
          ]}
        />
        <MetricChart
          title="Disk"
          unit="bytesPerSecond"
          floor={KIB}
          series={[
            { label: 'read', points: rateSeries(samples, 'blockReadBytes') },
            { label: 'written', points: rateSeries(samples, 'blockWriteBytes') },
          ]}
        />
      </div>
    </div>
  );
}
