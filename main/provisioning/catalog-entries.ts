import { findOs, findVersion, OSES } from '../composer/catalog.js';
import { GenosError } from '../core/errors.js';
import type { Compression } from './decompress.js';
import type { VmImageEntry } from './image-cache.js';
import { readLocalCatalog, type LocalCatalogRead } from './local-catalog.js';

/** A cloud image boots ready-made with cloud-init; an installer ISO is installed by hand. */
export type CatalogMedia = 'cloud-image' | 'installer-iso';

/** One OS/version's VM image or installer ISO: from resources/catalog or catalog.local.json. */
export type CatalogImageEntry = {
  osId: string;
  version: string;
  media: CatalogMedia;
  name: string;
  origin: 'builtin' | 'local';
  image: VmImageEntry;
  cloudInit: boolean;
};

const COMPRESSIONS = new Set<string>(['none', 'gz', 'xz']);

function builtinEntries(): CatalogImageEntry[] {
  const out: CatalogImageEntry[] = [];
  for (const os of OSES) {
    for (const v of os.versions) {
      const iso = v.installerIso;
      if (iso) {
        out.push({
          osId: os.id,
          version: v.version,
          media: 'installer-iso',
          name: `${os.name} ${v.version} installer (${iso.edition})`,
          origin: 'builtin',
          image: {
            url: iso.url,
            checksumUrl: iso.checksumUrl,
            sha256: null,
            format: 'iso',
            compression: 'none',
          },
          cloudInit: false,
        });
      }
      const vm = v.vmImage;
      // zst has no decoder here yet: such an entry is not offered rather than failing late.
      if (!vm || !COMPRESSIONS.has(vm.compression)) continue;
      out.push({
        osId: os.id,
        version: v.version,
        media: 'cloud-image',
        name: `${os.name} ${v.version}`,
        origin: 'builtin',
        image: {
          url: vm.url,
          checksumUrl: vm.checksumUrl,
          sha256: null,
          format: vm.format,
          compression: vm.compression as Compression,
        },
        cloudInit: vm.cloudInit,
      });
    }
  }
  return out;
}

/** Built-in entries with the local ones merged in (a local entry replaces the same OS/version). */
export async function catalogImageEntries(
  dataDir: string,
): Promise<{ entries: CatalogImageEntry[]; local: LocalCatalogRead }> {
  const local = await readLocalCatalog(dataDir);
  const byKey = new Map<string, CatalogImageEntry>();
  const key = (osId: string, version: string, media: CatalogMedia) => `${osId} ${version} ${media}`;
  for (const e of builtinEntries()) byKey.set(key(e.osId, e.version, e.media), e);
  for (const img of local.images) {
    const os = findOs(img.os);
    const media: CatalogMedia = img.format === 'iso' ? 'installer-iso' : 'cloud-image';
    byKey.set(key(img.os, img.version, media), {
      osId: img.os,
      version: img.version,
      media,
      name:
        img.name ??
        `${os?.name ?? img.os} ${img.version}${media === 'installer-iso' ? ' installer' : ''}`,
      origin: 'local',
      image: {
        url: img.url,
        checksumUrl: img.checksumUrl ?? null,
        sha256: img.sha256 ?? null,
        format: img.format,
        compression: img.compression,
      },
      cloudInit: media === 'cloud-image' && img.cloudInit,
    });
  }
  return { entries: [...byKey.values()], local };
}

/**
 * The VM image for an OS/version, local entries included — for the QEMU backend (first boot),
 * which passes `entry.image` to ensureCachedImage/cachedStatus. `version` null means the OS's
 * default version in the built-in catalog (else its first local entry). Null when there is no
 * VM image for it; a malformed catalog.local.json is only an error when the built-in catalog
 * cannot answer either.
 */
export async function vmImageFor(
  dataDir: string,
  osId: string,
  version: string | null,
  media: CatalogMedia = 'cloud-image',
): Promise<CatalogImageEntry | null> {
  const { entries, local } = await catalogImageEntries(dataDir);
  const os = findOs(osId);
  const wanted = version ?? (os ? (findVersion(os, null)?.version ?? null) : null);
  const found = entries.find(
    (e) =>
      e.osId === osId &&
      e.media === media &&
      (wanted === null ? e.origin === 'local' : e.version === wanted),
  );
  if (!found && local.error) throw new GenosError('BAD_ARGS', local.error);
  return found ?? null;
}

/** The entry for a call's {osId, version, media}, or NOT_FOUND naming what exists. */
export function requireEntry(
  entries: CatalogImageEntry[],
  osId: string,
  version: string,
  media: CatalogMedia = 'cloud-image',
): CatalogImageEntry {
  const found = entries.find((e) => e.osId === osId && e.version === version && e.media === media);
  if (found) return found;
  const what = media === 'installer-iso' ? 'installer ISO' : 'VM image';
  const versions = entries
    .filter((e) => e.osId === osId && e.media === media)
    .map((e) => e.version);
  throw new GenosError(
    'NOT_FOUND',
    versions.length
      ? `The catalog has no ${what} for ${osId} ${version}; it has ${versions.join(', ')}.`
      : `The catalog has no ${what} for "${osId}"; see \`genos images catalog\`, or add one to catalog.local.json in the data directory.`,
  );
}
