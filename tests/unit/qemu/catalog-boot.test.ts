import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootSourceFor } from '../../../main/backends/qemu/env-disks.js';
import { buildQemuArgv } from '../../../main/backends/qemu/qemu-argv.js';
import { QemuBackend } from '../../../main/backends/qemu/qemu-backend.js';
import { runtimePaths } from '../../../main/backends/qemu/runtime-paths.js';
import { fakeHost, fakeSpec, parseQemuOpts } from './argv-fixtures.js';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-catalog-boot-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Every file under dir, relative: the plan must not make any. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function optsOf(argv: string[], flag: string, match: (v: string) => boolean) {
  const i = argv.findIndex((a, j) => argv[j - 1] === flag && match(a));
  return i < 0 ? null : Object.fromEntries(parseQemuOpts(argv[i]!));
}

describe('the catalog boot source', () => {
  it('is an overlay in the env dir on the cached base, plus the seed; nothing is made', async () => {
    const envDir = path.join(dataDir, 'qemu', 'env1');
    const r = await bootSourceFor(
      fakeSpec({ os: { id: 'debian', version: '12' } }),
      envDir,
      undefined,
      {
        dataDir,
      },
    );
    expect(r.boot).toEqual({
      kind: 'disk',
      disk: { path: path.join(envDir, 'disk.qcow2'), format: 'qcow2' },
      seed: path.join(envDir, 'seed.iso'),
    });
    expect(r.catalog!.cached).toBe(false);
    expect(r.catalog!.entry.url).toMatch(/^https:\/\/.*debian-12.*\.qcow2$/);
    expect(path.dirname(path.dirname(r.catalog!.path))).toBe(path.join(dataDir, 'cache', 'images'));
    expect(r.catalog!.dropFile).toBe(path.basename(r.catalog!.entry.url));
    expect(filesUnder(dataDir)).toEqual([]);
  });

  it("takes the user's catalog.local.json entry over the built-in one", async () => {
    const sha = 'ab'.repeat(32);
    fs.writeFileSync(
      path.join(dataDir, 'catalog.local.json'),
      JSON.stringify({
        images: [
          {
            os: 'debian',
            version: '12',
            url: 'http://127.0.0.1:9/mine.qcow2',
            sha256: sha,
            format: 'qcow2',
          },
        ],
      }),
    );
    const r = await bootSourceFor(fakeSpec(), path.join(dataDir, 'qemu', 'e'), undefined, {
      dataDir,
    });
    expect(r.catalog!.entry.url).toBe('http://127.0.0.1:9/mine.qcow2');
    expect(r.catalog!.path).toBe(path.join(dataDir, 'cache', 'images', sha, 'mine.qcow2'));
  });

  it('says what to do for an OS version without a VM image', async () => {
    await expect(
      bootSourceFor(fakeSpec({ os: { id: 'debian', version: '10' } }), dataDir, undefined, {
        dataDir,
      }),
    ).rejects.toThrow(/no VM image for Debian 10.*catalog\.local\.json/);
  });
});

describe('the argv of a catalog VM', () => {
  const runtime = runtimePaths('/run/genos/env1');
  const boot = {
    kind: 'disk' as const,
    disk: { path: '/d/qemu/env1/disk.qcow2', format: 'qcow2' as const },
    seed: '/d/qemu/env1/seed.iso',
  };

  it('attaches the seed read-only as raw, never bootable, after the disk', () => {
    const { argv } = buildQemuArgv({ spec: fakeSpec(), host: fakeHost(), boot, runtime });
    const seed = optsOf(argv, '-blockdev', (a) => a.includes('node-name=seed0'))!;
    expect(seed).toMatchObject({
      driver: 'raw',
      'read-only': 'on',
      'file.driver': 'file',
      'file.filename': '/d/qemu/env1/seed.iso',
      'file.read-only': 'on',
    });
    const dev = optsOf(argv, '-device', (a) => a.includes('drive=seed0'))!;
    expect(dev['']).toBe('virtio-blk-pci');
    expect(dev.bootindex).toBeUndefined();
    const disk = argv.findIndex((a) => a.includes('drive=disk0'));
    expect(disk).toBeGreaterThan(-1);
    expect(disk).toBeLessThan(argv.findIndex((a) => a.includes('drive=seed0')));
  });

  it('uses an AHCI cdrom for guests without virtio', () => {
    const { argv } = buildQemuArgv({
      spec: fakeSpec(),
      host: fakeHost(),
      boot,
      runtime,
      profile: { virtio: false },
    });
    const dev = optsOf(argv, '-device', (a) => a.includes('drive=seed0'))!;
    expect(dev).toMatchObject({ '': 'ide-cd', bus: 'ide.2' });
  });

  it('leaves a disk without a seed as it was', () => {
    const { argv } = buildQemuArgv({
      spec: fakeSpec(),
      host: fakeHost(),
      boot: { kind: 'disk', disk: boot.disk },
      runtime,
    });
    expect(argv.join(' ')).not.toContain('seed0');
  });
});

describe('planning a catalog VM', () => {
  it('shows the overlay, the seed and where the base will come from, without downloading', async () => {
    const backend = new QemuBackend({ dataDir });
    const plan = await backend.plan(
      { id: 'dry-run', spec: fakeSpec({ apps: ['git'] }), handles: {} },
      fakeHost(),
    );
    const argv = plan.backend === 'qemu' ? plan.argv.join('\n') : '';
    expect(argv).toContain(path.join(dataDir, 'qemu', 'dry-run', 'disk.qcow2'));
    expect(argv).toContain(path.join(dataDir, 'qemu', 'dry-run', 'seed.iso'));
    const notes = plan.notes.join('\n');
    expect(notes).toMatch(/Base image: .*cache\/images.*not cached yet: downloaded from https:/);
    expect(notes).toMatch(/installing git will fail/);
    expect(filesUnder(dataDir)).toEqual([]);
  });
});
