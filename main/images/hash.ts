import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import { fileError } from './sniff.js';
import type { OnProgress } from './types.js';

/** 4 MiB reads: large enough that syscalls and promise hops vanish next to hashing. */
export const CHUNK = 4 * 1024 * 1024;
/** Progress at most this often, so a fast disk does not flood the event stream. */
export const PROGRESS_INTERVAL_MS = 100;

export function cancelled(what: string): GenosError {
  return new GenosError('CANCELLED', `${what} was cancelled.`);
}

/** Calls onProgress at most every PROGRESS_INTERVAL_MS, and always for the final value. */
export function throttle(onProgress: OnProgress | undefined): OnProgress {
  let last = 0;
  let lastDone = -1;
  return (p) => {
    if (!onProgress || p.done === lastDone) return;
    const now = performance.now();
    if (p.done >= p.total || now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      lastDone = p.done;
      onProgress(p);
    }
  };
}

/** SHA-256 of a file, streamed, with progress (stage 'hash') and cancellation. */
export async function sha256File(
  file: string,
  opts: { signal?: AbortSignal; onProgress?: OnProgress } = {},
): Promise<string> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    throw fileError(e, file);
  }
  const progress = throttle(opts.onProgress);
  try {
    const total = (await fh.stat()).size;
    const hash = createHash('sha256');
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let pos = 0;
    let i = 0;
    let cur = await fh.read(bufs[0]!, 0, CHUNK, 0);
    while (cur.bytesRead > 0) {
      if (opts.signal?.aborted) throw cancelled(`Hashing ${file}`);
      // Read the next chunk while this one is hashed.
      const next = fh.read(bufs[++i % 2]!, 0, CHUNK, pos + cur.bytesRead);
      hash.update(cur.buffer.subarray(0, cur.bytesRead));
      pos += cur.bytesRead;
      progress({ stage: 'hash', done: pos, total: Math.max(total, pos) });
      cur = await next;
    }
    progress({ stage: 'hash', done: pos, total: pos });
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/** Writes `<file>.sha256` in sha256sum's format, so `sha256sum -c` verifies it. */
export async function writeSha256File(file: string, hex: string): Promise<string> {
  const out = `${file}.sha256`;
  await fs.writeFile(out, `${hex}  ${path.basename(file)}\n`);
  return out;
}
