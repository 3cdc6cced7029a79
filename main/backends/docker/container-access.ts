/**
 * Finding an environment's container: by the name in its handles (stable across restore, which
 * recreates the container), then checked by its genos.env label, so a container GenOS did not make
 * — same name or not — is never stopped, changed or removed.
 */
import type Docker from 'dockerode';
import { GenosError } from '../../core/errors.js';
import type { EnvRef } from '../backend.js';
import { statusOf } from './docker-errors.js';
import { containerName, LABEL_ENV } from './labels.js';

export function containerRef(env: EnvRef): string {
  const n = env.handles.containerName;
  return typeof n === 'string' && n ? n : containerName(env.id, env.spec);
}

/** This environment's container, or null when it does not exist. Refuses one that is not ours. */
export async function ownedContainer(
  docker: Docker,
  env: EnvRef,
): Promise<Docker.ContainerInspectInfo | null> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(containerRef(env)).inspect();
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
  const owner = info.Config.Labels?.[LABEL_ENV];
  if (owner !== env.id) {
    throw new GenosError(
      'CONFLICT',
      `container ${containerRef(env)} is not environment ${env.id}'s (its genos.env label is ${owner ?? 'missing'}); GenOS leaves it alone. Rename or remove it yourself.`,
    );
  }
  return info;
}

export async function mustOwn(
  docker: Docker,
  env: EnvRef,
  verb: string,
): Promise<Docker.ContainerInspectInfo> {
  const info = await ownedContainer(docker, env);
  if (!info) {
    throw new GenosError(
      'NOT_FOUND',
      `cannot ${verb} ${env.spec.name}: its container ${containerRef(env)} does not exist (create it first)`,
    );
  }
  return info;
}

/** The container, when it runs (not paused); CONFLICT naming its state otherwise. */
export async function runningContainer(
  docker: Docker,
  env: EnvRef,
  verb: string,
): Promise<Docker.Container> {
  const info = await mustOwn(docker, env, verb);
  if (!info.State.Running || info.State.Paused) {
    throw new GenosError(
      'CONFLICT',
      `cannot ${verb} ${env.spec.name}: it is ${info.State.Status}; start (or resume) it first`,
    );
  }
  return docker.getContainer(info.Id);
}

export function ignore304(e: unknown): void {
  // 304: already in the state asked for (started / stopped): the goal is met.
  if (statusOf(e) !== 304) throw e;
}

/** Engine stop/restart timeouts are whole seconds. */
export function timeoutSeconds(timeoutMs: number): number {
  return Math.max(0, Math.ceil(timeoutMs / 1000));
}
