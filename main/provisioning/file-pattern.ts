/**
 * Catalog URLs whose file name holds a `*`: installer ISOs named by point release
 * (debian-13.2.0-amd64-netinst.iso, ubuntu-24.04.3-live-server-amd64.iso) that no fixed name
 * points at. The newest name the distro's checksum file lists for the pattern is the one
 * downloaded, as a person would pick it from the directory listing; the catalog then stays
 * right across point releases.
 */
export function isFilePattern(name: string): boolean {
  return name.includes('*');
}

export function matchesPattern(pattern: string, name: string): boolean {
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${re}$`).test(name);
}

/** Numbers compare as numbers, so 13.10.0 is newer than 13.9.0. */
function compareNatural(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    return nx ? Number(x) - Number(y) || x.localeCompare(y) : x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The newest of `names` that `pattern` matches, or null. */
export function newestMatch(pattern: string, names: Iterable<string>): string | null {
  let best: string | null = null;
  for (const full of names) {
    const name = full.split('/').pop()!;
    if (matchesPattern(pattern, name) && (best === null || compareNatural(name, best) > 0))
      best = name;
  }
  return best;
}

/** `url` with its last path segment replaced by `name`. */
export function withFileName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = u.pathname.replace(/[^/]*$/, encodeURIComponent(name));
  return u.toString();
}
