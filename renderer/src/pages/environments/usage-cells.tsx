import type { EnvironmentSummary } from '../../../../preload/contract';
import { cpuSeries, memoryLimit, memorySeries } from '../environment/metrics/series';
import { useEnvironmentMetrics } from '../environment/metrics/use-metrics';
import { isLive } from '../environment/tabs';
import { Sparkline } from './sparkline';

/** The row's usage cell: live CPU and memory sparklines, one above the other, while it runs. */
export function UsageCell({ env }: { env: EnvironmentSummary }) {
  const live = isLive(env.state);
  const samples = useEnvironmentMetrics(env.id, live);
  if (!live)
    return (
      <td className="env-row__usage">
        <span className="muted">—</span>
      </td>
    );
  return (
    <td className="env-row__usage">
      <Sparkline
        label={`CPU of ${env.name}`}
        short="CPU"
        points={cpuSeries(samples)}
        unit="percent"
      />
      <Sparkline
        label={`Memory of ${env.name}`}
        short="Mem"
        points={memorySeries(samples)}
        unit="bytes"
        max={memoryLimit(samples)}
      />
    </td>
  );
}
