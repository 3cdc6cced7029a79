/**
 * Provisioning building blocks: base-image downloads and cache, the cloud-init NoCloud seed and
 * the ISO9660 volume that carries it. Wired into tasks and the API by the composition root.
 */
export { download, type DownloadOptions, type DownloadResult } from './downloads.js';
export type { DownloadProgress } from './progress.js';
export { DownloadError, type DownloadFailure } from './download-errors.js';
export type { ChecksumSource } from './checksum-fetch.js';
export { parseChecksumFile, findChecksum, type Checksum } from './checksums.js';
export {
  adoptIntoCache,
  cachedStatus,
  ensureCachedImage,
  imageCacheDir,
  mirrorUrlsFor,
  type CachedStatus,
  type CacheManifest,
  type VmImageEntry,
} from './image-cache.js';
export {
  buildSeed,
  findProvisionMarker,
  FIRST_BOOT_MARKER,
  PROVISIONED_MARKER,
  type Seed,
  type SeedInput,
} from './cloud-init.js';
export { desktopPackages } from './desktop-packages.js';
export { generatePassword, sha512Crypt } from './sha512-crypt.js';
export { writeSeedIso, SEED_LABEL, type SeedTool } from './seed-iso.js';
export { buildIso } from './iso9660.js';
export { readIso } from './iso9660-read.js';
export { CatalogImagesService, downloadOptionsFor } from './catalog-images.js';
export { catalogImageEntries, vmImageFor, type CatalogImageEntry } from './catalog-entries.js';
export { readLocalCatalog, parseLocalCatalog, LOCAL_CATALOG_FILE } from './local-catalog.js';
export { checkBaseFile, overlaysOn } from './base-files.js';
