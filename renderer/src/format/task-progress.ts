import type { TaskInfo } from '../../../preload/contract';
import { formatBytes } from './sizes';

/** Stages whose done/total count bytes; the others (convert) count percent. */
const BYTE_STAGES = new Set(['copy', 'hash', 'upload', 'download', 'pull']);

export type ProgressView = {
  /** 0..1, or null when the total is unknown (an indeterminate bar). */
  fraction: number | null;
  /** "12.0 MiB of 64.0 MiB", "45 %", or null when nothing is known. */
  text: string | null;
};

export function progressView(
  task: Pick<TaskInfo, 'stage' | 'done' | 'total' | 'state'>,
): ProgressView {
  if (task.state === 'done') return { fraction: 1, text: null };
  const { done, total } = task;
  if (done === null) return { fraction: null, text: null };
  const known = total !== null && total > 0;
  const fraction = known ? Math.min(1, Math.max(0, done / total)) : null;
  if (task.stage !== null && BYTE_STAGES.has(task.stage)) {
    return {
      fraction,
      text: known ? `${formatBytes(done)} of ${formatBytes(total)}` : formatBytes(done),
    };
  }
  return { fraction, text: known ? `${Math.round((done / total) * 100)} %` : String(done) };
}

/** "hash" -> "Hashing": the stage as the tray shows it. */
export function stageLabel(stage: string | null): string | null {
  if (stage === null) return null;
  const words: Record<string, string> = {
    copy: 'Copying',
    hash: 'Computing the checksum',
    inspect: 'Inspecting',
    convert: 'Converting',
    upload: 'Uploading',
    pull: 'Pulling',
    build: 'Building',
    boot: 'Booting',
  };
  return words[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1);
}
