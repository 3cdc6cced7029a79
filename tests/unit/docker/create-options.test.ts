import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EnvironmentSpec, EnvironmentSpecInput } from '../../../preload/contract.js';
import {
  buildCreateOptions,
  engineSocketPaths,
  type CreateInput,
} from '../../../main/backends/docker/create-options.js';
import { describeRelaxations } from '../../../main/backends/docker/relaxations.js';
import { GENOS_VERSION } from '../../../main/core/version.js';
import { baseSpec } from '../../helpers/spec-fixture.js';

function spec(over: Partial<EnvironmentSpecInput> = {}): EnvironmentSpec {
  return baseSpec({
    name: 'web',
    backend: 'docker',
    resources: { cpus: 2, memoryMiB: 512, diskGiB: 4 },
    image: { kind: 'container-image', ref: 'debian:12' },
    ...over,
  });
}

const input = (over: Partial<CreateInput> = {}, s = spec()): CreateInput => ({
  envId: 'a1b2c3d4e5f6',
  spec: s,
  image: 'debian:12',
  processEnv: {},
  ...over,
});

const build = (over: Partial<CreateInput> = {}, s = spec()) => buildCreateOptions(input(over, s));
const host = (over: Partial<CreateInput> = {}, s = spec()) => build(over, s).options.HostConfig!;

describe('buildCreateOptions: sandbox defaults', () => {
  it('names, labels and image', () => {
    const { options } = build({ extraLabels: { 'genos.test': 'run1' } });
    expect(options.name).toBe('genos-web-a1b2c3d4e5f6');
    expect(options.Image).toBe('debian:12');
    expect(options.Hostname).toBe('web');
    expect(options.Labels).toEqual({
      'genos.test': 'run1',
      'genos.env': 'a1b2c3d4e5f6',
      'genos.version': GENOS_VERSION,
    });
  });

  it('extra labels cannot override GenOS labels', () => {
    const { options } = build({ extraLabels: { 'genos.env': 'other', 'genos.version': 'x' } });
    expect(options.Labels?.['genos.env']).toBe('a1b2c3d4e5f6');
    expect(options.Labels?.['genos.version']).toBe(GENOS_VERSION);
  });

  it('CPUs as NanoCpus, memory with swap equal to it, the pids limit', () => {
    const hc = host();
    expect(hc.NanoCpus).toBe(2_000_000_000);
    expect(hc.Memory).toBe(512 * 1024 * 1024);
    expect(hc.MemorySwap).toBe(hc.Memory);
    expect(hc.PidsLimit).toBe(512);
  });

  it('caps CPUs at the host count and says so', () => {
    const plan = build(
      { hostCpus: 1 },
      spec({ resources: { cpus: 8, memoryMiB: 64, diskGiB: 1 } }),
    );
    expect(plan.options.HostConfig?.NanoCpus).toBe(1_000_000_000);
    expect(plan.notes.join(' ')).toMatch(/capped from 8 to this host's 1/);
    expect(build({ hostCpus: 16 }).options.HostConfig?.NanoCpus).toBe(2_000_000_000);
  });

  it('drops every capability, no new privileges, default seccomp, not privileged', () => {
    const hc = host();
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.CapAdd).toEqual([]);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(hc.Privileged).toBe(false);
    expect(JSON.stringify(hc)).not.toMatch(/seccomp|unconfined|apparmor/);
    expect(hc.ReadonlyRootfs).toBe(false);
    expect(hc.Tmpfs).toBeUndefined();
    expect(hc.Binds).toEqual([]);
    expect(hc.RestartPolicy).toEqual({ Name: 'no' });
    expect(hc.Init).toBe(true);
  });

  it('adds back only the capabilities asked for, without CAP_ prefixes or duplicates', () => {
    const hc = host(
      {},
      spec({ hardening: { capAdd: ['NET_BIND_SERVICE', 'CAP_CHOWN', 'NET_BIND_SERVICE'] } }),
    );
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.CapAdd).toEqual(['NET_BIND_SERVICE', 'CHOWN']);
  });

  it('relaxes no-new-privileges only when the spec says so', () => {
    expect(host({}, spec({ hardening: { noNewPrivileges: false } })).SecurityOpt).toEqual([]);
  });

  it('read-only root comes with a tmpfs /tmp', () => {
    const hc = host({}, spec({ hardening: { readOnlyRoot: true } }));
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Tmpfs).toEqual({ '/tmp': 'rw,nosuid,nodev,mode=1777' });
  });

  it('keeps a TTY and open stdin so a shell entrypoint stays up and can be attached', () => {
    const { options } = build();
    expect(options).toMatchObject({ Tty: true, OpenStdin: true, StdinOnce: false });
    expect(options.Cmd).toBeUndefined();
    expect(build({ cmd: ['sleep', '1'] }).options.Cmd).toEqual(['sleep', '1']);
  });

  it('passes environment variables and refuses invalid names', () => {
    expect(build({ env: { TZ: 'UTC', A_1: 'x=y' } }).options.Env).toEqual(['TZ=UTC', 'A_1=x=y']);
    expect(() => build({ env: { 'BAD-NAME': '1' } })).toThrow(/not valid/);
  });

  it('marks ephemeral environments', () => {
    expect(build({}, spec({ ephemeral: true })).options.Labels?.['genos.ephemeral']).toBe('1');
    expect(build().options.Labels?.['genos.ephemeral']).toBeUndefined();
  });

  it('refuses an environment id that cannot name a container', () => {
    expect(() => build({ envId: 'Bad Id' })).toThrow(expect.objectContaining({ code: 'BAD_ARGS' }));
  });

  it('notes what containers do not enforce (disk size, GUI)', () => {
    const notes = build({}, spec({ display: 'gui' })).notes.join(' ');
    expect(notes).toMatch(/Disk size .* not enforced/);
    expect(notes).toMatch(/no graphical display/);
  });
});

