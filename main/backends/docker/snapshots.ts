/**
 * Filesystem snapshots by commit: the container's writable layer becomes a local image tagged
 * `genos-snap/<envId>:<name>`; restore recreates the container from that image with the same
 * options. Volumes and memory are not part of a commit (that is a CRIU checkpoint: checkpoints.ts).
 * A commit taken in place of a live snapshot carries the reason in a label, shown with it.
 */
import type Docker from 'dockerode';
import { GenosError } from '../../core/errors.js';
import type { SnapshotInfo } from '../backend.js';
import { statusOf } from './docker-errors.js';
import { LABEL_ENV, LABEL_SNAPSHOT, snapshotRef, snapshotRepo } from './labels.js';

/** Why a commit stands in for the live snapshot that was asked for. */
const LABEL_SNAPSHOT_NOTE = 'genos.snapshot.note';

export async function commitSnapshot(
  docker: Docker,
  container: Docker.Container,
  envId: string,
  name: string,
  note?: string,
): Promise<SnapshotInfo> {
  const ref = snapshotRef(envId, name);
  const [repo, tag] = [snapshotRepo(envId), ref.slice(ref.lastIndexOf(':') + 1)];
  const exists = await docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      (e: unknown) => (statusOf(e) === 404 ? false : Promise.reject(e)),
    );
  if (exists)
    throw new GenosError(
      'CONFLICT',
      `a snapshot named "${name}" exists already: pick another name or delete it first`,
    );
  // pause: a consistent filesystem (no half-written files) for the millisecond the commit takes.
  const res = (await container.commit({
    repo,
    tag,
    pause: true,
    comment: `GenOS snapshot ${name} of ${envId}`,
    changes: [
      `LABEL ${LABEL_SNAPSHOT}=${JSON.stringify(name)}`,
      ...(note ? [`LABEL ${LABEL_SNAPSHOT_NOTE}=${JSON.stringify(note)}`] : []),
    ],
  })) as { Id?: string };
  const info = await docker.getImage(res.Id ?? ref).inspect();
  return {
    name,
    kind: 'commit',
    createdAt: new Date(info.Created).toISOString(),
    sizeBytes: info.Size ?? null,
    ...(note ? { note } : {}),
  };
}

export async function listSnapshots(docker: Docker, envId: string): Promise<SnapshotInfo[]> {
  const repo = snapshotRepo(envId);
  const images = await docker.listImages({ filters: { reference: [repo] } });
  const out: SnapshotInfo[] = [];
  for (const img of images) {
    for (const t of img.RepoTags ?? []) {
      if (!t.startsWith(`${repo}:`)) continue;
      const note = img.Labels?.[LABEL_SNAPSHOT_NOTE];
      out.push({
        name: t.slice(repo.length + 1),
        kind: 'commit',
        createdAt: new Date(img.Created * 1000).toISOString(),
        sizeBytes: img.Size,
        ...(note ? { note } : {}),
      });
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The snapshot's image reference, after checking it exists and belongs to this environment. */
export async function snapshotImage(docker: Docker, envId: string, name: string): Promise<string> {
  const ref = snapshotRef(envId, name);
  try {
    const info = await docker.getImage(ref).inspect();
    const owner = info.Config?.Labels?.[LABEL_ENV];
    if (owner !== undefined && owner !== envId) {
      throw new GenosError(
        'CONFLICT',
        `image ${ref} was committed from environment ${owner}, not ${envId}`,
      );
    }
    return ref;
  } catch (e) {
    if (statusOf(e) === 404)
      throw new GenosError(
        'NOT_FOUND',
        `no snapshot "${name}" of environment ${envId} (image ${ref} is absent)`,
      );
    throw e;
  }
}

export async function deleteSnapshotImage(
  docker: Docker,
  envId: string,
  name: string,
): Promise<void> {
  const ref = await snapshotImage(docker, envId, name);
  // force untags even when the restored container runs from it; the layers go when it does.
  await docker.getImage(ref).remove({ force: true, noprune: false });
}
