import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { HashWorker } from './hash-worker.js';

/** Socket chunks (~64 KiB) are gathered into writes of this size: fewer syscalls and hops. */
const BATCH = 4 * 1024 * 1024;

/**
 * Streams `body` into `file` (appending or from scratch), feeding every byte to the hash worker
 * in order. Each batch is written, then its memory is moved to the worker: the next batch is
 * received while the previous one is written and hashed. Returns the byte count (start + body).
 */
export async function streamToFile(
  body: Readable,
  file: string,
  append: boolean,
  hash: HashWorker,
  onBytes: (done: number) => void,
  start: number,
  signal?: AbortSignal,
): Promise<number> {
  const fh = await fs.open(file, append ? 'a' : 'w');
  let done = start;
  let batch: Buffer[] = [];
  let size = 0;
  let pending: Promise<void> = Promise.resolve();
  const flush = (whole: Buffer, own: boolean) =>
    pending.then(async () => {
      await writeAll(fh, whole);
      hash.update(whole, own);
    });
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      batch.push(chunk);
      size += chunk.length;
      done += chunk.length;
      onBytes(done);
      if (size >= BATCH) {
        const whole = Buffer.concat(batch, size); // a fresh, unpooled buffer: movable
        batch = [];
        size = 0;
        await pending; // backpressure: one batch is written while the next is received
        pending = flush(whole, true);
      }
    }
    if (size > 0) pending = flush(Buffer.concat(batch, size), false);
    await pending;
    return done;
  } catch (e) {
    // Broken off or cancelled: what was received is still good, and a resume starts after it.
    await pending.catch(() => {});
    if (size > 0) await writeAll(fh, Buffer.concat(batch, size)).catch(() => {});
    pending = Promise.resolve();
    throw e;
  } finally {
    await pending.catch(() => {});
    await fh.close();
  }
}

async function writeAll(fh: fs.FileHandle, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length;) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}
