import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenosError } from '../core/errors.js';
import { resolveNewestListed, type ChecksumSource } from './checksum-fetch.js';
import { checksumFromHex, type Checksum } from './checksums.js';
import { decompress, unpackedName, type Compression } from './decompress.js';
import { fileNameOf } from './download-errors.js';
import { download } from './downloads.js';
import { readPartState } from './part-state.js';
import type { DownloadProgress } from './progress.js';
import { copyVerified } from './copy-verified.js';
import { isFilePattern, matchesPattern, withFileName } from './file-pattern.js';

/**
 * The base-image cache: `<dataDir>/cache/images/<key>/<file>`, one directory per catalog image,
 * so a base is downloaded once and shared by every environment (each gets a qcow2 overlay).
 * key = the SHA-256 when the catalog pins one, else a hash of the URL (the distros' "latest"
 * URLs have only a checksum file). `image.json` beside the file marks it complete and verified:
 * it is written last, so a directory without it holds at most a resumable .part.
 */
export type VmImageEntry = {
  url: string;
  checksumUrl?: string | null;
  /** A pinned digest (SHA-256 or SHA-512 hex), when the catalog has one. */
  sha256?: string | null;
  format: string;
  compression: Compression;
};

export type CacheManifest = {
  url: string;
  file: string;
  format: string;
  compression: Compression;
  checksum: Checksum;
  verified: boolean;
  bytes: number;
  downloadedAt: string;
  /** How it got here: downloaded, or a file the user handed over (adoptIntoCache). */
  origin?: 'download' | 'user-file';
};

export type CachedStatus =
  | {
      state: 'cached';
      path: string;
      bytes: number;
      format: string;
      checksum: Checksum;
      /** false: nothing to check it against (a user's file for an entry without a digest) */
      verified: boolean;
      origin: 'download' | 'user-file';
      addedAt: string;
    }
  | {
      state: 'partial';
      percent: number | null;
      bytesDone: number;
      total: number | null;
      dropFile: string;
      url: string;
    }
  | { state: 'absent'; dropFile: string; url: string };

export function imageCacheDir(dataDir: string, entry: VmImageEntry): string {
  const key = entry.sha256
    ? entry.sha256.toLowerCase().slice(0, 64)
    : `url-${createHash('sha256').update(entry.url).digest('hex').slice(0, 32)}`;
  return path.join(dataDir, 'cache', 'images', key);
}

async function readManifest(dir: string): Promise<CacheManifest | null> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(dir, 'image.json'), 'utf8')) as CacheManifest;
    const st = await fs.stat(path.join(dir, m.file));
    return st.isFile() && st.size === m.bytes ? m : null;
  } catch {
    return null;
  }
}

/** What the UI and CLI show per catalog image: cached, partial (n%), or absent + the file to drop in. */
export async function cachedStatus(entry: VmImageEntry, dataDir: string): Promise<CachedStatus> {
  const dir = imageCacheDir(dataDir, entry);
  const m = await readManifest(dir);
  if (m)
    return {
      state: 'cached',
      path: path.join(dir, m.file),
      bytes: m.bytes,
      format: m.format,
      checksum: m.checksum,
      verified: m.verified,
      origin: m.origin ?? 'download',
      addedAt: m.downloadedAt,
    };
  const dropFile = fileNameOf(entry.url);
  const { state, size } = await readPartState(path.join(dir, await partName(dir, dropFile)));
  if (size > 0) {
    const total = state?.total ?? null;
    const percent = total ? Math.min(100, Math.floor((size / total) * 100)) : null;
    return { state: 'partial', percent, bytesDone: size, total, dropFile, url: entry.url };
  }
  return { state: 'absent', dropFile, url: entry.url };
}

/** The download's name in `dir`: for a pattern entry, the .part there that matches it. */
async function partName(dir: string, name: string): Promise<string> {
  if (!isFilePattern(name)) return name;
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  const part = files.find((f) => f.endsWith('.part') && matchesPattern(name, f.slice(0, -5)));
  return part ? part.slice(0, -5) : name;
}

export type EnsureOptions = {
  dataDir: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  mirrors?: string[];
  checksumMirrors?: string[];
  proxy?: string;
};

const inFlight = new Map<string, Promise<CacheManifest>>();

/** Whether this process is fetching the base right now (a task, or an environment's create()). */
export function fetchInFlight(entry: VmImageEntry, dataDir: string): boolean {
  return inFlight.has(imageCacheDir(dataDir, entry));
}

/**
 * The cached base for `entry`, downloading (and unpacking) it when needed. Two environments that
 * ask for the same base at once share one download.
 */
export async function ensureCachedImage(
  entry: VmImageEntry,
  o: EnsureOptions,
): Promise<{ path: string; manifest: CacheManifest; fromCache: boolean }> {
  const dir = imageCacheDir(o.dataDir, entry);
  const cached = await readManifest(dir);
  if (cached) return { path: path.join(dir, cached.file), manifest: cached, fromCache: true };
  let p = inFlight.get(dir);
  if (!p) {
    p = fetchInto(dir, entry, o).finally(() => inFlight.delete(dir));
    inFlight.set(dir, p);
  }
  const manifest = await p;
  return { path: path.join(dir, manifest.file), manifest, fromCache: false };
}

