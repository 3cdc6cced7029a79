import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvRef } from '../../main/backends/backend.js';
import type { LibraryImage } from '../../main/backends/qemu/env-disks.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import * as qmpc from '../../main/backends/qemu/qmp-commands.js';
import type { EnvironmentSpec, HostInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import { fakeSpec } from '../unit/qemu/argv-fixtures.js';
import { killAllUnder, shortDataDir, tcgHost } from '../helpers/vm-test-env.js';

/**
 * Disk-image boot sources with real qemu and qemu-img: a library qcow2 becomes a per-env overlay
 * (the base never changes), disk snapshots live and offline, live snapshots stored in the
 * overlay, an ISO attached read-only with a new blank disk, and the AHCI fallback. Nothing here
 * boots an OS (SeaBIOS finds no boot loader), which is all these checks need.
 */

const noop = () => undefined;
const signal = new AbortController().signal;

type Node = { 'node-name': string; drv: string; ro: boolean; file: string };

const sha = async (f: string) =>
  createHash('sha256')
    .update(await fs.readFile(f))
    .digest('hex');
const snapshotsIn = (file: string) =>
  (
    JSON.parse(
      execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' }),
    ) as {
      snapshots?: Array<{ name: string; 'vm-state-size': number }>;
    }
  ).snapshots ?? [];

describe.skipIf(!backendAvailable('qemu') || !backendAvailable('qemu-img'))(
  'qemu disk images',
  () => {
    let guest: TestGuest;
    let host: HostInfo;
    let dataDir: string;
    let libDir: string;
    let backend: QemuBackend;
    const images = new Map<string, LibraryImage>();

    const envFor = (id: string, imageId: string, over: Partial<EnvironmentSpec> = {}): EnvRef => ({
      id,
      spec: fakeSpec({
        resources: { cpus: 1, memoryMiB: 64, diskGiB: 1 },
        image: { kind: 'library', imageId },
        ...over,
      }),
      handles: {},
    });

    async function nodes(env: EnvRef): Promise<Node[]> {
      const inst = await backend.instances.require(env.id);
      return (await inst.control()).execute<Node[]>('query-named-block-nodes', { flat: true });
    }

    beforeAll(async () => {
      guest = await ensureTestGuest();
      host = await tcgHost();
      dataDir = await shortDataDir('disk');
      libDir = path.join(dataDir, 'library');
      await fs.mkdir(libDir);
      await fs.copyFile(guest.disk, path.join(libDir, 'base.qcow2'));
      images.set('base', {
        path: path.join(libDir, 'base.qcow2'),
        format: 'qcow2',
        virtualSize: guest.diskSizeBytes,
      });
      const iso = path.join(libDir, 'installer.iso');
      await fs.writeFile(iso, Buffer.alloc(2 * 1024 * 1024));
      images.set('iso', { path: iso, format: 'iso', virtualSize: 2 * 1024 * 1024 });
      backend = new QemuBackend({
        dataDir,
        lookupImage: (id) => images.get(id),
        library: { dir: libDir },
      });
    }, 300_000);

    afterAll(async () => {
      await backend?.detachAll();
      if (dataDir) await killAllUnder(dataDir);
    });

    it('boots a library image through a qcow2 overlay, snapshots it, and keeps the base pristine', async () => {
      const base = images.get('base')!.path;
      const before = await sha(base);
      const env = envFor('disk1', 'base');
      const handles = await backend.create(env, host, noop, signal);
      const overlay = path.join(String(handles.envDir), 'disk.qcow2');
      const info = JSON.parse(
        execFileSync('qemu-img', ['info', '--output=json', overlay], { encoding: 'utf8' }),
      ) as {
        'backing-filename': string;
        'virtual-size': number;
      };
      expect(info['backing-filename']).toBe(await fs.realpath(base));
      expect(info['virtual-size']).toBe(1024 ** 3); // grown from 64 MiB to the spec's 1 GiB

      await backend.start(env, host, noop, signal);
      const disk0 = (await nodes(env)).find((n) => n['node-name'] === 'disk0')!;
      expect(disk0).toMatchObject({ drv: 'qcow2', ro: false, file: overlay });

      await backend.snapshot(env, 'd-running', 'disk');
      const live = await backend.snapshot(env, 'l1', 'live');
      expect(live.sizeBytes).toBeGreaterThan(0);
      await expect(backend.restore(env, 'd-running')).rejects.toMatchObject({ code: 'CONFLICT' });
      await backend.restore(env, 'l1'); // live restore of a disk-booted VM
      expect((await backend.inspect(env)).state).toBe('running');

      await backend.stop(env, 500); // SeaBIOS ignores ACPI: quit after the timeout
      await backend.snapshot(env, 'd-stopped', 'disk');
      await backend.restore(env, 'd-running');
      await expect(backend.restore(env, 'l1')).rejects.toMatchObject({ code: 'CONFLICT' });
      await backend.deleteSnapshot(env, 'l1');
      expect(snapshotsIn(overlay).map((s) => s.name)).toEqual(['d-running', 'd-stopped']);
      await expect(backend.deleteSnapshot(env, 'l1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await sha(base)).toBe(before);
    });

    it('boots an ISO read-only from the CD with a new blank disk of the spec size', async () => {
      const env = envFor('iso1', 'iso');
      await backend.start(env, host, noop, signal); // start creates what is missing
      const n = await nodes(env);
      expect(n.find((x) => x['node-name'] === 'cd0')).toMatchObject({ drv: 'raw', ro: true });
      const disk0 = n.find((x) => x['node-name'] === 'disk0')!;
      expect(disk0.drv).toBe('qcow2');
      const size = (
        JSON.parse(
          execFileSync('qemu-img', ['info', '-U', '--output=json', disk0.file], {
            encoding: 'utf8',
          }),
        ) as {
          'virtual-size': number;
        }
      )['virtual-size'];
      expect(size).toBe(1024 ** 3);
      await backend.kill(env);
    });

    it('falls back to AHCI and e1000 for a guest without virtio drivers, and qemu accepts it', async () => {
      const env = envFor('win', 'base', {
        os: { id: 'windows', version: '11' },
        network: { mode: 'isolated', ports: [] },
      });
      const plan = await backend.plan(env, host);
      expect(plan.backend === 'qemu' && plan.argv.join(' ')).toMatch(
        /ide-hd,bus=ide\.0.*model=e1000/,
      );
      await backend.start(env, host, noop, signal);
      expect((await backend.inspect(env)).state).toBe('running');
      await backend.remove(env);
      await expect(fs.stat(path.join(dataDir, 'qemu/win'))).rejects.toThrow();
    });

    it('passes paths with "," and "=" to qemu intact (",," escaping, named keys)', async () => {
      const odd = path.join(dataDir, 'a,b=c');
      await fs.mkdir(path.join(odd, 'library'), { recursive: true });
      const img = path.join(odd, 'library', 'x,y=z.qcow2');
      await fs.copyFile(images.get('base')!.path, img);
      const b = new QemuBackend({
        dataDir: odd,
        lookupImage: () => ({ path: img, format: 'qcow2', virtualSize: guest.diskSizeBytes }),
        library: { dir: path.join(odd, 'library') },
      });
      const env = envFor('odd', 'any', { display: 'gui' });
      try {
        await b.start(env, host, noop, signal);
        const inst = await b.instances.require('odd');
        const n = await (
          await inst.control()
        ).execute<Node[]>('query-named-block-nodes', { flat: true });
        expect(n.find((x) => x['node-name'] === 'disk0')?.file).toBe(
          path.join(odd, 'qemu/odd/disk.qcow2'),
        );
        const ep = await b.openDisplay(env);
        expect(ep.protocol === 'vnc' && (await fs.stat(ep.socketPath)).isSocket()).toBe(true);
        const vnc = await qmpc.queryVnc(await inst.control());
        expect(vnc).toMatchObject({ enabled: true, family: 'unix' });
      } finally {
        await b.kill(env);
      }
    });

    it('refuses an image id the library does not know, saying what to do', async () => {
      await expect(backend.plan(envFor('x', 'nope'), host)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('import it'),
      });
    });
  },
);
