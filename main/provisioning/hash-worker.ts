import { Worker } from 'node:worker_threads';

/**
 * The thread that hashes a download's ring (ring-hasher.ts), and the one such thread kept
 * between downloads: starting a worker costs ~25 ms of CPU and, at loopback speed, stalls the
 * first 16 MiB of a download until it runs. One job at a time: `start` (ring, algorithm, the
 * .part prefix to hash from the file first), then `upTo` positions, the last with `end`.
 */
const CODE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
let job = null;
function hashFile(hash, file, bytes) {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(bytes, 4 << 20));
    for (let pos = 0; pos < bytes; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, bytes - pos), pos);
      if (n === 0) throw new Error('the .part ends at ' + pos + ' bytes, before the ' + bytes + ' it had');
      hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on('message', (m) => {
  if (m.start) {
    const { ring, byteOffset, length, algo, prefix } = m.start;
    job = { hash: createHash(algo), ring: Buffer.from(ring, byteOffset, length), hashed: 0, failed: null };
    try {
      if (prefix && prefix.bytes > 0) hashFile(job.hash, prefix.file, prefix.bytes);
    } catch (e) {
      job.failed = String((e && e.message) || e);
    }
    return;
  }
  if (job.failed !== null) return parentPort.postMessage({ error: job.failed });
  const ring = job.ring;
  while (job.hashed < m.upTo) {
    const at = job.hashed % ring.length;
    const n = Math.min(m.upTo - job.hashed, ring.length - at);
    job.hash.update(ring.subarray(at, at + n));
    job.hashed += n;
  }
  if (!m.end) return parentPort.postMessage({ hashed: job.hashed });
  const done = { hashed: job.hashed, hex: job.hash.digest('hex') };
  job = null;
  parentPort.postMessage(done);
});
`;

/** An idle worker is ended after this long, so a finished download does not hold a thread. */
const KEEP_IDLE_MS = 60_000;

let idle: { worker: Worker; timer: NodeJS.Timeout } | null = null;

export function takeHashWorker(): Worker {
  if (idle) {
    const { worker, timer } = idle;
    idle = null;
    clearTimeout(timer);
    // Referenced while in use: when the socket waits for the hash, the worker is what keeps
    // the event loop alive.
    worker.ref();
    return worker;
  }
  // The parent's flags (a loader, --input-type=module) would change how CODE is read.
  return new Worker(CODE, { eval: true, execArgv: [] });
}

/** Back to the idle slot after a job that ended with its digest; anything else is ended. */
export function returnHashWorker(worker: Worker, clean: boolean): void {
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  if (!clean || idle) {
    void worker.terminate();
    return;
  }
  worker.unref();
  const timer = setTimeout(() => {
    if (idle?.worker === worker) idle = null;
    void worker.terminate();
  }, KEEP_IDLE_MS);
  timer.unref();
  idle = { worker, timer };
}
