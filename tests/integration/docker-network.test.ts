import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type { EnvRef } from '../../main/backends/backend.js';
import type { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import type { EnvironmentSpecInput } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testSpec } from '../helpers/docker-test-image.js';
import { dockerTestRun } from '../helpers/docker-test-run.js';

/**
 * Network modes against the real dockerd. Traffic stays on this machine: between this test's own
 * containers on the internal network it made, and to 127.0.0.1 (ENVIRONMENT.md). Nat mode is
 * checked by its configuration and a published port on 127.0.0.1, never by reaching out.
 */

const hasDocker = backendAvailable('docker');
const { runId, up: upOn, labelledBackend, cleanup } = dockerTestRun();

let image: string;
let backend: DockerBackend;
let docker: Docker;

function env(
  suffix: string,
  over: Partial<EnvironmentSpecInput> & { name: string },
  handles = {},
): EnvRef {
  return { id: `${runId}${suffix}`, spec: testSpec(image, over), handles };
}

const up = (e: EnvRef) => upOn(backend, e);

const serveHello = (text: string, port: number) => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && httpd -p ${port} -h /www`,
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe.skipIf(!hasDocker)('Docker network modes (real dockerd)', () => {
  beforeAll(async () => {
    image = await ensureTestImage();
    docker = testDocker();
    backend = labelledBackend();
  });
  afterAll(() => cleanup(backend, docker));

  it('isolated: members of one stack reach each other by name on an Internal network', async () => {
    const stack = { stack: runId };
    const mode = { mode: 'isolated' as const, ports: [] };
    const [alpha, beta] = await Promise.all([
      up(env('a', { name: 'alpha', network: mode }, stack)),
      up(env('b', { name: 'beta', network: mode }, stack)),
    ]);
    const netName = `genos-isolated-${runId}`;
    expect(alpha.handles.network).toBe(netName);
    const info = await docker.getNetwork(netName).inspect();
    expect(info.Internal).toBe(true);
    expect(info.Labels).toMatchObject({ 'genos.network': runId, 'genos.test': runId });
    expect(Object.keys(info.Containers ?? {})).toHaveLength(2);

    expect((await backend.exec(alpha, serveHello('hello-from-alpha', 8080))).exitCode).toBe(0);
    const res = await backend.exec(beta, [
      'sh',
      '-c',
      'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 3 alpha 8080',
    ]);
    expect(res.stdout).toContain('hello-from-alpha');
    // "Nothing else" is the engine's Internal flag (its firewall drops what leaves the bridge):
    // checked as configuration, never by sending traffic out. One interface besides lo.
    const links = await backend.exec(beta, ['ip', '-o', 'link']);
    expect(
      links.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim().split('@')[0]),
    ).toEqual(['lo', 'eth0']);
    expect(
      Object.keys(
        (await docker.getContainer(String(beta.handles.containerId)).inspect()).NetworkSettings
          .Networks,
      ),
    ).toEqual([netName]);

    await backend.remove(alpha);
    // The network stays while a member uses it, and goes with the last one.
    expect((await docker.getNetwork(netName).inspect()).Id).toBe(info.Id);
    await backend.remove(beta);
    await expect(docker.getNetwork(netName).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('none: only the loopback interface, no routes', async () => {
    const e = await up(env('n', { name: 'lonely' }));
    const links = await backend.exec(e, ['ip', '-o', 'link']);
    expect(links.stdout.trim().split('\n')).toHaveLength(1);
    expect(links.stdout).toMatch(/^1: lo:/);
    expect((await backend.exec(e, ['ip', 'route'])).stdout.trim()).toBe('');
    await backend.remove(e);
  });

  it('nat: the default bridge, with forwards published on 127.0.0.1 only', async () => {
    const port = await freePort();
    const e = await up(
      env('t', { name: 'web', network: { mode: 'nat', ports: [{ host: port, guest: 8000 }] } }),
    );
    const info = await docker.getContainer(String(e.handles.containerId)).inspect();
    expect(info.HostConfig.NetworkMode).toBe('bridge');
    expect(info.HostConfig.PortBindings).toEqual({
      '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    expect(info.NetworkSettings.Ports['8000/tcp']).toEqual([
      { HostIp: '127.0.0.1', HostPort: String(port) },
    ]);
    expect((await backend.exec(e, serveHello('hello-over-nat', 8000))).exitCode).toBe(0);
    await expect
      .poll(() => get(`http://127.0.0.1:${port}/`).catch(() => ''), { timeout: 5000 })
      .toContain('hello-over-nat');
    await backend.remove(e);
  });
});
