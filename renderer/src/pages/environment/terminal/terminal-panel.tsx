import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';
import { describeLink } from '../reconnect';
import type { LinkStatus } from '../reconnect';
import { TerminalController } from './terminal-controller';
import { TerminalSearch } from './terminal-search';

type TerminalMode = 'shell' | 'attach';

/**
 * The serial console of a VM, or in a container either a new shell (exec) or its main process
 * (attach: the container's own stdin/stdout, where what it prints goes to its log too), in xterm.js.
 */
export function TerminalPanel({ env }: { env: EnvironmentSummary }) {
  const screenRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<TerminalController | null>(null);
  const [status, setStatus] = useState<LinkStatus>({ kind: 'idle' });
  const [mode, setMode] = useState<TerminalMode>('shell');
  const container = env.backend === 'docker';

  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const controller = new TerminalController({
      openTerminal: () =>
        api.call(
          'openTerminal',
          container && mode === 'attach' ? { id: env.id, mode } : { id: env.id },
        ),
      page: window.location,
    });
    controllerRef.current = controller;
    const unsubscribe = controller.subscribe(setStatus);
    controller.mount(screen);
    controller.start();
    return () => {
      unsubscribe();
      controller.dispose();
      if (controllerRef.current === controller) controllerRef.current = null;
    };
  }, [env.id, container, mode]);

  const what =
    env.backend === 'qemu' ? 'serial console' : mode === 'attach' ? 'main process' : 'shell';
  return (
    <div className="terminal-view">
      <div className="view-toolbar" role="toolbar" aria-label={`Terminal of ${env.name}`}>
        {container ? (
          <select
            aria-label="Terminal session"
            className="button--small"
            value={mode}
            onChange={(event) => setMode(event.target.value as TerminalMode)}
            title="Shell: a new shell beside the main process. Main process: its own input and output (closing detaches; it keeps running)."
          >
            <option value="shell">Shell</option>
            <option value="attach">Main process</option>
          </select>
        ) : null}
        <TerminalSearch
          find={(query, backwards) =>
            (backwards
              ? controllerRef.current?.findPrevious(query)
              : controllerRef.current?.findNext(query)) ?? false
          }
          clear={() => controllerRef.current?.clearSearch()}
        />
        {status.kind === 'failed' ? (
          <button
            type="button"
            className="button--small"
            onClick={() => controllerRef.current?.start()}
          >
            Reconnect
          </button>
        ) : null}
        <span role="status" className={`view-toolbar__status view-toolbar__status--${status.kind}`}>
          {describeLink(status, what)}
        </span>
      </div>
      <div
        ref={screenRef}
        className="terminal-view__screen"
        role="region"
        aria-label={`${env.backend === 'qemu' ? 'Serial console' : mode === 'attach' ? 'Main process' : 'Shell'} of ${env.name}`}
      />
      <p className="hint">
        Copy with Ctrl+Shift+C, paste with Ctrl+Shift+V (or the browser’s menu). Only http and https
        links open, in a new tab.
      </p>
    </div>
  );
}
