import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageLibrary } from './types.js';

/**
 * Whether a file an image refers to is one GenOS may let qemu open: inside the library
 * directory, or one of the images imported by reference. Compared after resolving symlinks on
 * both sides, so a link inside the library that points at /etc does not count as inside.
 */

export type RefVerdict =
  | { ok: true; resolved: string }
  | { ok: false; resolved: string; reason: 'outside' | 'missing' | 'protocol' };

/**
 * `name` as stored in the image, resolved as qemu does: relative to the image's own directory.
 * A name with a protocol prefix ("nbd:", "json:", "http://") is never a plain file: refused.
 */
export async function checkRef(
  name: string,
  imagePath: string,
  library: ImageLibrary,
): Promise<RefVerdict> {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(name) && !name.startsWith('/')) {
    return { ok: false, resolved: name, reason: 'protocol' };
  }
  const joined = path.resolve(path.dirname(imagePath), name);
  let real: string;
  try {
    real = await fs.realpath(joined);
  } catch {
    return { ok: false, resolved: joined, reason: 'missing' };
  }
  return (await isInLibrary(real, library))
    ? { ok: true, resolved: real }
    : { ok: false, resolved: real, reason: 'outside' };
}

/** `real` must already be a realpath. */
export async function isInLibrary(real: string, library: ImageLibrary): Promise<boolean> {
  const dir = await realOrSelf(library.dir);
  if (real.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)) return true;
  for (const ref of library.referenced ?? []) {
    if (real === (await realOrSelf(ref))) return true;
  }
  return false;
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}
