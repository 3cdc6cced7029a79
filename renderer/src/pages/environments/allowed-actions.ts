import type { EnvironmentState } from '../../../../preload/contract';
import type { EnvironmentAction } from '../../state/environment-actions-store';

/**
 * From which states each action may begin: a copy of main's lifecycle table (ACTIONS in
 * main/orchestrator/lifecycle.ts), used only to grey out buttons. The server still decides, and
 * a key pressed in a state that does not allow it gets the server's explanation on the row.
 */
const ALLOWED: Record<EnvironmentAction, readonly EnvironmentState[]> = {
  start: ['draft', 'stopped', 'failed'],
  stop: ['running', 'degraded', 'paused'],
  restart: ['running', 'degraded'],
  pause: ['running', 'degraded'],
  resume: ['paused'],
  delete: ['draft', 'stopped', 'failed'],
};

export function isAllowed(action: EnvironmentAction, state: EnvironmentState): boolean {
  return ALLOWED[action].includes(state);
}
