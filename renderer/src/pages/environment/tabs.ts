import type { EnvironmentState, EnvironmentSummary } from '../../../../preload/contract';
import { detailHash } from '../../shell/routes';

/** The views of one environment, in tab order. The hash names the open one, so a reload stays. */
export const ENV_TABS = [
  { id: 'display', label: 'Display' },
  { id: 'terminal', label: 'Terminal' },
  { id: 'logs', label: 'Logs' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'settings', label: 'Settings' },
] as const;

export type EnvTabId = (typeof ENV_TABS)[number]['id'];

/** `#/environments/<id>/terminal` -> "terminal"; null when the hash names no tab. */
export function tabFromHash(hash: string): EnvTabId | null {
  const part = hash.replace(/^#\/?/, '').split(/[?&]/)[0]?.split('/')[2];
  return ENV_TABS.find((tab) => tab.id === part)?.id ?? null;
}

export function tabHash(envId: string, tab: EnvTabId): string {
  return `${detailHash('environments', envId)}/${tab}`;
}

/** A container has no display: its shell is what a user opens first. */
export function defaultTab(env: EnvironmentSummary): EnvTabId {
  return env.backend === 'docker' ? 'terminal' : 'display';
}

/** States in which the display and terminal exist (a paused VM still shows its last frame). */
export function isLive(state: EnvironmentState): boolean {
  return state === 'running' || state === 'degraded' || state === 'paused';
}
