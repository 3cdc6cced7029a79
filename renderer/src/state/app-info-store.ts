import { create } from 'zustand';
import type { ApiErrorShape, AppInfo } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

type AppInfoStore = {
  info: AppInfo | null;
  status: LoadStatus;
  error: ApiErrorShape | null;
  load(): Promise<void>;
};

export const useAppInfoStore = create<AppInfoStore>((set) => ({
  info: null,
  status: 'idle',
  error: null,

  async load() {
    set({ status: 'loading', error: null });
    try {
      set({ info: await api.call('appInfo', {}), status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },
}));
