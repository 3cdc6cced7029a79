import { GenosError } from '../../core/errors.js';
import { defaultRunner, runFailure, type QemuImgRunner } from '../../images/qemu-img.js';
import { hmp } from './qmp-commands.js';
import { optValue } from './qemu-opts.js';
import { QmpError, type QmpClient } from './qmp-client.js';

/**
 * Snapshots of a qemu VM, all qcow2-internal:
 * - live (RAM + devices + disks): savevm / loadvm / delvm over QMP's human-monitor-command. They
 *   need a writable qcow2 node; kernel-boot guests get a hidden vmstate.qcow2 for that.
 * - disk, VM running: blockdev-snapshot-internal-sync / -delete-internal-sync on the disk node.
 * - disk, VM stopped: `qemu-img snapshot -c/-a/-d` on the qcow2 files.
 * Restoring a disk snapshot needs the VM stopped (there is no RAM state to resume with).
 */

/** A letter first, so a name is never taken for a numeric snapshot id by loadvm/delvm. */
const NAME_RE = /^[A-Za-z][A-Za-z0-9._-]{0,62}$/;

export function checkSnapshotName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new GenosError(
      'BAD_ARGS',
      `Snapshot name "${name}" is invalid: start with a letter, then up to 62 letters, digits, ".", "_" or "-".`,
    );
  }
  return name;
}

/** HMP reports failure as text in a successful reply; savevm/loadvm/delvm print nothing on success. */
async function hmpQuiet(
  q: QmpClient,
  line: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const out = (await hmp(q, line, timeoutMs)).trim();
  if (out === '') return;
  const msg = out.replace(/^Error:\s*/i, '');
  if (
    /No block device (can accept|supports) snapshots|does not support|not support snapshot/i.test(
      msg,
    )
  ) {
    throw new GenosError(
      'UNSUPPORTED',
      `Cannot ${what}: ${msg}. Live snapshots need the VM's disks to be qcow2 (GenOS gives each ` +
        'environment a qcow2 overlay; raw disks attached directly cannot hold snapshots).',
    );
  }
  if (/not found|doesn't exist|does not exist|Could not find/i.test(msg)) {
    throw new GenosError('NOT_FOUND', `Cannot ${what}: ${msg}.`);
  }
  throw new GenosError('CONFLICT', `Cannot ${what}: ${msg}.`);
}

// Saving RAM under TCG takes about a second per few hundred MiB; be generous for big guests.
const LIVE_TIMEOUT_MS = 10 * 60_000;

export const saveLive = async (q: QmpClient, name: string) =>
  hmpQuiet(q, `savevm ${checkSnapshotName(name)}`, `take live snapshot "${name}"`, LIVE_TIMEOUT_MS);
export const loadLive = async (q: QmpClient, name: string) =>
  hmpQuiet(q, `loadvm ${checkSnapshotName(name)}`, `restore snapshot "${name}"`, LIVE_TIMEOUT_MS);
export const deleteLive = async (q: QmpClient, name: string) =>
  hmpQuiet(q, `delvm ${checkSnapshotName(name)}`, `delete snapshot "${name}"`, LIVE_TIMEOUT_MS);

export type NodeSnapshot = { node: string; name: string; vmStateSize: number; dateSec: number };

/** Snapshots recorded in the VM's qcow2 nodes (each root node that holds any). */
export async function listLiveSnapshots(q: QmpClient): Promise<NodeSnapshot[]> {
  type Node = {
    'node-name': string;
    drv: string;
    image?: { snapshots?: Array<{ name: string; 'vm-state-size': number; 'date-sec': number }> };
  };
  const nodes = await q.execute<Node[]>('query-named-block-nodes', { flat: true });
  const out: NodeSnapshot[] = [];
  for (const n of nodes) {
    if (n.drv !== 'qcow2') continue;
    for (const s of n.image?.snapshots ?? []) {
      out.push({
        node: n['node-name'],
        name: s.name,
        vmStateSize: s['vm-state-size'],
        dateSec: s['date-sec'],
      });
    }
  }
  return out;
}

function diskNodeError(e: unknown, what: string): never {
  if (e instanceof QmpError) {
    if (/not found|Cannot find/i.test(e.desc))
      throw new GenosError('NOT_FOUND', `Cannot ${what}: ${e.desc}.`);
    throw new GenosError('CONFLICT', `Cannot ${what}: ${e.desc}.`);
  }
  throw e;
}

/** Disk-only snapshot of a running VM's disk node (internal to its qcow2). */
export async function saveDiskLive(q: QmpClient, node: string, name: string): Promise<void> {
  await q
    .execute('blockdev-snapshot-internal-sync', { device: node, name: checkSnapshotName(name) })
    .catch((e: unknown) => diskNodeError(e, `take disk snapshot "${name}"`));
}

export async function deleteDiskLive(q: QmpClient, node: string, name: string): Promise<void> {
  await q
    .execute('blockdev-snapshot-delete-internal-sync', {
      device: node,
      name: checkSnapshotName(name),
    })
    .catch((e: unknown) => diskNodeError(e, `delete snapshot "${name}"`));
}

export type OfflineOp = 'create' | 'apply' | 'delete';
const OFFLINE_FLAG: Record<OfflineOp, string> = { create: '-c', apply: '-a', delete: '-d' };
const OFFLINE_WHAT: Record<OfflineOp, string> = {
  create: 'take a disk snapshot of',
  apply: 'restore a snapshot of',
  delete: 'delete a snapshot of',
};

/** `qemu-img snapshot` on a stopped VM's qcow2 (qemu-img refuses while a VM holds its lock). */
export async function offlineSnapshot(
  op: OfflineOp,
  file: string,
  name: string,
  runner: QemuImgRunner = defaultRunner,
): Promise<void> {
  // `qemu-img snapshot` has no -f; --image-opts names the format (never probed) and the file.
  const opts = `driver=qcow2,file.driver=file,file.filename=${optValue(file, 'disk path')}`;
  const res = await runner(
    ['snapshot', '--image-opts', OFFLINE_FLAG[op], checkSnapshotName(name), opts],
    {
      timeoutMs: 10 * 60_000,
    },
  );
  if (res.code !== 0) {
    if (op !== 'create' && /Could not find|not found|Can't find/i.test(res.stderr)) {
      throw new GenosError('NOT_FOUND', `There is no snapshot "${name}" in ${file}.`);
    }
    throw runFailure(res, OFFLINE_WHAT[op], file);
  }
}

export type OfflineSnapshot = { name: string; vmStateSize: number; dateSec: number };

/** The snapshots inside a qcow2 file, via `qemu-img info -U` (a read that needs no lock). */
export async function listOfflineSnapshots(
  file: string,
  runner: QemuImgRunner = defaultRunner,
): Promise<OfflineSnapshot[]> {
  const res = await runner(['info', '-f', 'qcow2', '--output=json', '-U', file], {
    timeoutMs: 60_000,
  });
  if (res.code !== 0) throw runFailure(res, 'read the snapshots of', file);
  const info = JSON.parse(res.stdout) as {
    snapshots?: Array<{ name: string; 'vm-state-size': number; 'date-sec': number }>;
  };
  return (info.snapshots ?? []).map((s) => ({
    name: s.name,
    vmStateSize: s['vm-state-size'],
    dateSec: s['date-sec'],
  }));
}
