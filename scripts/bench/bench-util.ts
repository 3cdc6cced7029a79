/** Percentiles and formatting shared by the benchmark scripts (figures, not pass/fail tests). */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const i = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, i)]!;
}

export function summarize(samplesMs: number[]) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

export function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

export function verdict(value: number, target: number): string {
  return value <= target ? `meets target < ${target}` : `MISSES target < ${target}`;
}
