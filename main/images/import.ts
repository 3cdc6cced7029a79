import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import type { NewImage } from '../store/images-repo.js';
import { copyWithHash } from './copy.js';
import { cancelled, sha256File } from './hash.js';
import { inspectImage, type ImageInfo } from './inspect.js';
import type { QemuImgRunner } from './qemu-img.js';
import { checkBeforeQemu } from './safety.js';
import { fileError } from './sniff.js';
import type { ImageFormat, ImageLibrary, ImageLimits, OnProgress } from './types.js';

/**
 * Brings a user's image file into GenOS: by copy (into the library directory, hashed on the way)
 * or by reference (used where it lies). Either way the format is decided here, once, and goes
 * into the record; everything later passes it explicitly. The result is the images-repo record
 * shape (NewImage) plus what the import learned.
 */

export type ImportRequest = {
  /** The file the user chose or dropped. */
  source: string;
  library: ImageLibrary;
  mode: 'copy' | 'reference';
  /** The format the user stated. Taken as is and never re-probed (a raw disk whose first
   * sector happens to hold a qcow2 header stays raw). */
  format?: ImageFormat;
  /** Display name; default: the file name without its extension. */
  name?: string;
  /** The record id (also the file name in the library); default: a new 12-hex-digit id. */
  id?: string;
  limits?: ImageLimits;
  /** Hash a referenced file too (default true; a copy is always hashed). */
  hash?: boolean;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  runner?: QemuImgRunner;
};

export type ImportedImage = NewImage & {
  id: string;
  source: string;
  sha256: string | null;
  mode: 'copy' | 'reference';
  info: ImageInfo;
};

/** File extension in the library per recorded format. */
const EXT: Record<ImageFormat, string> = {
  qcow2: 'qcow2',
  raw: 'img',
  vdi: 'vdi',
  vhdx: 'vhdx',
  vmdk: 'vmdk',
  iso: 'iso',
};

export async function importImage(req: ImportRequest): Promise<ImportedImage> {
  const source = path.resolve(req.source);
  const id = req.id ?? randomUUID().replaceAll('-', '').slice(0, 12);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new GenosError(
      'BAD_ARGS',
      `The image id "${id}" is invalid: use 1-64 letters, digits, - or _.`,
    );
  }
  let st;
  try {
    st = await fs.stat(source);
  } catch (e) {
    throw fileError(e, source);
  }
  if (!st.isFile()) {
    throw new GenosError('BAD_ARGS', `${source} is not a regular file; choose an image file.`);
  }
  const name = req.name?.trim() || path.basename(source).replace(/\.[^.]+$/, '') || id;
  if (req.signal?.aborted) throw cancelled(`Importing ${source}`);

  // Refuse a hostile file before spending time on it, and before any qemu-img sees it. For a
  // copy the check runs again on the copy (the source may change while we read it).
  const pre = await checkBeforeQemu(source, req.format, req.library, req.limits);
  if (req.mode === 'copy' && pre.sniffed === 'vmdk-descriptor' && req.format !== 'raw') {
    throw new GenosError(
      'UNSUPPORTED',
      `${source} is a multi-file VMDK (a descriptor that names extent files), which cannot be ` +
        'copied as one file. Import it by reference, or convert it to a single-file image first.',
    );
  }

  if (req.mode === 'reference') {
    const info = await inspectImage(source, {
      format: req.format,
      library: req.library,
      limits: req.limits,
      runner: req.runner,
      signal: req.signal,
    });
    const sha256 =
      req.hash === false
        ? null
        : await sha256File(source, { signal: req.signal, onProgress: req.onProgress });
    return record(id, name, source, source, sha256, 'reference', info);
  }

  await fs.mkdir(req.library.dir, { recursive: true });
  const partial = path.join(req.library.dir, `${id}.partial`);
  let copied = false; // copyWithHash removes its own partial file when it fails
  try {
    const { sha256 } = await copyWithHash(source, partial, {
      signal: req.signal,
      onProgress: req.onProgress,
    });
    copied = true;
    const info = await inspectImage(partial, {
      format: req.format,
      library: req.library,
      limits: req.limits,
      runner: req.runner,
      signal: req.signal,
    });
    const final = path.join(req.library.dir, `${id}.${EXT[info.format]}`);
    // link + unlink rather than rename: link refuses to replace an existing file.
    await fs.link(partial, final);
    await fs.rm(partial, { force: true });
    return record(id, name, final, source, sha256, 'copy', { ...info, path: final });
  } catch (e) {
    if (copied) await fs.rm(partial, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new GenosError('CONFLICT', `An image with id "${id}" already exists in the library.`);
    }
    throw e;
  }
}

function record(
  id: string,
  name: string,
  file: string,
  source: string,
  sha256: string | null,
  mode: 'copy' | 'reference',
  info: ImageInfo,
): ImportedImage {
  return {
    id,
    name,
    path: file,
    format: info.format,
    virtualSize: info.virtualSize,
    actualSize: info.actualSize,
    source,
    sha256,
    mode,
    info,
  };
}
