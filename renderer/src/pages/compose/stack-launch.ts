import { create } from 'zustand';
import type {
  ApiErrorShape,
  EnvironmentSpec,
  EnvironmentSummary,
} from '../../../../preload/contract';
import { api } from '../../bridge/api';
import { errorShape } from '../../state/load-status';

/**
 * Several environments launched as one stack (upStack): the server creates them all and starts
 * them in dependency order, each only after what it requires is running. Used for a stack prompt
 * and for a recipe whose environments require each other.
 */
type StackLaunchStore = {
  busy: boolean;
  step: string | null;
  /** A member that did not start has only its reason (upStack reports, it does not throw). */
  failure: { message: string; error: { code?: ApiErrorShape['code']; message: string } } | null;
  launch(specs: readonly EnvironmentSpec[], start: boolean): Promise<EnvironmentSummary[] | null>;
  dismiss(): void;
};

/** upStack's model: one environment per spec, or some spec needs another. */
export function launchesAsStack(specs: readonly EnvironmentSpec[]): boolean {
  return (
    specs.length > 1 &&
    (specs.some((spec) => spec.requires.length > 0) || specs.every((spec) => spec.count === 1))
  );
}

export const useStackLaunchStore = create<StackLaunchStore>((set, get) => ({
  busy: false,
  step: null,
  failure: null,

  async launch(specs, start) {
    if (get().busy) return null;
    set({
      busy: true,
      failure: null,
      step: start ? `Starting ${specs.length} environments in order…` : 'Creating the stack…',
    });
    try {
      const { items } = await api.call('upStack', { environments: [...specs], start });
      const made = items.map((item) => item.env);
      const bad = items.filter((item) => item.outcome === 'failed' || item.outcome === 'skipped');
      if (bad.length > 0) {
        const names = made.map((env) => env.name).join(', ');
        set({
          busy: false,
          step: null,
          failure: {
            message: `Could not start ${bad.map((item) => item.env.name).join(', ')} (${names} were created and can be started from Environments).`,
            error: {
              message: bad
                .map((item) => `${item.env.name}: ${item.reason ?? item.outcome}`)
                .join(' '),
            },
          },
        });
        return null;
      }
      set({ busy: false, step: null });
      return made;
    } catch (err) {
      set({
        busy: false,
        step: null,
        failure: { message: 'Could not launch the stack.', error: errorShape(err) },
      });
      return null;
    }
  },

  dismiss() {
    set({ failure: null });
  },
}));
