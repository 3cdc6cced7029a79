/**
 * The names and labels GenOS puts on what it creates in the engine. Labels, not names, are how
 * GenOS finds its containers again (re-adoption, events, the "unknown containers" report), so a
 * renamed or hand-made container with a genos-like name is never mistaken for one of ours.
 */
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';

export const LABEL_ENV = 'genos.env';
export const LABEL_VERSION = 'genos.version';
export const LABEL_EPHEMERAL = 'genos.ephemeral';
export const LABEL_NETWORK_KEY = 'genos.network';
export const LABEL_SNAPSHOT = 'genos.snapshot';
export const LABEL_DERIVED = 'genos.derived';

export const SNAPSHOT_REPO_PREFIX = 'genos-snap/';
export const DERIVED_REPO = 'genos-derived';

/** Docker names: readable in `docker ps`, unique per environment id. */
export function containerName(envId: string, spec: Pick<EnvironmentSpec, 'name'>): string {
  return `genos-${spec.name}-${envId}`;
}

export function isolatedNetworkName(key: string): string {
  return `genos-isolated-${key}`;
}

// Engine references are lower-case; tags allow [A-Za-z0-9_.-] up to 128 and not a leading . or -.
const ENV_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function checkEnvId(envId: string): string {
  if (!ENV_ID.test(envId)) {
    throw new GenosError(
      'BAD_ARGS',
      `environment id "${envId}" cannot name a container (lower-case letters, digits, _ and -)`,
    );
  }
  return envId;
}

export function snapshotRepo(envId: string): string {
  return `${SNAPSHOT_REPO_PREFIX}${checkEnvId(envId)}`;
}

/** `genos-snap/<envId>:<name>`: a local image tag, never pushed anywhere. */
export function snapshotRef(envId: string, name: string): string {
  if (!TAG.test(name)) {
    throw new GenosError(
      'BAD_ARGS',
      `snapshot name "${name}" is not usable as an image tag: use letters, digits, _ . - (max 128, not starting with . or -)`,
    );
  }
  return `${snapshotRepo(envId)}:${name}`;
}

/** The label filters that select GenOS containers, optionally narrowed (tests add their run id). */
export function labelFilters(extra: Record<string, string> = {}, envId?: string): string[] {
  const filters = [envId === undefined ? LABEL_ENV : `${LABEL_ENV}=${envId}`];
  for (const [k, v] of Object.entries(extra)) filters.push(`${k}=${v}`);
  return filters;
}
