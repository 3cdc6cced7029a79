import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importImage } from '../../main/images/import.js';
import { inspectImage } from '../../main/images/inspect.js';
import { defaultRunner } from '../../main/images/qemu-img.js';
import type { ImageLibrary } from '../../main/images/types.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  expectRejects,
  isoBytes,
  spyRunner,
  tempDir,
  vmdkDescriptor,
} from '../unit/images/fixtures.js';

/**
 * Hostile and damaged images against the real qemu-img. Every file here is made inside the
 * test's temp dir; qemu-img never gets a host file to open for writing (ENVIRONMENT.md).
 */

const hasQemuImg = backendAvailable('qemu-img');

let tmp: ReturnType<typeof tempDir>;
let library: ImageLibrary;
let incoming: string;
beforeAll(() => {
  tmp = tempDir('genos-images-safety-');
  library = { dir: path.join(tmp.dir, 'library') };
  incoming = path.join(tmp.dir, 'incoming');
  fs.mkdirSync(library.dir);
  fs.mkdirSync(incoming);
});
afterAll(() => tmp.cleanup());

const qemuImg = (...args: string[]) => execFileSync('qemu-img', args, { encoding: 'utf8' });

describe.skipIf(!hasQemuImg)('hostile and damaged images, real qemu-img', () => {
  it('a qcow2 whose backing file is /etc/passwd is refused by the header check; qemu-img never runs on it', async () => {
    const evil = path.join(incoming, 'evil.qcow2');
    // -u: qemu-img records the name without opening /etc/passwd.
    qemuImg('create', '-q', '-f', 'qcow2', '-u', '-F', 'raw', '-b', '/etc/passwd', evil, '1M');
    const spy = spyRunner(defaultRunner);
    for (const mode of ['copy', 'reference'] as const) {
      await expectRejects(
        importImage({ source: evil, library, mode, runner: spy }),
        'BAD_ARGS',
        /qcow2 header names the backing file "\/etc\/passwd".*outside the image library/,
      );
    }
    expect(spy.calls).toEqual([]);
    expect(fs.readdirSync(library.dir)).toEqual([]);
  });

  it('a qcow2 with an external data file outside the library is refused', async () => {
    // The data file is created INSIDE the temp dir (qemu-img opens it for writing); the image is
    // then imported into a library that the data file is not part of.
    const dataDir = path.join(tmp.dir, 'elsewhere');
    fs.mkdirSync(dataDir);
    const made = path.join(dataDir, 'img.qcow2');
    const data = path.join(dataDir, 'data.raw');
    qemuImg('create', '-q', '-f', 'qcow2', '-o', `data_file=${data}`, made, '4M');
    const moved = path.join(incoming, 'with-data.qcow2');
    fs.renameSync(made, moved);
    const spy = spyRunner(defaultRunner);
    await expectRejects(
      importImage({ source: moved, library, mode: 'reference', runner: spy }),
      'BAD_ARGS',
      /qcow2 header names the external data file ".*elsewhere\/data\.raw".*outside the image library/,
    );
    expect(spy.calls).toEqual([]);
    // The same image is fine once its data file is part of the library (referenced): then
    // qemu-img info runs and reports the same data file.
    const ok = await importImage({
      source: moved,
      library: { ...library, referenced: [data] },
      mode: 'reference',
      hash: false,
    });
    expect(ok.format).toBe('qcow2');
    expect(ok.info.refs).toEqual([data]);
  });

  it('a VMDK descriptor whose extent is /etc/hostname is refused without qemu-img opening it', async () => {
    const evil = path.join(incoming, 'evil.vmdk');
    fs.writeFileSync(evil, vmdkDescriptor('/etc/hostname', 1));
    const spy = spyRunner(defaultRunner);
    for (const format of [undefined, 'vmdk'] as const) {
      await expectRejects(
        importImage({ source: evil, library, mode: 'reference', format, runner: spy }),
        'BAD_ARGS',
        /VMDK descriptor names the extent "\/etc\/hostname"/,
      );
    }
    expect(spy.calls).toEqual([]);
  });

  it('a raw disk that begins with a qcow2 header, imported as raw, stays raw', async () => {
    const made = path.join(incoming, 'looks-like.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', made, '64M');
    const disk = path.join(incoming, 'disk.img');
    fs.copyFileSync(made, disk);
    fs.truncateSync(disk, 2 * 1024 * 1024); // a 2 MiB raw disk whose first sectors hold it

    // Probed, qemu-img (and GenOS) would take it for a 64 MiB qcow2 ...
    const probed = await inspectImage(disk, { library });
    expect(probed).toMatchObject({
      format: 'qcow2',
      detectedBy: 'probed',
      virtualSize: 64 * 2 ** 20,
    });
    // ... but stated raw it is raw, and every qemu-img call says -f raw.
    const spy = spyRunner(defaultRunner);
    const rec = await importImage({
      source: disk,
      library,
      mode: 'copy',
      format: 'raw',
      runner: spy,
    });
    expect(rec).toMatchObject({ format: 'raw', virtualSize: 2 * 2 ** 20 });
    expect(rec.path).toMatch(/\.img$/);
    expect(spy.calls.length).toBeGreaterThan(0);
    for (const args of spy.calls) expect(args.join(' ')).toContain('-f raw');
    // And inspecting the library copy with its recorded format keeps it raw.
    const again = await inspectImage(rec.path, { library, format: rec.format, runner: spy });
    expect(again.format).toBe('raw');
  });

  it('a truncated qcow2 gets a clear error (header cut, and data cut)', async () => {
    const made = path.join(incoming, 'full.qcow2');
    const raw = path.join(incoming, 'data.raw');
    fs.writeFileSync(raw, Buffer.alloc(1024 * 1024, 0x77));
    qemuImg('convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, made);

    const header = path.join(incoming, 'header-cut.qcow2');
    fs.writeFileSync(header, fs.readFileSync(made).subarray(0, 60));
    await expectRejects(
      importImage({ source: header, library, mode: 'copy' }),
      'BAD_ARGS',
      /damaged or not a valid image: the qcow2 header check failed: the header is cut short/,
    );

    // Header and tables intact, data clusters gone: qemu-img info still opens it, so this is
    // caught by qemu-img check, run at import.
    const data = path.join(incoming, 'data-cut.qcow2');
    fs.writeFileSync(data, fs.readFileSync(made).subarray(0, 200_000));
    const info = JSON.parse(qemuImg('info', '--output=json', '-f', 'qcow2', data)) as {
      format: string;
    };
    expect(info.format).toBe('qcow2');
    await expectRejects(
      importImage({ source: data, library, mode: 'copy' }),
      'BAD_ARGS',
      /damaged or not a valid image: qemu-img check found 1 corruptions/,
    );
    expect(fs.readdirSync(library.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('a garbage file stated as qcow2 is refused with a clear message', async () => {
    const junk = path.join(incoming, 'junk.bin');
    fs.writeFileSync(junk, Buffer.alloc(8192, 1));
    await expectRejects(
      importImage({ source: junk, library, mode: 'reference', format: 'qcow2' }),
      'BAD_ARGS',
      /is not a qcow2 image/,
    );
  });

  it('an ISO is recognised by its CD001 signature; a VHD is unsupported', async () => {
    const iso = path.join(incoming, 'installer.iso');
    fs.writeFileSync(iso, isoBytes());
    const rec = await importImage({ source: iso, library, mode: 'copy' });
    expect(rec).toMatchObject({ format: 'iso', virtualSize: 0x10000, name: 'installer' });
    expect(rec.path).toMatch(/\.iso$/);

    const vhd = path.join(incoming, 'disk.vhd');
    qemuImg('create', '-q', '-f', 'vpc', vhd, '4M');
    await expectRejects(
      importImage({ source: vhd, library, mode: 'reference' }),
      'UNSUPPORTED',
      /VHD/,
    );
  });
});
