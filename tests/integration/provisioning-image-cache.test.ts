import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adoptIntoCache,
  cachedStatus,
  ensureCachedImage,
  imageCacheDir,
  mirrorUrlsFor,
  type VmImageEntry,
} from '../../main/provisioning/image-cache.js';
import { DownloadError } from '../../main/provisioning/download-errors.js';
import { FixtureServer, fileRoute, fixtureBytes } from '../unit/provisioning/fixture-server.js';

/** The base-image cache over a local HTTP server: download once, share, unpack gz/xz. */

const SIZE = 2 * 1024 * 1024;
const raw = fixtureBytes(SIZE, 3);
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const hasXz = (() => {
  try {
    execFileSync('xz', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

let server: FixtureServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-cache-'));
  server = await new FixtureServer().start();
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('image cache', () => {
  it('absent -> partial (n%) -> cached; a second environment reuses the base without a request', async () => {
    server.routes.set(
      '/noble/ubuntu.img',
      fileRoute(() => raw, { etag: () => '"a"', chunk: 64 * 1024, pauseMs: 10 }),
    );
    server.routes.set(
      '/noble/SHA256SUMS',
      fileRoute(() => Buffer.from(`${hex(raw)} *ubuntu.img\n`)),
    );
    const entry: VmImageEntry = {
      url: server.url('/noble/ubuntu.img'),
      checksumUrl: server.url('/noble/SHA256SUMS'),
      format: 'qcow2',
      compression: 'none',
    };
    expect(await cachedStatus(entry, dataDir)).toMatchObject({
      state: 'absent',
      dropFile: 'ubuntu.img',
      url: entry.url,
    });

    // The user cancels (or the app quits) partway: the cache shows a partial download.
    const ac = new AbortController();
    const first = ensureCachedImage(entry, {
      dataDir,
      signal: ac.signal,
      onProgress: (p) => p.done > SIZE / 4 && ac.abort(),
    });
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    const partial = await cachedStatus(entry, dataDir);
    expect(partial).toMatchObject({ state: 'partial', total: SIZE, dropFile: 'ubuntu.img' });
    expect(partial.state === 'partial' && partial.percent! > 0 && partial.percent! < 100).toBe(
      true,
    );

    // Two environments ask at once: one resumed download, shared.
    const [a, b] = await Promise.all([
      ensureCachedImage(entry, { dataDir }),
      ensureCachedImage(entry, { dataDir }),
    ]);
    expect(a.path).toBe(b.path);
    expect(a.path.startsWith(imageCacheDir(dataDir, entry))).toBe(true);
    expect(fs.readFileSync(a.path).equals(raw)).toBe(true);
    expect(a.manifest).toMatchObject({
      verified: true,
      checksum: { algo: 'sha256', hex: hex(raw) },
    });
    const imageRequests = server.requests('/noble/ubuntu.img');
    expect(imageRequests.at(-1)!.range).toMatch(/^bytes=\d+-$/);

    const before = server.seen.length;
    const again = await ensureCachedImage(entry, { dataDir });
    expect(again).toMatchObject({ fromCache: true, path: a.path });
    expect(server.seen.length).toBe(before);
    expect(await cachedStatus(entry, dataDir)).toMatchObject({
      state: 'cached',
      bytes: SIZE,
      path: a.path,
    });
  });

  it('unpacks a gz image after verifying the compressed bytes', async () => {
    const gz = gzipSync(raw);
    server.routes.set(
      '/gz/image.qcow2.gz',
      fileRoute(() => gz),
    );
    const entry: VmImageEntry = {
      url: server.url('/gz/image.qcow2.gz'),
      sha256: hex(gz),
      format: 'qcow2',
      compression: 'gz',
    };
    const r = await ensureCachedImage(entry, { dataDir });
    expect(path.basename(r.path)).toBe('image.qcow2');
    expect(fs.readFileSync(r.path).equals(raw)).toBe(true);
    expect(fs.existsSync(`${r.path}.gz`)).toBe(false);
  });

  it.skipIf(!hasXz)('unpacks an xz image with the xz program', async () => {
    const xz = execFileSync('xz', ['-z', '-c', '-0'], { input: raw, maxBuffer: 64 << 20 });
    server.routes.set(
      '/bsd/FreeBSD.qcow2.xz',
      fileRoute(() => xz),
    );
    server.routes.set(
      '/bsd/CHECKSUM.SHA256',
      fileRoute(() => Buffer.from(`SHA256 (FreeBSD.qcow2.xz) = ${hex(xz)}\n`)),
    );
    const entry: VmImageEntry = {
      url: server.url('/bsd/FreeBSD.qcow2.xz'),
      checksumUrl: server.url('/bsd/CHECKSUM.SHA256'),
      format: 'qcow2',
      compression: 'xz',
    };
    const r = await ensureCachedImage(entry, { dataDir });
    expect(path.basename(r.path)).toBe('FreeBSD.qcow2');
    expect(fs.readFileSync(r.path).equals(raw)).toBe(true);
  });

  it('offline: adopts a dropped-in file when its digest matches, refuses one that does not', async () => {
    const entry: VmImageEntry = {
      url: 'http://127.0.0.1:9/debian-12.qcow2',
      sha256: hex(raw),
      format: 'qcow2',
      compression: 'none',
    };
    await expect(ensureCachedImage(entry, { dataDir })).rejects.toThrow(
      /offline: could not reach 127\.0\.0\.1:9 .*debian-12\.qcow2/,
    );
    const dropped = path.join(dataDir, 'dropped.qcow2');
    fs.writeFileSync(dropped, fixtureBytes(1024, 5));
    const bad = await adoptIntoCache(entry, dropped, {
      dataDir,
      expected: { algo: 'sha256', hex: hex(raw) },
    }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DownloadError);
    expect(await cachedStatus(entry, dataDir)).toMatchObject({ state: 'absent' });
    fs.writeFileSync(dropped, raw);
    await adoptIntoCache(entry, dropped, { dataDir, expected: { algo: 'sha256', hex: hex(raw) } });
    expect(await cachedStatus(entry, dataDir)).toMatchObject({ state: 'cached', bytes: SIZE });
  });

  it('maps URLs onto mirrors by prefix', () => {
    const rules = [
      {
        prefix: 'https://cloud-images.ubuntu.com/',
        mirrors: ['http://mirror.local/ubuntu-cloud/'],
      },
    ];
    expect(mirrorUrlsFor('https://cloud-images.ubuntu.com/releases/noble/x.img', rules)).toEqual([
      'http://mirror.local/ubuntu-cloud/releases/noble/x.img',
    ]);
    expect(mirrorUrlsFor('https://cloud.debian.org/x', rules)).toEqual([]);
  });
});
