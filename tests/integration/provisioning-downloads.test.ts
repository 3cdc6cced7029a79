import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../../main/provisioning/downloads.js';
import { DownloadError } from '../../main/provisioning/download-errors.js';
import type { DownloadProgress } from '../../main/provisioning/progress.js';
import { FixtureServer, fileRoute, fixtureBytes } from '../unit/provisioning/fixture-server.js';

/** The download manager against a real HTTP server on 127.0.0.1 (node:http, started here). */

const SIZE = 4 * 1024 * 1024;
const body = fixtureBytes(SIZE, 7);
const sha = createHash('sha256').update(body).digest('hex');
let server: FixtureServer;
let tmp: string;
let n = 0;

const dest = (name = 'image.qcow2') => path.join(tmp, `${n++}`, name);
const exists = (p: string) => fs.existsSync(p);

async function failure(p: Promise<unknown>): Promise<DownloadError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DownloadError);
  return e as DownloadError;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-dl-'));
  server = await new FixtureServer().start();
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  server.routes.clear();
  server.seen.length = 0;
});

describe('download', () => {
  it('downloads, verifies the SHA-256 and reports monotonic, throttled progress', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body, { etag: () => '"v1"', chunk: 256 * 1024, pauseMs: 15 }),
    );
    const events: Array<DownloadProgress & { t: number }> = [];
    const out = dest();
    const r = await download({
      url: server.url('/img'),
      dest: out,
      sha256: sha,
      onProgress: (p) => events.push({ ...p, t: performance.now() }),
    });
    expect(r).toMatchObject({
      bytes: SIZE,
      verified: true,
      resumedFrom: 0,
      checksum: { algo: 'sha256', hex: sha },
    });
    expect(fs.readFileSync(out).equals(body)).toBe(true);
    expect(exists(`${out}.part`) || exists(`${out}.part.json`)).toBe(false);
    const dl = events.filter((e) => e.stage === 'download');
    expect(dl.length).toBeGreaterThan(1);
    for (let i = 1; i < dl.length; i++) {
      expect(dl[i]!.done).toBeGreaterThanOrEqual(dl[i - 1]!.done);
      // ~4/s: every event but the forced final one is >= 250 ms after the previous
      if (i < dl.length - 1) expect(dl[i]!.t - dl[i - 1]!.t).toBeGreaterThanOrEqual(240);
    }
    expect(dl.at(-1)).toMatchObject({ done: SIZE, total: SIZE });
    expect(dl.some((e) => e.rateBytesPerSec > 0 && e.etaSec !== null)).toBe(true);
  });

  it('a checksum mismatch fails, naming both digests, and leaves no file behind', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body),
    );
    const out = dest();
    const wrong = 'ab'.repeat(32);
    const e = await failure(download({ url: server.url('/img'), dest: out, sha256: wrong }));
    expect(e.failure).toBe('checksum');
    expect(e.message).toContain(wrong);
    expect(e.message).toContain(sha);
    expect(exists(out) || exists(`${out}.part`) || exists(`${out}.part.json`)).toBe(false);
  });

  it('an interrupted download keeps its .part and the next call resumes with Range', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body, { etag: () => '"v1"', cutAfter: SIZE / 2 }),
    );
    const out = dest();
    const e = await failure(
      download({ url: server.url('/img'), dest: out, sha256: sha, retries: 0 }),
    );
    expect(e.failure).toBe('interrupted');
    expect(exists(out)).toBe(false);
    const kept = fs.statSync(`${out}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(SIZE);
    expect(JSON.parse(fs.readFileSync(`${out}.part.json`, 'utf8'))).toMatchObject({
      etag: '"v1"',
      total: SIZE,
    });

    // "After an app restart": a fresh call that only has the files on disk.
    const r = await download({ url: server.url('/img'), dest: out, sha256: sha });
    expect(r.resumedFrom).toBe(kept);
    expect(server.requests('/img').at(-1)).toMatchObject({
      range: `bytes=${kept}-`,
      ifRange: '"v1"',
    });
    expect(fs.readFileSync(out).equals(body)).toBe(true);
  });

  it('a large file (hashed by a worker behind the writer) resumes and verifies the same', async () => {
    const big = fixtureBytes(40 * 1024 * 1024, 11);
    const bigSha = createHash('sha256').update(big).digest('hex');
    server.routes.set(
      '/big',
      fileRoute(() => big, { etag: () => '"b1"', cutAfter: big.length / 2 }),
    );
    const out = dest();
    const e = await failure(
      download({ url: server.url('/big'), dest: out, sha256: bigSha, retries: 0 }),
    );
    expect(e.failure).toBe('interrupted');
    const kept = fs.statSync(`${out}.part`).size;
    const r = await download({ url: server.url('/big'), dest: out, sha256: bigSha });
    expect(r.resumedFrom).toBe(kept);
    expect(r.checksum.hex).toBe(bigSha);
    expect(fs.readFileSync(out).equals(big)).toBe(true);
    // A wrong digest is still caught on this path.
    const bad = await failure(
      download({ url: server.url('/big'), dest: dest(), sha256: sha, retries: 0 }),
    );
    expect(bad.failure).toBe('checksum');
  });

  it('resumes by itself within one call when the connection breaks (retries)', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body, { etag: () => '"v1"', cutAfter: SIZE / 4, cutTimes: 2 }),
    );
    const out = dest();
    const r = await download({ url: server.url('/img'), dest: out, sha256: sha });
    expect(server.requests('/img').map((s) => s.range)).toEqual([
      null,
      expect.stringMatching(/^bytes=\d+-$/),
      expect.stringMatching(/^bytes=\d+-$/),
    ]);
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(fs.readFileSync(out).equals(body)).toBe(true);
  });

  it('a server that ignores Range (200) makes it restart from zero, still correct', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body, { etag: () => '"v1"', cutAfter: SIZE / 2, ranges: false }),
    );
    const out = dest();
    await failure(download({ url: server.url('/img'), dest: out, sha256: sha, retries: 0 }));
    const r = await download({ url: server.url('/img'), dest: out, sha256: sha });
    expect(server.requests('/img').at(-1)!.range).toMatch(/^bytes=/);
    expect(r.resumedFrom).toBe(0);
    expect(r.restarts).toBe(1);
    expect(fs.readFileSync(out).equals(body)).toBe(true);
  });

  it('a changed ETag makes it restart even when the server answers 206', async () => {
    let version = 1;
    const v2 = fixtureBytes(SIZE, 99);
    const v2sha = createHash('sha256').update(v2).digest('hex');
    // This server ignores If-Range (as some do): the client must notice the new ETag itself.
    server.routes.set(
      '/img',
      fileRoute(() => (version === 1 ? body : v2), {
        etag: () => `"v${version}"`,
        cutAfter: SIZE / 2,
      }),
    );
    const out = dest();
    await failure(download({ url: server.url('/img'), dest: out, retries: 0 }));
    version = 2;
    const r = await download({ url: server.url('/img'), dest: out, sha256: v2sha });
    const seen = server.requests('/img');
    expect(seen.at(-2)!.range).toMatch(/^bytes=/); // tried to resume ...
    expect(seen.at(-1)!.range).toBeNull(); // ... then fetched the whole new file
    expect(r).toMatchObject({ resumedFrom: 0, restarts: 1, verified: true });
    expect(fs.readFileSync(out).equals(v2)).toBe(true);
  });

  it('cancel -> CANCELLED, the .part kept for later (or removed with discard)', async () => {
    server.routes.set(
      '/slow',
      fileRoute(() => body, { etag: () => '"v1"', chunk: 64 * 1024, pauseMs: 20 }),
    );
    for (const discard of [false, true]) {
      const out = dest();
      const ac = new AbortController();
      const p = download({
        url: server.url('/slow'),
        dest: out,
        signal: ac.signal,
        discard,
        onProgress: (pr) => {
          if (pr.done > 256 * 1024) ac.abort();
        },
      });
      const e = await failure(p);
      expect(e.code).toBe('CANCELLED');
      expect(exists(out)).toBe(false);
      expect(exists(`${out}.part`)).toBe(!discard);
      if (!discard) expect(e.message).toMatch(/resumes/);
    }
  });

  it('checksum files: SHA256SUMS, Fedora CHECKSUM, a bare digest, SHA-512', async () => {
    server.routes.set(
      '/dir/image.qcow2',
      fileRoute(() => body),
    );
    const sha512 = createHash('sha512').update(body).digest('hex');
    const files: Record<string, string> = {
      '/SHA256SUMS': `${'0'.repeat(64)} *other.img\n${sha} *image.qcow2\n`,
      '/CHECKSUM': `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# image.qcow2: ${SIZE} bytes\nSHA256 (image.qcow2) = ${sha}\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n`,
      '/image.qcow2.sha256': `${sha}\n`,
      '/SHA512SUMS': `${sha512}  image.qcow2\n`,
    };
    for (const [p, text] of Object.entries(files))
      server.routes.set(
        p,
        fileRoute(() => Buffer.from(text)),
      );
    for (const p of Object.keys(files)) {
      const r = await download({
        url: server.url('/dir/image.qcow2'),
        dest: dest(),
        sha256: { checksumUrl: server.url(p) },
      });
      expect(r.verified).toBe(true);
      expect(r.checksum.algo).toBe(p === '/SHA512SUMS' ? 'sha512' : 'sha256');
    }
    const e = await failure(
      download({
        url: server.url('/dir/image.qcow2'),
        dest: dest(),
        sha256: { checksumUrl: server.url('/SHA256SUMS'), fileName: 'missing.img' },
      }),
    );
    expect(e.message).toMatch(/does not list missing\.img/);
  });

  it('follows redirects, but never to file://, and at most 5', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body),
    );
    server.routes.set('/r1', (_q, res) => res.writeHead(302, { location: '/img' }).end());
    server.routes.set('/evil', (_q, res) =>
      res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
    );
    server.routes.set('/loop', (_q, res) => res.writeHead(301, { location: '/loop' }).end());
    expect((await download({ url: server.url('/r1'), dest: dest(), sha256: sha })).bytes).toBe(
      SIZE,
    );
    const evil = await failure(download({ url: server.url('/evil'), dest: dest() }));
    expect(evil.failure).toBe('redirect');
    expect(evil.message).toContain('file:///etc/passwd');
    const loop = await failure(download({ url: server.url('/loop'), dest: dest() }));
    expect(loop.message).toMatch(/more than 5/);
    expect(server.requests('/loop')).toHaveLength(6);
  });

  it('mirrors: moves on after a 5xx and a refused connection; offline names the host and the file', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body),
    );
    server.routes.set('/broken', (_q, res) => res.writeHead(503).end());
    const dead = 'http://127.0.0.1:9/ubuntu.img'; // discard port: nothing listens
    const r = await download({
      url: dead,
      mirrors: [server.url('/broken'), server.url('/img')],
      dest: dest(),
      sha256: sha,
    });
    expect(r.url).toBe(server.url('/img'));
    const e = await failure(download({ url: dead, dest: dest() }));
    expect(e.failure).toBe('offline');
    expect(e.message).toMatch(
      /^offline: could not reach 127\.0\.0\.1:9.*drop the file ubuntu\.img onto GenOS/,
    );
  });

  it('a full disk (ENOSPC) gives a clear error and removes the .part', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body),
    );
    const out = dest();
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // The .part is a symlink to /dev/full: every write fails with ENOSPC, like a full disk.
    fs.symlinkSync('/dev/full', `${out}.part`);
    const e = await failure(download({ url: server.url('/img'), dest: out }));
    expect(e.failure).toBe('no-space');
    expect(e.message).toMatch(/is full/);
    expect(fs.existsSync(`${out}.part`) || fs.existsSync(out)).toBe(false);
    expect(fs.lstatSync(path.dirname(out)).isDirectory()).toBe(true);
  });

  it('goes through an HTTP proxy (absolute-URI requests) when one is set', async () => {
    server.routes.set(
      '/img',
      fileRoute(() => body, { etag: () => '"v1"' }),
    );
    const proxied: string[] = [];
    const proxy = http.createServer((req, res) => {
      proxied.push(`${req.url ?? ''} ${req.headers['proxy-authorization'] ?? ''}`);
      const up = http.request(req.url!, { headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      up.end();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const r = await download({
        url: server.url('/img'),
        dest: dest(),
        sha256: sha,
        proxy: `http://user:secret@127.0.0.1:${port}`,
      });
      expect(r.verified).toBe(true);
      expect(proxied).toEqual([
        `${server.url('/img')} Basic ${Buffer.from('user:secret').toString('base64')}`,
      ]);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
