import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrailingHasher } from '../../../main/provisioning/trailing-hasher.js';

describe('TrailingHasher', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-hasher-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('hashes what is written, in pieces, behind the writer (the file may not exist yet)', async () => {
    const file = path.join(dir, 'f.part');
    const hasher = new TrailingHasher(file, 'sha256');
    const pieces = [randomBytes(5 << 20), randomBytes(1), randomBytes(3 << 20)];
    let written = 0;
    for (const p of pieces) {
      await fs.appendFile(file, p);
      written += p.length;
      hasher.written(written);
    }
    const expected = createHash('sha256').update(Buffer.concat(pieces)).digest('hex');
    expect(await hasher.digest(written)).toBe(expected);
    hasher.close();
  });

  it('hashes only the first `end` bytes, and fails when the file is shorter than that', async () => {
    const file = path.join(dir, 'g.part');
    const data = randomBytes(1 << 20);
    await fs.writeFile(file, data);
    const first = new TrailingHasher(file, 'sha512');
    expect(await first.digest(1000)).toBe(
      createHash('sha512').update(data.subarray(0, 1000)).digest('hex'),
    );
    first.close();
    const short = new TrailingHasher(file, 'sha256');
    await expect(short.digest(data.length + 1)).rejects.toThrow(/ends at 1048576 bytes/);
    short.close();
  });
});