describe('buildCreateOptions: mounts never expose an engine socket', () => {
  const env = { DOCKER_HOST: 'unix:///srv/engine/d.sock', XDG_RUNTIME_DIR: '/run/user/1000' };
  const sockets = engineSocketPaths(env);

  it('knows the Docker, Podman (rootful and rootless), containerd and DOCKER_HOST sockets', () => {
    expect(sockets).toEqual(
      expect.arrayContaining([
        '/var/run/docker.sock',
        '/run/docker.sock',
        '/run/podman/podman.sock',
        '/run/user/1000/podman/podman.sock',
        '/run/containerd/containerd.sock',
        '/srv/engine/d.sock',
      ]),
    );
  });

  it.each([
    '/var/run/docker.sock',
    '/var/run/../run/docker.sock',
    '/var/run',
    '/run',
    '/',
    '/var',
    '/run/user/1000',
    '/srv/engine',
    '/home/me/.docker/run/docker.sock',
    '/tmp/podman.sock',
  ])('refuses a bind of %s', (source) => {
    expect(() => build({ processEnv: env, mounts: [{ source, target: '/x' }] })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });

  it('allows a narrow directory, read-only when asked', () => {
    const hc = host({
      processEnv: env,
      mounts: [
        { source: '/home/me/project', target: '/work', readOnly: true },
        { source: '/var/lib/data', target: '/data' },
      ],
    });
    expect(hc.Binds).toEqual(['/home/me/project:/work:ro', '/var/lib/data:/data:rw']);
  });

  it('refuses relative paths', () => {
    expect(() => build({ mounts: [{ source: 'rel', target: '/x' }] })).toThrow(/absolute/);
  });
});

describe('buildCreateOptions: network modes and ports', () => {
  it('none: no network at all', () => {
    const plan = build();
    expect(plan.options.HostConfig?.NetworkMode).toBe('none');
    expect(plan.network).toBeNull();
    expect(plan.options.NetworkingConfig).toBeUndefined();
  });

  it('isolated: an internal network per stack, reachable by the environment name', () => {
    const s = spec({ network: { mode: 'isolated', ports: [] } });
    const own = build({}, s);
    expect(own.network?.name).toBe('genos-isolated-a1b2c3d4e5f6');
    const stacked = build({ networkKey: 'stack1', extraLabels: { 'genos.test': 'r' } }, s);
    expect(stacked.network).toEqual({
      name: 'genos-isolated-stack1',
      key: 'stack1',
      labels: { 'genos.test': 'r', 'genos.network': 'stack1', 'genos.version': GENOS_VERSION },
    });
    expect(stacked.options.HostConfig?.NetworkMode).toBe('genos-isolated-stack1');
    expect(stacked.options.NetworkingConfig).toEqual({
      EndpointsConfig: { 'genos-isolated-stack1': { Aliases: ['web'] } },
    });
  });

  it('nat: the default bridge, ports published on 127.0.0.1 only', () => {
    const s = spec({
      network: {
        mode: 'nat',
        ports: [
          { host: 8080, guest: 80 },
          { host: 8443, guest: 80, protocol: 'tcp' },
          { host: 5353, guest: 53, protocol: 'udp' },
        ],
      },
    });
    const { options } = build({}, s);
    expect(options.HostConfig?.NetworkMode).toBe('bridge');
    expect(options.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({
      '80/tcp': [
        { HostIp: '127.0.0.1', HostPort: '8080' },
        { HostIp: '127.0.0.1', HostPort: '8443' },
      ],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    });
  });

  it('every published port is on 127.0.0.1, whatever the forwards (property)', () => {
    const port = fc.integer({ min: 1, max: 65535 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ host: port, guest: port }), {
          maxLength: 10,
          selector: (p) => p.host,
        }),
        (ports) => {
          const { options } = build({}, spec({ network: { mode: 'nat', ports } }));
          const bindings = Object.values(
            options.HostConfig?.PortBindings as Record<string, Array<{ HostIp: string }>>,
          ).flat();
          expect(bindings).toHaveLength(ports.length);
          expect(bindings.every((b) => b.HostIp === '127.0.0.1')).toBe(true);
        },
      ),
    );
  });

  it('refuses a host port forwarded twice', () => {
    const s = spec({
      network: {
        mode: 'nat',
        ports: [
          { host: 8080, guest: 80 },
          { host: 8080, guest: 81 },
        ],
      },
    });
    expect(() => build({}, s)).toThrow(/forwarded twice/);
  });

  it.each(['none', 'isolated'] as const)(
    'refuses ports in %s mode (they could not work)',
    (mode) => {
      const s = spec({ network: { mode, ports: [{ host: 8080, guest: 80 }] } });
      expect(() => build({}, s)).toThrow(expect.objectContaining({ code: 'BAD_ARGS' }));
    },
  );
});

