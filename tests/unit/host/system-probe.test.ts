import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestExistingDir, probeDisk, probeSystem } from '../../../main/host/system-probe.js';

describe('system probe', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-sys-'));
    await fs.writeFile(path.join(dir, 'file'), 'x');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('walks up to the nearest existing directory, past files and missing parts', async () => {
    expect(await nearestExistingDir(path.join(dir, 'a', 'b', 'c'))).toBe(dir);
    expect(await nearestExistingDir(path.join(dir, 'file', 'sub'))).toBe(dir);
    expect(await nearestExistingDir(dir)).toBe(dir);
  });

  it('measures free space for a data dir that does not exist yet, naming the data dir', async () => {
    const target = path.join(dir, 'not', 'yet');
    const disk = await probeDisk(target);
    const st = await fs.statfs(dir);
    expect(disk?.path).toBe(target);
    expect(disk?.totalMiB).toBe(Math.floor((st.blocks * st.bsize) / 2 ** 20));
    expect(disk?.freeMiB).toBeGreaterThan(0);
    expect(disk!.freeMiB).toBeLessThanOrEqual(disk!.totalMiB);
  });

  it('reports CPU, memory and OS from the machine', async () => {
    const s = await probeSystem(dir);
    expect(s.os).toEqual({ platform: os.platform(), release: os.release(), arch: os.arch() });
    expect(s.cpu.count).toBeGreaterThan(0);
    expect(s.cpu.model).not.toBe('');
    expect(s.memory.totalMiB).toBe(Math.floor(os.totalmem() / 2 ** 20));
    expect(s.memory.freeMiB).toBeLessThanOrEqual(s.memory.totalMiB);
  });
});
