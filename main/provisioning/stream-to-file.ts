import type { Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import { finished, type Readable } from 'node:stream';

/** Socket chunks (~64 KiB) are gathered into writes of this size: fewer syscalls and hops. */
const BATCH = 4 * 1024 * 1024;
/** Batches written or waiting to be; at this many the socket is paused (backpressure). */
const MAX_IN_FLIGHT = 2;
/** A batch older than this is written even when it is not full. */
const BATCH_MAX_AGE_MS = 1000;
/** Written bytes between background flushes to disk. */
const SYNC_EVERY = 64 * 1024 * 1024;

/**
 * Streams `body` into `file` (appending or from scratch), hashing every byte in order as it
 * arrives, or telling a TrailingHasher how far the file is written. Chunks are gathered and
 * written with one writev per batch (no copy); the next batch is received while the previous one
 * is written, and the file is flushed to disk in the background as it grows. Returns the byte
 * count (start + body).
 *
 * Measured with scripts/bench/download-bench.ts (256 MiB from 127.0.0.1, 2 cores): 'data'
 * events instead of `for await` (an await per socket chunk paused the stream between chunks),
 * writev instead of concat, the hash moved off the receiving thread (a worker reading the
 * written file back) and background flushes (the fsync before the rename went from ~130 ms to
 * ~30 ms) took it from ~250 to ~450 MB/s; curl -o does ~800 MB/s in the same runs. What is left
 * is Node's HTTP receive path itself (a Buffer per 64 KiB socket read).
 */
export async function streamToFile(
  body: Readable,
  file: string,
  append: boolean,
  /** Hashes each chunk here; null when a TrailingHasher reads the file back instead. */
  hash: Hash | null,
  onBytes: (done: number) => void,
  start: number,
  signal?: AbortSignal,
  /** The first `upTo` bytes of the file are on it (for a TrailingHasher). */
  onWritten?: (upTo: number) => void,
): Promise<number> {
  const fh = await fs.open(file, append ? 'a' : 'w');
  let done = start;
  let written = start;
  let unsynced = 0;
  // Flushed as it goes, beside the writes: the fsync before the rename then has little left to
  // do, instead of writing the whole file out at the end.
  const syncs: Promise<unknown>[] = [];
  let batch: Buffer[] = [];
  let size = 0;
  let chain: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let writeError: unknown = null;

  let batchSince = Date.now();
  const take = (): Buffer[] => {
    const whole = batch;
    batch = [];
    size = 0;
    batchSince = Date.now();
    return whole;
  };
  const enqueue = (chunks: Buffer[]) => {
    inFlight++;
    chain = chain.then(async () => {
      try {
        if (writeError === null) {
          await writeAll(fh, chunks);
          const n = chunks.reduce((sum, c) => sum + c.length, 0);
          written += n;
          onWritten?.(written);
          unsynced += n;
          if (unsynced >= SYNC_EVERY) {
            unsynced = 0;
            syncs.push(fh.datasync().catch(() => undefined));
          }
        }
      } catch (e) {
        writeError ??= e;
        body.destroy(e as Error);
      } finally {
        inFlight--;
        if (inFlight < MAX_IN_FLIGHT && body.isPaused() && !body.destroyed) body.resume();
      }
    });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => body.destroy((signal?.reason as Error) ?? new Error('aborted'));
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      body.on('data', (chunk: Buffer) => {
        hash?.update(chunk);
        batch.push(chunk);
        size += chunk.length;
        done += chunk.length;
        onBytes(done);
        // A slow link fills a batch slowly: what is held in memory is lost to a crash, so a batch
        // also goes out once it is a second old.
        if (size >= BATCH || Date.now() - batchSince >= BATCH_MAX_AGE_MS) {
          enqueue(take());
          if (inFlight >= MAX_IN_FLIGHT) body.pause();
        }
      });
      finished(body, (err) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(signal?.aborted ? (signal.reason ?? err) : (writeError ?? err));
        else resolve();
      });
    });
    if (size > 0) enqueue(take());
    await chain;
    if (writeError !== null) throw writeError;
    return done;
  } catch (e) {
    // Broken off or cancelled: what was received is still good, and a resume starts after it.
    await chain.catch(() => {});
    if (writeError === null && size > 0) await writeAll(fh, take()).catch(() => {});
    throw e;
  } finally {
    await chain.catch(() => {});
    await Promise.all(syncs);
    await fh.close();
  }
}

/** writev may write less than asked (a signal, a full pipe): the rest goes in further calls. */
async function writeAll(fh: fs.FileHandle, chunks: Buffer[]): Promise<void> {
  let rest = chunks;
  while (rest.length) {
    let { bytesWritten } = await fh.writev(rest);
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}
