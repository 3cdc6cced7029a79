import type { MetricSample } from '../../../../../preload/contract';

/** One point of a chart: time in ms since the epoch, and the value in the series' unit. */
export type Point = { t: number; v: number };

export type Unit = 'percent' | 'bytes' | 'bytesPerSecond';

export type Series = { label: string; points: Point[] };

export function cpuSeries(samples: readonly MetricSample[]): Point[] {
  return samples.map((s) => ({ t: Date.parse(s.at), v: Math.max(0, s.cpuPercent) }));
}

export function memorySeries(samples: readonly MetricSample[]): Point[] {
  return samples.map((s) => ({ t: Date.parse(s.at), v: Math.max(0, s.memoryBytes) }));
}

type Counter = 'netRxBytes' | 'netTxBytes' | 'blockReadBytes' | 'blockWriteBytes';

/**
 * A per-second rate from a counter that is a total since start: the difference between two
 * samples over the time between them. A counter that went down (the environment restarted)
 * starts over, so that step counts from zero rather than as a negative rate.
 */
export function rateSeries(samples: readonly MetricSample[], counter: Counter): Point[] {
  const points: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1]!;
    const cur = samples[i]!;
    const seconds = (Date.parse(cur.at) - Date.parse(prev.at)) / 1000;
    if (!(seconds > 0)) continue;
    const delta = cur[counter] >= prev[counter] ? cur[counter] - prev[counter] : cur[counter];
    points.push({ t: Date.parse(cur.at), v: delta / seconds });
  }
  return points;
}

/** The highest memory limit seen, when there is one: the natural top of the memory chart. */
export function memoryLimit(samples: readonly MetricSample[]): number | null {
  const limits = samples.map((s) => s.memoryLimitBytes).filter((l): l is number => l !== null);
  return limits.length ? Math.max(...limits) : null;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function scaled(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BINARY_UNITS[unit]}`;
}

/** A value with its unit, as axis labels and hover read-outs show it. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '—';
  switch (unit) {
    case 'percent':
      return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
    case 'bytes':
      return scaled(value);
    case 'bytesPerSecond':
      return `${scaled(value)}/s`;
  }
}

/**
 * A top for the y axis that reads well: for bytes a power-of-two step (1, 2, 4 or 8 x KiB/MiB...),
 * for percent 10 / 25 / 50 / 100 and then hundreds (several CPUs), never below `floor`.
 */
export function niceMax(max: number, unit: Unit, floor: number): number {
  const top = Math.max(max, floor);
  if (unit === 'percent') {
    for (const step of [10, 25, 50, 100]) if (top <= step) return step;
    return Math.ceil(top / 100) * 100;
  }
  let nice = 1;
  while (nice < top) nice *= 2;
  return nice;
}
