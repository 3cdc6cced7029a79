import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  inlineHasher,
  WorkerHasher,
  type Prefix,
  type RingHasher,
} from '../../../main/provisioning/ring-hasher.js';
import { returnHashWorker, takeHashWorker } from '../../../main/provisioning/hash-worker.js';

/** The download's hashers read the receive ring in place, wrapping around, after a file prefix. */
describe('ring hashers', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-hasher-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Feeds `body` through the ring in pieces (up to 1 MiB, as the socket reads), reusing room
   * only once it is hashed, and asking to be woken for room as stream-to-file does. */
  async function feed(h: RingHasher, ring: Buffer, body: Buffer, wait: () => Promise<void>) {
    const sizes = [5, 300_000, 1 << 20, 1, 700_000];
    for (let at = 0, i = 0; at < body.length; i++) {
      const end = Math.min(body.length, at + sizes[i % sizes.length]!);
      while (end - h.hashed > ring.length) {
        h.wantRoom();
        if (end - h.hashed > ring.length) await wait();
      }
      for (let p = at; p < end; p++) ring[p % ring.length] = body[p]!;
      h.received(end);
      at = end;
    }
  }

  for (const kind of ['worker', 'inline'] as const) {
    it(`${kind}: the digest covers the prefix from the file and every ring byte in order`, async () => {
      const prefixBytes = randomBytes(3 << 20);
      const body = randomBytes((9 << 20) + 12345);
      const file = path.join(dir, 'f.part');
      await fs.writeFile(file, Buffer.concat([prefixBytes, randomBytes(100)]));
      const prefix: Prefix = { file, bytes: prefixBytes.length };
      const ring = Buffer.from(new SharedArrayBuffer(4 << 20));
      let wake = () => {};
      const h =
        kind === 'worker'
          ? new WorkerHasher(ring, 'sha256', prefix, () => wake())
          : await inlineHasher(ring, 'sha256', prefix);
      await feed(h, ring, body, () => new Promise<void>((r) => (wake = r)));
      const expected = createHash('sha256').update(prefixBytes).update(body).digest('hex');
      expect(await h.digest()).toBe(expected);
      expect(h.hashed).toBe(body.length);
      h.close();
    });
  }

  it('a prefix longer than the file fails the digest, saying where the file ends', async () => {
    const file = path.join(dir, 'short.part');
    await fs.writeFile(file, randomBytes(1000));
    const errors: Error[] = [];
    const h = new WorkerHasher(
      Buffer.from(new SharedArrayBuffer(1 << 16)),
      'sha512',
      { file, bytes: 5000 },
      (e) => e && errors.push(e),
    );
    await expect(h.digest()).rejects.toThrow(/ends at 1000 bytes, before the 5000/);
    expect(errors[0]?.message).toMatch(/hashing the download failed/);
    h.close();
  });

  it('a job closed half way frees its worker for the next, which hashes only its own bytes', async () => {
    const ring = Buffer.from(new SharedArrayBuffer(4 << 20));
    ring.set(randomBytes(ring.length));
    const stopped = new WorkerHasher(ring, 'sha256', null, () => {});
    stopped.received(ring.length);
    stopped.wantRoom();
    stopped.close();
    const body = randomBytes(3 << 20);
    const next = Buffer.from(new SharedArrayBuffer(1 << 20));
    let wake = () => {};
    const h = new WorkerHasher(next, 'sha256', null, () => wake());
    await feed(h, next, body, () => new Promise<void>((r) => (wake = r)));
    expect(await h.digest()).toBe(createHash('sha256').update(body).digest('hex'));
    h.close();
  });

  it('keeps a worker whose job ended for the next download, and ends one that did not', async () => {
    const first = takeHashWorker();
    returnHashWorker(first, true);
    const again = takeHashWorker();
    expect(again).toBe(first);
    const exited = new Promise((r) => again.once('exit', r));
    returnHashWorker(again, false);
    await exited;
    const fresh = takeHashWorker();
    expect(fresh).not.toBe(first);
    returnHashWorker(fresh, false);
  });
});
