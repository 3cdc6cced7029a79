import { create } from 'zustand';
import type { ApiErrorShape, Settings } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

type SettingsStore = {
  settings: Settings | null;
  status: LoadStatus;
  error: ApiErrorShape | null;
  saving: boolean;
  saveError: ApiErrorShape | null;
  load(): Promise<void>;
  /** Sends the patch; resolves true when the server took it. */
  update(patch: Partial<Settings>): Promise<boolean>;
  /** A `settingsChanged` push: another window (or the CLI) changed them. */
  received(settings: Settings): void;
};

export const useSettingsStore = create<SettingsStore>((set, get) => ({
  settings: null,
  status: 'idle',
  error: null,
  saving: false,
  saveError: null,

  async load() {
    set({ status: 'loading', error: null });
    try {
      set({ settings: await api.call('getSettings', {}), status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },

  async update(patch) {
    const before = get().settings;
    // Shown at once (the theme switches as the user clicks); put back if the server says no.
    if (before) set({ settings: { ...before, ...patch } });
    set({ saving: true, saveError: null });
    try {
      set({ settings: await api.call('updateSettings', { patch }) });
      return true;
    } catch (err) {
      set({ saveError: errorShape(err), ...(before ? { settings: before } : {}) });
      return false;
    } finally {
      set({ saving: false });
    }
  },

  received(settings) {
    set({ settings, status: 'ready', error: null });
  },
}));
