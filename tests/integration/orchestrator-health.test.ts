import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type WebSocket from 'ws';
import type { AuditEvent, EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  cleanupTestRun,
  ensureTestImage,
  testDocker,
  testRunId,
  testSpec,
} from '../helpers/docker-test-image.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

/** FROM the busybox test image, with the file the health check looks for. */
async function buildReadyImage(docker: Docker, base: string, run: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-health-image-'));
  const ref = `genos-test/health:${run}`;
  try {
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${base}\nRUN ["/bin/touch", "/ready"]\nLABEL genos.test=${run}\n`,
    );
    const stream = await docker.buildImage(
      { context: dir, src: ['Dockerfile'] },
      { t: ref, rm: true, forcerm: true, networkmode: 'none' },
    );
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    if (text.includes('"error"')) throw new Error(`image build failed: ${text}`);
    return ref;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function execIn(docker: Docker, containerId: string, cmd: string[]): Promise<number> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd });
  const stream = await exec.start({});
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? -1;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${cmd.join(' ')} did not finish`);
}

/**
 * A container's own HEALTHCHECK through the whole stack: a real `genos serve`, the Docker
 * backend and dockerd. The check (`test -e /ready`, every 1 s, 2 retries) starts failing when
 * the file is removed behind GenOS's back: degraded once the engine says unhealthy, running again
 * when the file is back; removed for good, failed after 2 more failures and restarted by
 * on-failure, then healthy again — each step with its reason in the audit log.
 */
describe.runIf(backendAvailable('docker'))('container health escalation', () => {
  const docker = testDocker();
  const run = testRunId();
  let image: string;
  let serve: ServeProcess;
  let ws: WebSocket;
  let id = 0;
  let envId = '';
  const pushed: Array<{ state: string; reason: string | null }> = [];
  const call = async (name: string, args: unknown) => {
    const reply = await request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
    if (reply.error) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`);
    return reply.result;
  };
  const get = async () => (await call('getEnvironment', { id: envId })) as EnvironmentSummary;
  const containerId = async () => {
    const [c] = await docker.listContainers({
      all: true,
      filters: { label: [`genos.env=${envId}`] },
    });
    return c!.Id;
  };
  const engineHealth = async () =>
    (await docker.getContainer(await containerId()).inspect()).State.Health?.Status;
  const until = async (what: string, ok: () => Promise<boolean> | boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > deadline)
        throw new Error(`${what}: not within ${ms} ms; pushed ${JSON.stringify(pushed)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    image = await buildReadyImage(docker, await ensureTestImage(docker), run);
    serve = await startServe();
    ws = await openWs(serve.port, { token: serve.token });
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d));
      if (msg.event === 'environmentChanged' && msg.payload.id === envId)
        pushed.push({ state: msg.payload.state, reason: msg.payload.stateReason });
    });
  }, 120_000);
  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    if (envId) {
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`genos.env=${envId}`] },
      });
      for (const c of left) await docker.getContainer(c.Id).remove({ force: true, v: true });
    }
    await cleanupTestRun(docker, run);
  });

  it('degraded -> running on a pass; degraded -> failed -> restarted -> healthy', async () => {
    const spec = testSpec(image, {
      name: `health-${run}`,
      restartPolicy: 'on-failure',
      healthCheck: {
        kind: 'command',
        command: ['test', '-e', '/ready'],
        intervalSec: 1,
        timeoutSec: 1,
        retries: 2,
      },
    });
    const created = (await call('createEnvironment', { spec })) as { items: EnvironmentSummary[] };
    envId = created.items[0]!.id;
    expect(await call('startEnvironment', { id: envId })).toMatchObject({ state: 'running' });
    await until('healthy at first', async () => (await engineHealth()) === 'healthy', 15_000);

    // The check starts failing: the engine says unhealthy after 2 failures -> degraded.
    expect(await execIn(docker, await containerId(), ['rm', '/ready'])).toBe(0);
    await until('degraded', async () => (await get()).state === 'degraded', 10_000);
    expect((await get()).stateReason).toBe(
      'health check failed 2 times: the check command "test -e /ready" failed',
    );
    // It passes again before the threshold: running, nothing restarted.
    expect(await execIn(docker, await containerId(), ['touch', '/ready'])).toBe(0);
    await until('running again', async () => (await get()).state === 'running', 10_000);
    expect((await get()).stateReason).toBe('health check passes again');

    // Failing for good: degraded, then 2 more failures -> failed -> restarted by on-failure.
    const before = pushed.length;
    expect(await execIn(docker, await containerId(), ['rm', '/ready'])).toBe(0);
    await until(
      'failed and started again',
      () => {
        const since = pushed.slice(before).map((p) => p.state);
        return since.includes('failed') && since.at(-1) === 'running';
      },
      30_000,
    );
    const moves = pushed.slice(before).map((p) => p.state);
    expect(moves.slice(0, 3)).toEqual(['degraded', 'stopped', 'failed']);
    expect(moves).toEqual(expect.arrayContaining(['provisioning', 'starting', 'running']));
    const failed = pushed.slice(before).find((p) => p.state === 'failed')!;
    expect(failed.reason).toBe(
      'health check failed 4 times in a row: the check command "test -e /ready" still fails',
    );

    // The restarted container is the same one (its layer lacks /ready): put it back -> healthy.
    expect(await execIn(docker, await containerId(), ['touch', '/ready'])).toBe(0);
    await until(
      'healthy after the restart',
      async () => (await engineHealth()) === 'healthy',
      10_000,
    );
    await until('running after the restart', async () => (await get()).state === 'running', 10_000);

    const trail = (
      (await call('listAuditEvents', { target: envId, limit: 200 })) as { items: AuditEvent[] }
    ).items.sort((a, b) => a.seq - b.seq);
    const reasons = trail
      .filter((e) => e.action === 'env.state')
      .map(
        (e) => `${String(e.detail?.from)}->${String(e.detail?.to)}: ${String(e.detail?.reason)}`,
      );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'running->degraded: health check failed 2 times: the check command "test -e /ready" failed',
        'degraded->running: health check passes again',
        'stopped->failed: health check failed 4 times in a row: the check command "test -e /ready" still fails',
      ]),
    );
    expect(trail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'env.health',
          actor: 'engine',
          detail: expect.objectContaining({ status: 'unhealthy' }),
        }),
        expect.objectContaining({ action: 'env.kill', actor: 'health-check', outcome: 'ok' }),
        expect.objectContaining({ action: 'env.start', actor: 'restart-policy', outcome: 'ok' }),
      ]),
    );
    const restart = trail.find((e) => e.action === 'env.restart');
    expect(restart).toMatchObject({ actor: 'restart-policy', detail: { policy: 'on-failure' } });
    expect(String(restart!.detail!.because)).toMatch(/health check failed 4 times/);

    await call('stopEnvironment', { id: envId, timeoutSec: 1 });
    expect(await call('deleteEnvironment', { id: envId })).toEqual({ deleted: true });
  }, 120_000);
});
