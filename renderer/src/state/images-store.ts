import { create } from 'zustand';
import type { ApiErrorShape, ImageRecord } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

type ImagesStore = {
  items: ImageRecord[];
  status: LoadStatus;
  error: ApiErrorShape | null;
  load(): Promise<void>;
  /** An image a finished import or conversion produced. */
  received(image: ImageRecord): void;
  removed(id: string): void;
};

/** Newest first, like the server lists them. */
function byNewest(a: ImageRecord, b: ImageRecord): number {
  return b.createdAt.localeCompare(a.createdAt);
}

export function isImageRecord(value: unknown): value is ImageRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ImageRecord>;
  return typeof v.id === 'string' && typeof v.format === 'string' && typeof v.name === 'string';
}

export const useImagesStore = create<ImagesStore>((set, get) => ({
  items: [],
  status: 'idle',
  error: null,

  async load() {
    // A reload keeps the list on screen: only the first load shows "Loading".
    if (get().status !== 'ready') set({ status: 'loading', error: null });
    try {
      const { items } = await api.call('listImages', {});
      set({ items: [...items].sort(byNewest), status: 'ready', error: null });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },

  received(image) {
    const others = get().items.filter((item) => item.id !== image.id);
    set({ items: [image, ...others].sort(byNewest) });
  },

  removed(id) {
    set({ items: get().items.filter((item) => item.id !== id) });
  },
}));
