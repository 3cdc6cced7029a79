import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Checksum } from './checksums.js';
import { DownloadError } from './download-errors.js';
import { ProgressMeter, type DownloadProgress } from './progress.js';

/**
 * Copies `src` to `dest` and hashes it in the same pass (one read of a multi-GB image, not two),
 * with progress. A digest that does not match removes `dest` and fails naming both digests.
 */
export async function copyVerified(
  src: string,
  dest: string,
  expected: Checksum | null,
  signal?: AbortSignal,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Checksum> {
  const st = await fs.stat(src).catch(() => null);
  if (!st?.isFile())
    throw new DownloadError(
      'http',
      `${src} does not exist or is not a file; check the path of the image to add.`,
    );
  const algo = expected?.algo ?? 'sha256';
  const hash = createHash(algo);
  const meter = new ProgressMeter(
    onProgress ? (p) => onProgress({ ...p, stage: 'copy' }) : undefined,
  );
  meter.start(0);
  const out = await fs.open(dest, 'w');
  let done = 0;
  try {
    for await (const c of createReadStream(src, { highWaterMark: 4 << 20, signal })) {
      const buf = c as Buffer;
      hash.update(buf);
      for (let off = 0; off < buf.length;) off += (await out.write(buf, off)).bytesWritten;
      done += buf.length;
      meter.update(done, st.size);
    }
    await out.sync();
  } catch (e) {
    await out.close();
    await fs.rm(dest, { force: true });
    throw e;
  }
  await out.close();
  meter.update(done, st.size, true);
  const hex = hash.digest('hex');
  if (expected && expected.hex !== hex) {
    await fs.rm(dest, { force: true });
    throw new DownloadError(
      'checksum',
      `${path.basename(src)} is not the expected image: expected ${algo} ${expected.hex}, got ${hex}. Nothing was added; download it again from the URL GenOS shows.`,
    );
  }
  return { algo, hex };
}
