import { create } from 'zustand';
import type { ApiErrorShape } from '../../../preload/contract';
import { api } from '../bridge/api';
import { useEnvironmentsStore } from './environments-store';
import { errorShape } from './load-status';

export type EnvironmentAction = 'start' | 'stop' | 'restart' | 'pause' | 'resume' | 'delete';

export const ACTION_LABELS: Record<EnvironmentAction, string> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  pause: 'Pause',
  resume: 'Resume',
  delete: 'Delete',
};

/** What failed on one environment, kept on its row until dismissed or the next action. */
export type ActionFailure = ApiErrorShape & { action: EnvironmentAction };

type EnvironmentActionsStore = {
  /** The action under way per environment id. */
  pending: Record<string, EnvironmentAction>;
  failures: Record<string, ActionFailure>;
  /** Runs the action; resolves true when the server did it. */
  run(id: string, action: EnvironmentAction): Promise<boolean>;
  dismiss(id: string): void;
};

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  const { [id]: _gone, ...rest } = record;
  return rest;
}

async function perform(id: string, action: EnvironmentAction): Promise<void> {
  const envs = useEnvironmentsStore.getState();
  switch (action) {
    case 'start':
      return envs.received(await api.call('startEnvironment', { id }));
    case 'stop':
      return envs.received(await api.call('stopEnvironment', { id }));
    case 'restart':
      return envs.received(await api.call('restartEnvironment', { id }));
    case 'pause':
      return envs.received(await api.call('pauseEnvironment', { id }));
    case 'resume':
      return envs.received(await api.call('resumeEnvironment', { id }));
    case 'delete':
      await api.call('deleteEnvironment', { id });
      return envs.removed(id);
  }
}

export const useEnvironmentActionsStore = create<EnvironmentActionsStore>((set, get) => ({
  pending: {},
  failures: {},

  async run(id, action) {
    if (get().pending[id]) return false;
    set({ pending: { ...get().pending, [id]: action }, failures: without(get().failures, id) });
    try {
      await perform(id, action);
      return true;
    } catch (err) {
      set({ failures: { ...get().failures, [id]: { action, ...errorShape(err) } } });
      return false;
    } finally {
      set({ pending: without(get().pending, id) });
    }
  },

  dismiss(id) {
    set({ failures: without(get().failures, id) });
  },
}));
