import type { EnvironmentSummary } from '../../../../preload/contract';
import { useNow } from '../../components/use-now';
import { formatDuration } from '../../format/durations';
import { formatTime } from '../../format/times';

const UP_STATES: ReadonlySet<EnvironmentSummary['state']> = new Set(['running', 'degraded']);

function RunningFor({ since }: { since: string }) {
  const now = useNow(1000);
  return (
    <time dateTime={since} title={`Running since ${formatTime(since)}`}>
      {formatDuration(now - new Date(since).getTime())}
    </time>
  );
}

/**
 * How long it has been up. The summary has no start time of its own, so this counts from its
 * last state change, which for a running environment is when it started (or resumed).
 */
export function Uptime({ env }: { env: EnvironmentSummary }) {
  if (!UP_STATES.has(env.state)) return <span className="muted">—</span>;
  return <RunningFor since={env.updatedAt} />;
}
