import type { ChecksumAlgo } from './checksums.js';
import type { BodySink, HttpResponse } from './http-response.js';
import { PartWriter } from './part-writer.js';
import { inlineHasher, WorkerHasher, type RingHasher } from './ring-hasher.js';

/** The ring the body is received into; its room is reused once written and hashed. In
 * download-bench.ts, with two writes in flight and the worker following by itself, 16 MiB did
 * best: with 8 the socket still waited on disk hiccups of ~10 ms, and 32 did no better while
 * the hash read more of its bytes from memory instead of the CPU's cache (~1.15 vs 1.5 GB/s). */
const RING_BYTES = 16 * 1024 * 1024;
/** Writes in flight at once (each one a range of the ring, placed by its offset): with one, the
 * disk idled while each completion waited its turn in this thread's event loop. */
const MAX_WRITES = 2;
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
 * socket reads straight into one ring of memory; a write takes everything received and not yet
 * handed to one (up to MAX_WRITES in flight, so batches grow with the link's speed and no timer
 * is needed), directly to the disk where possible (part-writer.ts); the hash reads the same
 * memory, here or on a worker. No byte is copied in user space, and the fsync before the rename
 * has little left to do.
 *
 * Measured with scripts/bench/download-bench.ts (256 MiB from 127.0.0.1, 2 cores): node:http
 * 'data' events, writev batches and a worker reading the written file back did ~43 % of
 * curl -o; reading into a ring hashed in place on a worker, ~67 %; with direct I/O, ~80-89 %;
 * with the worker following the ring through shared positions and two writes in flight,
 * 105-113 % from a sendfile server. From a server that itself takes a core of this 2-core
 * machine it stays ~72 %: there the SHA-256 of every byte is CPU that curl does not spend.
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
    /** Handed to writes, and written (the part of that with no write still in flight before it). */
    let issued = 0;
    let written = 0;
    /** In order; a failed one stays, so `written` never passes its hole. */
    const writes: { end: number; done: boolean; failed: boolean }[] = [];
    let unsynced = 0;
    let ended = false;
    let waiting = false;
    let failure: unknown = null;
    let writeFailed = false;

    const free = () => RING_BYTES - (received - Math.min(written, h.hashed));
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        if (writes.some((w) => !w.done) || settled) return;
        if (failure !== null && (writeFailed || written === received)) {
          settled = true;
          if (!writeFailed) reject(failure);
          else
            void out
              .truncate(written)
              .catch(() => undefined)
              .then(() => reject(failure));
        } else if (failure === null && ended && written === received) {
          settled = true;
          resolve();
        }
      };
      const pump = () => {
        while (writes.filter((w) => !w.done).length < MAX_WRITES && !writeFailed) {
          const at = issued % RING_BYTES;
          const last = (ended || failure !== null) && writes.length === 0;
          const n = out.writable(Math.min(received - issued, RING_BYTES - at), last);
          if (n <= 0) break;
          const w = { end: issued + n, done: false, failed: false };
          writes.push(w);
          out.write(ring, at, n, issued).then(
            () => {
              w.done = true;
              while (writes[0]?.done && !writes[0].failed) written = writes.shift()!.end;
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
              w.done = true;
              w.failed = true;
              // The disk's refusal (a full disk) is what the user needs to hear, not the socket's.
              if (!writeFailed) failure = e;
              writeFailed = true;
              res.destroy(e as Error);
              settle();
            },
          );
          issued += n;
        }
        settle();
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
          if (free() < READ_BYTES) h.wantRoom();
          // Looked at again: the hash may have moved on before it saw the wish.
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
