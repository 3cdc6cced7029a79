import { create } from 'zustand';
import type { ApiErrorShape, EnvironmentSpec, LaunchPlan } from '../../../preload/contract';
import { api } from '../bridge/api';
import { specKey } from './compose-spec';
import { errorShape } from './load-status';

type PlanStore = {
  /** The spec the plan (or error) is for, as its key. */
  key: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  plan: LaunchPlan | null;
  error: ApiErrorShape | null;
  /** Asks the backend for the exact launch of this spec (a dry run); the newest ask wins. */
  refresh(spec: EnvironmentSpec): Promise<void>;
  clear(): void;
};

let latest = 0;

export const usePlanStore = create<PlanStore>((set, get) => ({
  key: null,
  status: 'idle',
  plan: null,
  error: null,

  async refresh(spec) {
    const key = specKey(spec);
    if (key === get().key && get().status !== 'error') return;
    const seq = ++latest;
    // The previous plan stays on screen (marked busy) until the new one arrives.
    set({ key, status: 'loading' });
    try {
      const plan = await api.call('planEnvironment', { spec });
      if (seq === latest) set({ plan, status: 'ready', error: null });
    } catch (err) {
      if (seq === latest) set({ plan: null, status: 'error', error: errorShape(err) });
    }
  },

  clear() {
    latest += 1;
    set({ key: null, status: 'idle', plan: null, error: null });
  },
}));
