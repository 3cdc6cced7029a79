import { create } from 'zustand';
import type { ApiErrorShape, EnvironmentSpec, EnvironmentSummary } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';

type LaunchStore = {
  busy: boolean;
  /** What is happening now, for a status line: "Creating web…", "Starting web-2…". */
  step: string | null;
  /** What failed, in the server's words, with what was made before it. */
  failure: { message: string; error: ApiErrorShape } | null;
  /**
   * Creates the environments for these specs (each may make `count` of them) and, with `start`,
   * starts every one in turn. Resolves to all it made, or null when something failed.
   */
  launch(specs: readonly EnvironmentSpec[], start: boolean): Promise<EnvironmentSummary[] | null>;
  dismiss(): void;
};

function madeSoFar(made: readonly EnvironmentSummary[]): string {
  if (made.length === 0) return '';
  return ` (${made.map((env) => env.name).join(', ')} ${made.length === 1 ? 'was' : 'were'} created and can be started from Environments)`;
}

export const useLaunchStore = create<LaunchStore>((set, get) => ({
  busy: false,
  step: null,
  failure: null,

  async launch(specs, start) {
    if (get().busy) return null;
    set({ busy: true, failure: null });
    const made: EnvironmentSummary[] = [];
    let doing = '';
    try {
      for (const spec of specs) {
        doing = `create ${spec.name}`;
        set({ step: `Creating ${spec.name}…` });
        const { items } = await api.call('createEnvironment', { spec });
        made.push(...items);
      }
      if (start) {
        for (const env of made) {
          doing = `start ${env.name}`;
          set({ step: `Starting ${env.name}…` });
          await api.call('startEnvironment', { id: env.id });
        }
      }
      set({ busy: false, step: null });
      return made;
    } catch (err) {
      const error = errorShape(err);
      set({
        busy: false,
        step: null,
        failure: { message: `Could not ${doing}${madeSoFar(made)}.`, error },
      });
      return null;
    }
  },

  dismiss() {
    set({ failure: null });
  },
}));
