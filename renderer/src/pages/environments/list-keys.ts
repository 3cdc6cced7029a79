import type { EnvironmentState } from '../../../../preload/contract';
import type { EnvironmentAction } from '../../state/environment-actions-store';

export type ListCommand =
  | { kind: 'move'; delta: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'open' }
  | { kind: 'action'; action: EnvironmentAction }
  | { kind: 'confirm-delete' };

/** The environments list's keys (listed in the help overlay); null for keys it does not take. */
export function listKeyCommand(key: string, state: EnvironmentState | null): ListCommand | null {
  switch (key) {
    case 'ArrowDown':
      return { kind: 'move', delta: 1 };
    case 'ArrowUp':
      return { kind: 'move', delta: -1 };
    case 'Home':
      return { kind: 'first' };
    case 'End':
      return { kind: 'last' };
  }
  if (state === null) return null;
  switch (key) {
    case 'Enter':
      return { kind: 'open' };
    case 's':
      return { kind: 'action', action: 'start' };
    case 'x':
      return { kind: 'action', action: 'stop' };
    case 'r':
      return { kind: 'action', action: 'restart' };
    case 'p':
      return { kind: 'action', action: state === 'paused' ? 'resume' : 'pause' };
    case 'Delete':
      return { kind: 'confirm-delete' };
    default:
      return null;
  }
}
