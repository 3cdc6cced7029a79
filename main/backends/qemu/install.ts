import fs from 'node:fs/promises';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import type { EnvRef } from '../backend.js';
import type { ImageLookup, ResolvedBoot } from './env-disks.js';
import type { QmpClient } from './qmp-client.js';
import { isCatalogInstaller } from '../../../preload/contract.js';

/**
 * ISO installs. An environment whose image is a library ISO boots the installer (cdrom first,
 * blank disk second) until the user says the installation is finished (spec.installed, set by
 * finishInstall); from then on it boots its disk and the installer is no longer attached, as
 * GNOME Boxes and virt-manager do — otherwise firmware would keep booting the installer, and
 * Windows' "press any key to boot from CD" would greet every start.
 */

/** The qdev id of the installer cdrom (argv-devices.ts names device "<node>-dev"). */
export const INSTALLER_DEVICE = 'cd0-dev';

/** A second library ISO (virtio drivers) for a VM, resolved to its file. */
export async function driversIso(
  spec: EnvironmentSpec,
  lookup: ImageLookup | undefined,
): Promise<string | null> {
  if (spec.image.kind !== 'library' || !spec.image.driversImageId) return null;
  const id = spec.image.driversImageId;
  const img = lookup ? await lookup(id) : undefined;
  if (!img) {
    throw new GenosError(
      'NOT_FOUND',
      `The drivers image "${id}" is not in the image library: import the ISO (e.g. virtio-win.iso), or remove it from the spec.`,
    );
  }
  if (img.format !== 'iso') {
    throw new GenosError(
      'BAD_ARGS',
      `The drivers image "${id}" is a ${img.format} disk image, not an ISO: pick an ISO (e.g. virtio-win.iso).`,
    );
  }
  return img.path;
}

/**
 * The boot source once the install state is applied: after finishInstall the disk alone (and the
 * drivers cdrom when set, for the guest tools); before it, the installer with the drivers.
 */
export function withInstallState(
  spec: EnvironmentSpec,
  r: ResolvedBoot,
  drivers: string | null,
): ResolvedBoot {
  const b = r.boot;
  if (b.kind === 'kernel') return r;
  if (b.kind === 'iso' && spec.installed) {
    return { boot: { kind: 'disk', disk: b.disk, drivers }, base: null, catalog: null };
  }
  return { ...r, boot: { ...b, drivers } };
}

/** An installed ISO environment whose disk has gone cannot boot anything: say so plainly. */
export async function assertInstalledDisk(spec: EnvironmentSpec, r: ResolvedBoot): Promise<void> {
  if (!spec.installed || r.boot.kind !== 'disk' || r.base !== null || r.catalog !== null) return;
  if (spec.image.kind !== 'library' && !isCatalogInstaller(spec.image)) return;
  const st = await fs.stat(r.boot.disk.path).catch(() => null);
  if (!st) {
    throw new GenosError(
      'NOT_FOUND',
      `The installed disk ${r.boot.disk.path} is missing, so there is nothing to boot: make a new environment from the ISO and install again.`,
    );
  }
}

/** Takes the installer medium out of a running VM (forced: the guest may have locked the tray). */
export async function ejectInstaller(qmp: QmpClient): Promise<void> {
  await qmp.execute('eject', { id: INSTALLER_DEVICE, force: true });
}

/** What the orchestrator needs of a backend to finish an install on a running VM. */
export interface InstallerControl {
  /** Ejects the installer if the VM runs; false when it does not (nothing to eject). */
  ejectInstaller(env: EnvRef): Promise<boolean>;
}

export function hasInstallerControl(b: object): b is InstallerControl {
  return typeof (b as Partial<InstallerControl>).ejectInstaller === 'function';
}
