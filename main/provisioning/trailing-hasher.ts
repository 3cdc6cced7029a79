import { Worker } from 'node:worker_threads';
import type { ChecksumAlgo } from './checksums.js';

/**
 * Hashes a file on a worker thread while it is being written, trailing the writer: the main
 * thread only receives and writes, and the worker reads back what has been written (from the
 * page cache) and hashes it on another core. Only offsets cross between the threads, never the
 * bytes (posting each batch to a worker cost a copy per byte and more CPU than hashing in place).
 * The worker opens the file on its first read, so the writer may still be creating it.
 */
const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const hash = require('node:crypto').createHash(workerData.algo);
const buf = Buffer.allocUnsafe(4 << 20);
let fd = null, pos = 0, target = 0, end = -1, failed = false;
function pump() {
  if (failed) return;
  try {
    while (pos < target) {
      if (fd === null) fd = fs.openSync(workerData.file, 'r');
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, target - pos), pos);
      if (n === 0) throw new Error('the file ends at ' + pos + ' bytes, before what was written');
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    if (end >= 0 && pos === end) {
      if (fd !== null) fs.closeSync(fd);
      parentPort.postMessage({ hex: hash.digest('hex') });
    }
  } catch (e) {
    failed = true;
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
}
parentPort.on('message', (m) => {
  if (typeof m.end === 'number') end = m.end;
  target = Math.max(target, m.upTo);
  pump();
});
`;

type Reply = { hex?: string; error?: string };

export class TrailingHasher {
  private readonly worker: Worker;
  private readonly reply: Promise<Reply>;

  constructor(file: string, algo: ChecksumAlgo) {
    this.worker = new Worker(CODE, { eval: true, workerData: { file, algo } });
    this.reply = new Promise<Reply>((resolve) => {
      this.worker.once('message', (m: Reply) => resolve(m));
      this.worker.once('error', (e) => resolve({ error: e.message }));
    });
    // A hasher left behind (a cancelled download) never keeps the process alive.
    this.worker.unref();
  }

  /** The first `upTo` bytes of the file are written and may be hashed. */
  written(upTo: number): void {
    this.worker.postMessage({ upTo });
  }

  /** The digest of the first `end` bytes, once the worker has caught up with them. */
  async digest(end: number): Promise<string> {
    this.worker.postMessage({ upTo: end, end });
    const r = await this.reply;
    if (r.error !== undefined || r.hex === undefined) {
      throw new Error(`hashing the download failed: ${r.error ?? 'no digest'}`);
    }
    return r.hex;
  }

  close(): void {
    void this.worker.terminate();
  }
}
