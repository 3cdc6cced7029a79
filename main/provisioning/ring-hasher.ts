import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { ChecksumAlgo } from './checksums.js';
import {
  CONTROL_BYTES,
  END,
  HASHED,
  RECEIVED,
  returnHashWorker,
  SEQ,
  STATE,
  STOP,
  takeHashWorker,
  WANTS_WAKE,
} from './hash-worker.js';

/**
 * Hashes a download's body from the ring it is received into (stream-to-file.ts), in order,
 * before the ring's room is reused. Positions count body bytes; byte p lies at p % ring size.
 * A resumed download's prefix (already in the .part) is hashed from the file first.
 */
export interface RingHasher {
  /** Body bytes [0, upTo) are in the ring. */
  received(upTo: number): void;
  /** Bytes hashed so far: ring room behind this may be reused. */
  readonly hashed: number;
  /** The receiver waits for room: report (onHashed) the next progress. `hashed` may already
   * have moved when this is called, so the receiver looks at it again afterwards. */
  wantRoom(): void;
  /** The digest of the prefix + the body, once every received byte is hashed. */
  digest(): Promise<string>;
  close(): void;
}

export type Prefix = { file: string; bytes: number };

/** On the receiving thread, as the bytes come: for small files (no worker start-up to pay). */
export async function inlineHasher(
  ring: Buffer,
  algo: ChecksumAlgo,
  prefix: Prefix | null,
): Promise<RingHasher> {
  const hash = createHash(algo);
  if (prefix) await hashPrefix(prefix.file, prefix.bytes, hash);
  let hashed = 0;
  return {
    received(upTo) {
      while (hashed < upTo) {
        const at = hashed % ring.length;
        const n = Math.min(upTo - hashed, ring.length - at);
        hash.update(ring.subarray(at, at + n));
        hashed += n;
      }
    },
    get hashed() {
      return hashed;
    },
    wantRoom() {},
    digest: () => Promise.resolve(hash.digest('hex')),
    close() {},
  };
}

export async function hashPrefix(file: string, bytes: number, hash: Hash): Promise<void> {
  if (bytes <= 0) return;
  for await (const c of createReadStream(file, {
    start: 0,
    end: bytes - 1,
    highWaterMark: 4 << 20,
  }))
    hash.update(c as Buffer);
}

/** The worker is woken for new bytes once this many have come since it was last woken (the
 * ring is far larger; the last bytes go with the digest's request). */
const SIGNAL_BYTES = 256 * 1024;

type Reply = { id: number; hashed?: number; hex?: string; error?: string; stopped?: boolean };

let jobs = 0;

/**
 * On a worker thread that reads the ring (a SharedArrayBuffer) in place: the receiving thread
 * only stores positions, never bytes, and the hash (~1.7 GB/s with SHA-NI, about as fast as a
 * loopback download) runs on another core. Reading the bytes back from the written file
 * instead, as GenOS did before, cost a second copy of every byte. See hash-worker.ts for how the
 * two threads share the positions.
 */
export class WorkerHasher implements RingHasher {
  private readonly worker: Worker;
  private readonly id = ++jobs;
  private readonly i32: Int32Array;
  private readonly pos: BigInt64Array;
  private signalled = 0;
  private readonly signalBytes: number;
  private crashed = false;
  private ending: ((r: Reply) => void) | null = null;
  private failed: Reply | null = null;

  /** `onHashed` is called as the worker catches up after wantRoom(), or when it fails. */
  constructor(
    ring: Buffer,
    algo: ChecksumAlgo,
    prefix: Prefix | null,
    private readonly onHashed: (error?: Error) => void,
  ) {
    if (!(ring.buffer instanceof SharedArrayBuffer))
      throw new Error('WorkerHasher needs a ring on a SharedArrayBuffer');
    this.signalBytes = Math.min(SIGNAL_BYTES, ring.length / 4);
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.i32 = new Int32Array(control, 0, 4);
    this.pos = new BigInt64Array(control, 16, 2);
    this.worker = takeHashWorker();
    this.worker.on('message', (m: Reply) => {
      if (m.id === this.id) this.onReply(m);
    });
    this.worker.once('error', (e) => {
      this.crashed = true;
      this.onReply({ id: this.id, error: e.message });
    });
    const { buffer, byteOffset, length } = ring;
    this.worker.postMessage({
      id: this.id,
      ring: buffer,
      byteOffset,
      length,
      control,
      algo,
      prefix,
    });
  }

  get hashed(): number {
    return Number(Atomics.load(this.pos, HASHED));
  }

  received(upTo: number): void {
    Atomics.store(this.pos, RECEIVED, BigInt(upTo));
    // A slow link's many small reads would each wake a caught-up worker for a few KiB.
    if (upTo - this.signalled < this.signalBytes) return;
    this.signalled = upTo;
    this.signal();
  }

  wantRoom(): void {
    Atomics.store(this.i32, WANTS_WAKE, 1);
    this.signal();
  }

  digest(): Promise<string> {
    return new Promise<Reply>((resolve) => {
      if (this.failed) return resolve(this.failed);
      this.ending = resolve;
      Atomics.store(this.i32, STATE, END);
      this.signal();
    }).then((r) => {
      if (r.error !== undefined || r.hex === undefined)
        throw new Error(`hashing the download failed: ${r.error ?? 'no digest'}`);
      return r.hex;
    });
  }

  /** Always called by the owner: an unfinished job is stopped, and the worker kept unless it
   * crashed (a reply of this job that comes later is told apart by its id). */
  close(): void {
    Atomics.store(this.i32, STATE, STOP);
    this.signal();
    returnHashWorker(this.worker, !this.crashed);
  }

  private signal(): void {
    Atomics.add(this.i32, SEQ, 1);
    Atomics.notify(this.i32, SEQ);
  }

  private onReply(m: Reply): void {
    if (m.error !== undefined) {
      this.failed = m;
      this.ending?.(m);
      this.onHashed(new Error(`hashing the download failed: ${m.error}`));
      return;
    }
    if (m.hex !== undefined) this.ending?.(m);
    else if (m.hashed !== undefined) this.onHashed();
  }
}
