import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Checksum } from './checksums.js';
import { DownloadError } from './download-errors.js';

/** Hashes a local file (a dropped-in image) and compares it with the expected digest, if any. */
export async function verifyFile(
  file: string,
  expected: Checksum | null,
  signal?: AbortSignal,
): Promise<Checksum> {
  const algo = expected?.algo ?? 'sha256';
  const hash = createHash(algo);
  for await (const c of createReadStream(file, { highWaterMark: 4 << 20, signal }))
    hash.update(c as Buffer);
  const hex = hash.digest('hex');
  if (expected && expected.hex !== hex) {
    throw new DownloadError(
      'checksum',
      `${path.basename(file)} is not the expected image: expected ${algo} ${expected.hex}, got ${hex}. Download it again from the URL GenOS shows.`,
    );
  }
  return { algo, hex };
}
