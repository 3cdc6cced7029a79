/**
 * Live snapshots of containers: CRIU checkpoints (`docker checkpoint create`), which keep the
 * running processes and their memory. They need an experimental engine and CRIU on the engine's
 * host; where either is missing, or CRIU itself fails (it needs privileges many sandboxes lack),
 * the caller takes a filesystem snapshot instead and records why.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { SnapshotInfo } from '../backend.js';
import { statusOf } from './docker-errors.js';

export const LIVE_FALLBACK =
  'live snapshots need an experimental engine with CRIU: took a filesystem snapshot instead';

type Checkpoint = { Name: string };
/** dockerode has these calls; its type definitions do not. */
type CheckpointCalls = {
  createCheckpoint(opts: { CheckpointID: string; Exit: boolean }): Promise<unknown>;
  listCheckpoint(): Promise<Checkpoint[] | null>;
  deleteCheckpoint(name: string): Promise<unknown>;
  start(opts: { checkpoint: string }): Promise<unknown>;
};
const calls = (c: Docker.Container) => c as unknown as CheckpointCalls;

function criuOnPath(): boolean {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, 'criu'), fs.constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Why this engine cannot checkpoint, or null when it should be able to. */
export async function checkpointUnsupported(docker: Docker): Promise<string | null> {
  const info = (await docker.info()) as { ExperimentalBuild?: boolean };
  if (!info.ExperimentalBuild)
    return 'the engine is not experimental (start dockerd with --experimental)';
  // CRIU runs beside the engine: on PATH here is right for a local engine, the only kind with it.
  if (!criuOnPath()) return 'criu is not installed (apt-get install criu)';
  return null;
}

/** Checkpoints a running container under `name`, leaving it running. Throws the engine's error. */
export async function createCheckpoint(
  container: Docker.Container,
  name: string,
): Promise<SnapshotInfo> {
  await calls(container).createCheckpoint({ CheckpointID: name, Exit: false });
  return { name, kind: 'live', createdAt: new Date().toISOString(), sizeBytes: null };
}

export async function listCheckpoints(container: Docker.Container): Promise<string[]> {
  try {
    const list = await calls(container).listCheckpoint();
    return (list ?? []).map((c) => c.Name);
  } catch (e) {
    // A non-experimental engine has no checkpoint endpoints at all.
    if ([400, 404, 500, 501].includes(statusOf(e) ?? 0)) return [];
    throw e;
  }
}

/**
 * Restores a checkpoint: the container is stopped (killed: its state is about to be replaced)
 * and started from the checkpoint, so its processes continue where they were.
 */
export async function restoreCheckpoint(container: Docker.Container, name: string): Promise<void> {
  const info = await container.inspect();
  if (info.State.Running || info.State.Paused) {
    await container
      .kill()
      .catch((e: unknown) => (statusOf(e) === 409 ? undefined : Promise.reject(e)));
    await container.wait({ condition: 'not-running' });
  }
  await calls(container).start({ checkpoint: name });
}

export async function deleteCheckpoint(container: Docker.Container, name: string): Promise<void> {
  await calls(container).deleteCheckpoint(name);
}
