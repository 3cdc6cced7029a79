import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type { EnvRef } from '../../main/backends/backend.js';
import { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import { DockerEngine, type EngineState } from '../../main/backends/docker/engine.js';
import type { EnvChange } from '../../main/backends/docker/events.js';
import type { EnvironmentSpecInput } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testSpec } from '../helpers/docker-test-image.js';
import { dockerTestRun } from '../helpers/docker-test-run.js';

/** Engine events, OOM, engine loss and reconnect, against the real dockerd. */

const hasDocker = backendAvailable('docker');
const { runId, up, labelledBackend, cleanup } = dockerTestRun();

let image: string;
let docker: Docker;
let tmp: string;

type Seen = { envId: string; change: EnvChange; at: number };

function env(suffix: string, over: Partial<EnvironmentSpecInput> = {}): EnvRef {
  return { id: `${runId}${suffix}`, spec: testSpec(image, { name: 'ev', ...over }), handles: {} };
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A unix-socket proxy in front of dockerd that the test can cut and restore: an engine "restart"
 * as GenOS sees it, without touching the real dockerd other tests use.
 */
async function engineProxy(socketPath: string) {
  const conns = new Set<net.Socket>();
  let server: net.Server | null = null;
  const start = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect('/var/run/docker.sock');
        for (const s of [client, upstream]) {
          conns.add(s);
          s.on('error', () => undefined);
          s.on('close', () => {
            conns.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(socketPath, resolve);
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const c of conns) c.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await start();
  return { start, stop };
}

describe.skipIf(!hasDocker)('Docker engine events (real dockerd)', () => {
  let backend: DockerBackend;
  const seen: Seen[] = [];
  let close: () => void = () => {};

  beforeAll(async () => {
    image = await ensureTestImage();
    docker = testDocker();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-docker-events-'));
    backend = labelledBackend();
    const w = backend.watch((envId, change) => seen.push({ envId, change, at: performance.now() }));
    close = () => w.close();
    await w.ready;
  });
  afterAll(async () => {
    close();
    await cleanup(backend, docker);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const after = (envId: string, kind: EnvChange['kind'], since = 0) =>
    seen.find((s) => s.envId === envId && s.change.kind === kind && s.at >= since);

  it('start, pause, unpause, die (within a second of the kill), destroy', async () => {
    const e = await up(backend, env('k'));
    await waitFor(() => after(e.id, 'started'), 2000);
    await backend.pause(e);
    await waitFor(() => after(e.id, 'paused'), 2000);
    await backend.resume(e);
    await waitFor(() => after(e.id, 'unpaused'), 2000);

    const t0 = performance.now();
    await backend.kill(e);
    const died = await waitFor(() => after(e.id, 'died', t0), 1000);
    expect(died.change).toEqual({ kind: 'died', exitCode: 137 });
    expect(died.at - t0).toBeLessThan(1000);

    await backend.remove(e);
    await waitFor(() => after(e.id, 'destroyed', t0), 2000);
  });

  it('a main process that allocates past the memory limit is OOM-killed: oom within 2 s, "out of memory"', async () => {
    const e = await up(backend, env('o', { resources: { cpus: 1, memoryMiB: 32, diskGiB: 1 } }));
    const main = await backend.attach(e);
    const t0 = performance.now();
    // The main shell itself holds the 300 MB string, so PID 1's child (the workload) is killed.
    main.stream.write('x=$(head -c 300000000 /dev/zero | tr "\\0" a)\n');
    const oom = await waitFor(() => after(e.id, 'oom', t0), 2000);
    expect(oom.at - t0).toBeLessThan(2000);
    await waitFor(() => after(e.id, 'died', t0), 2000);
    main.close();
    const status = await backend.inspectDetailed(e);
    expect(status?.oomKilled).toBe(true);
    expect(status?.status).toMatchObject({
      state: 'stopped',
      reason: expect.stringMatching(/^out of memory/),
    });
  });

  it('health check status is reported by events and inspect', async () => {
    const e = await up(
      backend,
      env('h', {
        healthCheck: {
          kind: 'file',
          path: '/tmp/ready',
          intervalSec: 1,
          timeoutSec: 1,
          retries: 1,
        },
      }),
    );
    await backend.exec(e, ['touch', '/tmp/ready']);
    await waitFor(() => seen.find((s) => s.envId === e.id && s.change.kind === 'health'), 5000);
    expect((await backend.inspectDetailed(e))?.health).toBe('healthy');
    await backend.remove(e);
  });

  it('with DOCKER_HOST at a socket that does not exist, calls fail UNAVAILABLE naming it', async () => {
    const sock = path.join(tmp, 'nothing-here.sock');
    const b = new DockerBackend({
      engine: new DockerEngine({ env: { DOCKER_HOST: `unix://${sock}` } }),
    });
    for (const call of [
      () => b.inspect(env('u')),
      () => b.listRunning(),
      () => b.stop(env('u'), 0),
    ]) {
      const err = (await call().catch((e: unknown) => e)) as Error & { code: string };
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toContain(sock);
      expect(err.message).toMatch(/unset DOCKER_HOST|fix DOCKER_HOST/);
    }
    b.close();
  });

  it('engine gone and back: calls say UNAVAILABLE, then the event stream resumes with what it missed', async () => {
    const sock = path.join(tmp, 'proxy.sock');
    const proxy = await engineProxy(sock);
    const engine = new DockerEngine({
      env: { DOCKER_HOST: `unix://${sock}` },
      retryMinMs: 100,
      retryMaxMs: 300,
    });
    const b = new DockerBackend({ engine, extraLabels: { 'genos.test': runId } });
    const mine: Seen[] = [];
    const states: EngineState[] = [];
    const w = b.watch((envId, change) => mine.push({ envId, change, at: performance.now() }), {
      onEngine: (s) => states.push(s),
    });
    await w.ready;
    const e = await up(b, env('p'));
    await waitFor(() => mine.find((s) => s.envId === e.id && s.change.kind === 'started'), 2000);

    await proxy.stop();
    await waitFor(() => (states.at(-1)?.up === false ? true : undefined), 2000);
    await expect(b.inspect(e)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // While GenOS cannot see the engine, the container dies.
    await docker.getContainer(String(e.handles.containerId)).kill();
    await new Promise((r) => setTimeout(r, 300));
    expect(mine.find((s) => s.envId === e.id && s.change.kind === 'died')).toBeUndefined();

    await proxy.start();
    await waitFor(() => (states.at(-1)?.up === true ? true : undefined), 3000);
    const died = await waitFor(
      () => mine.find((s) => s.envId === e.id && s.change.kind === 'died'),
      3000,
    );
    expect(died.change).toEqual({ kind: 'died', exitCode: 137 });
    expect(mine.filter((s) => s.envId === e.id && s.change.kind === 'started')).toHaveLength(1); // no replay twice
    expect((await b.inspect(e)).state).toBe('stopped');
    w.close();
    await b.remove(e);
    b.close();
    await proxy.stop();
  });
});
