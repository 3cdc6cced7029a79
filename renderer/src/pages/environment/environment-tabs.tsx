import { Suspense, lazy, useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import type { EnvironmentSummary } from '../../../../preload/contract';
import { LoadingNotice } from '../../components/loading-notice';
import { LogsPanel } from './logs/logs-panel';
import { MetricsPanel } from './metrics-panel';
import { NotRunning } from './not-running';
import { SettingsPanel } from './settings/settings-panel';
import { SnapshotsPanel } from './snapshots/snapshots-panel';
import { ENV_TABS, defaultTab, isLive, tabFromHash, tabHash } from './tabs';
import type { EnvTabId } from './tabs';

// noVNC and xterm.js are loaded when their tab first opens, not with the app.
const DisplayPanel = lazy(() =>
  import('./display/display-panel').then((module) => ({ default: module.DisplayPanel })),
);
const TerminalPanel = lazy(() =>
  import('./terminal/terminal-panel').then((module) => ({ default: module.TerminalPanel })),
);

/**
 * The environment's views as tabs (WAI-ARIA tabs: arrows move between them). The open tab is in
 * the address (`#/environments/<id>/<tab>`), so a reload comes back to it. The terminal stays
 * connected while another tab is open, keeping its scrollback; the others live only while shown.
 */
export function EnvironmentTabs({ env }: { env: EnvironmentSummary }) {
  const [tab, setTab] = useState<EnvTabId>(
    () => tabFromHash(window.location.hash) ?? defaultTab(env),
  );
  const [terminalOpened, setTerminalOpened] = useState(tab === 'terminal');
  const base = useId();
  const tabRefs = useRef(new Map<EnvTabId, HTMLButtonElement>());
  const live = isLive(env.state);

  function select(next: EnvTabId, focus = false) {
    setTab(next);
    if (next === 'terminal') setTerminalOpened(true);
    // Replace, not push: Back still leaves the environment rather than stepping through tabs.
    window.history.replaceState(window.history.state, '', tabHash(env.id, next));
    if (focus) tabRefs.current.get(next)?.focus();
  }

  // A link or Back/Forward that changes only the tab part of the address.
  useEffect(() => {
    const follow = () => {
      const next = tabFromHash(window.location.hash);
      if (!next) return;
      setTab(next);
      if (next === 'terminal') setTerminalOpened(true);
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  function onKeyDown(event: KeyboardEvent) {
    const index = ENV_TABS.findIndex((item) => item.id === tab);
    const moves: Record<string, number> = {
      ArrowRight: (index + 1) % ENV_TABS.length,
      ArrowLeft: (index - 1 + ENV_TABS.length) % ENV_TABS.length,
      Home: 0,
      End: ENV_TABS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(ENV_TABS[target]!.id, true);
  }

  const content: Record<EnvTabId, () => ReactNode> = {
    display: () =>
      live ? (
        <Suspense fallback={<LoadingNotice>Loading the display viewer…</LoadingNotice>}>
          <DisplayPanel env={env} />
        </Suspense>
      ) : (
        <NotRunning env={env} what="display" />
      ),
    terminal: () =>
      live ? (
        <Suspense fallback={<LoadingNotice>Loading the terminal…</LoadingNotice>}>
          <TerminalPanel env={env} />
        </Suspense>
      ) : (
        <NotRunning env={env} what="terminal" />
      ),
    logs: () => <LogsPanel env={env} />,
    snapshots: () => <SnapshotsPanel env={env} />,
    metrics: () => <MetricsPanel env={env} />,
    settings: () => <SettingsPanel env={env} />,
  };

  return (
    <div className="env-tabs">
      <div
        className="env-tabs__list"
        role="tablist"
        aria-label={`Views of ${env.name}`}
        onKeyDown={onKeyDown}
      >
        {ENV_TABS.map((item) => (
          <button
            key={item.id}
            ref={(element) => {
              if (element) tabRefs.current.set(item.id, element);
              else tabRefs.current.delete(item.id);
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${item.id}`}
            aria-selected={tab === item.id}
            aria-controls={`${base}-panel-${item.id}`}
            tabIndex={tab === item.id ? 0 : -1}
            className="env-tabs__tab"
            onClick={() => select(item.id)}
          >
            {item.label}
          </button>
        ))}
      </div>
      {ENV_TABS.map((item) => {
        const shown = tab === item.id;
        const mounted = shown || (item.id === 'terminal' && terminalOpened);
        return (
          <div
            key={item.id}
            role="tabpanel"
            id={`${base}-panel-${item.id}`}
            aria-labelledby={`${base}-tab-${item.id}`}
            className="env-tabs__panel"
            hidden={!shown}
          >
            {mounted ? content[item.id]() : null}
          </div>
        );
      })}
    </div>
  );
}
