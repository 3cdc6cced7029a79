import RFB from '@novnc/novnc';
import { useEffect, useRef, useState } from 'react';
import type { EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';
import { LinkStatusControls } from '../link-status';
import type { LinkStatus } from '../reconnect';
import { DisplayController, screenshotName } from './display-controller';
import type { DisplayProtocol } from './display-controller';
import { ProtocolSwitch } from './protocol-switch';
import { TypeIntoGuest } from './type-into-guest';

function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click starts the download synchronously; the URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The VM's screen through noVNC, with scale, full screen, Ctrl+Alt+Del, typing and screenshots. */
export function DisplayPanel({ env }: { env: EnvironmentSummary }) {
  const screenRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<DisplayController<HTMLElement> | null>(null);
  const [status, setStatus] = useState<LinkStatus>({ kind: 'idle' });
  const [scale, setScale] = useState(true);
  const [protocol, setProtocol] = useState<DisplayProtocol>('vnc');
  // The controller is made once per environment; it starts with the protocol chosen so far.
  const protocolRef = useRef(protocol);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const controller = new DisplayController(screen, {
      openDisplay: (protocol) => api.call('openDisplay', { id: env.id, protocol }),
      createRfb: (target, url) => new RFB(target, url, { shared: true }),
      // spice-html5 is loaded only when SPICE is chosen.
      createSpice: async (target, url) =>
        (await import('./spice-session')).createSpiceSession(target, url),
      page: window.location,
    });
    controller.setProtocol(protocolRef.current);
    controllerRef.current = controller;
    const unsubscribe = controller.subscribe(setStatus);
    controller.start();
    return () => {
      unsubscribe();
      controller.stop();
      if (controllerRef.current === controller) controllerRef.current = null;
    };
  }, [env.id]);

  useEffect(() => {
    controllerRef.current?.setScale(scale);
  }, [scale]);

  useEffect(() => {
    protocolRef.current = protocol;
    controllerRef.current?.setProtocol(protocol);
  }, [protocol]);

  const connected = status.kind === 'connected';
  const unavailable = status.kind === 'unavailable';

  async function fullScreen() {
    try {
      await screenRef.current?.requestFullscreen();
    } catch (err) {
      setNotice(`Full screen was refused: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async function screenshot() {
    const blob = await controllerRef.current?.screenshot();
    if (blob) download(blob, screenshotName(env.name, new Date()));
    else setNotice('There is no frame to save yet.');
  }

  return (
    <div className="display-view">
      {unavailable ? (
        <p className="notice display-view__none">
          <strong>No display.</strong> {status.reason}
        </p>
      ) : (
        <div className="view-toolbar" role="toolbar" aria-label={`Display of ${env.name}`}>
          <ProtocolSwitch value={protocol} onChange={setProtocol} />
          <button
            type="button"
            className="button--quiet button--small"
            aria-pressed={scale}
            onClick={() => setScale(!scale)}
          >
            Scale to fit
          </button>
          <button
            type="button"
            className="button--quiet button--small"
            disabled={!connected}
            onClick={() => void fullScreen()}
          >
            Full screen
          </button>
          <button
            type="button"
            className="button--quiet button--small"
            disabled={!connected}
            onClick={() => controllerRef.current?.sendCtrlAltDel()}
          >
            Send Ctrl+Alt+Del
          </button>
          <button
            type="button"
            className="button--quiet button--small"
            disabled={!connected}
            onClick={() => void screenshot()}
          >
            Screenshot
          </button>
          <LinkStatusControls
            status={status}
            what="display"
            onReconnect={() => controllerRef.current?.start()}
          />
        </div>
      )}
      {notice ? (
        <div role="alert" className="inline-error">
          <p>{notice}</p>
          <button
            type="button"
            className="button--quiet button--small"
            onClick={() => setNotice(null)}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      {/* data-keeps-keys: keys typed here belong to the guest, not to the app's shortcuts. */}
      <div
        ref={screenRef}
        className={`display-view__screen${scale ? '' : ' display-view__screen--actual'}`}
        hidden={unavailable}
        data-keeps-keys=""
        aria-label={`Screen of ${env.name}`}
        role="region"
      />
      {unavailable ? null : (
        <TypeIntoGuest
          disabled={!connected}
          onType={(text) => controllerRef.current?.type(text) ?? false}
        />
      )}
    </div>
  );
}
