import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';
import { LinkStatusControls } from '../link-status';
import type { LinkStatus } from '../reconnect';
import { TerminalController } from './terminal-controller';
import { useSshAccess } from './ssh-access';
import { TerminalSearch } from './terminal-search';

type TerminalMode = 'shell' | 'attach' | 'ssh';

/**
 * The serial console of a VM or an SSH session into it (catalog VMs, with the environment's own
 * key), or in a container either a new shell (exec) or its main process (attach: the
 * container's own stdin/stdout, where what it prints goes to its log too), in xterm.js.
 */
export function TerminalPanel({ env }: { env: EnvironmentSummary }) {
  const screenRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<TerminalController | null>(null);
  const [status, setStatus] = useState<LinkStatus>({ kind: 'idle' });
  const [mode, setMode] = useState<TerminalMode>('shell');
  const container = env.backend === 'docker';
  const ssh = useSshAccess(env);
  // Back to the serial console when SSH goes away (the VM stopped or was restarted without it).
  const sshMode = !container && mode === 'ssh' && ssh.available;

  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const controller = new TerminalController({
      openTerminal: () =>
        api.call(
          'openTerminal',
          container && mode === 'attach'
            ? { id: env.id, mode }
            : sshMode
              ? { id: env.id, mode: 'ssh' }
              : { id: env.id },
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
  }, [env.id, container, mode, sshMode]);

  const what = sshMode
    ? 'SSH session'
    : env.backend === 'qemu'
      ? 'serial console'
      : mode === 'attach'
        ? 'main process'
        : 'shell';
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
        ) : (
          <div role="group" aria-label="Terminal session" className="view-toolbar__group">
            <button
              type="button"
              className="button--small"
              aria-pressed={!sshMode}
              onClick={() => setMode('shell')}
            >
              Serial console
            </button>
            <button
              type="button"
              className="button--small"
              aria-label="Open SSH terminal"
              aria-pressed={sshMode}
              aria-describedby={ssh.available ? undefined : `ssh-why-${env.id}`}
              disabled={!ssh.available}
              title={
                ssh.available ? 'A shell over SSH, logged in with this VM’s own key' : ssh.reason
              }
              onClick={() => setMode('ssh')}
            >
              SSH
            </button>
          </div>
        )}
        <TerminalSearch
          find={(query, backwards) =>
            (backwards
              ? controllerRef.current?.findPrevious(query)
              : controllerRef.current?.findNext(query)) ?? false
          }
          clear={() => controllerRef.current?.clearSearch()}
        />
        <LinkStatusControls
          status={status}
          what={what}
          onReconnect={() => controllerRef.current?.start()}
        />
      </div>
      <div
        ref={screenRef}
        className="terminal-view__screen"
        role="region"
        aria-label={`${sshMode ? 'SSH terminal' : env.backend === 'qemu' ? 'Serial console' : mode === 'attach' ? 'Main process' : 'Shell'} of ${env.name}`}
      />
      {!container && !ssh.available ? (
        <p className="hint" id={`ssh-why-${env.id}`}>
          SSH: {ssh.reason}
        </p>
      ) : null}
      <p className="hint">
        Copy with Ctrl+Shift+C, paste with Ctrl+Shift+V (or the browser’s menu). Only http and https
        links open, in a new tab.
      </p>
    </div>
  );
}
