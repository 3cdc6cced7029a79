import type { EnvironmentSpec } from '../../preload/contract.js';
import { findApp, findOs, packagesFor } from '../composer/catalog.js';
import { GenosError } from '../core/errors.js';
import type { SeedInput } from './cloud-init.js';

/**
 * What cloud-init should do for one environment, derived from its spec: the host name is the
 * environment's name, the apps become the distribution's package names (resources/catalog/
 * apps.json, per package manager with per-OS overrides), a gui display adds a desktop. Pure:
 * the password and key are passed in, so the same spec always gives the same seed input.
 */
export type GuestSeedOptions = {
  /** Stable per environment: the environment id. */
  instanceId: string;
  password: string;
  userName?: string;
  sshPublicKey?: string | null;
};

export type GuestSeedPlan = {
  input: SeedInput;
  /** Apps whose packages the OS's repositories do not carry (the composer warned already). */
  skippedApps: string[];
};

export function seedInputForSpec(spec: EnvironmentSpec, o: GuestSeedOptions): GuestSeedPlan {
  const os = findOs(spec.os.id);
  if (!os) {
    throw new GenosError(
      'UNSUPPORTED',
      `"${spec.os.id}" is not in the OS catalog, so GenOS does not know how to set it up with cloud-init: pick a catalog OS, or import a disk image into the library and use it as the image.`,
    );
  }
  const packages: string[] = [];
  const skippedApps: string[] = [];
  for (const id of spec.apps) {
    const app = findApp(id);
    const names = app ? packagesFor(app, os) : null;
    if (names) packages.push(...names);
    else skippedApps.push(id);
  }
  const input: SeedInput = {
    instanceId: o.instanceId,
    hostname: spec.name,
    osId: os.id,
    packageManager: os.packageManager,
    packages: [...new Set(packages)],
    display: spec.display,
    desktop: spec.desktop ?? os.defaultDesktop,
    sshAuthorizedKeys: o.sshPublicKey ? [o.sshPublicKey] : [],
    password: o.password,
    userName: o.userName ?? DEFAULT_GUEST_USER,
  };
  return { input, skippedApps };
}

export const DEFAULT_GUEST_USER = 'genos';

/** cloud-init's instance-id for an environment (ids may start with '_' or '-', which it must not). */
export function instanceIdFor(envId: string): string {
  return (/^[A-Za-z0-9]/.test(envId) ? envId : `i${envId}`).slice(0, 64);
}
