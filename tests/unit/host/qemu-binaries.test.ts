import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseQemuVersion,
  probeQemuBinaries,
  type VersionRunner,
} from '../../../main/host/qemu-binaries.js';
import { pathDirs } from '../../../main/host/path-lookup.js';

describe('parseQemuVersion', () => {
  it.each([
    [
      'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022',
      '7.2.22',
    ],
    ['qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)', '7.2.22'],
    ['QEMU emulator version 2.11.1(Debian 1:2.11+dfsg-1ubuntu7.41)', '2.11.1'],
    ['QEMU emulator version 9.0.0\n', '9.0.0'],
    ['QEMU emulator version 8.2 (v8.2.0-rc1)', '8.2'],
  ])('reads %j as %s', (out, version) => {
    expect(parseQemuVersion(out)).toBe(version);
  });

  it('returns null for output that names no version', () => {
    expect(parseQemuVersion('qemu-system-x86_64: unknown option')).toBeNull();
    expect(parseQemuVersion('')).toBeNull();
  });
});

describe('probeQemuBinaries', () => {
  let root: string;
  let first: string;
  let second: string;

  async function exe(dir: string, name: string, mode = 0o755) {
    await fs.writeFile(path.join(dir, name), '#!/bin/false\n', { mode });
  }

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-qemu-bin-'));
    first = path.join(root, 'a');
    second = path.join(root, 'b');
    await fs.mkdir(first);
    await fs.mkdir(second);
    await exe(first, 'qemu-system-x86_64');
    await exe(first, 'qemu-system-x86_64-microvm');
    await exe(first, 'qemu-system-arm', 0o644); // not executable
    await exe(second, 'qemu-system-x86_64'); // shadowed by the first
    await exe(second, 'qemu-system-aarch64');
    await exe(second, 'qemu-system-riscv64');
    await exe(second, 'qemu-img');
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  const runner: VersionRunner = async (file) => {
    if (file.endsWith('riscv64')) throw new Error('Command failed: exit 1\nlong trace');
    if (file.endsWith('aarch64')) return 'garbage';
    return `QEMU emulator version ${file.startsWith(first) ? '8.1.0' : '7.2.0'} (test)`;
  };

  it('finds each arch once, first on PATH winning, and skips variants and non-executables', async () => {
    const env = {
      PATH: [first, 'relative/dir', '', path.join(root, 'missing'), second].join(path.delimiter),
    };
    const q = await probeQemuBinaries(env, runner);
    expect(q.systems).toEqual([
      { arch: 'x86_64', path: path.join(first, 'qemu-system-x86_64'), version: '8.1.0' },
    ]);
    expect(q.img).toEqual({ path: path.join(second, 'qemu-img'), version: '7.2.0' });
    expect(q.broken.map((b) => [b.name, b.error])).toEqual([
      ['qemu-system-aarch64', 'unrecognised --version output: garbage'],
      ['qemu-system-riscv64', '--version failed: Command failed: exit 1'],
    ]);
  });

  it('reports nothing when PATH holds no qemu', async () => {
    const q = await probeQemuBinaries({ PATH: root }, runner);
    expect(q).toEqual({ systems: [], img: null, broken: [] });
  });

  it('ignores relative PATH entries, which would depend on the working directory', () => {
    expect(
      pathDirs({ PATH: ['.', 'bin', '', '/usr/bin', '/usr/bin/'].join(path.delimiter) }),
    ).toEqual(['/usr/bin']);
  });
});
