import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import type WebSocket from 'ws';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { removeEnvironmentContainers } from '../helpers/environment-containers.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * A container environment through the whole stack a user drives: the API of a real `genos serve`,
 * the orchestrator, the Docker backend and the real dockerd — including the owner being killed
 * while the container runs.
 */
describe.runIf(backendAvailable('docker'))('a container environment over the API', () => {
  const docker = testDocker();
  const run = testRunId();
  let image: string;
  let serve: ServeProcess;
  let ws: WebSocket;
  let envId = '';
  let id = 0;
  const states: string[] = [];
  const call = async (name: string, args: unknown) =>
    request(ws, JSON.stringify({ id: ++id, call: name, args }), id);
  const connect = async () => {
    ws = await openWs(serve.port, { token: serve.token });
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d));
      if (msg.event === 'environmentChanged' && msg.payload.id === envId)
        states.push(msg.payload.state);
    });
  };

  beforeAll(async () => {
    image = await ensureTestImage(docker);
    serve = await startServe({ env: { GENOS_METRICS_INTERVAL_MS: '1000' } });
    await connect();
  });
  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    await removeEnvironmentContainers(docker, [envId]);
  });

  it('creates, starts, pauses, resumes, survives an owner crash, stops and deletes', async () => {
    const spec = testSpec(image, { name: `api-${run}`, network: { mode: 'none', ports: [] } });
    const created = await call('createEnvironment', { spec });
    const [env] = (created.result as { items: EnvironmentSummary[] }).items;
    envId = env!.id;
    expect(env!.state).toBe('draft');

    const started = await call('startEnvironment', { id: envId });
    expect(started.error).toBeUndefined();
    expect(started.result).toMatchObject({ state: 'running' });
    const [container] = await docker.listContainers({ filters: { label: [`genos.env=${envId}`] } });
    expect(container?.State).toBe('running');
    expect(container?.HostConfig?.NetworkMode).toBe('none');

    expect((await call('startEnvironment', { id: envId })).error).toMatchObject({
      code: 'CONFLICT',
    });

    // Metrics: sampled into the ring, pushed, and exposed to Prometheus behind the token.
    const deadline = Date.now() + 15_000;
    let samples: Array<{ memoryBytes: number; cpuPercent: number }> = [];
    while (Date.now() < deadline && samples.length === 0) {
      await new Promise((r) => setTimeout(r, 250));
      samples = ((await call('getMetrics', { id: envId })).result as { items: typeof samples })
        .items;
    }
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]!.memoryBytes).toBeGreaterThan(0);
    const metricsUrl = `http://127.0.0.1:${serve.port}/metrics`;
    expect((await fetch(metricsUrl)).status).toBe(401);
    const scraped = await (
      await fetch(metricsUrl, { headers: { Authorization: `Bearer ${serve.token}` } })
    ).text();
    expect(scraped).toMatch(
      new RegExp(`genos_env_memory_bytes\\{env="${envId}",[^}]*\\} [1-9]\\d*`),
    );
    expect(scraped).toContain('genos_environments{state="running"} 1');
    // A terminal: a shell exec'd in the container, through a one-time ticket.
    const ticket = (await call('openTerminal', { id: envId })).result as {
      url: string;
      token: string;
    };
    const term = new WebSocketClient(
      `ws://127.0.0.1:${serve.port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
    );
    await new Promise((resolve, reject) => term.once('open', resolve).once('error', reject));
    const answer = await new Promise<string>((resolve) => {
      let seen = '';
      term.on('message', (d) => {
        seen += d.toString();
        if (/\n1764\r?\n/.test(seen)) resolve(seen);
      });
      term.send(Buffer.from('echo $((42*42))\n'));
    });
    expect(answer).toContain('1764');
    term.close();

    expect((await call('pauseEnvironment', { id: envId })).result).toMatchObject({
      state: 'paused',
    });
    expect((await docker.getContainer(container!.Id).inspect()).State.Paused).toBe(true);
    expect((await call('resumeEnvironment', { id: envId })).result).toMatchObject({
      state: 'running',
    });

    // The owner dies; the container does not. A new owner re-adopts it.
    serve.child.kill('SIGKILL');
    await new Promise((r) => serve.child.once('exit', r));
    serve = await startServe({
      dataDir: serve.dataDir,
      env: { GENOS_METRICS_INTERVAL_MS: '1000' },
    });
    await connect();
    const after = await call('getEnvironment', { id: envId });
    expect(after.result).toMatchObject({ state: 'running' });
    expect((await docker.getContainer(container!.Id).inspect()).State.Running).toBe(true);

    expect((await call('stopEnvironment', { id: envId, timeoutSec: 2 })).result).toMatchObject({
      state: 'stopped',
    });
    expect((await call('deleteEnvironment', { id: envId })).result).toEqual({ deleted: true });
    expect(
      await docker.listContainers({ all: true, filters: { label: [`genos.env=${envId}`] } }),
    ).toEqual([]);
    expect((await call('getEnvironment', { id: envId })).error).toMatchObject({
      code: 'NOT_FOUND',
    });
    // States pushed to the second connection, after the crash: stopping, stopped, deleting.
    expect(states).toEqual(expect.arrayContaining(['stopping', 'stopped', 'deleting']));
  });

  it('marks a container that dies behind its back as failed within a second or two, with the reason', async () => {
    const spec = testSpec(image, { name: `die-${run}` });
    const [env] = (
      (await call('createEnvironment', { spec })).result as { items: EnvironmentSummary[] }
    ).items;
    envId = env!.id;
    await call('startEnvironment', { id: envId });
    const [container] = await docker.listContainers({ filters: { label: [`genos.env=${envId}`] } });
    await docker.getContainer(container!.Id).kill();
    // The engine's event stream drives this, not the 5 s reconciliation: allow 2.5 s.
    const deadline = Date.now() + 2500;
    let state = 'running';
    let reason: string | null = null;
    while (Date.now() < deadline && state === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      const now = (await call('getEnvironment', { id: envId })).result as EnvironmentSummary;
      state = now.state;
      reason = now.stateReason;
    }
    expect(state).toBe('failed');
    expect(reason).toMatch(/137|killed|exit/i);
    const audit = (await call('listAuditEvents', { target: envId, limit: 20 })).result as {
      items: Array<{ action: string; actor: string }>;
    };
    expect(audit.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'env.died', actor: 'engine' })]),
    );
    expect((await call('deleteEnvironment', { id: envId })).result).toEqual({ deleted: true });
  });
});
