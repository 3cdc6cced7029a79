import type { EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';
import type { DraftChange } from './spec-draft';

/**
 * Saves a settings change: a VM's disk grows first (resizeDisk resizes the image under the
 * environment's lock), then the rest goes to updateEnvironment. The notes say what it means.
 */
export async function saveChange(
  id: string,
  change: DraftChange,
): Promise<{ env: EnvironmentSummary | null; notes: string[] }> {
  let env: EnvironmentSummary | null = null;
  const notes: string[] = [];
  if (change.growDiskGiB !== null) {
    env = await api.call('resizeDisk', { id, sizeGiB: change.growDiskGiB });
    notes.push(
      `The disk grew to ${change.growDiskGiB} GiB; grow the partition inside the guest to use it.`,
    );
  }
  if (Object.keys(change.patch).length > 0) {
    const result = await api.call('updateEnvironment', { id, patch: change.patch });
    env = result.env;
    notes.push(...result.notes);
  }
  return { env, notes };
}
