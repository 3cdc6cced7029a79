/**
 * EnvironmentSpec -> the exact dockerode create options. Pure (no engine, no clock), so the dry
 * run shows precisely what `create` will send, and the sandbox defaults are unit-tested field by
 * field. The defaults: every capability dropped (only hardening.capAdd added back),
 * no-new-privileges, the engine's default seccomp profile (never unconfined), a pids limit,
 * memory with swap equal to it (no extra swap), optional read-only root with a tmpfs /tmp, ports
 * only on 127.0.0.1, never an engine socket mounted.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import { GENOS_VERSION } from '../../core/version.js';
import { engineCandidates } from '../../host/engine-endpoints.js';
import {
  checkEnvId,
  containerName,
  isolatedNetworkName,
  LABEL_ENV,
  LABEL_EPHEMERAL,
  LABEL_NETWORK_KEY,
  LABEL_VERSION,
} from './labels.js';

export type Mount = { source: string; target: string; readOnly?: boolean };

export type CreateInput = {
  envId: string;
  spec: EnvironmentSpec;
  /** The image reference or id to run (resolved by the caller: catalog, derived, snapshot). */
  image: string;
  /** Key of the isolated network: the stack's id when the environment is in one, else its id. */
  networkKey?: string;
  /** Host CPUs: the engine refuses more NanoCpus than the host has, so the plan caps and says so. */
  hostCpus?: number;
  env?: Record<string, string>;
  mounts?: Mount[];
  /** Overrides the image's CMD (argv, never a shell string). */
  cmd?: string[];
  /** More labels (tests add genos.test=<run id>); they cannot override GenOS's own. */
  extraLabels?: Record<string, string>;
  version?: string;
  /** Whose engine sockets must never be mounted; defaults to the probe's candidate list. */
  processEnv?: NodeJS.ProcessEnv;
};

export type IsolatedNetwork = { name: string; key: string; labels: Record<string, string> };

export type CreatePlan = {
  options: Docker.ContainerCreateOptions;
  /** The internal network `create` must make first (isolated mode), else null. */
  network: IsolatedNetwork | null;
  notes: string[];
};

const NS = 1_000_000_000;
const MIB = 1024 * 1024;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every socket a container could drive an engine through, and so take over the host. */
export function engineSocketPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths = new Set([
    '/var/run/docker.sock',
    '/run/docker.sock',
    '/run/containerd/containerd.sock',
  ]);
  for (const c of engineCandidates(env))
    if (c.socketPath) paths.add(path.posix.resolve(c.socketPath));
  return [...paths];
}

function checkMount(m: Mount, sockets: string[]): string {
  if (!path.posix.isAbsolute(m.source) || !path.posix.isAbsolute(m.target)) {
    throw new GenosError(
      'BAD_ARGS',
      `mount ${m.source} -> ${m.target}: both paths must be absolute`,
    );
  }
  const src = path.posix.resolve(m.source);
  // The socket itself, or any directory that contains one (/, /var/run, /run, ...).
  const hit = sockets.find((s) => s === src || s.startsWith(src === '/' ? '/' : `${src}/`));
  if (hit || /(^|\/)(docker|podman|containerd)\.sock$/.test(src)) {
    throw new GenosError(
      'FORBIDDEN',
      `mount of ${m.source} refused: it is or contains a container engine socket (${hit ?? src}), which would give the environment control of the host. Mount a narrower directory.`,
    );
  }
  return `${src}:${path.posix.resolve(m.target)}:${m.readOnly ? 'ro' : 'rw'}`;
}

function healthcheck(spec: EnvironmentSpec, notes: string[]): Docker.HealthConfig | undefined {
  const h = spec.healthCheck;
  if (!h) return undefined;
  let test: string[];
  switch (h.kind) {
    case 'command':
      if (!h.command?.length) {
        throw new GenosError('BAD_ARGS', 'healthCheck kind "command" needs a command (argv)');
      }
      test = ['CMD', ...h.command];
      break;
    case 'tcp':
      if (!h.port) throw new GenosError('BAD_ARGS', 'healthCheck kind "tcp" needs a port');
      // The port is a validated integer, so this shell line cannot be injected into.
      test = ['CMD-SHELL', `nc -z 127.0.0.1 ${h.port} || (echo > /dev/tcp/127.0.0.1/${h.port})`];
      notes.push(
        `The tcp health check runs inside the container and needs nc or bash in the image.`,
      );
      break;
    case 'file':
      if (!h.path) throw new GenosError('BAD_ARGS', 'healthCheck kind "file" needs a path');
      test = ['CMD', 'test', '-e', h.path];
      break;
  }
  return {
    Test: test,
    Interval: h.intervalSec * NS,
    Timeout: h.timeoutSec * NS,
    Retries: h.retries,
  };
}

