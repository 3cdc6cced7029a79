import { create } from 'zustand';
import type { ApiErrorShape, ImageFormat } from '../../../preload/contract';
import { api } from '../bridge/api';
import { useImagesStore } from './images-store';
import { errorShape } from './load-status';
import { useTasksStore } from './tasks-store';

export type ConvertFormat = Exclude<ImageFormat, 'iso'>;
export const CONVERT_FORMATS: readonly ConvertFormat[] = ['qcow2', 'raw', 'vdi', 'vhdx', 'vmdk'];

export type ImageFailure = ApiErrorShape & { action: 'convert' | 'delete' };

type ImageActionsStore = {
  /** A refusal of the call itself, per image id (a failed conversion task shows its own error). */
  failures: Record<string, ImageFailure>;
  /** Finished conversion tasks whose outcome the user has dismissed from the row. */
  dismissedTasks: ReadonlySet<string>;
  busy: Record<string, boolean>;
  convert(id: string, format: ConvertFormat): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  dismiss(id: string, taskIds: string[]): void;
};

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  const { [id]: _gone, ...rest } = record;
  return rest;
}

export const useImageActionsStore = create<ImageActionsStore>((set, get) => ({
  failures: {},
  dismissedTasks: new Set(),
  busy: {},

  async convert(id, format) {
    set({ failures: without(get().failures, id), busy: { ...get().busy, [id]: true } });
    try {
      const { task } = await api.call('convertImage', { id, format });
      // Shown at once; its progress follows as taskUpdated pushes.
      useTasksStore.getState().received(task);
      return true;
    } catch (err) {
      set({ failures: { ...get().failures, [id]: { action: 'convert', ...errorShape(err) } } });
      return false;
    } finally {
      set({ busy: without(get().busy, id) });
    }
  },

  async remove(id) {
    set({ failures: without(get().failures, id), busy: { ...get().busy, [id]: true } });
    try {
      await api.call('deleteImage', { id });
      useImagesStore.getState().removed(id);
      return true;
    } catch (err) {
      set({ failures: { ...get().failures, [id]: { action: 'delete', ...errorShape(err) } } });
      return false;
    } finally {
      set({ busy: without(get().busy, id) });
    }
  },

  dismiss(id, taskIds) {
    set({
      failures: without(get().failures, id),
      dismissedTasks: new Set([...get().dismissedTasks, ...taskIds]),
    });
  },
}));
