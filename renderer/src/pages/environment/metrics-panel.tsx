/** Honest about what is not there yet: no sample, no chart. */
export function MetricsPanel() {
  return (
    <p className="placeholder">
      Metrics are not collected yet. Once GenOS samples them, live charts of CPU, memory, network
      and disk use appear here.
    </p>
  );
}
