import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { EnvironmentSummary, Snapshot } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { removeEnvironmentContainers } from '../helpers/environment-containers.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * A live snapshot of a container on the system dockerd, which is not experimental: through the
 * API of a real `genos serve`, it is taken as a filesystem snapshot that says why, the list shows
 * the reason, and it restores like any commit.
 */
describe.runIf(backendAvailable('docker'))('live container snapshot without CRIU', () => {
  const docker = testDocker();
  const run = testRunId();
  let serve: ServeProcess;
  let ws: WebSocket;
  let envId = '';
  let id = 0;

  async function call<T>(name: string, args: unknown): Promise<T> {
    const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
    if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error);
    return reply.result as T;
  }

  beforeAll(async () => {
    const image = await ensureTestImage(docker);
    serve = await startServe();
    ws = await openWs(serve.port, { token: serve.token });
    const spec = testSpec(image, { name: `live-${run}` });
    const created = await call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec });
    envId = created.items[0]!.id;
    await call('startEnvironment', { id: envId });
  }, 120_000);

  afterAll(async () => {
    if (envId) await call('deleteEnvironment', { id: envId }).catch(() => undefined);
    ws?.close();
    await serve?.stop();
    await removeEnvironmentContainers(docker, [envId]);
    for (const img of await docker.listImages({ filters: { reference: [`genos-snap/${envId}`] } }))
      await docker
        .getImage(img.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('falls back to a commit, records and lists the reason, and restores it', async () => {
    const info = await docker.info();
    expect(info.ExperimentalBuild).toBe(false);
    const snap = await call<Snapshot>('createSnapshot', { id: envId, name: 'live1', kind: 'live' });
    expect(snap.kind).toBe('commit');
    expect(snap.note).toMatch(
      /^live snapshots need an experimental engine with CRIU: took a filesystem snapshot instead: the engine is not experimental/,
    );
    const image = await docker.getImage(`genos-snap/${envId}:live1`).inspect();
    expect(image.Config.Labels?.['genos.snapshot.note']).toBe(snap.note);

    const list = await call<{ items: Snapshot[] }>('listSnapshots', { id: envId });
    expect(list.items).toEqual([expect.objectContaining({ name: 'live1', note: snap.note })]);

    expect(await call('restoreSnapshot', { id: envId, name: 'live1' })).toEqual({ restored: true });
    expect(await call('deleteSnapshot', { id: envId, name: 'live1' })).toEqual({ deleted: true });
    expect((await call<{ items: Snapshot[] }>('listSnapshots', { id: envId })).items).toEqual([]);
  }, 120_000);
});
