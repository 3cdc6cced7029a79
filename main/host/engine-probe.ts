import fs from 'node:fs/promises';
import type { HostInfo } from '../../preload/contract.js';
import { dockerOptions, engineCandidates, type EngineCandidate } from './engine-endpoints.js';
import { findOnPath } from './path-lookup.js';

export const ENGINE_TIMEOUT_MS = 2_000;

export type EngineInfo = HostInfo['engine'];
/** The raw /version answer; only the fields the probe reads, all optional because engines differ. */
export type VersionAnswer = {
  Version?: unknown;
  ApiVersion?: unknown;
  Components?: unknown;
  Platform?: unknown;
};
export type EngineProbe = { engine: EngineInfo; fix: string | null };
/** Asks one endpoint for its version; injectable so tests need no engine. */
export type VersionAsker = (
  c: EngineCandidate,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
) => Promise<VersionAnswer>;

export function engineKind(v: VersionAnswer): 'docker' | 'podman' {
  const names: unknown[] = [];
  if (Array.isArray(v.Components))
    for (const c of v.Components) names.push((c as { Name?: unknown } | null)?.Name);
  if (v.Platform && typeof v.Platform === 'object')
    names.push((v.Platform as { Name?: unknown }).Name);
  return names.some((n) => typeof n === 'string' && /podman/i.test(n)) ? 'podman' : 'docker';
}

/** An engine failure in words: the errno says more to a user than the stack. */
export function describeEngineError(e: unknown, c: EngineCandidate): string {
  const err = e as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  const where = c.socketPath ?? c.endpoint;
  switch (err?.code) {
    case 'ENOENT':
      return `no socket at ${where}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${where}`;
    case 'ECONNREFUSED':
      return `nothing is listening on ${where} (the engine is not running)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host in ${c.endpoint}`;
  }
  const message = typeof err?.message === 'string' ? err.message.split('\n')[0] : String(e);
  if (typeof err?.statusCode === 'number')
    return `the engine answered HTTP ${err.statusCode}: ${message}`;
  return message || 'unknown error';
}

export const askVersion: VersionAsker = async (c, env, timeoutMs) => {
  // dockerode takes ~150 ms to load; only the probe needs it, so `genos serve` starts without it.
  const { default: Docker } = await import('dockerode');
  const docker = new Docker(await dockerOptions(c, env, timeoutMs));
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  // docker-modem's timeout is an idle timeout on the request; this bounds the whole exchange.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), timeoutMs + 100);
  });
  try {
    return (await Promise.race([docker.version(), deadline])) as VersionAnswer;
  } catch (e) {
    // The modem reports its own timeout as "socket hang up"; say what actually happened.
    if (performance.now() - t0 >= timeoutMs)
      throw new Error(`no answer within ${timeoutMs} ms`, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
  }
};

type Attempt = { ok: true; answer: VersionAnswer } | { ok: false; error: string };

async function attempt(
  c: EngineCandidate,
  env: NodeJS.ProcessEnv,
  ask: VersionAsker,
  timeoutMs: number,
): Promise<Attempt> {
  // DOCKER_HOST is always tried, so a wrong one shows up with the engine's own error.
  if (c.socketPath && !c.fromDockerHost) {
    const exists = await fs.stat(c.socketPath).then(
      (st) => st.isSocket(),
      () => false,
    );
    if (!exists) return { ok: false, error: `no socket at ${c.socketPath}` };
  }
  try {
    return { ok: true, answer: await ask(c, env, timeoutMs) };
  } catch (e) {
    return { ok: false, error: describeEngineError(e, c) };
  }
}

async function engineFix(tried: EngineInfo['tried'], env: NodeJS.ProcessEnv): Promise<string> {
  if (tried.some((t) => t.error.startsWith('permission denied'))) {
    return 'Add your user to the docker group (sudo usermod -aG docker $USER), then log out and back in';
  }
  const installed = await Promise.all(['dockerd', 'podman'].map((b) => findOnPath(b, env)));
  if (installed[0]) return 'Start the Docker engine: sudo systemctl start docker';
  if (installed[1]) return 'Start the Podman API socket: systemctl --user start podman.socket';
  return 'Install an engine: sudo apt-get install docker.io (or podman), then start it: sudo systemctl start docker';
}

/**
 * Asks every candidate at once (so the probe takes one timeout, not one per candidate) and keeps
 * the first in preference order that answered. `tried` lists the failures ranked before it,
 * which is exactly what a one-by-one search would have reported. Never throws.
 */
export async function probeEngine(
  env: NodeJS.ProcessEnv,
  ask: VersionAsker = askVersion,
  timeoutMs: number = ENGINE_TIMEOUT_MS,
): Promise<EngineProbe> {
  const candidates = engineCandidates(env);
  const answers = await Promise.all(candidates.map((c) => attempt(c, env, ask, timeoutMs)));
  const tried: EngineInfo['tried'] = [];
  for (const [i, c] of candidates.entries()) {
    const a = answers[i];
    if (!a) continue;
    if (!a.ok) {
      tried.push({ endpoint: c.endpoint, error: a.error });
      continue;
    }
    // DOCKER_HOST is authoritative (as for the docker CLI, and the backend never uses another
    // engine): the host report must not call the engine available when it is the one that failed.
    const own = candidates.find((d) => d.fromDockerHost);
    if (own && own !== c) {
      const unavailable: EngineInfo = {
        kind: null,
        endpoint: null,
        version: null,
        apiVersion: null,
        tried,
      };
      return {
        engine: unavailable,
        fix:
          `Start the engine at DOCKER_HOST=${own.endpoint}, or unset DOCKER_HOST: ` +
          `an engine answers at ${c.endpoint}`,
      };
    }
    const v = a.answer;
    const engine: EngineInfo = {
      kind: engineKind(v),
      endpoint: c.endpoint,
      version: typeof v.Version === 'string' ? v.Version : null,
      apiVersion: typeof v.ApiVersion === 'string' ? v.ApiVersion : null,
      tried,
    };
    return { engine, fix: null };
  }
  const engine: EngineInfo = { kind: null, endpoint: null, version: null, apiVersion: null, tried };
  return {
    engine,
    fix: await engineFix(tried, env).catch(() => 'Install and start Docker or Podman'),
  };
}
