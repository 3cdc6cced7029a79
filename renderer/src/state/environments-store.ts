import { create } from 'zustand';
import type { ApiErrorShape, EnvironmentSummary } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

type EnvironmentsStore = {
  items: EnvironmentSummary[];
  total: number;
  status: LoadStatus;
  error: ApiErrorShape | null;
  /** Ids known to be deleted: a late push for one must not bring it back. */
  deleted: ReadonlySet<string>;
  load(): Promise<void>;
  /** An `environmentChanged` push (or a call's answer): replace the one it names, or add it. */
  received(env: EnvironmentSummary): void;
  /** The environment is gone (its delete finished, here or in another window). */
  removed(id: string): void;
};

export const useEnvironmentsStore = create<EnvironmentsStore>((set, get) => ({
  items: [],
  total: 0,
  status: 'idle',
  error: null,
  deleted: new Set(),

  async load() {
    set({ status: 'loading', error: null });
    try {
      const page = await api.call('listEnvironments', {});
      set({ items: page.items, total: page.total, status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },

  received(env) {
    const { items, total, deleted } = get();
    if (deleted.has(env.id)) return;
    const index = items.findIndex((item) => item.id === env.id);
    if (index >= 0) set({ items: items.map((item) => (item.id === env.id ? env : item)) });
    else set({ items: [env, ...items], total: total + 1 });
  },

  removed(id) {
    const { items, total, deleted } = get();
    if (deleted.has(id)) return;
    const had = items.some((item) => item.id === id);
    set({
      items: items.filter((item) => item.id !== id),
      total: had ? Math.max(0, total - 1) : total,
      deleted: new Set([...deleted, id]),
    });
  },
}));
