import fs from 'node:fs/promises';
import path from 'node:path';
import type { DockerOptions } from 'dockerode';

/**
 * Where a Docker-compatible engine may be listening, in the order GenOS prefers them, and how
 * to reach each with dockerode.
 */

export type EngineCandidate = {
  /** As shown to the user: a unix:// URL or DOCKER_HOST verbatim. */
  endpoint: string;
  /** Set for unix sockets: the probe checks the file exists before connecting. */
  socketPath: string | null;
  fromDockerHost: boolean;
};

function unixCandidate(socketPath: string): EngineCandidate {
  return { endpoint: `unix://${socketPath}`, socketPath, fromDockerHost: false };
}

export function engineCandidates(env: NodeJS.ProcessEnv): EngineCandidate[] {
  const list: EngineCandidate[] = [];
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    const socketPath = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : null;
    list.push({ endpoint: dockerHost, socketPath, fromDockerHost: true });
  }
  list.push(unixCandidate('/var/run/docker.sock'), unixCandidate('/run/podman/podman.sock'));
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) {
    list.push(unixCandidate(path.join(runtime, 'podman', 'podman.sock')));
    // Rootless Docker; after the sockets the task names, since those are the common setups.
    list.push(unixCandidate(path.join(runtime, 'docker.sock')));
  }
  const seen = new Set<string>();
  return list.filter((c) => (seen.has(c.endpoint) ? false : (seen.add(c.endpoint), true)));
}

/**
 * dockerode options for one candidate. `host: undefined` is deliberate: docker-modem merges its
 * own defaults from process.env.DOCKER_HOST, which would otherwise override our socketPath.
 * Throws (with a readable message) for a DOCKER_HOST it cannot use.
 */
export async function dockerOptions(
  c: EngineCandidate,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<DockerOptions> {
  if (c.socketPath !== null) {
    if (c.socketPath === '') throw new Error('DOCKER_HOST is unix:// without a socket path');
    return { socketPath: c.socketPath, host: undefined, timeout: timeoutMs };
  }
  let url: URL;
  try {
    url = new URL(c.endpoint.includes('://') ? c.endpoint : `tcp://${c.endpoint}`);
  } catch {
    throw new Error(
      `DOCKER_HOST is not a URL (expected e.g. unix:///run/docker.sock or tcp://127.0.0.1:2375)`,
    );
  }
  const base = { host: url.hostname, socketPath: undefined, timeout: timeoutMs };
  switch (url.protocol) {
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = url.protocol === 'https:' || env.DOCKER_TLS_VERIFY === '1' || url.port === '2376';
      const port = url.port || (tls ? '2376' : '2375');
      if (!tls) return { ...base, port, protocol: 'http' };
      const certDir = env.DOCKER_CERT_PATH;
      if (!certDir) return { ...base, port, protocol: 'https' };
      const [ca, cert, key] = await Promise.all(
        ['ca.pem', 'cert.pem', 'key.pem'].map((f) => fs.readFile(path.join(certDir, f))),
      );
      return { ...base, port, protocol: 'https', ca, cert, key };
    }
    case 'ssh:':
      return {
        ...base,
        port: url.port || '22',
        protocol: 'ssh',
        username: url.username || undefined,
        sshOptions: { agent: env.SSH_AUTH_SOCK },
      };
    default:
      throw new Error(
        `DOCKER_HOST scheme ${url.protocol} is not supported (use unix://, tcp:// or ssh://)`,
      );
  }
}
