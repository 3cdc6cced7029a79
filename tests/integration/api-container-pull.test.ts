import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary, TaskInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { runCli } from '../helpers/run-cli.js';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { recordTasks } from '../helpers/task-updates.js';

/**
 * `pullContainerImage` through the real `genos serve` and the system dockerd, from a registry
 * on 127.0.0.1 (tests/helpers/local-registry.ts) serving the busybox test image.
 */

const LAYER_MSG = /^layer (\S+) (\w+)(?: (\d+)\/(\d+) bytes)?; (\d+)\/(\d+) layers complete/;

describe.runIf(backendAvailable('docker'))('container image pull over genos serve', () => {
  const docker = testDocker();
  const registries: LocalRegistry[] = [];
  let serve: ServeProcess;
  let ws: WebSocket;
  let tasks: ReturnType<typeof recordTasks>;
  let id = 0;

  async function call<T>(name: string, args: unknown): Promise<T> {
    const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
    if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error);
    return reply.result as T;
  }
  const settled = (t: TaskInfo) => t.state !== 'running';

  beforeAll(async () => {
    const image = await ensureTestImage(docker);
    for (let i = 0; i < 4; i++) registries.push(await startLocalRegistry(image));
    serve = await startServe();
    ws = await openWs(serve.port, { token: serve.token });
    tasks = recordTasks(ws);
  }, 180_000);

  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    for (const r of registries) {
      await docker
        .getImage(r.ref)
        .remove({ force: true })
        .catch(() => undefined);
      await r.close();
    }
  });

  it('pulls with per-layer progress, and the image is then listed', async () => {
    const reg = registries[0]!;
    // ~1 MB layers in 32 KiB steps 25 ms apart: long enough for several progress pushes each.
    reg.throttle(32 * 1024, 25);
    const { task } = await call<{ task: TaskInfo }>('pullContainerImage', { ref: reg.ref });
    expect(task.kind).toBe('container-image.pull');
    const seen = await tasks.until(task.id, settled);
    const end = seen.at(-1)!;
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    expect((end.result as { tags: string[] }).tags).toEqual([reg.ref]);

    const layerEvents = seen
      .map((t) => LAYER_MSG.exec(t.message ?? ''))
      .filter((m): m is RegExpExecArray => m !== null);
    expect(layerEvents.length).toBeGreaterThan(1);
    // Some layer is seen downloading at least twice, its bytes going up.
    const bytesByLayer = new Map<string, number[]>();
    for (const m of layerEvents) {
      if (m[2] !== 'downloading' || m[3] === undefined) continue;
      bytesByLayer.set(m[1]!, [...(bytesByLayer.get(m[1]!) ?? []), Number(m[3])]);
    }
    const rising = [...bytesByLayer.values()].filter(
      (b) => b.length > 1 && b.every((v, i) => i === 0 || v >= b[i - 1]!) && b.at(-1)! > b[0]!,
    );
    expect(rising.length, JSON.stringify(seen.map((t) => t.message))).toBeGreaterThan(0);
    // The engine names layers by the first 12 hex digits of their blob digest.
    const ids = new Set(layerEvents.map((m) => m[1]));
    expect(reg.layers.some((d) => ids.has(d.slice('sha256:'.length, 'sha256:'.length + 12)))).toBe(
      true,
    );
    // The overall figure never runs backwards.
    const done = seen.filter((t) => t.done !== null).map((t) => t.done!);
    for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThanOrEqual(done[i - 1]!);

    const list = await call<{ items: Array<{ tags: string[] }> }>('listContainerImages', {});
    expect(list.items.some((i) => i.tags.includes(reg.ref))).toBe(true);
  }, 180_000);

  it('cancels a pull mid-way: the task settles CANCELLED and no image is left', async () => {
    const reg = registries[1]!;
    reg.throttle(4 * 1024, 200); // ~20 KiB/s: minutes for a layer
    const { task } = await call<{ task: TaskInfo }>('pullContainerImage', { ref: reg.ref });
    await tasks.until(task.id, (t) => /downloading \d+\//.test(t.message ?? '') || settled(t));
    await call('cancelTask', { id: task.id });
    const t0 = Date.now();
    const end = (await tasks.until(task.id, settled)).at(-1)!;
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(end.state).toBe('cancelled');
    expect(end.error?.code).toBe('CANCELLED');
    const exists = await docker
      .getImage(reg.ref)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    expect(exists).toBe(false);
  }, 180_000);

  it('fails a reference on a registry that is not there, naming it and the ways to get it', async () => {
    // Port 9 (discard) on 127.0.0.1: nothing listens there in the test environment.
    const ref = '127.0.0.1:9/genos-test/absent:1';
    const { task } = await call<{ task: TaskInfo }>('pullContainerImage', { ref });
    const end = (await tasks.until(task.id, settled)).at(-1)!;
    expect(end.state).toBe('failed');
    expect(end.error?.code).toBe('UNAVAILABLE');
    expect(end.error?.message).toContain(`Could not pull ${ref}`);
    expect(end.error?.message).toMatch(/connection refused/i);
    expect(end.error?.message).toContain('docker load -i');
  }, 180_000);

  it('refuses a malformed reference with what a reference looks like', async () => {
    await expect(call('pullContainerImage', { ref: 'Not A Ref' })).rejects.toMatchObject({
      code: 'BAD_ARGS',
      message: expect.stringContaining('[registry/]repository[:tag]'),
    });
  });

  it('an environment whose image is absent: refused offline by default, pulled once the setting is on', async () => {
    const reg = registries[3]!;
    const spec = testSpec(reg.ref, { name: `pull-on-create-${testRunId()}` });
    const { items } = await call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec });
    const envId = items[0]!.id;
    try {
      await expect(call('startEnvironment', { id: envId })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('Pull missing container images'),
      });
      expect(reg.requests.filter((r) => r.includes('/blobs/'))).toEqual([]);

      await call('updateSettings', { patch: { pullImages: true } });
      expect(await call('startEnvironment', { id: envId })).toMatchObject({ state: 'running' });
      expect(reg.requests.some((r) => r.includes('/blobs/'))).toBe(true);
      const list = await call<{ items: Array<{ tags: string[] }> }>('listContainerImages', {});
      expect(list.items.some((i) => i.tags.includes(reg.ref))).toBe(true);
    } finally {
      await call('updateSettings', { patch: { pullImages: false } }).catch(() => undefined);
      await call('killEnvironment', { id: envId }).catch(() => undefined);
      await call('deleteEnvironment', { id: envId }).catch(() => undefined);
    }
  }, 180_000);

  it('pulls through the CLI: genos images pull-container <ref>', async () => {
    const reg = registries[2]!;
    const res = await runCli(['images', 'pull-container', reg.ref, '--data-dir', serve.dataDir]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`Pulled ${reg.ref}`);
    const missing = await runCli(['images', 'pull-container', '--data-dir', serve.dataDir]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('needs an image reference');
  }, 180_000);
});
