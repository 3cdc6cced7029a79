/**
 * The catalog as the composer uses it: the JSON files in resources/catalog, imported so that
 * esbuild bundles them into out/main (no path lookups at run time), plus lookup maps.
 */
import osData from '../../resources/catalog/os.json' with { type: 'json' };
import appData from '../../resources/catalog/apps.json' with { type: 'json' };
import desktopData from '../../resources/catalog/desktops.json' with { type: 'json' };
import type {
  AppEntry,
  DesktopEntry,
  OsCatalog,
  OsEntry,
  OsVersion,
  PackageManager,
} from './catalog-schema.js';

export type { AppEntry, DesktopEntry, OsEntry, OsVersion, PackageManager };

// The files are validated by tests/unit/composer/catalog.test.ts; here they are only typed.
export const OS_CATALOG = osData as unknown as OsCatalog;
export const APPS = (appData as unknown as { apps: AppEntry[] }).apps;
export const DESKTOPS = (desktopData as unknown as { desktops: DesktopEntry[] }).desktops;
export const OSES = OS_CATALOG.oses;

const osById = new Map(OSES.map((o) => [o.id, o]));
const appById = new Map(APPS.map((a) => [a.id, a]));
const desktopById = new Map(DESKTOPS.map((d) => [d.id, d]));

export function findOs(id: string): OsEntry | undefined {
  return osById.get(id);
}
export function findApp(id: string): AppEntry | undefined {
  return appById.get(id);
}
export function findDesktop(id: string): DesktopEntry | undefined {
  return desktopById.get(id);
}

export function defaultOs(): OsEntry {
  return osById.get(OS_CATALOG.defaultOs)!;
}

export function findVersion(os: OsEntry, version: string | null): OsVersion | undefined {
  return os.versions.find((v) => v.version === (version ?? os.defaultVersion));
}

/** The package names for an app on an OS, or null when the OS's repositories do not carry it. */
export function packagesFor(app: AppEntry, os: OsEntry): string[] | null {
  const override = app.osOverrides?.[os.id];
  if (override !== undefined) return override;
  return app.packages[os.packageManager] ?? null;
}

/**
 * Matches a version as typed to the catalog: exact ("22.04"), a major version ("22" -> the
 * newest 22.x), or a longer point release ("22.04.3" -> "22.04").
 */
export function matchVersion(os: OsEntry, typed: string): OsVersion | undefined {
  const exact = os.versions.find((v) => v.version === typed);
  if (exact) return exact;
  const byMajor = os.versions.filter((v) => v.version.split('.')[0] === typed);
  if (byMajor.length > 0) return byMajor[0]; // versions are listed newest first
  return os.versions.find((v) => typed.startsWith(v.version + '.'));
}
