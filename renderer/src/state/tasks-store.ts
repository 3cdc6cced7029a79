import { create } from 'zustand';
import type { ApiErrorShape, TaskInfo } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

/** Finished tasks the tray keeps (the server keeps 50). */
export const RECENT_TASKS = 20;

type TasksStore = {
  byId: Record<string, TaskInfo>;
  status: LoadStatus;
  error: ApiErrorShape | null;
  /** Why a cancel the user asked for did not happen, per task. */
  cancelErrors: Record<string, ApiErrorShape>;
  load(): Promise<void>;
  /** A `taskUpdated` push. */
  received(task: TaskInfo): void;
  cancel(id: string): Promise<void>;
};

/**
 * Keeps the newer of two reports of one task. A list can race a push: a finished task never goes
 * back to running, and among running reports the one with more progress wins.
 */
export function newerTask(current: TaskInfo | undefined, incoming: TaskInfo): TaskInfo {
  if (!current) return incoming;
  if (current.state !== 'running' && incoming.state === 'running') return current;
  if (
    current.state === 'running' &&
    incoming.state === 'running' &&
    current.stage === incoming.stage &&
    (current.done ?? 0) > (incoming.done ?? 0)
  ) {
    return current;
  }
  return incoming;
}

/** Running first (oldest first, as they started), then the recent finished ones, newest first. */
export function trayOrder(tasks: TaskInfo[]): TaskInfo[] {
  const running = tasks
    .filter((t) => t.state === 'running')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const finished = tasks
    .filter((t) => t.state !== 'running')
    .sort((a, b) => (b.endedAt ?? b.startedAt).localeCompare(a.endedAt ?? a.startedAt))
    .slice(0, RECENT_TASKS);
  return [...running, ...finished];
}

export const useTasksStore = create<TasksStore>((set, get) => ({
  byId: {},
  status: 'idle',
  error: null,
  cancelErrors: {},

  async load() {
    set({ status: 'loading', error: null });
    try {
      const { items } = await api.call('listTasks', {});
      const byId = { ...get().byId };
      for (const task of items) byId[task.id] = newerTask(byId[task.id], task);
      set({ byId, status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },

  received(task) {
    const byId = get().byId;
    set({ byId: { ...byId, [task.id]: newerTask(byId[task.id], task) } });
  },

  async cancel(id) {
    const { [id]: _dropped, ...others } = get().cancelErrors;
    set({ cancelErrors: others });
    try {
      // `cancelled: false` means it ended meanwhile: its last push is on the way.
      await api.call('cancelTask', { id });
    } catch (err) {
      set({ cancelErrors: { ...get().cancelErrors, [id]: errorShape(err) } });
    }
  },
}));
