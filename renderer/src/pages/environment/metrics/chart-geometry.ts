import type { Point } from './series';

/** Where a chart's lines go, in SVG user units. */
export type Plot = { left: number; top: number; width: number; height: number };

export type Domain = { t0: number; t1: number; vmax: number };

export function domainOf(lines: readonly Point[][], minSpanMs: number, vmax: number): Domain {
  const times = lines.flat().map((p) => p.t);
  const t1 = times.length ? Math.max(...times) : Date.now();
  const first = times.length ? Math.min(...times) : t1;
  return { t0: Math.min(first, t1 - minSpanMs), t1, vmax };
}

export function xOf(t: number, d: Domain, plot: Plot): number {
  const span = d.t1 - d.t0 || 1;
  return plot.left + ((t - d.t0) / span) * plot.width;
}

export function yOf(v: number, d: Domain, plot: Plot): number {
  const clamped = Math.min(Math.max(v, 0), d.vmax);
  return plot.top + plot.height - (clamped / (d.vmax || 1)) * plot.height;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** "M x y L x y ..." through every point: one command per sample, so tests can count them. */
export function linePath(points: readonly Point[], d: Domain, plot: Plot): string {
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${round(xOf(p.t, d, plot))} ${round(yOf(p.v, d, plot))}`)
    .join(' ');
}

/** The same line closed down to the baseline, for a soft fill under it. */
export function areaPath(points: readonly Point[], d: Domain, plot: Plot): string {
  if (points.length < 2) return '';
  const base = round(plot.top + plot.height);
  const first = round(xOf(points[0]!.t, d, plot));
  const last = round(xOf(points.at(-1)!.t, d, plot));
  return `${linePath(points, d, plot)} L${last} ${base} L${first} ${base} Z`;
}

/** The index of the point nearest to time t (points sorted by time). */
export function nearestIndex(points: readonly Point[], t: number): number {
  let best = -1;
  let bestGap = Infinity;
  points.forEach((p, i) => {
    const gap = Math.abs(p.t - t);
    if (gap < bestGap) {
      best = i;
      bestGap = gap;
    }
  });
  return best;
}
