import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ApiErrorShape, EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';
import { ErrorNotice } from '../../../components/error-notice';
import { LoadingNotice } from '../../../components/loading-notice';
import { errorShape } from '../../../state/load-status';
import { FOLLOW_INTERVAL_MS, LOG_TAIL_BYTES, plainLogText } from './log-text';

/**
 * The environment's console log (a VM's serial output, a container's output), refreshed on demand
 * or, while "Follow" is on and the page is visible, every 2 s. Mounted only while its tab is open,
 * so following stops when the tab is left.
 */
export function LogsPanel({ env }: { env: EnvironmentSummary }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [follow, setFollow] = useState(true);
  const [loading, setLoading] = useState(false);
  const inFlight = useRef(false);
  const boxRef = useRef<HTMLPreElement>(null);
  const followId = useId();

  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setLoading(true);
    try {
      const log = await api.call('consoleLog', { id: env.id, maxBytes: LOG_TAIL_BYTES });
      setText(plainLogText(log.text));
      setError(null);
    } catch (err) {
      setError(errorShape(err));
    } finally {
      inFlight.current = false;
      setLoading(false);
    }
  }, [env.id]);

  useEffect(() => {
    const first = setTimeout(() => void refresh(), 0);
    return () => clearTimeout(first);
  }, [refresh]);

  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, FOLLOW_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [follow, refresh]);

  // Following keeps the newest line in view.
  useEffect(() => {
    const box = boxRef.current;
    if (follow && box) box.scrollTop = box.scrollHeight;
  }, [text, follow]);

  return (
    <div className="logs-view">
      <div className="view-toolbar" role="toolbar" aria-label={`Log of ${env.name}`}>
        <button
          type="button"
          className="button--quiet button--small"
          aria-busy={loading}
          onClick={() => void refresh()}
        >
          Refresh
        </button>
        <label htmlFor={followId} className="logs-view__follow">
          <input
            id={followId}
            type="checkbox"
            checked={follow}
            onChange={(event) => setFollow(event.target.checked)}
          />{' '}
          Follow
        </label>
        <span className="hint">The last {LOG_TAIL_BYTES / 1024} KiB of the console output.</span>
      </div>
      {error ? <ErrorNotice title="Could not read the console log" error={error} /> : null}
      {text === null ? (
        error ? null : (
          <LoadingNotice>Reading the console log…</LoadingNotice>
        )
      ) : text.trim() === '' ? (
        <p className="empty">Nothing in the console log yet.</p>
      ) : (
        <pre ref={boxRef} className="logs-view__text" tabIndex={0} aria-label="Console log">
          {text}
        </pre>
      )}
    </div>
  );
}
