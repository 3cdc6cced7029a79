/**
 * What runs in the engine under GenOS's label: the running ones to re-adopt at start-up, and the
 * ones the store does not know — reported to the user, never deleted behind their back.
 */
import type Docker from 'dockerode';
import type { BackendHandles } from '../backend.js';
import { LABEL_ENV, labelFilters } from './labels.js';

export type UnknownContainer = {
  envId: string;
  containerId: string;
  name: string;
  state: string;
  image: string;
  createdAt: string;
};

const nameOf = (c: Docker.ContainerInfo): string => (c.Names[0] ?? '').replace(/^\//, '');

export async function listLabelled(
  docker: Docker,
  all: boolean,
  extraLabels?: Record<string, string>,
): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all, filters: { label: labelFilters(extraLabels) } });
}

/** Running (and paused) GenOS containers, with the handles to adopt them. */
export function runningHandles(
  list: Docker.ContainerInfo[],
): Array<{ envId: string; handles: BackendHandles }> {
  return list
    .filter((c) => c.Labels[LABEL_ENV])
    .map((c) => ({
      envId: c.Labels[LABEL_ENV]!,
      handles: { containerId: c.Id, containerName: nameOf(c), image: c.Image },
    }));
}

export function unknownContainers(
  list: Docker.ContainerInfo[],
  knownIds: Iterable<string>,
): UnknownContainer[] {
  const known = new Set(knownIds);
  return list
    .filter((c) => !known.has(c.Labels[LABEL_ENV] ?? ''))
    .map((c) => ({
      envId: c.Labels[LABEL_ENV] ?? '',
      containerId: c.Id,
      name: nameOf(c),
      state: c.State,
      image: c.Image,
      createdAt: new Date(c.Created * 1000).toISOString(),
    }));
}
