import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartWriter } from '../../../main/provisioning/part-writer.js';

/**
 * The .part writer: direct I/O in whole blocks where the file system takes it (ext4 does; a
 * tmpfs does not, and then every write is buffered), the tail buffered, the bytes always right.
 */
describe('PartWriter', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-part-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function writeThrough(file: string, append: boolean, data: Buffer): Promise<boolean[]> {
    const { writer, ring } = await PartWriter.open(file, append, 1 << 20);
    const modes = [writer.isDirect];
    let at = 0;
    while (at < data.length) {
      const ready = Math.min(data.length - at, 300_000);
      const last = at + ready === data.length;
      const n = writer.writable(ready, last);
      data.copy(ring, 0, at, at + n);
      await writer.write(ring, 0, n, at);
      at += n;
      modes.push(writer.isDirect);
    }
    await writer.close();
    return modes;
  }

  it('writes whole blocks, then the tail, and the file holds exactly the bytes', async () => {
    const file = path.join(dir, 'a.part');
    const data = randomBytes(1_000_003);
    const modes = await writeThrough(file, false, data);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    // Direct until the partial last block, or buffered throughout.
    if (modes[0]) expect(modes.at(-1)).toBe(false);
    else expect(modes.every((m) => !m)).toBe(true);
  });

  it('appends to a .part being resumed: direct at a block boundary, buffered otherwise', async () => {
    for (const kept of [8192, 5000]) {
      const file = path.join(dir, `r${kept}.part`);
      const head = randomBytes(kept);
      fs.writeFileSync(file, head);
      const rest = randomBytes(200_000);
      const modes = await writeThrough(file, true, rest);
      // The probe that finds the ring's aligned offset leaves nothing behind.
      expect(fs.readFileSync(file).equals(Buffer.concat([head, rest]))).toBe(true);
      if (kept % 4096 !== 0) expect(modes[0]).toBe(false);
    }
  });

  it('starting over truncates what was there', async () => {
    const file = path.join(dir, 'old.part');
    fs.writeFileSync(file, randomBytes(50_000));
    const data = randomBytes(4096 * 3);
    await writeThrough(file, false, data);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
  });

  it('writes in flight together land at their own offsets, and truncate cuts after a body offset', async () => {
    const file = path.join(dir, 'par.part');
    const head = randomBytes(8192);
    fs.writeFileSync(file, head);
    const { writer, ring } = await PartWriter.open(file, true, 1 << 20);
    const data = randomBytes(3 * 65536);
    data.copy(ring);
    // The later range first, all three at once: the order they finish in does not matter.
    await Promise.all([
      writer.write(ring, 131072, 65536, 131072),
      writer.write(ring, 0, 65536, 0),
      writer.write(ring, 65536, 65536, 65536),
    ]);
    expect(fs.readFileSync(file).equals(Buffer.concat([head, data]))).toBe(true);
    await writer.truncate(65536);
    await writer.close();
    expect(fs.readFileSync(file).equals(Buffer.concat([head, data.subarray(0, 65536)]))).toBe(true);
  });
});
