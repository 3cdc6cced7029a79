import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../preload/contract.js';
import { startCore, type Core } from '../../main/core/app-core.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId } from '../helpers/docker-test-image.js';

describe.runIf(backendAvailable('docker'))('container images through the API, offline', () => {
  const docker = testDocker();
  const run = testRunId();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-cimg-'));
  const rootfsTag = `genos-test/rootfs:${run}`;
  let core: Core;
  const call = (name: string, args: unknown) =>
    core.dispatch(name, args, { transport: 'in-process', trusted: true });
  const finished = async (task: TaskInfo) => core.tasks.wait(task.id);

  beforeAll(async () => {
    core = await startCore({ dataDir: path.join(tmp, 'data'), mode: 'cli', ownerSocket: false });
  });
  afterAll(async () => {
    await core.dispose();
    await docker
      .getImage(rootfsTag)
      .remove({ force: true })
      .catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('loads a docker save tarball and imports a root filesystem, with progress', async () => {
    const image = await ensureTestImage(docker);
    const saved = path.join(tmp, 'image.tar');
    execFileSync('docker', ['save', image, '-o', saved]);
    const load = (await call('importContainerImage', { path: saved, kind: 'docker-save' }))
      .result as { task: TaskInfo };
    const loaded = await finished(load.task);
    expect(loaded.state, JSON.stringify(loaded.error)).toBe('done');
    expect((loaded.result as { tags: string[] }).tags).toContain(image);

    const rootfs = path.join(tmp, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(rootfs, 'etc', 'marker'), run);
    const tarball = path.join(tmp, 'rootfs.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', tarball, '.']);
    const imp = (
      await call('importContainerImage', { path: tarball, kind: 'rootfs', tag: rootfsTag })
    ).result as { task: TaskInfo };
    const imported = await finished(imp.task);
    expect(imported.state, JSON.stringify(imported.error)).toBe('done');
    const list = (await call('listContainerImages', {})).result as {
      items: Array<{ tags: string[] }>;
    };
    expect(list.items.some((i) => i.tags.includes(rootfsTag))).toBe(true);
  });

  it('fails a missing or corrupt tarball as a task that says why', async () => {
    const missing = (
      await call('importContainerImage', { path: path.join(tmp, 'nope.tar'), kind: 'docker-save' })
    ).result as { task: TaskInfo };
    const end = await finished(missing.task);
    expect(end.state).toBe('failed');
    expect(end.error?.message).toContain('nope.tar');
    const junk = path.join(tmp, 'junk.tar');
    fs.writeFileSync(junk, 'this is not a tarball');
    const bad = (await call('importContainerImage', { path: junk, kind: 'docker-save' }))
      .result as { task: TaskInfo };
    expect((await finished(bad.task)).state).toBe('failed');
  });
});
