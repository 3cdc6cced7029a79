import type { EnvironmentState } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';

/**
 * The lifecycle state machine, in one place. Every state change the orchestrator makes is
 * checked against TRANSITIONS; every user action against ACTIONS, so an illegal request gets
 * CONFLICT naming the current state instead of half-running.
 */
export const TRANSITIONS: Record<EnvironmentState, readonly EnvironmentState[]> = {
  draft: ['provisioning', 'deleting'],
  provisioning: ['stopped', 'failed'],
  // stopped -> failed and failed -> failed: the restart policy giving up on a crash loop says so
  // in the state's reason (an `always` environment may have exited cleanly every time).
  stopped: ['provisioning', 'starting', 'deleting', 'failed'],
  starting: ['running', 'failed', 'stopped'],
  running: ['stopping', 'paused', 'degraded', 'failed', 'stopped', 'starting'],
  degraded: ['running', 'stopping', 'paused', 'failed', 'stopped', 'starting'],
  paused: ['running', 'stopping', 'stopped', 'failed'],
  stopping: ['stopped', 'failed'],
  failed: ['provisioning', 'starting', 'stopped', 'deleting', 'failed'],
  deleting: ['failed'],
};

export type Action = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'restart' | 'delete';

/** The states from which each user action may begin. */
export const ACTIONS: Record<Action, readonly EnvironmentState[]> = {
  start: ['draft', 'stopped', 'failed'],
  stop: ['running', 'degraded', 'paused'],
  kill: ['starting', 'running', 'degraded', 'paused', 'stopping'],
  pause: ['running', 'degraded'],
  resume: ['paused'],
  restart: ['running', 'degraded'],
  delete: ['draft', 'stopped', 'failed'],
};

/** States in which the environment holds host resources (for admission and reconciliation). */
export const ACTIVE_STATES: readonly EnvironmentState[] = [
  'starting',
  'running',
  'degraded',
  'paused',
  'stopping',
];

/** States that only exist while an operation is under way; a crash can leave one behind. */
export const TRANSIENT_STATES: readonly EnvironmentState[] = [
  'provisioning',
  'starting',
  'stopping',
  'deleting',
];

const HINTS: Partial<Record<Action, string>> = {
  start: 'Stop it first, or wait for the current operation to finish.',
  delete: 'Stop it first (or wait for provisioning to finish), then delete.',
  stop: 'It is not running.',
  resume: 'Only a paused environment can be resumed.',
};

export function canTransition(from: EnvironmentState, to: EnvironmentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(name: string, from: EnvironmentState, to: EnvironmentState): void {
  if (!canTransition(from, to)) {
    throw new GenosError('CONFLICT', `${name} cannot go from ${from} to ${to}.`);
  }
}

export function assertAction(name: string, action: Action, state: EnvironmentState): void {
  if (!ACTIONS[action].includes(state)) {
    const hint = HINTS[action] ?? '';
    throw new GenosError('CONFLICT', `Cannot ${action} ${name}: it is ${state}. ${hint}`.trim());
  }
}
