import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogImage, TaskInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { runCli } from '../helpers/run-cli.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { recordTasks } from '../helpers/task-updates.js';
import { FixtureServer, fileRoute, type Route } from '../unit/provisioning/fixture-server.js';

/**
 * Catalog base images through the real `genos serve`: entries in the data dir's
 * catalog.local.json point at a node:http server on 127.0.0.1 serving a qcow2 built here.
 */

describe.runIf(backendAvailable('qemu-img'))('OS catalog downloads over genos serve', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-api-catalog-'));
  const dataDir = path.join(tmp, 'data');
  const fixture = path.join(tmp, 'fixture.qcow2');
  let body: Buffer;
  let sha: string;
  let http: FixtureServer;
  let serve: ServeProcess;
  let ws: WebSocket;
  let tasks: ReturnType<typeof recordTasks>;
  let id = 0;
  const served = new Map<string, number>();

  /** Counts the body bytes a route sends, to prove a resume did not start over. */
  const counted =
    (name: string, route: Route): Route =>
    (req, res) => {
      const write = res.write.bind(res) as (c: Buffer) => boolean;
      res.write = ((c: Buffer) => {
        served.set(name, (served.get(name) ?? 0) + c.length);
        return write(c);
      }) as typeof res.write;
      route(req, res);
    };

  async function call<T>(name: string, args: unknown): Promise<T> {
    const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
    if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error);
    return reply.result as T;
  }
  const list = () =>
    call<{ items: CatalogImage[]; localCatalog: { path: string; error: string | null } }>(
      'listCatalogImages',
      {},
    );
  const item = async (version: string) =>
    (await list()).items.find((i) => i.osId === 'testos' && i.version === version)!;
  async function connect(): Promise<void> {
    serve = await startServe({ dataDir });
    ws = await openWs(serve.port, { token: serve.token });
    tasks = recordTasks(ws);
  }

  beforeAll(async () => {
    // A real qcow2, fully allocated so it has some size (~8 MiB), with non-zero data in it.
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-o',
      'preallocation=full',
      fixture,
      '8M',
    ]);
    body = fs.readFileSync(fixture);
    body.fill(0x5a, body.length - 1024 * 1024);
    fs.writeFileSync(fixture, body);
    sha = createHash('sha256').update(body).digest('hex');
    const half = Math.floor(body.length / 2);
    // Another image (its own pinned digest, so its own cache entry), served with a flipped byte.
    const other = Buffer.from(body);
    other[other.length - 1] = 0x33;
    const otherSha = createHash('sha256').update(other).digest('hex');
    const corrupt = Buffer.from(other);
    corrupt[half] = corrupt[half]! ^ 0xff;

    http = await new FixtureServer().start();
    http.routes.set(
      '/cut/fixture.qcow2',
      counted(
        'cut',
        fileRoute(() => body, { etag: () => '"f1"', cutAfter: half }),
      ),
    );
    http.routes.set(
      '/slow/fixture.qcow2',
      counted(
        'slow',
        fileRoute(() => body, { etag: () => '"f1"', chunk: 128 * 1024, pauseMs: 40 }),
      ),
    );
    http.routes.set('/slow/SHA256SUMS', (_q, res) => res.end(`${sha}  fixture.qcow2\n`));
    http.routes.set(
      '/bad/fixture.qcow2',
      fileRoute(() => corrupt, { etag: () => '"f1"' }),
    );
    const entry = (version: string, url: string, extra: object = {}) => ({
      os: 'testos',
      version,
      name: `Test OS ${version}`,
      url,
      format: 'qcow2',
      compression: 'none',
      cloudInit: false,
      ...extra,
    });
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(
      path.join(dataDir, 'catalog.local.json'),
      JSON.stringify({
        images: [
          entry('cut', http.url('/cut/fixture.qcow2'), { sha256: sha }),
          entry('slow', http.url('/slow/fixture.qcow2'), {
            checksumUrl: http.url('/slow/SHA256SUMS'),
          }),
          entry('bad', http.url('/bad/fixture.qcow2'), { sha256: otherSha }),
          entry('offline', 'http://127.0.0.1:9/offline.qcow2'),
        ],
      }),
    );
    await connect();
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    await http?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the local entries as absent with the file to drop in, beside the built-in ones', async () => {
    const { items, localCatalog } = await list();
    expect(localCatalog.error).toBeNull();
    expect(items.some((i) => i.origin === 'builtin' && i.osId === 'debian')).toBe(true);
    expect(await item('cut')).toMatchObject({
      origin: 'local',
      state: 'absent',
      dropFile: 'fixture.qcow2',
      checksumSource: 'pinned',
      cached: null,
    });
    expect((await item('slow')).checksumSource).toBe('checksum-file');
  });

  it('downloads with progress; a connection dropped midway resumes with Range and verifies', async () => {
    const { task } = await call<{ task: TaskInfo }>('downloadCatalogImage', {
      osId: 'testos',
      version: 'cut',
    });
    expect(task).toMatchObject({ kind: 'catalog.download', state: 'running' });
    const updates = await tasks.ended(task.id);
    const end = updates.at(-1)!;
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    const progress = updates.filter((t) => t.stage === 'download' && t.done !== null);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ total: body.length });
    const ranged = http.requests('/cut/fixture.qcow2').filter((s) => s.range);
    expect(ranged.length).toBe(1);
    expect(ranged[0]!.range).toMatch(/^bytes=\d+-$/);
    expect(served.get('cut')!).toBeLessThan(2 * body.length);
    const it = await item('cut');
    expect(it).toMatchObject({
      state: 'cached',
      cached: { bytes: body.length, trust: 'verified' },
    });
    expect(it.cached!.checksum.hex).toBe(sha);
    expect(fs.readFileSync(it.cached!.path).equals(body)).toBe(true);
  });

  it('cancel keeps the partial; after a restart of serve the download resumes with Range', async () => {
    const { task } = await call<{ task: TaskInfo }>('downloadCatalogImage', {
      osId: 'testos',
      version: 'slow',
    });
    const updates = await tasks.until(
      task.id,
      (t) => t.stage === 'download' && (t.done ?? 0) > body.length / 4,
    );
    expect(updates.some((t) => /MB\/s/.test(t.message ?? ''))).toBe(true);
    expect((await call<{ cancelled: boolean }>('cancelTask', { id: task.id })).cancelled).toBe(
      true,
    );
    const end = (await tasks.ended(task.id)).at(-1)!;
    expect(end.state).toBe('cancelled');
    const partial = await item('slow');
    expect(partial.state).toBe('partial');
    const kept = partial.partial!.bytesDone;
    expect(kept).toBeGreaterThan(0);

    ws.close();
    expect(await serve.stop()).toBe(0);
    await connect();
    expect((await item('slow')).state).toBe('partial');
    const again = await call<{ task: TaskInfo }>('downloadCatalogImage', {
      osId: 'testos',
      version: 'slow',
    });
    const done = (await tasks.ended(again.task.id)).at(-1)!;
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    const ranges = http.requests('/slow/fixture.qcow2').map((s) => s.range);
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
    expect(served.get('slow')!).toBeLessThan(2 * body.length);
    expect(await item('slow')).toMatchObject({ state: 'cached', cached: { trust: 'verified' } });
  }, 120_000);

  it('a corrupt download is rejected with a clear error and nothing is kept', async () => {
    const { task } = await call<{ task: TaskInfo }>('downloadCatalogImage', {
      osId: 'testos',
      version: 'bad',
    });
    const end = (await tasks.ended(task.id)).at(-1)!;
    expect(end.state).toBe('failed');
    expect(end.error).toMatchObject({ code: 'CONFLICT' });
    expect(end.error!.message).toMatch(/corrupt: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/);
    const after = await item('bad');
    expect(after).toMatchObject({ state: 'absent', partial: null, cached: null });
    const cacheRoot = path.join(dataDir, 'cache', 'images');
    const leftovers = fs
      .readdirSync(cacheRoot, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.part') || f.endsWith('.part.json'));
    expect(leftovers).toEqual([]);
  });

  it('offline: the error names the file to drop in; add-base adopts it as user-supplied', async () => {
    const { task } = await call<{ task: TaskInfo }>('downloadCatalogImage', {
      osId: 'testos',
      version: 'offline',
    });
    const end = (await tasks.ended(task.id)).at(-1)!;
    expect(end.state).toBe('failed');
    expect(end.error!.message).toMatch(/offline\.qcow2/);
    expect(end.error!.message).toMatch(/genos images add-base testos offline offline\.qcow2/);

    const junk = path.join(tmp, 'not-an-image.qcow2');
    fs.writeFileSync(junk, 'hello');
    // Checked before anything is copied: the call itself is refused.
    await expect(
      call('addCatalogBase', { osId: 'testos', version: 'offline', path: junk }),
    ).rejects.toMatchObject({
      code: 'BAD_ARGS',
      message: expect.stringMatching(/not-an-image\.qcow2 is not a usable qcow2 base image/),
    });
    expect((await item('offline')).state).toBe('absent');

    // A file that is not the image the catalog pins is refused, with what to do instead.
    const wrong = await call<{ task: TaskInfo }>('addCatalogBase', {
      osId: 'testos',
      version: 'bad',
      path: fixture,
    });
    const wrongEnd = (await tasks.ended(wrong.task.id)).at(-1)!;
    expect(wrongEnd.state).toBe('failed');
    expect(wrongEnd.error!.message).toMatch(/is not the expected image: expected sha256/);
    expect(wrongEnd.error!.message).toMatch(/its own entry in catalog\.local\.json/);
    expect((await item('bad')).state).toBe('absent');

    const added = await call<{ task: TaskInfo }>('addCatalogBase', {
      osId: 'testos',
      version: 'offline',
      path: fixture,
    });
    const addedEnd = (await tasks.ended(added.task.id)).at(-1)!;
    expect(addedEnd.state, JSON.stringify(addedEnd.error)).toBe('done');
    expect(await item('offline')).toMatchObject({
      state: 'cached',
      cached: { trust: 'user-supplied', bytes: body.length },
    });
  });

  it('remove refuses while an environment overlay uses the base, and works after', async () => {
    const base = (await item('cut')).cached!.path;
    const envDir = path.join(dataDir, 'qemu', 'env-using-base');
    fs.mkdirSync(envDir, { recursive: true });
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-b',
      base,
      '-F',
      'qcow2',
      path.join(envDir, 'disk.qcow2'),
    ]);
    expect((await item('cut')).usedBy).toEqual(['env-using-base']);
    await expect(
      call('removeCatalogBase', { osId: 'testos', version: 'cut' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/in use by env-using-base/),
    });
    fs.rmSync(envDir, { recursive: true });
    expect(await call('removeCatalogBase', { osId: 'testos', version: 'cut' })).toEqual({
      removed: true,
    });
    expect((await item('cut')).state).toBe('absent');
    expect(fs.existsSync(base)).toBe(false);
  });

  it('the CLI lists the catalog as JSON through the owner socket', async () => {
    const r = await runCli(['images', 'catalog', '--json', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { items: CatalogImage[] };
    const slow = parsed.items.find((i) => i.osId === 'testos' && i.version === 'slow');
    expect(slow).toMatchObject({ state: 'cached', cached: { trust: 'verified' } });
    const text = await runCli(['images', 'catalog', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/testos offline\s+cached .*user-supplied/);
    expect(text.stdout).toMatch(/debian 12\s+absent — offline\? drop in \S+\.qcow2/);
    // 'cut' was removed above: pull it again, remove it, then add it from a file (pinned digest).
    const pulled = await runCli([
      'images',
      'pull',
      'testos',
      'cut',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({
      ok: true,
      image: { state: 'cached', cached: { trust: 'verified' } },
    });
    const rm = await runCli(['images', 'rm-base', 'testos', 'cut', '--data-dir', dataDir]);
    expect(rm.stdout).toMatch(/Removed the cached testos cut base/);
    const add = await runCli([
      'images',
      'add-base',
      'testos',
      'cut',
      fixture,
      '--data-dir',
      dataDir,
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Test OS cut is cached .*checked against the digest pinned/);
    const bad = await runCli(['images', 'pull', 'nosuchos', '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no VM image for "nosuchos"/);
  });

  it('a malformed catalog.local.json is reported with the file and the field, not a crash', async () => {
    const file = path.join(dataDir, 'catalog.local.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      JSON.stringify({
        images: [{ os: 'testos', version: 'x', url: 'ftp://a/b', format: 'qcow2' }],
      }),
    );
    try {
      const { items, localCatalog } = await list();
      expect(localCatalog.error).toContain(file);
      expect(localCatalog.error).toMatch(/images\.0\.url/);
      expect(items.some((i) => i.osId === 'debian')).toBe(true);
      expect(items.some((i) => i.osId === 'testos')).toBe(false);
    } finally {
      fs.writeFileSync(file, good);
    }
  });
});
