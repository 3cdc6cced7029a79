import type { EnvironmentSummary } from '../../../../preload/contract';
import { ACTION_LABELS, useEnvironmentActionsStore } from '../../state/environment-actions-store';
import type { EnvironmentAction } from '../../state/environment-actions-store';
import { isAllowed } from './allowed-actions';

/** Start, stop, restart, pause or resume, delete: each named with the environment's name. */
export function EnvironmentActions({
  env,
  onDelete,
}: {
  env: EnvironmentSummary;
  /** Delete asks first: the caller owns the confirmation. */
  onDelete: () => void;
}) {
  const pending = useEnvironmentActionsStore((store) => store.pending[env.id]);
  const run = useEnvironmentActionsStore((store) => store.run);
  const pauseOrResume: EnvironmentAction = env.state === 'paused' ? 'resume' : 'pause';
  const actions: EnvironmentAction[] = ['start', 'stop', 'restart', pauseOrResume, 'delete'];

  return (
    <div className="row-actions" role="group" aria-label={`Actions for ${env.name}`}>
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          className={`button--small ${action === 'delete' ? 'button--quiet-danger' : 'button--quiet'}`}
          aria-label={`${ACTION_LABELS[action]} ${env.name}`}
          aria-busy={pending === action}
          disabled={pending !== undefined || !isAllowed(action, env.state)}
          onClick={() => (action === 'delete' ? onDelete() : void run(env.id, action))}
        >
          {pending === action ? `${ACTION_LABELS[action]}…` : ACTION_LABELS[action]}
        </button>
      ))}
    </div>
  );
}