describe('buildCreateOptions: health check', () => {
  const NS = 1_000_000_000;
  it('command -> CMD argv with intervals in nanoseconds', () => {
    const s = spec({
      healthCheck: {
        kind: 'command',
        command: ['pg_isready', '-q'],
        intervalSec: 7,
        timeoutSec: 2,
        retries: 4,
      },
    });
    expect(build({}, s).options.Healthcheck).toEqual({
      Test: ['CMD', 'pg_isready', '-q'],
      Interval: 7 * NS,
      Timeout: 2 * NS,
      Retries: 4,
    });
  });

  it('file -> test -e; defaults from the schema', () => {
    const s = spec({ healthCheck: { kind: 'file', path: '/ready' } });
    expect(build({}, s).options.Healthcheck).toEqual({
      Test: ['CMD', 'test', '-e', '/ready'],
      Interval: 10 * NS,
      Timeout: 5 * NS,
      Retries: 3,
    });
  });

  it('tcp -> a probe of the port inside, with a note about what the image needs', () => {
    const plan = build({}, spec({ healthCheck: { kind: 'tcp', port: 5432 } }));
    expect(plan.options.Healthcheck?.Test?.[0]).toBe('CMD-SHELL');
    expect(plan.options.Healthcheck?.Test?.[1]).toContain('127.0.0.1 5432');
    expect(plan.notes.join(' ')).toMatch(/needs nc or bash/);
  });

  it('refuses a check without its target', () => {
    expect(() => build({}, spec({ healthCheck: { kind: 'command' } }))).toThrow(/needs a command/);
    expect(() => build({}, spec({ healthCheck: { kind: 'tcp' } }))).toThrow(/needs a port/);
    expect(() => build({}, spec({ healthCheck: { kind: 'file' } }))).toThrow(/needs a path/);
  });

  it('no check -> no Healthcheck (the image default applies)', () => {
    expect(build().options.Healthcheck).toBeUndefined();
  });
});

describe('describeRelaxations', () => {
  it('nothing relaxed by default', () => {
    expect(describeRelaxations(spec())).toEqual([]);
  });

  it('lists each relaxation in words with a risk', () => {
    const r = describeRelaxations(
      spec({
        hardening: {
          capAdd: ['NET_BIND_SERVICE', 'SYS_ADMIN'],
          noNewPrivileges: false,
          pidsLimit: 4096,
        },
        network: { mode: 'nat', ports: [{ host: 8080, guest: 80 }] },
      }),
    );
    expect(r.map((x) => [x.setting, x.risk])).toEqual([
      ['hardening.capAdd', 'medium'],
      ['hardening.capAdd', 'high'],
      ['hardening.noNewPrivileges', 'medium'],
      ['hardening.pidsLimit', 'low'],
      ['network.mode', 'medium'],
      ['network.ports', 'low'],
    ]);
    expect(r[0]!.text).toMatch(/NET_BIND_SERVICE.*bind ports below 1024/);
    expect(r[1]!.text).toMatch(/SYS_ADMIN.*root/);
    expect(r[2]!.text).toMatch(/setuid/);
    expect(r[3]!.text).toMatch(/4096.*default 512/);
    expect(r[5]!.text).toMatch(/8080\/tcp.*127\.0\.0\.1 only.*80/);
  });

  it('a lower pids limit or isolated network is not a relaxation', () => {
    expect(
      describeRelaxations(
        spec({ hardening: { pidsLimit: 64 }, network: { mode: 'isolated', ports: [] } }),
      ),
    ).toEqual([]);
  });
});
