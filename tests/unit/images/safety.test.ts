import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importImage } from '../../../main/images/import.js';
import { inspectImage } from '../../../main/images/inspect.js';
import { checkBeforeQemu } from '../../../main/images/safety.js';
import type { ImageLibrary } from '../../../main/images/types.js';
import {
  expectRejects,
  isoBytes,
  qcow2Bytes,
  sparseVmdkBytes,
  spyRunner,
  tempDir,
  vmdkDescriptor,
} from './fixtures.js';

/**
 * The checks that must stop a hostile image before qemu-img sees it. Every refusal here runs
 * with a spy runner that fails the test if qemu-img is called at all.
 */

let tmp: ReturnType<typeof tempDir>;
let library: ImageLibrary;
let incoming: string;
beforeEach(() => {
  tmp = tempDir();
  library = { dir: path.join(tmp.dir, 'library') };
  incoming = path.join(tmp.dir, 'incoming');
  fs.mkdirSync(library.dir);
  fs.mkdirSync(incoming);
});
afterEach(() => tmp.cleanup());

function put(dir: string, name: string, data: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

describe('refused before qemu-img runs', () => {
  it('a qcow2 whose backing file is /etc/passwd (inspect and import, either mode)', async () => {
    const file = put(incoming, 'evil.qcow2', qcow2Bytes({ backing: '/etc/passwd' }));
    const spy = spyRunner();
    const msg = /qcow2 header names the backing file "\/etc\/passwd".*outside the image library/;
    await expectRejects(inspectImage(file, { library, runner: spy }), 'BAD_ARGS', msg);
    await expectRejects(
      inspectImage(file, { library, runner: spy, format: 'qcow2' }),
      'BAD_ARGS',
      msg,
    );
    for (const mode of ['copy', 'reference'] as const) {
      await expectRejects(
        importImage({ source: file, library, mode, runner: spy }),
        'BAD_ARGS',
        msg,
      );
    }
    expect(spy.calls).toEqual([]);
    expect(fs.readdirSync(library.dir)).toEqual([]); // no partial copy left
  });

  it('a relative backing name that climbs out of the library, or a protocol, or a missing file', async () => {
    const spy = spyRunner();
    const climb = put(
      library.dir,
      'climb.qcow2',
      qcow2Bytes({ backing: '../../../../etc/passwd' }),
    );
    await expectRejects(inspectImage(climb, { library, runner: spy }), 'BAD_ARGS', /outside/);
    const nbd = put(library.dir, 'nbd.qcow2', qcow2Bytes({ backing: 'nbd://10.0.0.1/x' }));
    await expectRejects(inspectImage(nbd, { library, runner: spy }), 'BAD_ARGS', /protocol/);
    const json = put(library.dir, 'json.qcow2', qcow2Bytes({ backing: 'json:{"driver":"file"}' }));
    await expectRejects(inspectImage(json, { library, runner: spy }), 'BAD_ARGS', /protocol/);
    const gone = put(library.dir, 'gone.qcow2', qcow2Bytes({ backing: 'nope.raw' }));
    await expectRejects(inspectImage(gone, { library, runner: spy }), 'BAD_ARGS', /does not exist/);
    expect(spy.calls).toEqual([]);
  });

  it('a backing chain that leaves the library further down, or loops', async () => {
    const spy = spyRunner();
    put(library.dir, 'mid.qcow2', qcow2Bytes({ backing: '/etc/passwd' }));
    const top = put(library.dir, 'top.qcow2', qcow2Bytes({ backing: 'mid.qcow2' }));
    await expectRejects(
      inspectImage(top, { library, runner: spy }),
      'BAD_ARGS',
      /mid\.qcow2: its qcow2 header names the backing file "\/etc\/passwd"/,
    );
    put(library.dir, 'a.qcow2', qcow2Bytes({ backing: 'b.qcow2' }));
    const b = put(library.dir, 'b.qcow2', qcow2Bytes({ backing: 'a.qcow2' }));
    await expectRejects(inspectImage(b, { library, runner: spy }), 'BAD_ARGS', /circular/);
    expect(spy.calls).toEqual([]);
  });

  it('a symlink inside the library that points outside it does not count as inside', async () => {
    fs.symlinkSync('/etc/passwd', path.join(library.dir, 'link.raw'));
    const file = put(library.dir, 'viaLink.qcow2', qcow2Bytes({ backing: 'link.raw' }));
    await expectRejects(
      checkBeforeQemu(file, undefined, library),
      'BAD_ARGS',
      /backing file "link.raw", which is outside the image library/,
    );
  });

  it('an external data file outside the library, or one that is not named', async () => {
    const spy = spyRunner();
    const outside = put(tmp.dir, 'data.raw', Buffer.alloc(4096));
    const file = put(incoming, 'd.qcow2', qcow2Bytes({ dataFile: outside }));
    await expectRejects(
      inspectImage(file, { library, runner: spy }),
      'BAD_ARGS',
      /external data file ".*data\.raw", which is outside the image library/,
    );
    const unnamed = put(incoming, 'u.qcow2', qcow2Bytes({ externalDataBit: true }));
    await expectRejects(
      inspectImage(unnamed, { library, runner: spy }),
      'BAD_ARGS',
      /does not name/,
    );
    expect(spy.calls).toEqual([]);
  });

  it('a VMDK descriptor whose extent is /etc/hostname, probed or stated', async () => {
    const spy = spyRunner();
    const file = put(incoming, 'evil.vmdk', vmdkDescriptor('/etc/hostname'));
    const msg = /VMDK descriptor names the extent "\/etc\/hostname".*outside the image library/;
    await expectRejects(inspectImage(file, { library, runner: spy }), 'BAD_ARGS', msg);
    await expectRejects(
      inspectImage(file, { library, runner: spy, format: 'vmdk' }),
      'BAD_ARGS',
      msg,
    );
    await expectRejects(
      importImage({ source: file, library, mode: 'reference', runner: spy }),
      'BAD_ARGS',
      msg,
    );
    // Disguised: no "# Disk DescriptorFile" line; stated as vmdk qemu would still parse it.
    const bare = put(incoming, 'bare.vmdk', 'RW 8 FLAT "/etc/hostname" 0\n');
    await expectRejects(
      inspectImage(bare, { library, runner: spy, format: 'vmdk' }),
      'BAD_ARGS',
      msg,
    );
    const parent = put(incoming, 'p.vmdk', 'version=1\nparentFileNameHint="/etc/shadow"\n');
    await expectRejects(inspectImage(parent, { library, runner: spy }), 'BAD_ARGS', /parent image/);
    const commented = put(
      incoming,
      'c.vmdk',
      '# Disk DescriptorFile\n# parentFileNameHint="/etc/shadow"\n',
    );
    await expectRejects(
      inspectImage(commented, { library, runner: spy }),
      'BAD_ARGS',
      /parent image "\/etc\/shadow"/,
    );
    expect(spy.calls).toEqual([]);
  });

  it('a binary sparse VMDK whose embedded descriptor names host files', async () => {
    const spy = spyRunner();
    // capacity 0 + descriptor offset: qemu opens the embedded descriptor's extents.
    const extents = put(incoming, 'e.vmdk', sparseVmdkBytes(vmdkDescriptor('/etc/hostname')));
    await expectRejects(
      inspectImage(extents, { library, runner: spy }),
      'BAD_ARGS',
      /embedded VMDK descriptor names the extent "\/etc\/hostname"/,
    );
    // Any sparse VMDK: qemu looks for the parent hint at 0x200.
    const hint = sparseVmdkBytes(
      '# Disk DescriptorFile\nparentFileNameHint="/etc/passwd"\n',
      2048n,
    );
    await expectRejects(
      inspectImage(put(incoming, 'h.vmdk', hint), { library, runner: spy, format: 'vmdk' }),
      'BAD_ARGS',
      /embedded VMDK descriptor names the parent image "\/etc\/passwd"/,
    );
    expect(spy.calls).toEqual([]);
    // With a capacity, the embedded extents are not opened by qemu, so they do not count.
    const normal = put(
      incoming,
      'n.vmdk',
      sparseVmdkBytes(vmdkDescriptor('elsewhere.vmdk'), 2048n),
    );
    expect((await checkBeforeQemu(normal, undefined, library)).refs).toEqual([]);
  });

  it('a copy import of a multi-file VMDK, even with its extents in the library', async () => {
    put(library.dir, 'disk-flat.vmdk', Buffer.alloc(1024 * 1024));
    const file = put(library.dir, 'disk.vmdk', vmdkDescriptor('disk-flat.vmdk'));
    await expectRejects(
      importImage({ source: file, library, mode: 'copy', runner: spyRunner() }),
      'UNSUPPORTED',
      /multi-file VMDK/,
    );
  });

  it('a virtual size beyond the limit (qcow2 header and raw file size)', async () => {
    const spy = spyRunner();
    const big = put(incoming, 'big.qcow2', qcow2Bytes({ virtualSize: 2 ** 50 }));
    await expectRejects(
      inspectImage(big, { library, runner: spy }),
      'BAD_ARGS',
      /beyond the limit/,
    );
    const raw = put(incoming, 'r.img', Buffer.alloc(8192));
    await expectRejects(
      inspectImage(raw, { library, runner: spy, format: 'raw', limits: { maxVirtualSize: 4096 } }),
      'BAD_ARGS',
      /file size of .* beyond the limit/,
    );
    expect(spy.calls).toEqual([]);
  });

  it('truncated, encrypted, qcow v1 and QED images, and a stated format that does not match', async () => {
    const spy = spyRunner();
    const cut = put(incoming, 'cut.qcow2', qcow2Bytes({ fileSize: 100_000 }));
    await expectRejects(inspectImage(cut, { library, runner: spy }), 'BAD_ARGS', /truncated/);
    const stub = put(incoming, 'stub.qcow2', qcow2Bytes().subarray(0, 40));
    await expectRejects(
      inspectImage(stub, { library, runner: spy }),
      'BAD_ARGS',
      /header check failed.*cut short/,
    );
    const enc = put(incoming, 'enc.qcow2', qcow2Bytes({ encrypted: true }));
    await expectRejects(inspectImage(enc, { library, runner: spy }), 'UNSUPPORTED', /encrypted/);
    const v1 = Buffer.from(qcow2Bytes());
    v1.writeUInt32BE(1, 4);
    await expectRejects(
      inspectImage(put(incoming, 'v1.qcow', v1), { library, runner: spy }),
      'UNSUPPORTED',
      /qcow \(version 1\)/,
    );
    const qed = put(incoming, 'x.qed', Buffer.from('QED\0' + '\0'.repeat(100), 'latin1'));
    await expectRejects(inspectImage(qed, { library, runner: spy }), 'UNSUPPORTED', /QED/);
    const raw = put(incoming, 'plain.img', Buffer.alloc(4096));
    await expectRejects(
      inspectImage(raw, { library, runner: spy, format: 'qcow2' }),
      'BAD_ARGS',
      /not a qcow2 image/,
    );
    expect(spy.calls).toEqual([]);
  });

  it('a missing file, a directory, and a device', async () => {
    const spy = spyRunner();
    await expectRejects(
      inspectImage(path.join(incoming, 'nope'), { library, runner: spy }),
      'NOT_FOUND',
    );
    await expectRejects(
      inspectImage(incoming, { library, runner: spy }),
      'BAD_ARGS',
      /not a regular file/,
    );
    await expectRejects(
      inspectImage('/dev/null', { library, runner: spy }),
      'BAD_ARGS',
      /not a regular file/,
    );
    expect(spy.calls).toEqual([]);
  });
});

describe('accepted (the checks let good images through)', () => {
  it('a backing file and a data file inside the library, and an image imported by reference', async () => {
    const base = put(library.dir, 'base.raw', Buffer.alloc(4096));
    const pre = await checkBeforeQemu(
      put(library.dir, 'ov.qcow2', qcow2Bytes({ backing: 'base.raw' })),
      undefined,
      library,
    );
    expect(pre.refs).toEqual([base]);
    const top = put(library.dir, 'top.qcow2', qcow2Bytes({ backing: 'ov.qcow2' }));
    expect((await checkBeforeQemu(top, 'qcow2', library)).refs).toEqual([
      path.join(library.dir, 'ov.qcow2'),
      base,
    ]);
    const data = put(library.dir, 'data.raw', Buffer.alloc(4096));
    const withData = await checkBeforeQemu(
      put(incoming, 'dd.qcow2', qcow2Bytes({ dataFile: data })),
      'qcow2',
      library,
    );
    expect(withData.refs).toEqual([data]);
    const referenced = put(incoming, 'theirs.raw', Buffer.alloc(4096));
    const lib2 = { ...library, referenced: [referenced] };
    const ov = await checkBeforeQemu(
      put(library.dir, 'ov2.qcow2', qcow2Bytes({ backing: referenced })),
      'qcow2',
      lib2,
    );
    expect(ov.refs).toEqual([referenced]);
  });

  it('stated raw never looks inside: a raw disk that starts with a hostile qcow2 header', async () => {
    const file = put(incoming, 'disk.img', qcow2Bytes({ backing: '/etc/passwd' }));
    const pre = await checkBeforeQemu(file, 'raw', library);
    expect(pre).toMatchObject({ sniffed: 'unknown', qcow2: null, refs: [] });
  });

  it('sniffs an ISO', async () => {
    const pre = await checkBeforeQemu(put(incoming, 'x.iso', isoBytes()), undefined, library);
    expect(pre.sniffed).toBe('iso');
  });
});
