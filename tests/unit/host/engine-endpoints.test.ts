import { describe, expect, it } from 'vitest';
import { dockerOptions, engineCandidates } from '../../../main/host/engine-endpoints.js';

const DOCKER_SOCK = 'unix:///var/run/docker.sock';
const PODMAN_SOCK = 'unix:///run/podman/podman.sock';

describe('engineCandidates', () => {
  it('puts DOCKER_HOST first, then the system sockets, then the user runtime dir', () => {
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:2375', XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(engineCandidates(env).map((c) => c.endpoint)).toEqual([
      'tcp://127.0.0.1:2375',
      DOCKER_SOCK,
      PODMAN_SOCK,
      'unix:///run/user/1000/podman/podman.sock',
      'unix:///run/user/1000/docker.sock',
    ]);
  });

  it('lists the default socket once even when DOCKER_HOST names it, and ignores a relative runtime dir', () => {
    const list = engineCandidates({ DOCKER_HOST: DOCKER_SOCK, XDG_RUNTIME_DIR: 'run' });
    expect(list.map((c) => [c.endpoint, c.fromDockerHost])).toEqual([
      [DOCKER_SOCK, true],
      [PODMAN_SOCK, false],
    ]);
  });
});

describe('dockerOptions', () => {
  const cand = (endpoint: string) => engineCandidates({ DOCKER_HOST: endpoint })[0]!;

  it('connects unix sockets by path and clears the host docker-modem would take from process.env', async () => {
    const o = await dockerOptions(cand('unix:///tmp/d.sock'), {}, 500);
    expect(o).toMatchObject({ socketPath: '/tmp/d.sock', timeout: 500 });
    expect('host' in o && o.host === undefined).toBe(true);
  });

  it('maps tcp to http, port 2376 or DOCKER_TLS_VERIFY to https, and ssh to ssh', async () => {
    expect(await dockerOptions(cand('tcp://10.0.0.5:2375'), {}, 1)).toMatchObject({
      protocol: 'http',
      host: '10.0.0.5',
      port: '2375',
    });
    expect(await dockerOptions(cand('tcp://h:2376'), {}, 1)).toMatchObject({
      protocol: 'https',
      port: '2376',
    });
    expect(await dockerOptions(cand('tcp://h:1234'), { DOCKER_TLS_VERIFY: '1' }, 1)).toMatchObject({
      protocol: 'https',
    });
    expect(await dockerOptions(cand('ssh://me@box'), {}, 1)).toMatchObject({
      protocol: 'ssh',
      host: 'box',
      username: 'me',
      port: '22',
    });
  });

  it('refuses schemes it cannot speak, with a message saying what works', async () => {
    await expect(dockerOptions(cand('npipe:////./pipe/docker'), {}, 1)).rejects.toThrow(
      /unix:\/\/, tcp:\/\/ or ssh:\/\//,
    );
    await expect(dockerOptions(cand('unix://'), {}, 1)).rejects.toThrow(/without a socket path/);
  });
});
