import { useId, useState } from 'react';
import type { KeyboardEvent, PointerEvent } from 'react';
import { areaPath, domainOf, linePath, nearestIndex, xOf, yOf } from './chart-geometry';
import type { Plot } from './chart-geometry';
import { formatValue, niceMax } from './series';
import type { Series, Unit } from './series';

// About the size it is shown at, so labels read at their CSS font size.
const W = 480;
const H = 170;
const PLOT: Plot = { left: 64, top: 12, width: W - 64 - 10, height: H - 12 - 24 };
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];
/** At least this much time across, so the first samples do not stretch over the whole width. */
const MIN_SPAN_MS = 60_000;

function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * One live line chart (one or two series) in inline SVG: y axis in the series' unit, time axis,
 * a legend with the newest values, and a read-out of the values under the pointer (or the arrow
 * keys when the chart has the focus).
 */
export function MetricChart({
  title,
  unit,
  series,
  max,
  floor,
}: {
  title: string;
  unit: Unit;
  series: readonly Series[];
  /** A fixed top (a memory limit); otherwise the peak rounded up, at least `floor`. */
  max?: number | null;
  floor: number;
}) {
  const titleId = useId();
  const [hover, setHover] = useState<number | null>(null);
  const lines = series.map((s) => s.points);
  const peak = Math.max(0, ...lines.flat().map((p) => p.v));
  const vmax = max && max >= peak ? max : niceMax(peak, unit, floor);
  const domain = domainOf(lines, MIN_SPAN_MS, vmax);
  const primary = lines.find((points) => points.length > 0) ?? [];
  const hovered = hover === null ? null : primary[hover];

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * W;
    if (x < PLOT.left || x > PLOT.left + PLOT.width || primary.length === 0) {
      setHover(null);
      return;
    }
    const t = domain.t0 + ((x - PLOT.left) / PLOT.width) * (domain.t1 - domain.t0);
    setHover(nearestIndex(primary, t));
  };

  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    if (primary.length === 0) return;
    const last = primary.length - 1;
    const moves: Record<string, number> = {
      ArrowLeft: Math.max(0, (hover ?? last + 1) - 1),
      ArrowRight: Math.min(last, (hover ?? last - 1) + 1),
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setHover(next);
  };

  const latest = series.map((s) => s.points.at(-1)?.v);
  const summary = series
    .map(
      (s, i) => `${s.label} ${latest[i] === undefined ? 'no data' : formatValue(latest[i], unit)}`,
    )
    .join(', ');
  const readout = hovered
    ? [
        clock(hovered.t),
        ...series.map((s) => {
          const point = s.points[nearestIndex(s.points, hovered.t)];
          return `${s.label} ${point ? formatValue(point.v, unit) : '—'}`;
        }),
      ].join('  ·  ')
    : null;

  return (
    <figure className="metric-chart" aria-labelledby={titleId}>
      <figcaption className="metric-chart__head">
        <span id={titleId} className="metric-chart__title">
          {title}
        </span>
        <ul className="metric-chart__legend" aria-label={`${title}, newest values`}>
          {series.map((s, i) => (
            <li key={s.label}>
              <span className={`metric-chart__key metric-chart__series--${i}`} aria-hidden="true" />
              {s.label} {latest[i] === undefined ? '—' : formatValue(latest[i], unit)}
            </li>
          ))}
        </ul>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title} over the last ${Math.round((domain.t1 - domain.t0) / 60_000) || 1} min: ${summary}`}
        tabIndex={0}
        onPointerMove={onPointerMove}
        onPointerLeave={() => setHover(null)}
        onKeyDown={onKeyDown}
        onBlur={() => setHover(null)}
      >
        {Y_TICKS.map((f) => {
          const y = yOf(f * vmax, domain, PLOT);
          return (
            <g key={f}>
              <line
                className="metric-chart__grid"
                x1={PLOT.left}
                x2={PLOT.left + PLOT.width}
                y1={y}
                y2={y}
              />
              <text
                className="metric-chart__axis-label"
                x={PLOT.left - 6}
                y={y + 4}
                textAnchor="end"
              >
                {formatValue(f * vmax, unit)}
              </text>
            </g>
          );
        })}
        {[domain.t0, (domain.t0 + domain.t1) / 2, domain.t1].map((t, i) => (
          <text
            key={i}
            className="metric-chart__axis-label"
            x={xOf(t, domain, PLOT)}
            y={H - 6}
            textAnchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}
          >
            {clock(t)}
          </text>
        ))}
        {lines.every((points) => points.length < 2) ? (
          <text className="metric-chart__empty" x={PLOT.left + 12} y={PLOT.top + PLOT.height / 2}>
            Waiting for samples…
          </text>
        ) : null}
        {lines.map((points, i) => (
          <g key={series[i]!.label}>
            <path
              className={`metric-chart__area metric-chart__series--${i}`}
              d={areaPath(points, domain, PLOT)}
            />
            <path
              className={`metric-chart__line metric-chart__series--${i}`}
              d={linePath(points, domain, PLOT)}
              data-series={series[i]!.label}
            />
          </g>
        ))}
        {hovered ? (
          <g className="metric-chart__hover">
            <line
              className="metric-chart__cursor"
              x1={xOf(hovered.t, domain, PLOT)}
              x2={xOf(hovered.t, domain, PLOT)}
              y1={PLOT.top}
              y2={PLOT.top + PLOT.height}
            />
            {lines.map((points, i) => {
              const point = points[nearestIndex(points, hovered.t)];
              return point ? (
                <circle
                  key={i}
                  className={`metric-chart__series--${i}`}
                  cx={xOf(point.t, domain, PLOT)}
                  cy={yOf(point.v, domain, PLOT)}
                  r={3.5}
                />
              ) : null;
            })}
            <text
              className="metric-chart__readout"
              x={PLOT.left + 8}
              y={PLOT.top + 14}
              role="status"
            >
              {readout}
            </text>
          </g>
        ) : null}
      </svg>
    </figure>
  );
}