async function fetchInto(
  dir: string,
  entry: VmImageEntry,
  o: EnsureOptions,
): Promise<CacheManifest> {
  if (entry.url.startsWith('file:')) {
    // A local catalog entry for a file on this machine: copied in (and checked), not downloaded.
    const expected = entry.sha256 ? checksumFromHex(entry.sha256) : null;
    return adoptIntoCache(entry, fileURLToPath(entry.url), {
      dataDir: o.dataDir,
      expected,
      signal: o.signal,
      onProgress: o.onProgress,
    });
  }
  let url = entry.url;
  let name = fileNameOf(url);
  let mirrors = o.mirrors;
  let sha256: ChecksumSource | undefined = entry.sha256
    ? entry.sha256
    : entry.checksumUrl
      ? { checksumUrl: entry.checksumUrl, fileName: name, mirrors: o.checksumMirrors }
      : undefined;
  if (isFilePattern(name)) {
    if (!entry.checksumUrl)
      throw new GenosError(
        'BAD_ARGS',
        `${entry.url} names its file with a *, which needs a checksumUrl listing the files: fix the catalog entry.`,
      );
    const found = await resolveNewestListed(
      { checksumUrl: entry.checksumUrl, mirrors: o.checksumMirrors },
      name,
      { signal: o.signal, proxy: o.proxy },
    );
    name = found.name;
    url = withFileName(url, name);
    mirrors = o.mirrors?.map((m) => withFileName(m, name));
    sha256 = found.sum.hex;
  }
  const dest = path.join(dir, name);
  const r = await download({
    url,
    dest,
    sha256,
    signal: o.signal,
    onProgress: o.onProgress,
    mirrors,
    proxy: o.proxy,
  });
  return finish(dir, entry, dest, r.checksum, r.verified, 'download', o.signal, o.onProgress);
}

async function finish(
  dir: string,
  entry: VmImageEntry,
  downloaded: string,
  checksum: Checksum,
  verified: boolean,
  origin: CacheManifest['origin'],
  signal?: AbortSignal,
  onProgress?: (p: DownloadProgress) => void,
): Promise<CacheManifest> {
  let file = path.basename(downloaded);
  if (entry.compression !== 'none') {
    file = unpackedName(file, entry.compression);
    onProgress?.({ stage: 'decompress', done: 0, total: null, rateBytesPerSec: 0, etaSec: null });
    await decompress(downloaded, path.join(dir, file), entry.compression, signal);
    await fs.rm(downloaded, { force: true }); // the unpacked image is what is kept
  }
  const bytes = (await fs.stat(path.join(dir, file))).size;
  const manifest: CacheManifest = {
    url: entry.url,
    file,
    format: entry.format,
    compression: entry.compression,
    checksum,
    verified,
    bytes,
    downloadedAt: new Date().toISOString(),
    origin,
  };
  await fs.writeFile(path.join(dir, 'image.json.tmp'), JSON.stringify(manifest, null, 2));
  await fs.rename(path.join(dir, 'image.json.tmp'), path.join(dir, 'image.json'));
  return manifest;
}

/**
 * A file the user dropped in instead of downloading (offline): copied into the cache and hashed
 * in the same pass, checked against the expected digest when one is known. The digest of a
 * compressed entry is the compressed file's, so an already unpacked file is taken as it is, and
 * unverified.
 */
export async function adoptIntoCache(
  entry: VmImageEntry,
  file: string,
  o: {
    dataDir: string;
    expected?: Checksum | null;
    signal?: AbortSignal;
    onProgress?: (p: DownloadProgress) => void;
  },
): Promise<CacheManifest> {
  const dir = imageCacheDir(o.dataDir, entry);
  await fs.mkdir(dir, { recursive: true });
  const packed = entry.compression === 'none' || (await isCompressed(file, entry.compression));
  const asStored: VmImageEntry = packed ? entry : { ...entry, compression: 'none' };
  // A pattern entry (file-pattern.ts) keeps the name of the user's file, which matches it.
  const urlName = isFilePattern(fileNameOf(entry.url))
    ? path.basename(file)
    : fileNameOf(entry.url);
  const dest = path.join(dir, packed ? urlName : unpackedName(urlName, entry.compression));
  const expected = packed ? (o.expected ?? null) : null;
  try {
    const checksum = await copyVerified(file, `${dest}.adopt`, expected, o.signal, o.onProgress);
    await fs.rename(`${dest}.adopt`, dest);
    return await finish(
      dir,
      asStored,
      dest,
      checksum,
      !!expected,
      'user-file',
      o.signal,
      o.onProgress,
    );
  } finally {
    await fs.rm(`${dest}.adopt`, { force: true });
  }
}

const MAGIC: Record<Exclude<Compression, 'none'>, Buffer> = {
  gz: Buffer.from([0x1f, 0x8b]),
  xz: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
};

async function isCompressed(file: string, c: Exclude<Compression, 'none'>): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(MAGIC[c].length);
    await fh.read(head, 0, head.length, 0);
    return head.equals(MAGIC[c]);
  } finally {
    await fh.close();
  }
}

/** Maps a URL onto mirrors by prefix: [{prefix: 'https://cloud-images.ubuntu.com/', mirrors: [...]}]. */
export function mirrorUrlsFor(
  url: string,
  rules: Array<{ prefix: string; mirrors: string[] }>,
): string[] {
  const out: string[] = [];
  for (const r of rules) {
    if (url.startsWith(r.prefix))
      for (const m of r.mirrors) out.push(m + url.slice(r.prefix.length));
  }
  return out;
}
