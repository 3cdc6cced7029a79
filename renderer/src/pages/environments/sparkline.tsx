import '../../styles/metrics.css';
import type { Point, Unit } from '../environment/metrics/series';
import { formatValue, niceMax } from '../environment/metrics/series';
import { domainOf, linePath } from '../environment/metrics/chart-geometry';

const WIDTH = 56;
const HEIGHT = 16;
const PLOT = { left: 1, top: 2, width: WIDTH - 2, height: HEIGHT - 4 };
/** A row shows the last few minutes; the Metrics tab has the whole hour. */
export const SPARKLINE_POINTS = 36;

/**
 * A small line of one metric with its newest value beside it. Scaled to `max` when given (the
 * memory limit), else to a rounded-up peak, so a flat line near zero reads as idle, not as full.
 */
export function Sparkline({
  label,
  short,
  points,
  unit,
  max,
}: {
  label: string;
  /** The visible word before the line ("CPU"); the full label is the chart's accessible name. */
  short: string;
  points: readonly Point[];
  unit: Unit;
  max?: number | null;
}) {
  const shown = points.slice(-SPARKLINE_POINTS);
  const latest = shown.at(-1);
  if (!latest)
    return (
      <span className="sparkline">
        <span className="sparkline__name">{short}</span>
        <span className="muted">—</span>
      </span>
    );
  const peak = Math.max(...shown.map((p) => p.v));
  const vmax = max ?? niceMax(peak, unit, unit === 'percent' ? 10 : 1024 * 1024);
  const domain = domainOf([shown], 0, vmax);
  const text = formatValue(latest.v, unit);
  return (
    <span className="sparkline">
      <span className="sparkline__name" aria-hidden="true">
        {short}
      </span>
      <svg
        className="sparkline__chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={`${label}: ${text} now, peak ${formatValue(peak, unit)} over the last ${shown.length} samples`}
        data-points={shown.length}
      >
        {shown.length > 1 ? (
          <path className="sparkline__line" d={linePath(shown, domain, PLOT)} />
        ) : (
          <circle className="sparkline__dot" cx={PLOT.left + PLOT.width} cy={HEIGHT / 2} r={1.5} />
        )}
      </svg>
      <span className="sparkline__value">{text}</span>
    </span>
  );
}
