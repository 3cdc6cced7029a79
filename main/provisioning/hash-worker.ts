import { Worker } from 'node:worker_threads';

/**
 * The thread that hashes a download's ring (ring-hasher.ts), and the one such thread kept
 * between downloads: starting a worker costs ~25 ms of CPU and, at loopback speed, stalls the
 * first 16 MiB of a download until it runs.
 *
 * One job at a time, started by a message (an id that its replies carry, the ring, a control
 * block, the algorithm, the .part prefix to hash from the file first); a reused worker may still
 * send a stopped job's last reply, which the id tells apart. During the job the two threads talk through the control block
 * (HashControl) alone: the receiver stores how far the ring is filled and wakes the worker with
 * Atomics.notify; the worker hashes whatever is there, publishes how far it got after each MiB and
 * sleeps in Atomics.wait when it has caught up. Messages go back only to wake a receiver that
 * waits for room, with the digest, or with an error. With a message per step instead, the worker
 * idled while its "go on" waited its turn in the receiver's busy event loop, and the socket then
 * waited on the hash (scripts/bench/download-bench.ts).
 */
export const CONTROL_BYTES = 32;
/** Int32 slots. */
export const SEQ = 0; // bumped by the receiver after each change, for Atomics.wait/notify
export const STATE = 1; // RUN, END (digest once all is hashed), STOP (abandon the job)
export const WANTS_WAKE = 2; // 1: the receiver waits for room; post { hashed } after the next step
/** BigInt64 slots, 16 bytes in. */
export const RECEIVED = 0;
export const HASHED = 1;
export const RUN = 0;
export const END = 1;
export const STOP = 2;

const CODE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const [SEQ, STATE, WANTS_WAKE, RECEIVED, HASHED, END, STOP] = [${SEQ}, ${STATE}, ${WANTS_WAKE}, ${RECEIVED}, ${HASHED}, ${END}, ${STOP}];
const STEP = 1 << 20;
function hashFile(hash, file, bytes, i32) {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(bytes, 4 << 20));
    for (let pos = 0; pos < bytes && Atomics.load(i32, STATE) !== STOP; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, bytes - pos), pos);
      if (n === 0) throw new Error('the .part ends at ' + pos + ' bytes, before the ' + bytes + ' it had');
      hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
function run({ ring: sab, byteOffset, length, control, algo, prefix }, id) {
  const ring = Buffer.from(sab, byteOffset, length);
  const i32 = new Int32Array(control, 0, 4);
  const pos = new BigInt64Array(control, 16, 2);
  const hash = createHash(algo);
  if (prefix && prefix.bytes > 0) hashFile(hash, prefix.file, prefix.bytes, i32);
  let hashed = 0;
  for (;;) {
    const seq = Atomics.load(i32, SEQ);
    const upTo = Number(Atomics.load(pos, RECEIVED));
    if (hashed < upTo) {
      const at = hashed % length;
      const n = Math.min(upTo - hashed, length - at, STEP);
      hash.update(ring.subarray(at, at + n));
      hashed += n;
      Atomics.store(pos, HASHED, BigInt(hashed));
      if (Atomics.exchange(i32, WANTS_WAKE, 0) === 1) parentPort.postMessage({ id, hashed });
      continue;
    }
    const state = Atomics.load(i32, STATE);
    if (state === STOP) return { stopped: true };
    // The receiver stores the last position before END, so it is visible now.
    if (state === END && Number(Atomics.load(pos, RECEIVED)) === hashed)
      return { hashed, hex: hash.digest('hex') };
    if (state !== END) Atomics.wait(i32, SEQ, seq, 1000);
  }
}
parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ id: job.id, ...run(job, job.id) });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String((e && e.message) || e) });
  }
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
