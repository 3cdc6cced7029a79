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
  load(): Promise<void>;
  /** An `environmentChanged` push: replace the one it names, or add it. */
  received(env: EnvironmentSummary): void;
};

export const useEnvironmentsStore = create<EnvironmentsStore>((set, get) => ({
  items: [],
  total: 0,
  status: 'idle',
  error: null,

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
    const { items, total } = get();
    const index = items.findIndex((item) => item.id === env.id);
    if (index >= 0) set({ items: items.map((item) => (item.id === env.id ? env : item)) });
    else set({ items: [env, ...items], total: total + 1 });
  },
}));
