import fs from 'node:fs';
import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';
import { diskPath } from '../backends/qemu/env-disks.js';
import { envDirFor } from '../backends/qemu/runtime-paths.js';
import type { Audit } from '../core/audit.js';
import { GenosError } from '../core/errors.js';
import { inspectImage } from '../images/inspect.js';
import { resizeImage } from '../images/resize.js';
import type { ImageLibrary } from '../images/types.js';
import type { Store } from '../store/store.js';
import type { Orchestrator } from './orchestrator.js';

export type DiskResizeDeps = {
  store: Store;
  audit: Audit;
  bus: EventBus;
  orchestrator: Orchestrator;
  dataDir: string;
  library: ImageLibrary;
};

const GiB = 1024 ** 3;

/** Nothing runs in these states, so qemu-img may rewrite the disk. */
const AT_REST = new Set(['stopped', 'failed', 'draft']);

/**
 * Grows a VM's disk (its qcow2 overlay or blank install disk) to sizeGiB and records the new size
 * in the spec. Only while nothing runs, under the environment's lock; never smaller, because
 * shrinking cuts off whatever the guest stored past the new end. The guest's partition and file
 * system still have to be grown inside the guest: the disk only gets room.
 */
export async function resizeEnvironmentDisk(
  deps: DiskResizeDeps,
  req: { id: string; sizeGiB: number; actor: string },
): Promise<EnvironmentSummary> {
  const found = deps.store.getEnvironment(req.id);
  if (!found) throw new GenosError('NOT_FOUND', `There is no environment with id "${req.id}".`);
  if (found.backend !== 'qemu') {
    throw new GenosError(
      'UNSUPPORTED',
      `${found.name} is a container: its storage has no fixed size to grow. Only VM disks resize.`,
    );
  }
  return deps.orchestrator.exclusive(req.id, async () => {
    const env = deps.store.getEnvironment(req.id) ?? found;
    if (!AT_REST.has(env.state)) {
      throw new GenosError(
        'CONFLICT',
        `${env.name} is ${env.state}: stop it first, then resize its disk (a running VM holds the disk open).`,
      );
    }
    const spec = EnvironmentSpec.parse(env.spec);
    if (spec.image.kind === 'kernel') {
      throw new GenosError(
        'UNSUPPORTED',
        `${env.name} boots a kernel directly and has no disk of its own to resize.`,
      );
    }
    const file = diskPath(envDirFor(deps.dataDir, env.id));
    const size = req.sizeGiB * GiB;
    // Before the first start there is no disk yet: the new size is used when it is made.
    const current = fs.existsSync(file)
      ? (await inspectImage(file, { format: 'qcow2', library: deps.library, check: false }))
          .virtualSize
      : spec.resources.diskGiB * GiB;
    if (size < current) {
      throw new GenosError(
        'BAD_ARGS',
        `${env.name}'s disk is ${formatGiB(current)}; disks only grow (shrinking would cut off the guest's data past the new end). Give a size of at least ${Math.ceil(current / GiB)} GiB.`,
      );
    }
    if (size > current && fs.existsSync(file)) {
      await resizeImage({ path: file, format: 'qcow2', size, library: deps.library });
    }
    const next = deps.store.setEnvironmentSpec(env.id, {
      ...spec,
      resources: { ...spec.resources, diskGiB: req.sizeGiB },
    });
    deps.audit.record({
      actor: req.actor,
      action: 'env.resize-disk',
      target: env.id,
      outcome: 'ok',
      detail: { fromBytes: current, toBytes: size },
    });
    deps.bus.emit('environmentChanged', next);
    return next;
  });
}

function formatGiB(bytes: number): string {
  const g = bytes / GiB;
  return `${Number.isInteger(g) ? g : g.toFixed(2)} GiB`;
}
