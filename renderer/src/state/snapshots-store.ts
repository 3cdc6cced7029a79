import { create } from 'zustand';
import type { ApiErrorShape, CallArgs, Snapshot } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

export type SnapshotKind = CallArgs<'createSnapshot'>['kind'];
export type SnapshotAction = 'create' | 'restore' | 'delete';

/** What failed, shown where it was asked for (the form for create, the list for the others). */
export type SnapshotFailure = ApiErrorShape & { action: SnapshotAction; name: string };

type SnapshotsStore = {
  /** The environment the list belongs to: one environment page is open at a time. */
  envId: string | null;
  items: Snapshot[];
  status: LoadStatus;
  error: ApiErrorShape | null;
  busy: { action: SnapshotAction; name: string } | null;
  failure: SnapshotFailure | null;
  /** The last restore that worked, for a confirmation line. */
  restored: string | null;
  load(envId: string): Promise<void>;
  /** Resolves true when the snapshot was taken (the form then clears). */
  create(envId: string, name: string, kind: SnapshotKind): Promise<boolean>;
  restore(envId: string, name: string): Promise<boolean>;
  remove(envId: string, name: string): Promise<boolean>;
  dismiss(): void;
};

export const useSnapshotsStore = create<SnapshotsStore>((set, get) => {
  /** Runs one change; the list is re-read after it, whatever happened. */
  async function change(
    envId: string,
    action: SnapshotAction,
    name: string,
    run: () => Promise<unknown>,
  ): Promise<boolean> {
    if (get().busy) return false;
    if (get().envId !== envId) set({ envId, items: [], status: 'idle', error: null });
    set({ busy: { action, name }, failure: null, restored: null });
    try {
      await run();
      if (get().envId === envId && action === 'restore') set({ restored: name });
      return true;
    } catch (err) {
      if (get().envId === envId) set({ failure: { action, name, ...errorShape(err) } });
      return false;
    } finally {
      set({ busy: null });
      if (get().envId === envId) await get().load(envId);
    }
  }

  return {
    envId: null,
    items: [],
    status: 'idle',
    error: null,
    busy: null,
    failure: null,
    restored: null,

    async load(envId) {
      if (get().envId !== envId) {
        set({ envId, items: [], busy: null, failure: null, restored: null });
      }
      set({ status: get().status === 'ready' ? 'ready' : 'loading', error: null });
      try {
        const { items } = await api.call('listSnapshots', { id: envId });
        // A late answer for an environment no longer shown is dropped.
        if (get().envId === envId) set({ items, status: 'ready' });
      } catch (err) {
        if (get().envId === envId) set({ status: 'error', error: errorShape(err) });
      }
    },

    create: (envId, name, kind) =>
      change(envId, 'create', name, () => api.call('createSnapshot', { id: envId, name, kind })),

    restore: (envId, name) =>
      change(envId, 'restore', name, () => api.call('restoreSnapshot', { id: envId, name })),

    remove: (envId, name) =>
      change(envId, 'delete', name, () => api.call('deleteSnapshot', { id: envId, name })),

    dismiss() {
      set({ failure: null, restored: null });
    },
  };
});
