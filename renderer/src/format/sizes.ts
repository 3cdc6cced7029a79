/** MiB as a person reads it: "512 MiB", "23.4 GiB", "1.2 TiB". */
export function formatMiB(mib: number): string {
  if (!Number.isFinite(mib)) return 'unknown';
  if (mib < 1024) return `${Math.round(mib)} MiB`;
  const gib = mib / 1024;
  if (gib < 1024) return `${gib.toFixed(gib < 10 ? 2 : 1)} GiB`;
  return `${(gib / 1024).toFixed(1)} TiB`;
}
