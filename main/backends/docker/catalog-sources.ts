import type { EnvironmentSpec } from '../../../preload/contract.js';
import { APPS, OSES, findOs, findVersion, packagesFor } from '../../composer/catalog.js';
import type { PackageMap } from './image-build.js';

/** The container image the OS catalog names for an OS and version ("ubuntu:24.04"). */
export function catalogContainerImage(os: EnvironmentSpec['os']): string {
  const entry = findOs(os.id);
  const version = entry ? findVersion(entry, os.version) : undefined;
  return version?.containerImage ?? `${os.id}:${os.version ?? 'latest'}`;
}

/** app id -> package names for every OS in the catalog, for derived-image builds. */
export function catalogPackageMap(): PackageMap {
  const map: PackageMap = {};
  for (const os of OSES) {
    const perApp: Record<string, string[]> = {};
    for (const app of APPS) {
      const packages = packagesFor(app, os);
      if (packages) perApp[app.id] = packages;
    }
    map[os.id] = perApp;
  }
  return map;
}
