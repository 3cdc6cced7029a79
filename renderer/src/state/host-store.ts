import { create } from 'zustand';
import type { ApiErrorShape, HostInfo } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

type HostStore = {
  info: HostInfo | null;
  status: LoadStatus;
  error: ApiErrorShape | null;
  /** True while a re-probe the user asked for runs (the old answer stays on screen). */
  reprobing: boolean;
  load(): Promise<void>;
  reprobe(): Promise<void>;
  received(info: HostInfo): void;
};

export const useHostStore = create<HostStore>((set) => ({
  info: null,
  status: 'idle',
  error: null,
  reprobing: false,

  async load() {
    set({ status: 'loading', error: null });
    try {
      set({ info: await api.call('hostInfo', {}), status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },

  async reprobe() {
    set({ reprobing: true, error: null });
    try {
      set({ info: await api.call('hostInfo', { refresh: true }), status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    } finally {
      set({ reprobing: false });
    }
  },

  received(info) {
    set({ info, status: 'ready', error: null });
  },
}));
