import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { fileError } from './sniff.js';
import { cancelled, CHUNK, throttle } from './hash.js';
import type { OnProgress } from './types.js';

/** Holes are kept at this granularity (a common file-system extent size). */
const BLOCK = 64 * 1024;
const ZERO = Buffer.alloc(BLOCK);

/**
 * Copies src to dest (which must not exist) and hashes the bytes on the way, so an import reads
 * the file once. All-zero 64 KiB blocks are skipped rather than written, which keeps sparse raw
 * images sparse (a 20 GiB raw disk with 2 GiB used stays 2 GiB). The next chunk is read while the
 * current one is hashed and written. On failure or cancel the partial dest is removed.
 */
export async function copyWithHash(
  src: string,
  dest: string,
  opts: { signal?: AbortSignal; onProgress?: OnProgress } = {},
): Promise<{ bytes: number; sha256: string }> {
  let input: fs.FileHandle;
  try {
    input = await fs.open(src, 'r');
  } catch (e) {
    throw fileError(e, src);
  }
  let output: fs.FileHandle | undefined;
  try {
    output = await fs.open(dest, 'wx'); // never clobbers: the caller picked a fresh name
    const total = (await input.stat()).size;
    const progress = throttle(opts.onProgress);
    const hash = createHash('sha256');
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let pos = 0;
    let i = 0;
    let cur = await input.read(bufs[0]!, 0, CHUNK, 0);
    while (cur.bytesRead > 0) {
      if (opts.signal?.aborted) throw cancelled(`Copying ${src}`);
      const n = cur.bytesRead;
      const chunk = cur.buffer.subarray(0, n);
      const next = input.read(bufs[++i % 2]!, 0, CHUNK, pos + n);
      hash.update(chunk);
      for (const [from, to] of dataRuns(chunk))
        await output.write(chunk, from, to - from, pos + from);
      pos += n;
      progress({ stage: 'copy', done: pos, total: Math.max(total, pos) });
      cur = await next;
    }
    await output.truncate(pos); // trailing holes: set the length the skipped chunks left short
    await output.datasync(); // the record that follows must not point at bytes still in cache
    progress({ stage: 'copy', done: pos, total: pos });
    await output.close();
    output = undefined;
    return { bytes: pos, sha256: hash.digest('hex') };
  } catch (e) {
    await output?.close().catch(() => {});
    if (output !== undefined || (e as NodeJS.ErrnoException).code !== 'EEXIST') {
      await fs.rm(dest, { force: true });
    }
    throw e;
  } finally {
    await input.close();
  }
}

/** [from, to) ranges of `chunk` that hold non-zero BLOCK-sized blocks, adjacent ones merged. */
function dataRuns(chunk: Buffer): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let at = 0; at < chunk.length; at += BLOCK) {
    const end = Math.min(at + BLOCK, chunk.length);
    const block = chunk.subarray(at, end);
    if (block.equals(end - at === BLOCK ? ZERO : ZERO.subarray(0, end - at))) continue;
    const last = runs.at(-1);
    if (last && last[1] === at) last[1] = end;
    else runs.push([at, end]);
  }
  return runs;
}
