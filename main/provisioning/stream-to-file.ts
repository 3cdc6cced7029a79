import type { ChecksumAlgo } from './checksums.js';
import type { BodySink, HttpResponse } from './http-response.js';
import { PartWriter } from './part-writer.js';
import { inlineHasher, WorkerHasher, type RingHasher } from './ring-hasher.js';

/** The ring the body is received into; its room is reused once written and hashed. With direct
 * I/O, 8 MiB did best in download-bench.ts (4 MiB: ~25 % slower, the socket waited on the
 * disk; 32 MiB: ~10 % slower, the bytes fell out of the CPU's cache before they were hashed). */
const RING_BYTES = 8 * 1024 * 1024;
/** The most one socket read may take; below this much free room the socket waits. */
const READ_BYTES = 512 * 1024;
/** Buffered writes only (direct ones are on the disk already): written bytes between background
 * flushes, one at a time so a slow disk holds one thread of libuv's pool, not all four. 8 MiB
 * did ~15 % better than 64 MiB in download-bench.ts: the disk works beside the download. */
const SYNC_EVERY = 8 * 1024 * 1024;

export type StreamToFileOptions = {
  /** Add to the file (a resume) instead of starting it over. */
  append: boolean;
  /** Bytes already in the file: hashed first, and counted in `onBytes`. */
  start: number;
  algo: ChecksumAlgo;
  /** Hash on a worker thread (large files) instead of on this one as the bytes come. */
  hashInWorker: boolean;
  onBytes: (done: number) => void;
  signal?: AbortSignal;
};

/**
 * Receives `res`'s body into `file` and hashes every byte (the file's prefix included). The
 * socket reads straight into one ring of memory; each write takes everything received since the
 * previous write ended (one write in flight, so batches grow with the link's speed and no timer
 * is needed), directly to the disk where possible (part-writer.ts); the hash reads the same
 * memory, here or on a worker. No byte is copied in user space, and the fsync before the rename
 * has little left to do.
 *
 * Measured with scripts/bench/download-bench.ts (256 MiB from 127.0.0.1, 2 cores, quiet
 * moments, curl -o ~1250 MB/s): node:http 'data' events, writev batches and a worker reading the
 * written file back did ~43 % of curl; reading into a ring hashed in place on a worker, ~67 %;
 * with direct I/O, ~80 %. Receiving and writing alone now keep up with curl; the SHA-256
 * (~1.2-1.7 GB/s on one core, beside the server on the other) is what is left.
 *
 * Returns the file's length and digest; on a failure, what was received is still written (a
 * resume starts after it) unless writing itself failed.
 */
export async function streamToFile(
  res: HttpResponse,
  file: string,
  o: StreamToFileOptions,
): Promise<{ bytes: number; hex: string }> {
  const { writer: out, ring } = await PartWriter.open(file, o.append, RING_BYTES);
  const prefix = o.start > 0 ? { file, bytes: o.start } : null;
  let hasher: RingHasher | null = null;
  let syncing: Promise<void> | null = null;
  try {
    let wake = (_e?: Error) => {};
    hasher = o.hashInWorker
      ? new WorkerHasher(ring, o.algo, prefix, (e) => wake(e))
      : await inlineHasher(ring, o.algo, prefix);
    const h = hasher;
    let received = 0;
    let written = 0;
    let writing = false;
    let unsynced = 0;
    let ended = false;
    let waiting = false;
    let failure: unknown = null;
    let writeFailed = false;

    const free = () => RING_BYTES - (received - Math.min(written, h.hashed));
    await new Promise<void>((resolve, reject) => {
      const pump = () => {
        const at = written % RING_BYTES;
        const last = ended || failure !== null;
        const n = out.writable(Math.min(received - written, RING_BYTES - at), last);
        if (!writing && !writeFailed && n > 0) {
          writing = true;
          out.write(ring, at, n).then(
            () => {
              writing = false;
              written += n;
              unsynced += n;
              if (unsynced >= SYNC_EVERY && !syncing && !out.isDirect) {
                unsynced = 0;
                syncing = out
                  .datasync()
                  .catch(() => undefined)
                  .finally(() => (syncing = null));
              }
              wake();
            },
            (e: unknown) => {
              writing = false;
              writeFailed = true;
              failure = e;
              res.destroy(e as Error);
              pump();
            },
          );
        }
        if (writing) return;
        if (failure !== null && (writeFailed || written === received)) reject(failure);
        else if (failure === null && ended && written === received) resolve();
      };
      wake = (e) => {
        if (e) {
          failure ??= e;
          res.destroy(e);
        }
        pump();
        if (waiting && failure === null && free() >= READ_BYTES) {
          waiting = false;
          res.unpause();
        }
      };
      const sink: BodySink = {
        space: () => {
          const at = received % RING_BYTES;
          return ring.subarray(at, at + Math.min(READ_BYTES, RING_BYTES - at, free()));
        },
        commit: (n) => {
          if (n === 0) return !waiting;
          received += n;
          h.received(received);
          o.onBytes(o.start + received);
          pump();
          if (free() < READ_BYTES) waiting = true;
          return !waiting;
        },
        end: () => {
          ended = true;
          pump();
        },
        fail: (e) => {
          // A cancel reports the signal's reason, as an aborted fetch does.
          failure ??= o.signal?.aborted ? (o.signal.reason ?? e) : e;
          pump();
        },
      };
      res.pipe(sink);
    });
    return { bytes: o.start + received, hex: await h.digest() };
  } finally {
    hasher?.close();
    await syncing;
    await out.close();
  }
}
