import fs from 'node:fs/promises';
import { GenosError } from '../../core/errors.js';
import type { QemuImgRunner } from '../../images/qemu-img.js';
import type { SnapshotInfo, SnapshotKind } from '../backend.js';
import { diskPath, stateDiskPath } from './env-disks.js';
import type { QemuInstance } from './qemu-instance.js';
import {
  checkSnapshotName,
  deleteDiskLive,
  deleteLive,
  listLiveSnapshots,
  listOfflineSnapshots,
  loadLive,
  offlineSnapshot,
  saveDiskLive,
  saveLive,
} from './snapshots.js';

/**
 * The Backend's snapshot/restore/deleteSnapshot for one environment, choosing the mechanism from
 * the kind and whether the VM runs (see snapshots.ts). A snapshot's kind is read back from qemu
 * (a live one carries VM state), so restore and delete need only the name.
 */

export type SnapshotTarget = {
  envDir: string;
  /** Kernel-boot guests have no disk0, only the hidden vmstate disk. */
  hasDisk: boolean;
  instance: QemuInstance | null;
  runner?: QemuImgRunner;
};

const DISK_NODE = 'disk0';

/** The qcow2 files of a stopped environment that exist. */
async function files(t: SnapshotTarget): Promise<string[]> {
  const all = t.hasDisk ? [diskPath(t.envDir)] : [stateDiskPath(t.envDir)];
  const out: string[] = [];
  for (const f of all)
    if (
      await fs.stat(f).then(
        () => true,
        () => false,
      )
    )
      out.push(f);
  return out;
}

type Found = { live: boolean; sizeBytes: number; dateSec: number } | null;

async function find(t: SnapshotTarget, name: string): Promise<Found> {
  const list = t.instance
    ? await listLiveSnapshots(await t.instance.control())
    : (await Promise.all((await files(t)).map((f) => listOfflineSnapshots(f, t.runner)))).flat();
  const hits = list.filter((s) => s.name === name);
  if (hits.length === 0) return null;
  const size = hits.reduce((n, s) => n + s.vmStateSize, 0);
  return { live: size > 0, sizeBytes: size, dateSec: hits[0]!.dateSec };
}

function noDisk(): GenosError {
  return new GenosError(
    'UNSUPPORTED',
    'This VM boots a kernel directly and has no disk to snapshot: take a live snapshot instead.',
  );
}

export async function takeSnapshot(
  t: SnapshotTarget,
  name: string,
  kind: SnapshotKind,
): Promise<SnapshotInfo> {
  checkSnapshotName(name);
  if (kind === 'commit') {
    throw new GenosError(
      'UNSUPPORTED',
      'A "commit" snapshot is for containers; a VM takes "live" or "disk" snapshots.',
    );
  }
  // savevm silently replaces a snapshot of the same name; GenOS never overwrites one.
  if (await find(t, name)) {
    throw new GenosError(
      'CONFLICT',
      `A snapshot named "${name}" already exists: pick another name or delete it first.`,
    );
  }
  if (kind === 'live') {
    if (!t.instance) {
      throw new GenosError(
        'CONFLICT',
        "A live snapshot captures a running VM's memory: start the VM first, or take a disk snapshot.",
      );
    }
    await saveLive(await t.instance.control(), name);
  } else if (!t.hasDisk) {
    throw noDisk();
  } else if (t.instance) {
    await saveDiskLive(await t.instance.control(), DISK_NODE, name);
  } else {
    await offlineSnapshot('create', diskPath(t.envDir), name, t.runner);
  }
  const made = await find(t, name);
  return {
    name,
    kind,
    createdAt: new Date((made?.dateSec ?? Date.now() / 1000) * 1000).toISOString(),
    sizeBytes: made && made.sizeBytes > 0 ? made.sizeBytes : null,
  };
}

export async function restoreSnapshot(t: SnapshotTarget, name: string): Promise<void> {
  checkSnapshotName(name);
  const found = await find(t, name);
  if (!found) throw new GenosError('NOT_FOUND', `There is no snapshot named "${name}".`);
  if (found.live) {
    if (!t.instance) {
      throw new GenosError(
        'CONFLICT',
        `"${name}" is a live snapshot (memory included): start the VM, then restore it.`,
      );
    }
    await loadLive(await t.instance.control(), name);
    return;
  }
  if (t.instance) {
    throw new GenosError(
      'CONFLICT',
      `"${name}" is a disk snapshot (no memory state to resume): stop the VM, then restore it.`,
    );
  }
  await offlineSnapshot('apply', diskPath(t.envDir), name, t.runner);
}

export async function removeSnapshot(t: SnapshotTarget, name: string): Promise<void> {
  checkSnapshotName(name);
  const found = await find(t, name);
  if (!found) throw new GenosError('NOT_FOUND', `There is no snapshot named "${name}".`);
  if (t.instance) {
    const q = await t.instance.control();
    if (found.live) await deleteLive(q, name);
    else await deleteDiskLive(q, DISK_NODE, name);
    return;
  }
  for (const f of await files(t)) {
    const has = (await listOfflineSnapshots(f, t.runner)).some((s) => s.name === name);
    if (has) await offlineSnapshot('delete', f, name, t.runner);
  }
}
