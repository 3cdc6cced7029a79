/**
 * Container stats: one engine sample -> the backend's Stats, and a sampler for the metrics stream.
 * The engine gives each sample with the previous one (precpu_stats), so CPU % is the container's
 * CPU time delta over the whole system's, times the CPUs online — the figure `docker stats` shows
 * (100 % = one full CPU).
 */
import type { Stats } from '../backend.js';
import { readJsonLines } from './json-lines.js';

type Num = number | null | undefined;
type CpuSample = {
  cpu_usage?: { total_usage?: Num; percpu_usage?: number[] | null };
  system_cpu_usage?: Num;
  online_cpus?: Num;
};
type BlkioEntry = { op?: string; value?: Num };

/** The parts of /containers/{id}/stats GenOS reads; engines omit fields, hence all optional. */
export type RawStats = {
  read?: string;
  cpu_stats?: CpuSample;
  precpu_stats?: CpuSample;
  memory_stats?: { usage?: Num; limit?: Num; stats?: Record<string, Num> };
  networks?: Record<string, { rx_bytes?: Num; tx_bytes?: Num }> | null;
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
};

const n = (v: Num): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function cpuPercent(s: RawStats): number {
  const cur = s.cpu_stats;
  const pre = s.precpu_stats;
  const cpuDelta = n(cur?.cpu_usage?.total_usage) - n(pre?.cpu_usage?.total_usage);
  const sysDelta = n(cur?.system_cpu_usage) - n(pre?.system_cpu_usage);
  if (cpuDelta <= 0 || sysDelta <= 0) return 0;
  const cpus = n(cur?.online_cpus) || cur?.cpu_usage?.percpu_usage?.length || 1;
  return (cpuDelta / sysDelta) * cpus * 100;
}

/** Usage minus reclaimable page cache, as `docker stats` does (cgroup v1 and v2 field names). */
export function memoryUsed(s: RawStats): number {
  const m = s.memory_stats;
  const usage = n(m?.usage);
  const st = m?.stats ?? {};
  const cache =
    'total_inactive_file' in st
      ? n(st.total_inactive_file)
      : 'inactive_file' in st
        ? n(st.inactive_file)
        : 0;
  return cache < usage ? usage - cache : usage;
}

export function toStats(s: RawStats, now: () => Date = () => new Date()): Stats {
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(s.networks ?? {})) {
    rx += n(net.rx_bytes);
    tx += n(net.tx_bytes);
  }
  let read = 0;
  let write = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op?.toLowerCase();
    if (op === 'read') read += n(e.value);
    else if (op === 'write') write += n(e.value);
  }
  const limit = n(s.memory_stats?.limit);
  const at = s.read && !s.read.startsWith('0001-') ? s.read : now().toISOString();
  return {
    at,
    cpuPercent: Math.round(cpuPercent(s) * 100) / 100,
    memoryBytes: memoryUsed(s),
    // The engine reports the host's RAM as the "limit" of an unlimited container; either way it is
    // the ceiling the container can reach.
    memoryLimitBytes: limit > 0 ? limit : null,
    netRxBytes: rx,
    netTxBytes: tx,
    blockReadBytes: read,
    blockWriteBytes: write,
  };
}

/**
 * Follows the engine's stats stream (one sample a second) and hands each sample to `onSample`
 * until `signal` aborts or the container goes away. The stream is the engine's own, so CPU % is
 * over exactly the engine's interval.
 */
export async function followStats(
  open: () => Promise<NodeJS.ReadableStream>,
  onSample: (s: Stats) => void,
  signal: AbortSignal,
): Promise<void> {
  const stream = await open();
  let first = true;
  await readJsonLines(
    stream,
    (o) => {
      // The first sample has no previous one: its CPU % would be 0, not a measurement.
      if (first && !(o as RawStats).precpu_stats?.system_cpu_usage) {
        first = false;
        return;
      }
      first = false;
      onSample(toStats(o as RawStats));
    },
    signal,
  ).catch((e: unknown) => {
    if (!signal.aborted) throw e;
  });
}
