import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineCandidates } from '../../../main/host/engine-endpoints.js';
import {
  describeEngineError,
  engineKind,
  probeEngine,
  type VersionAsker,
} from '../../../main/host/engine-probe.js';

describe('engineKind and errors', () => {
  it('recognises Podman by its component or platform name', () => {
    expect(engineKind({ Components: [{ Name: 'Podman Engine', Version: '4.3.1' }] })).toBe(
      'podman',
    );
    expect(engineKind({ Platform: { Name: 'linux/amd64/podman' } })).toBe('podman');
    expect(
      engineKind({
        Components: [{ Name: 'Engine' }, { Name: 'containerd' }],
        Platform: { Name: 'Docker Engine - Community' },
      }),
    ).toBe('docker');
    expect(engineKind({ Components: 'nonsense' })).toBe('docker');
  });

  it('turns errno codes into words', () => {
    const c = engineCandidates({})[0]!;
    expect(describeEngineError(Object.assign(new Error('x'), { code: 'EACCES' }), c)).toBe(
      'permission denied on /var/run/docker.sock',
    );
    expect(describeEngineError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), c)).toMatch(
      /nothing is listening.*not running/,
    );
    expect(
      describeEngineError(Object.assign(new Error('boom\nstack'), { statusCode: 500 }), c),
    ).toBe('the engine answered HTTP 500: boom');
  });
});

describe('probeEngine', () => {
  let dir: string;
  const servers: (net.Server | http.Server)[] = [];

  function listen<S extends net.Server>(server: S, file: string): Promise<S> {
    servers.push(server);
    return new Promise((resolve) => server.listen(file, () => resolve(server)));
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-engine-'));
    await fs.mkdir(path.join(dir, 'podman'));
    // Real sockets, so the "does the socket exist" step is exercised, not faked.
    await listen(
      net.createServer((s) => s.destroy()),
      path.join(dir, 'podman', 'podman.sock'),
    );
    await listen(
      net.createServer((s) => s.destroy()),
      path.join(dir, 'docker.sock'),
    );
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps the first candidate in preference order that answers, listing only earlier failures', async () => {
    const asked: string[] = [];
    const ask: VersionAsker = async (c) => {
      asked.push(c.endpoint);
      if (c.endpoint.endsWith('/podman/podman.sock') && c.endpoint.includes(dir)) {
        return { Version: '4.3.1', ApiVersion: '1.41', Components: [{ Name: 'Podman Engine' }] };
      }
      if (c.endpoint.endsWith(`${dir}/docker.sock`))
        return { Version: '24.0.0', ApiVersion: '1.43' };
      throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    };
    const r = await probeEngine({ XDG_RUNTIME_DIR: dir }, ask);
    expect(r.engine).toMatchObject({
      kind: 'podman',
      endpoint: `unix://${dir}/podman/podman.sock`,
      version: '4.3.1',
      apiVersion: '1.41',
    });
    expect(r.fix).toBeNull();
    // With DOCKER_HOST set and failing, the answering engine is named in the fix, not reported
    // as available: the backend would refuse to use it.
    const own = await probeEngine({ DOCKER_HOST: 'tcp://127.0.0.1:1', XDG_RUNTIME_DIR: dir }, ask);
    expect(own.engine).toMatchObject({ kind: null, endpoint: null });
    expect(own.fix).toBe(
      'Start the engine at DOCKER_HOST=tcp://127.0.0.1:1, or unset DOCKER_HOST: ' +
        `an engine answers at unix://${dir}/podman/podman.sock`,
    );
    expect(own.engine.tried[0]).toEqual({
      endpoint: 'tcp://127.0.0.1:1',
      error: 'nothing is listening on tcp://127.0.0.1:1 (the engine is not running)',
    });
    expect(r.engine.tried.map((t) => t.endpoint)).not.toContain(`unix://${dir}/docker.sock`);
    expect(asked).toContain('tcp://127.0.0.1:1'); // DOCKER_HOST is always asked
  });

  it('reports every failure and a fix when nothing answers', async () => {
    const ask: VersionAsker = async () => {
      throw Object.assign(new Error('denied'), { code: 'EACCES' });
    };
    const r = await probeEngine({ XDG_RUNTIME_DIR: dir, PATH: '' }, ask);
    expect(r.engine).toMatchObject({ kind: null, endpoint: null, version: null, apiVersion: null });
    expect(r.engine.tried).toContainEqual({
      endpoint: `unix://${dir}/docker.sock`,
      error: `permission denied on ${dir}/docker.sock`,
    });
    expect(r.fix).toMatch(/usermod -aG docker/);
  });

  it('talks to a real socket through dockerode and gives up after the timeout', async () => {
    const sock = path.join(dir, 'fake-engine.sock');
    await listen(
      http.createServer((req, res) => {
        if (req.url?.endsWith('/version')) {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              Version: '4.9.0',
              ApiVersion: '1.41',
              Platform: { Name: 'linux/amd64/podman' },
            }),
          );
        }
        // anything else: never answer, to exercise the timeout
      }),
      sock,
    );
    const r = await probeEngine({ DOCKER_HOST: `unix://${sock}` }, undefined, 300);
    expect(r.engine).toMatchObject({
      kind: 'podman',
      endpoint: `unix://${sock}`,
      version: '4.9.0',
      apiVersion: '1.41',
      tried: [],
    });

    const silent = path.join(dir, 'silent.sock');
    await listen(
      net.createServer(() => undefined),
      silent,
    );
    const t0 = performance.now();
    const s = await probeEngine({ DOCKER_HOST: `unix://${silent}`, PATH: '' }, undefined, 300);
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(s.engine.tried[0]?.endpoint).toBe(`unix://${silent}`);
    expect(s.engine.tried[0]?.error).toBe('no answer within 300 ms');
  });
});
