import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type { EnvRef } from '../../main/backends/backend.js';
import type { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testSpec } from '../helpers/docker-test-image.js';
import { dockerTestRun } from '../helpers/docker-test-run.js';

/** Filesystem snapshots by commit, restore by recreating the container, against the real dockerd. */

const hasDocker = backendAvailable('docker');
const { runId, up, labelledBackend, cleanup } = dockerTestRun();

let backend: DockerBackend;
let docker: Docker;

describe.skipIf(!hasDocker)('Docker snapshots (real dockerd)', () => {
  let e: EnvRef;

  beforeAll(async () => {
    const image = await ensureTestImage();
    docker = testDocker();
    backend = labelledBackend();
    e = await up(backend, {
      id: `${runId}s`,
      spec: testSpec(image, { name: 'snap' }),
      handles: {},
    });
  });
  afterAll(() => cleanup(backend, docker));

  it('commit -> change a file -> restore -> the earlier file is back, running again', async () => {
    await backend.exec(e, ['sh', '-c', 'echo first > /data.txt']);
    const snap = await backend.snapshot(e, 'before', 'commit');
    expect(snap).toMatchObject({ name: 'before', kind: 'commit', sizeBytes: expect.any(Number) });
    const img = await docker.getImage(`genos-snap/${e.id}:before`).inspect();
    expect(img.Config.Labels).toMatchObject({ 'genos.env': e.id, 'genos.snapshot': 'before' });

    await backend.exec(e, ['sh', '-c', 'echo second > /data.txt; touch /new-file']);
    expect((await backend.exec(e, ['cat', '/data.txt'])).stdout).toBe('second\n');
    const oldId = (await backend.inspectDetailed(e))?.containerId;

    await backend.restore(e, 'before');
    const now = await backend.inspectDetailed(e);
    expect(now?.containerId).not.toBe(oldId);
    expect(now?.status.state).toBe('running');
    expect((await backend.exec(e, ['cat', '/data.txt'])).stdout).toBe('first\n');
    expect((await backend.exec(e, ['test', '-e', '/new-file'])).exitCode).toBe(1);
    // Same sandbox after restore.
    const hc = (await docker.getContainer(now!.containerId).inspect()).HostConfig;
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.MemorySwap).toBe(hc.Memory);
  });

  it('lists, refuses a duplicate name, deletes', async () => {
    await backend.snapshot(e, 'second', 'disk');
    expect((await backend.listSnapshots(e)).map((s) => s.name).sort()).toEqual([
      'before',
      'second',
    ]);
    await expect(backend.snapshot(e, 'second', 'commit')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await backend.deleteSnapshot(e, 'second');
    // The container restored from 'before' still runs while its snapshot is deleted.
    await backend.deleteSnapshot(e, 'before');
    expect(await backend.listSnapshots(e)).toEqual([]);
    expect((await backend.inspect(e)).state).toBe('running');
    await expect(backend.restore(e, 'before')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(backend.snapshot(e, 'bad name', 'commit')).rejects.toMatchObject({
      code: 'BAD_ARGS',
    });
  });
});
