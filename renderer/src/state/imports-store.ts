import { create } from 'zustand';
import type { ApiErrorShape, TaskInfo } from '../../../preload/contract';
import { api } from '../bridge/api';
import { ApiError } from '../bridge/api-client';
import { droppedFilePath } from '../bridge/dropped-file-path';
import { serveToken } from '../bridge/serve-token';
import { uploadFile } from '../bridge/upload-file';
import { isAcceptedImageName, refusalMessage } from './accepted-image-files';
import { errorShape } from './load-status';
import { useTasksStore } from './tasks-store';

/**
 * A file the user dropped (or chose) for the image library. Before the server has it, the entry
 * is the truth (refused, uploading, failed to upload); once the import task exists, the task is.
 */
export type ImportEntry = {
  id: string;
  fileName: string;
  size: number;
  phase: 'refused' | 'uploading' | 'importing' | 'failed' | 'cancelled';
  /** Bytes uploaded so far (serve mode). */
  sent: number;
  taskId: string | null;
  error: ApiErrorShape | null;
  startedAt: string;
};

type ImportsStore = {
  /** Newest first. */
  entries: ImportEntry[];
  importFiles(files: readonly File[]): void;
  cancel(entryId: string): void;
  dismiss(entryId: string): void;
};

/** The import's own word on where it is: the task's state once there is one. */
export function importStatus(
  entry: ImportEntry,
  task: TaskInfo | undefined,
): 'refused' | 'uploading' | 'importing' | 'done' | 'failed' | 'cancelled' {
  if (entry.phase !== 'importing') return entry.phase;
  if (!task || task.state === 'running') return 'importing';
  return task.state;
}

const MAX_NAME = 200;
const controllers = new Map<string, AbortController>();
let counter = 0;

export const useImportsStore = create<ImportsStore>((set, get) => {
  const patch = (id: string, change: Partial<ImportEntry>) =>
    set({ entries: get().entries.map((e) => (e.id === id ? { ...e, ...change } : e)) });

  async function importOne(entry: ImportEntry, file: File): Promise<void> {
    const started = (task: TaskInfo) => {
      useTasksStore.getState().received(task);
      patch(entry.id, { phase: 'importing', taskId: task.id, sent: entry.size });
    };
    try {
      const path = droppedFilePath(file);
      if (path) {
        started((await api.call('importImage', { path, mode: 'copy' })).task);
        return;
      }
      const token = serveToken();
      if (!token)
        throw new ApiError('FORBIDDEN', 'This page has no token to upload with: reopen its link.');
      const controller = new AbortController();
      controllers.set(entry.id, controller);
      const { uploadId } = await uploadFile(file, {
        token,
        signal: controller.signal,
        onProgress: (sent) => patch(entry.id, { sent }),
      }).finally(() => controllers.delete(entry.id));
      const name = file.name.slice(0, MAX_NAME);
      started((await api.call('importUpload', { uploadId, name })).task);
    } catch (err) {
      const error = errorShape(err);
      patch(entry.id, { phase: error.code === 'CANCELLED' ? 'cancelled' : 'failed', error });
    }
  }

  return {
    entries: [],

    importFiles(files) {
      const added = files.map((file) => {
        const accepted = isAcceptedImageName(file.name);
        const entry: ImportEntry = {
          id: `import-${++counter}`,
          fileName: file.name,
          size: file.size,
          phase: accepted ? 'uploading' : 'refused',
          sent: 0,
          taskId: null,
          error: accepted ? null : { code: 'UNSUPPORTED', message: refusalMessage(file.name) },
          startedAt: new Date().toISOString(),
        };
        return { entry, file };
      });
      set({ entries: [...added.map((a) => a.entry).reverse(), ...get().entries] });
      for (const { entry, file } of added)
        if (entry.phase === 'uploading') void importOne(entry, file);
    },

    cancel(entryId) {
      const entry = get().entries.find((e) => e.id === entryId);
      if (!entry) return;
      if (entry.phase === 'uploading') controllers.get(entryId)?.abort();
      else if (entry.phase === 'importing' && entry.taskId)
        void useTasksStore.getState().cancel(entry.taskId);
    },

    dismiss(entryId) {
      set({ entries: get().entries.filter((e) => e.id !== entryId) });
    },
  };
});
