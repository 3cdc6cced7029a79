import path from 'node:path';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { findOs } from '../../composer/catalog.js';
import { GenosError } from '../../core/errors.js';
import { unpackedName } from '../../provisioning/decompress.js';
import { fileNameOf } from '../../provisioning/download-errors.js';
import { vmImageFor, type CatalogMedia } from '../../provisioning/catalog-entries.js';
import { cachedStatus, imageCacheDir, type VmImageEntry } from '../../provisioning/image-cache.js';

/**
 * The base image of `image: {kind: 'catalog'}` VMs: the OS catalog's cloud image for the spec's
 * os/version, and where the base-image cache keeps it. Reading only (no download), so the
 * launch plan can name the paths before create() has fetched anything.
 */
export type CatalogBase = {
  entry: VmImageEntry;
  /** Where the unpacked base is (or will be) in the cache. */
  path: string;
  format: 'qcow2' | 'raw' | 'iso';
  cached: boolean;
  /** The file the user can drop in instead of downloading (offline). */
  dropFile: string;
};

/**
 * The catalog's VM image for os/version: the user's catalog.local.json first, then the built-in
 * catalog (resources/catalog), or a message saying why there is none.
 */
export async function catalogVmImage(
  os: EnvironmentSpec['os'],
  dataDir: string,
): Promise<VmImageEntry> {
  return catalogEntry(os, dataDir, 'cloud-image');
}

/** The catalog's installer ISO for os/version (the user's catalog.local.json first). */
export async function catalogInstallerIso(
  os: EnvironmentSpec['os'],
  dataDir: string,
): Promise<VmImageEntry> {
  return catalogEntry(os, dataDir, 'installer-iso');
}

async function catalogEntry(
  os: EnvironmentSpec['os'],
  dataDir: string,
  media: CatalogMedia,
): Promise<VmImageEntry> {
  const found = await vmImageFor(dataDir, os.id, os.version, media);
  if (!found && media === 'installer-iso') {
    const name = findOs(os.id)?.name ?? os.id;
    throw new GenosError(
      'UNSUPPORTED',
      `The OS catalog has no installer ISO for ${name}${os.version ? ` ${os.version}` : ''}: pick a version that has one (genos images catalog), add one to catalog.local.json in the data directory (format "iso"), or import the ISO into the image library and use it as the image.`,
    );
  }
  if (!found) {
    const name = findOs(os.id)?.name ?? os.id;
    throw new GenosError(
      'UNSUPPORTED',
      `The OS catalog has no VM image for ${name}${os.version ? ` ${os.version}` : ''}: pick a version that has one (genos images catalog), add one to catalog.local.json in the data directory, or import a disk image or ISO into the library and use it as the image.`,
    );
  }
  return found.image;
}

export async function catalogBase(dataDir: string, entry: VmImageEntry): Promise<CatalogBase> {
  if (entry.format !== 'qcow2' && entry.format !== 'raw' && entry.format !== 'iso') {
    throw new GenosError(
      'UNSUPPORTED',
      `A catalog image must be qcow2, raw or an ISO, not "${entry.format}": fix the catalog entry.`,
    );
  }
  const format = entry.format;
  const st = await cachedStatus(entry, dataDir);
  if (st.state === 'cached') {
    return { entry, path: st.path, format, cached: true, dropFile: fileNameOf(entry.url) };
  }
  const file = unpackedName(fileNameOf(entry.url), entry.compression);
  return {
    entry,
    path: path.join(imageCacheDir(dataDir, entry), file),
    format,
    cached: false,
    dropFile: st.dropFile,
  };
}