function ports(spec: EnvironmentSpec): Pick<Docker.ContainerCreateOptions, 'ExposedPorts'> & {
  bindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
} {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const used = new Set<string>();
  for (const p of spec.network.ports) {
    const hostKey = `${p.host}/${p.protocol}`;
    if (used.has(hostKey)) {
      throw new GenosError(
        'BAD_ARGS',
        `host port ${hostKey} is forwarded twice; each host port once`,
      );
    }
    used.add(hostKey);
    const key = `${p.guest}/${p.protocol}`;
    exposed[key] = {};
    // 127.0.0.1 only: a sandbox's services are for this machine, never the LAN.
    (bindings[key] ??= []).push({ HostIp: '127.0.0.1', HostPort: String(p.host) });
  }
  return { ExposedPorts: exposed, bindings };
}

export function buildCreateOptions(input: CreateInput): CreatePlan {
  const { spec } = input;
  const envId = checkEnvId(input.envId);
  const notes: string[] = [];
  const h = spec.hardening;
  const sockets = engineSocketPaths(input.processEnv ?? process.env);

  let cpus = spec.resources.cpus;
  if (input.hostCpus !== undefined && cpus > input.hostCpus) {
    notes.push(
      `CPUs capped from ${cpus} to this host's ${input.hostCpus} (the engine refuses more).`,
    );
    cpus = input.hostCpus;
  }
  const memory = spec.resources.memoryMiB * MIB;

  const labels: Record<string, string> = {
    ...input.extraLabels,
    [LABEL_ENV]: envId,
    [LABEL_VERSION]: input.version ?? GENOS_VERSION,
  };
  if (spec.ephemeral) labels[LABEL_EPHEMERAL] = '1';

  const env = Object.entries(input.env ?? {}).map(([k, v]) => {
    if (!ENV_KEY.test(k))
      throw new GenosError('BAD_ARGS', `environment variable name "${k}" is not valid`);
    return `${k}=${v}`;
  });

  const { ExposedPorts, bindings } = ports(spec);
  let networkMode: string;
  let network: IsolatedNetwork | null = null;
  let endpoints: Docker.ContainerCreateOptions['NetworkingConfig'];
  switch (spec.network.mode) {
    case 'none':
      networkMode = 'none';
      break;
    case 'isolated': {
      const key = checkEnvId(input.networkKey ?? envId);
      network = {
        name: isolatedNetworkName(key),
        key,
        labels: {
          ...input.extraLabels,
          [LABEL_NETWORK_KEY]: key,
          [LABEL_VERSION]: input.version ?? GENOS_VERSION,
        },
      };
      networkMode = network.name;
      notes.push(
        `Joins the internal network ${network.name} (made if absent): the stack's members reach each other by name; the engine drops traffic leaving it.`,
      );
      // The environment's name resolves for the other members of its stack.
      endpoints = { EndpointsConfig: { [network.name]: { Aliases: [spec.name] } } };
      break;
    }
    case 'nat':
      networkMode = 'bridge';
      break;
  }
  if (spec.network.ports.length > 0 && spec.network.mode !== 'nat') {
    // An internal network has no path to the host, so a forward there would silently not work.
    throw new GenosError(
      'BAD_ARGS',
      `port forwards need network mode "nat"; in "${spec.network.mode}" mode nothing can reach the container from the host. Remove the ports or switch to nat.`,
    );
  }

  const health = healthcheck(spec, notes);
  const tmpfs = h.readOnlyRoot ? { '/tmp': 'rw,nosuid,nodev,mode=1777' } : undefined;
  if (spec.resources.diskGiB) {
    notes.push(
      `Disk size (${spec.resources.diskGiB} GiB) is not enforced for containers: overlay2 needs xfs project quotas for that.`,
    );
  }
  if (spec.display === 'gui') {
    notes.push('Containers have no graphical display yet: use the terminal.');
  }

  const options: Docker.ContainerCreateOptions = {
    name: containerName(envId, spec),
    Image: input.image,
    Hostname: spec.name,
    Labels: labels,
    Env: env,
    ...(input.cmd ? { Cmd: input.cmd } : {}),
    // A TTY with stdin open keeps a shell entrypoint alive and lets the UI attach to it.
    Tty: true,
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts,
    ...(health ? { Healthcheck: health } : {}),
    HostConfig: {
      NanoCpus: cpus * NS,
      Memory: memory,
      // Equal to Memory: no swap beyond the limit, so "4 GB" means 4 GB.
      MemorySwap: memory,
      PidsLimit: h.pidsLimit,
      CapDrop: ['ALL'],
      CapAdd: [...new Set(h.capAdd.map((c) => c.replace(/^CAP_/, '')))],
      // No "seccomp=unconfined" ever: leaving seccomp out keeps the engine's default profile.
      SecurityOpt: h.noNewPrivileges ? ['no-new-privileges:true'] : [],
      Privileged: false,
      ReadonlyRootfs: h.readOnlyRoot,
      ...(tmpfs ? { Tmpfs: tmpfs } : {}),
      Binds: (input.mounts ?? []).map((m) => checkMount(m, sockets)),
      PortBindings: bindings,
      NetworkMode: networkMode,
      // The orchestrator applies restart policies, so it sees every restart and can stop one.
      RestartPolicy: { Name: 'no' },
      // A tiny init as PID 1 reaps zombies and forwards signals to the workload.
      Init: true,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
    ...(endpoints ? { NetworkingConfig: endpoints } : {}),
  };
  return { options, network, notes };
}
