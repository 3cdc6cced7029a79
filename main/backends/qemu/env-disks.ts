import fs from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import { createOverlay } from '../../images/overlay.js';
import {
  DATA_LIMITS,
  defaultRunner,
  runFailure,
  type QemuImgRunner,
} from '../../images/qemu-img.js';
import type { ImageLibrary } from '../../images/types.js';
import type { VmImageEntry } from '../../provisioning/image-cache.js';
import type { ImageFormat } from '../../store/images-repo.js';
import type { BootSource } from './boot-source.js';
import { seedPath } from './catalog-disks.js';
import {
  catalogBase,
  catalogInstallerIso,
  catalogVmImage,
  type CatalogBase,
} from './catalog-image.js';

/**
 * Which files an environment boots from, and making them. Paths are a pure function of the env
 * dir, so the launch plan can be shown before create() has made anything.
 *
 *   <envDir>/disk.qcow2     library disk image -> a qcow2 overlay on it (the base stays pristine)
 *                           ISO -> a blank qcow2 of spec.resources.diskGiB to install onto
 *   <envDir>/vmstate.qcow2  kernel boot -> a tiny qcow2 the guest never sees, for live snapshots
 *   catalog image           -> disk.qcow2 on the cached base + seed.iso (catalog-disks.ts)
 *   catalog installer ISO   -> the ISO in the image cache + a blank disk.qcow2, as a library ISO
 */

/** What the image library knows about an image (the store's images row). */
export type LibraryImage = { path: string; format: ImageFormat; virtualSize: number };
export type ImageLookup = (
  imageId: string,
) => LibraryImage | undefined | Promise<LibraryImage | undefined>;

/** The catalog's VM image for os/version (the user's catalog.local.json overrides the built-in). */
export type CatalogImageLookup = (
  os: EnvironmentSpec['os'],
  dataDir: string,
) => VmImageEntry | Promise<VmImageEntry>;

export const diskPath = (envDir: string) => path.join(envDir, 'disk.qcow2');
export const stateDiskPath = (envDir: string) => path.join(envDir, 'vmstate.qcow2');

export type ResolvedBoot = {
  boot: BootSource;
  base: LibraryImage | null;
  /** A catalog VM's base in the image cache (cached or still to download). */
  catalog: CatalogBase | null;
};

export async function bootSourceFor(
  spec: EnvironmentSpec,
  envDir: string,
  lookup: ImageLookup | undefined,
  opts: {
    dataDir?: string;
    catalogImage?: CatalogImageLookup;
    catalogIso?: CatalogImageLookup;
  } = {},
): Promise<ResolvedBoot> {
  const img = spec.image;
  switch (img.kind) {
    case 'kernel':
      return {
        boot: {
          kind: 'kernel',
          kernel: img.kernel,
          initrd: img.initrd,
          cmdline: img.cmdline,
          disk: null,
          stateDisk: stateDiskPath(envDir),
        },
        base: null,
        catalog: null,
      };
    case 'library': {
      const base = lookup ? await lookup(img.imageId) : undefined;
      if (!base) {
        throw new GenosError(
          'NOT_FOUND',
          `Image "${img.imageId}" is not in the image library: import it, or pick another image.`,
        );
      }
      const disk = { path: diskPath(envDir), format: 'qcow2' as const };
      return base.format === 'iso'
        ? { boot: { kind: 'iso', iso: base.path, disk }, base, catalog: null }
        : { boot: { kind: 'disk', disk }, base, catalog: null };
    }
    case 'catalog': {
      if (!opts.dataDir) {
        throw new GenosError('INTERNAL', 'The qemu backend was built without its data dir.');
      }
      const disk = { path: diskPath(envDir), format: 'qcow2' as const };
      if (img.media === 'installer-iso') {
        // The ISO is downloaded into the image cache like a cloud image; the disk starts blank.
        const entry = await (opts.catalogIso ?? catalogInstallerIso)(spec.os, opts.dataDir);
        const catalog = await catalogBase(opts.dataDir, entry);
        return { boot: { kind: 'iso', iso: catalog.path, disk }, base: null, catalog };
      }
      const entry = await (opts.catalogImage ?? catalogVmImage)(spec.os, opts.dataDir);
      const catalog = await catalogBase(opts.dataDir, entry);
      return { boot: { kind: 'disk', disk, seed: seedPath(envDir) }, base: null, catalog };
    }
    case 'container-image':
      throw new GenosError(
        'BAD_ARGS',
        'A container image cannot boot a virtual machine: use the docker backend, or pick a disk image or ISO.',
      );
  }
}

const exists = (p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );

async function createQcow2(file: string, sizeBytes: number, runner: QemuImgRunner): Promise<void> {
  const res = await runner(['create', '-q', '-f', 'qcow2', file, String(sizeBytes)], {
    limits: DATA_LIMITS,
    timeoutMs: 60_000,
  });
  if (res.code !== 0) {
    await fs.rm(file, { force: true });
    throw runFailure(res, 'create', file, DATA_LIMITS);
  }
}

async function checkReadableFile(p: string, what: string): Promise<void> {
  const st = await fs.stat(p).catch(() => null);
  if (!st || !st.isFile()) {
    throw new GenosError(
      'NOT_FOUND',
      `The ${what} ${p} does not exist or is not a file: check the path.`,
    );
  }
  await fs.access(p, fs.constants.R_OK).catch(() => {
    throw new GenosError(
      'FORBIDDEN',
      `The ${what} ${p} is not readable by GenOS: fix its permissions.`,
    );
  });
}

export type DiskDeps = { library?: ImageLibrary; runner?: QemuImgRunner; signal?: AbortSignal };

/**
 * Makes what the boot source needs that does not exist yet. Idempotent: existing files are kept
 * (they hold the environment's state), so create() after a crash simply finishes the job.
 */
export async function ensureEnvDisks(
  spec: EnvironmentSpec,
  envDir: string,
  boot: BootSource,
  base: LibraryImage | null,
  deps: DiskDeps,
): Promise<void> {
  await fs.mkdir(envDir, { recursive: true, mode: 0o700 });
  const runner = deps.runner ?? defaultRunner;
  const wanted = spec.resources.diskGiB * 1024 ** 3;
  if (boot.kind === 'kernel') {
    await checkReadableFile(boot.kernel, 'kernel');
    if (boot.initrd !== null) await checkReadableFile(boot.initrd, 'initrd');
    // 1 MiB of disk; savevm stores RAM beyond the virtual size, so it grows as needed.
    if (boot.stateDisk && !(await exists(boot.stateDisk))) {
      await createQcow2(boot.stateDisk, 1024 * 1024, runner);
    }
    return;
  }
  if (boot.kind === 'iso') await checkReadableFile(boot.iso, 'ISO');
  if (await exists(boot.disk.path)) return;
  if (boot.kind === 'iso') {
    await createQcow2(boot.disk.path, wanted, runner);
    return;
  }
  if (!base || !deps.library) {
    throw new GenosError('INTERNAL', 'The qemu backend was built without the image library.');
  }
  await createOverlay({
    base: base.path,
    baseFormat: base.format,
    overlay: boot.disk.path,
    library: deps.library,
    // Never smaller than the base (that would cut its file system off); larger grows the disk.
    size: Math.max(wanted, base.virtualSize),
    runner,
    signal: deps.signal,
  });
}
