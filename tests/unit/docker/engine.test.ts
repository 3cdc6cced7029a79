import { describe, expect, it } from 'vitest';
import { DockerEngine, type EngineState } from '../../../main/backends/docker/engine.js';
import type { EngineProbe } from '../../../main/host/engine-probe.js';

const none = (
  tried: Array<[string, string]>,
  fix = 'Start the Docker engine: sudo systemctl start docker',
): EngineProbe => ({
  engine: {
    kind: null,
    endpoint: null,
    version: null,
    apiVersion: null,
    tried: tried.map(([endpoint, error]) => ({ endpoint, error })),
  },
  fix,
});

const up = (
  endpoint = 'unix:///var/run/docker.sock',
  tried: Array<[string, string]> = [],
): EngineProbe => ({
  engine: {
    kind: 'docker',
    endpoint,
    version: '20.10.24',
    apiVersion: '1.41',
    tried: tried.map(([e, error]) => ({ endpoint: e, error })),
  },
  fix: null,
});

describe('DockerEngine', () => {
  it('no engine: UNAVAILABLE naming every endpoint tried and how to start one', async () => {
    const engine = new DockerEngine({
      env: {},
      probe: async () =>
        none([
          ['unix:///var/run/docker.sock', 'no socket at /var/run/docker.sock'],
          ['unix:///run/podman/podman.sock', 'no socket at /run/podman/podman.sock'],
        ]),
    });
    const err = await engine.run('list', async () => 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    const msg = (err as Error).message;
    expect(msg).toContain('unix:///var/run/docker.sock (no socket at /var/run/docker.sock)');
    expect(msg).toContain('/run/podman/podman.sock');
    expect(msg).toContain('sudo systemctl start docker');
    expect(engine.lastError).toBe(msg);
  });

  it('DOCKER_HOST is authoritative: another answering engine is named, not used', async () => {
    const env = { DOCKER_HOST: 'unix:///nonexistent/d.sock' };
    const engine = new DockerEngine({
      env,
      probe: async () =>
        up('unix:///var/run/docker.sock', [
          ['unix:///nonexistent/d.sock', 'no socket at /nonexistent/d.sock'],
        ]),
    });
    const err = (await engine.connection().catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain(
      'DOCKER_HOST=unix:///nonexistent/d.sock (no socket at /nonexistent/d.sock)',
    );
    expect(err.message).toContain(
      'An engine does answer at unix:///var/run/docker.sock: unset DOCKER_HOST',
    );
  });

  it('connects once for concurrent callers', async () => {
    let probes = 0;
    const engine = new DockerEngine({
      env: {},
      probe: async () => {
        probes++;
        await new Promise((r) => setTimeout(r, 20));
        return up();
      },
    });
    const [a, b] = await Promise.all([engine.connection(), engine.connection()]);
    expect(a).toBe(b);
    expect(probes).toBe(1);
    expect(engine.endpoint).toBe('unix:///var/run/docker.sock');
  });

  it('a connection failure marks it down; it retries in the background and says when it is back', async () => {
    let answer = true;
    const engine = new DockerEngine({
      env: {},
      retryMinMs: 10,
      retryMaxMs: 40,
      probe: async () =>
        answer ? up() : none([['unix:///var/run/docker.sock', 'nothing is listening']]),
    });
    const states: EngineState[] = [];
    engine.onState((s) => states.push(s));
    await engine.connection();
    answer = false;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = await engine
      .run('stop c', async () => Promise.reject(refused))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(states.at(-1)).toMatchObject({ up: false });
    await new Promise((r) => setTimeout(r, 100));
    expect(states.filter((s) => s.up)).toHaveLength(1); // still down
    answer = true;
    await expect.poll(() => states.at(-1)?.up, { timeout: 1000 }).toBe(true);
    expect(states.map((s) => s.up)).toEqual([true, false, true]);
    engine.close();
    await expect(engine.connection()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('an engine error that is not about the connection leaves it up', async () => {
    const engine = new DockerEngine({ env: {}, probe: async () => up() });
    const states: EngineState[] = [];
    engine.onState((s) => states.push(s));
    const notFound = Object.assign(new Error('(HTTP code 404) no such container - x'), {
      statusCode: 404,
    });
    await expect(
      engine.run('inspect c', async () => Promise.reject(notFound)),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(engine.endpoint).not.toBeNull();
    expect(states.map((s) => s.up)).toEqual([true]);
    engine.close();
  });
});

describe('DockerEngine state reports', () => {
  it('says "down" once per outage, also when it was never up', async () => {
    const engine = new DockerEngine({
      env: {},
      retryMinMs: 5,
      retryMaxMs: 10,
      probe: async () => none([['unix:///var/run/docker.sock', 'no socket']]),
    });
    const states: EngineState[] = [];
    engine.onState((s) => states.push(s));
    engine.markDown('event stream: no engine');
    engine.markDown('again');
    await new Promise((r) => setTimeout(r, 60)); // several failed retries
    expect(states).toEqual([{ up: false, error: 'event stream: no engine' }]);
    engine.close();
  });
});
