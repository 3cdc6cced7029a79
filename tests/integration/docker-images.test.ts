import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type { Progress } from '../../main/backends/backend.js';
import { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import { DockerEngine } from '../../main/backends/docker/engine.js';
import { buildDerived, type DerivedRequest } from '../../main/backends/docker/image-build.js';
import {
  ensureImage,
  importRootfsTarball,
  listImages,
  loadImageTarball,
  localImageId,
} from '../../main/backends/docker/images.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  cleanupTestRun,
  ensureTestImage,
  findStaticBusybox,
  testDocker,
  testHost,
  testRunId,
  testSpec,
} from '../helpers/docker-test-image.js';

/** Offline images against the real dockerd: load, import, derived builds, absent images. */

const hasDocker = backendAvailable('docker');
const runId = testRunId();
const never = new AbortController().signal;

let image: string;
let docker: Docker;
let engine: DockerEngine;
let backend: DockerBackend;
let tmp: string;

function recorder() {
  const events: Array<Parameters<Progress>[0]> = [];
  const progress: Progress = (p) => events.push(p);
  return { events, progress };
}

describe.skipIf(!hasDocker)('Docker images, offline first (real dockerd)', () => {
  beforeAll(async () => {
    image = await ensureTestImage();
    docker = testDocker();
    engine = new DockerEngine();
    backend = new DockerBackend({ engine, extraLabels: { 'genos.test': runId } });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-docker-images-'));
  });
  afterAll(async () => {
    backend?.close();
    if (docker) {
      for (const ref of [`genos-test/load:${runId}`, `genos-test/import:${runId}`]) {
        await docker
          .getImage(ref)
          .remove({ force: true })
          .catch(() => undefined);
      }
      await cleanupTestRun(docker, runId);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists local images', async () => {
    const list = await listImages(engine);
    expect(list.find((i) => i.tags.includes(image))).toMatchObject({
      sizeBytes: expect.any(Number),
    });
    expect(await listImages(engine, { reference: 'genos-test/busybox' })).not.toHaveLength(0);
  });

  it('loads a `docker save` tarball with progress', async () => {
    const ref = `genos-test/load:${runId}`;
    await docker.getImage(image).tag({ repo: 'genos-test/load', tag: runId });
    const file = path.join(tmp, 'saved.tar');
    await pipeline(await docker.getImage(ref).get(), fs.createWriteStream(file));
    await docker.getImage(ref).remove();
    expect(await localImageId(engine, ref)).toBeNull();

    const { events, progress } = recorder();
    const loaded = await loadImageTarball(engine, file, progress, never);
    expect(loaded).toEqual([ref]);
    expect(await localImageId(engine, ref)).not.toBeNull();
    const size = fs.statSync(file).size;
    expect(events.at(-1)).toEqual({ stage: 'load', done: size, total: size });
    expect(events.every((e, i) => i === 0 || e.done! >= events[i - 1]!.done!)).toBe(true);
  });

  it('refuses a file that is not an image tarball', async () => {
    const file = path.join(tmp, 'junk.tar');
    fs.writeFileSync(file, 'not a tarball');
    await expect(loadImageTarball(engine, file, () => {}, never)).rejects.toMatchObject({
      code: 'BAD_ARGS',
    });
    await expect(
      loadImageTarball(engine, path.join(tmp, 'absent.tar'), () => {}, never),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  function rootfsTarball(name: string, padMiB = 0): string {
    const root = path.join(tmp, `${name}-root`);
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.copyFileSync(findStaticBusybox()!, path.join(root, 'bin', 'busybox'));
    fs.symlinkSync('busybox', path.join(root, 'bin', 'sh'));
    fs.symlinkSync('busybox', path.join(root, 'bin', 'cat'));
    fs.writeFileSync(path.join(root, 'hello.txt'), 'imported\n');
    if (padMiB) fs.writeFileSync(path.join(root, 'pad'), Buffer.alloc(padMiB * 1024 * 1024, 1));
    const file = path.join(tmp, `${name}.tar`);
    execFileSync('tar', ['-C', root, '-cf', file, '.']);
    return file;
  }

  it('imports a root filesystem tarball with progress, and it runs', async () => {
    const file = rootfsTarball('rootfs');
    const { events, progress } = recorder();
    const id = await importRootfsTarball(
      engine,
      file,
      {
        repo: 'genos-test/import',
        tag: runId,
        changes: ['CMD ["/bin/sh"]', `LABEL genos.test=${runId}`],
      },
      progress,
      never,
    );
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const size = fs.statSync(file).size;
    expect(events.at(-1)).toEqual({ stage: 'import', done: size, total: size });

    const e = {
      id: `${runId}i`,
      spec: testSpec(`genos-test/import:${runId}`, { name: 'imported' }),
      handles: {},
    };
    const handles = await backend.create(e, testHost(), () => {}, never);
    await backend.start({ ...e, handles }, testHost(), () => {}, never);
    expect((await backend.exec(e, ['cat', '/hello.txt'])).stdout).toBe('imported\n');
    await backend.remove(e);
  });

  it('cancels an import: CANCELLED, and no image is left', async () => {
    const file = rootfsTarball('big', 32);
    const ac = new AbortController();
    const err = await importRootfsTarball(
      engine,
      file,
      { repo: 'genos-test/cancelled', tag: runId },
      () => ac.abort(),
      ac.signal,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(await localImageId(engine, `genos-test/cancelled:${runId}`)).toBeNull();
  });

  it('builds a derived image with progress, then hits its cache', async () => {
    const req: DerivedRequest = {
      baseImage: image,
      distro: 'busybox',
      apps: ['marker'],
      // A package name unique to this run, so the first build is a real build.
      packageMap: { busybox: { marker: [`marker-${runId}`] } },
      installers: { busybox: (p) => ['/bin/sh', '-c', `echo ${p.join(' ')} > /installed`] },
      networkMode: 'none',
      labels: { 'genos.test': runId },
    };
    const { events, progress } = recorder();
    const first = await buildDerived(engine, req, progress, never);
    expect(first).toMatchObject({ cached: false, packages: [`marker-${runId}`] });
    expect(first.ref).toMatch(/^genos-derived:[0-9a-f]{16}$/);
    expect(events.filter((e) => e.stage === 'build').length).toBeGreaterThan(2);
    expect(events.at(-1)).toMatchObject({ done: events.at(-1)!.total });

    const t0 = performance.now();
    const second = await buildDerived(engine, req, () => {}, never);
    expect(second).toEqual({ ...first, cached: true });
    expect(performance.now() - t0).toBeLessThan(500);

    // Through the backend: a spec with apps runs on the derived image.
    const apps = new DockerBackend({
      engine,
      extraLabels: { 'genos.test': runId },
      packageMap: req.packageMap,
      installers: req.installers,
      buildNetwork: 'none',
    });
    const e = {
      id: `${runId}d`,
      spec: testSpec(image, {
        name: 'derived',
        os: { id: 'busybox', version: null },
        apps: ['marker'],
      }),
      handles: {},
    };
    const plan = await apps.plan(e, testHost());
    expect(plan).toMatchObject({ backend: 'docker', image: first.ref });
    const handles = await apps.create(e, testHost(), () => {}, never);
    expect(handles.image).toBe(first.ref);
    await apps.start({ ...e, handles }, testHost(), () => {}, never);
    expect((await apps.exec(e, ['cat', '/installed'])).stdout).toBe(`marker-${runId}\n`);
    await apps.remove(e);
  });

  it('an absent image, offline: NOT_FOUND naming it and the ways to get it', async () => {
    const ref = `genos-test/absent:${runId}`;
    const err = (await ensureImage(engine, ref, {
      allowPull: false,
      progress: () => {},
      signal: never,
    }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(ref);
    expect(err.message).toMatch(/docker load -i/);
    expect(err.message).toMatch(/docker pull/);
    // Through the backend too: create says the same.
    const e = { id: `${runId}x`, spec: testSpec(ref, { name: 'absent' }), handles: {} };
    await expect(backend.create(e, testHost(), () => {}, never)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a pull that cannot reach its registry: UNAVAILABLE with the ways to get the image', async () => {
    // 127.0.0.1:1 is this machine, where nothing listens: no traffic leaves it.
    const ref = `127.0.0.1:1/genos-test/none:${runId}`;
    const err = (await ensureImage(engine, ref, {
      allowPull: true,
      progress: () => {},
      signal: never,
    }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain(ref);
    expect(err.message).toMatch(/docker load -i/);
  });
});
