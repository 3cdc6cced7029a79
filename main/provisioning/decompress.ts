import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DownloadError, isAbort } from './download-errors.js';

export type Compression = 'none' | 'gz' | 'xz';

/**
 * Unpacks a verified download (the checksum is of the compressed file, so this runs after the
 * verification). gz with node:zlib; xz with the `xz` program (xz-utils), since Node has no xz
 * decoder and none is among our dependencies. Writes `<out>.tmp` and renames, so a crash never
 * leaves half an image under its final name.
 */
export async function decompress(
  src: string,
  out: string,
  compression: Compression,
  signal?: AbortSignal,
): Promise<void> {
  const tmp = `${out}.tmp`;
  try {
    if (compression === 'none') {
      await fs.copyFile(src, tmp);
    } else if (compression === 'gz') {
      await pipeline(createReadStream(src), createGunzip(), createWriteStream(tmp), { signal });
    } else {
      await unxz(src, tmp, signal);
    }
    await fs.rename(tmp, out);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    if (isAbort(e, signal) || e instanceof DownloadError) throw e;
    if ((e as { code?: unknown }).code === 'ENOSPC') {
      throw new DownloadError(
        'no-space',
        `The disk is full while unpacking ${src}; free some space and try again.`,
      );
    }
    throw new DownloadError(
      'decompress',
      `Could not unpack ${src} (${compression}): ${e instanceof Error ? e.message : String(e)}. The file may be damaged; delete it from the cache and download again.`,
    );
  }
}

function unxz(src: string, out: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('xz', ['--decompress', '--stdout', '--threads=0', '--', src], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    const sink = createWriteStream(out);
    const written = pipeline(child.stdout, sink);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(
          new DownloadError(
            'decompress',
            'This image is xz-compressed and the `xz` program is missing; install xz-utils (Debian/Ubuntu: apt install xz-utils) and try again.',
          ),
        );
      } else reject(e);
    });
    child.on('close', (code) => {
      written.then(
        () =>
          code === 0 ? resolve() : reject(new Error(`xz exited with ${code}: ${stderr.trim()}`)),
        reject,
      );
    });
  });
}

/** The file name an image has once unpacked: "x.qcow2.xz" -> "x.qcow2". */
export function unpackedName(name: string, compression: Compression): string {
  if (compression === 'gz') return name.replace(/\.(gz|gzip)$/i, '') || `${name}.out`;
  if (compression === 'xz') return name.replace(/\.xz$/i, '') || `${name}.out`;
  return name;
}
