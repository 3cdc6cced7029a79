import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * The user's own catalog entries: `<dataDir>/catalog.local.json`, e.g. an image served on the
 * local network or one the user built (scripts/build-debian-image.sh) with a file:// URL. Same
 * fields as a catalog version's vmImage, plus which OS/version it is; an entry for an OS/version
 * the built-in catalog also has replaces it (another mirror, a pinned digest).
 *
 *   { "images": [ { "os": "debian", "version": "12-local", "name": "Debian 12 (mine)",
 *       "url": "http://127.0.0.1:8080/debian.qcow2", "sha256": "<64 hex>",
 *       "format": "qcow2", "compression": "none", "cloudInit": true } ] }
 */
export const LOCAL_CATALOG_FILE = 'catalog.local.json';

const Url = z
  .url({
    protocol: /^(https?|file)$/,
    error: 'an http://, https:// or file:// URL',
  })
  .refine((u) => !u.startsWith('file:') || u.startsWith('file:///'), {
    error: 'a file URL names an absolute path: file:///path/to/image.qcow2',
  });

export const LocalImage = z.strictObject({
  os: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9][a-z0-9._+-]*$/, 'an OS id in lower case, like "debian"'),
  version: z
    .string()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'a version of letters, digits, . _ + -'),
  name: z.string().min(1).max(120).optional(),
  url: Url,
  checksumUrl: Url.nullable().optional(),
  sha256: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$/, 'a SHA-256 (64 hex) or SHA-512 (128 hex) digest')
    .nullable()
    .optional(),
  /** iso: an installer ISO (installed by hand with the display open), not a ready system. */
  format: z.enum(['qcow2', 'raw', 'iso']),
  compression: z.enum(['none', 'gz', 'xz']).default('none'),
  cloudInit: z.boolean().default(true),
});
export type LocalImage = z.output<typeof LocalImage>;

const LocalCatalog = z.strictObject({ images: z.array(LocalImage).max(500) });

export type LocalCatalogRead = { path: string; images: LocalImage[]; error: string | null };

/** Reads and checks the file; a missing file is an empty catalog, a bad one an error to show. */
export async function readLocalCatalog(dataDir: string): Promise<LocalCatalogRead> {
  const file = path.join(dataDir, LOCAL_CATALOG_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return { path: file, images: [], error: null };
    return { path: file, images: [], error: `${file} could not be read: ${(e as Error).message}` };
  }
  return { path: file, ...parseLocalCatalog(text, file) };
}

export function parseLocalCatalog(
  text: string,
  file: string,
): { images: LocalImage[]; error: string | null } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      images: [],
      error: `${file} is not valid JSON (${(e as Error).message}); fix it or delete it.`,
    };
  }
  const parsed = LocalCatalog.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => {
      const where = i.path.length ? i.path.join('.') : 'the top level';
      return `${where}: ${i.message}`;
    });
    return {
      images: [],
      error: `${file} is not a valid local catalog — ${issues.join('; ')}. Expected {"images": [{"os", "version", "url", "format", ...}]}.`,
    };
  }
  const seen = new Set<string>();
  for (const [i, img] of parsed.data.images.entries()) {
    // An OS/version may have one cloud image and one installer ISO.
    const key = `${img.os} ${img.version} ${img.format === 'iso' ? 'iso' : 'image'}`;
    if (seen.has(key))
      return {
        images: [],
        error: `${file}: images.${i} repeats ${img.os} ${img.version}; each OS/version may appear once (and once more as an installer ISO).`,
      };
    seen.add(key);
  }
  return { images: parsed.data.images, error: null };
}
