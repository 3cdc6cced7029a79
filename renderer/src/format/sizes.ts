/** MiB as a person reads it: "512 MiB", "23.4 GiB", "1.2 TiB". */
export function formatMiB(mib: number): string {
  if (!Number.isFinite(mib)) return 'unknown';
  if (mib < 1024) return `${Math.round(mib)} MiB`;
  const gib = mib / 1024;
  if (gib < 1024) return `${gib.toFixed(gib < 10 ? 2 : 1)} GiB`;
  return `${(gib / 1024).toFixed(1)} TiB`;
}

/** Bytes as a person reads them: "512 B", "196 KiB", "64.0 MiB", "2.00 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}
