import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ApiErrorShape, EnvironmentSummary } from '../../../../../preload/contract';
import { api } from '../../../bridge/api';
import { ErrorNotice } from '../../../components/error-notice';
import { LoadingNotice } from '../../../components/loading-notice';
import { errorShape } from '../../../state/load-status';
import { LogFollower, type FollowStatus } from './log-follow';
import { LOG_TAIL_BYTES, plainLogText } from './log-text';

const LIVE_STATES: ReadonlySet<string> = new Set(['running', 'degraded', 'paused']);

/** Redraws of a busy log are batched: one per this many ms. */
const REDRAW_MS = 100;

function followText(status: FollowStatus | null): string {
  switch (status?.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'following':
      return 'Following new output as it comes.';
    case 'ended':
      return `Stopped following: ${status.why}.`;
    default:
      return `The last ${LOG_TAIL_BYTES / 1024} KiB of the console output.`;
  }
}

/**
 * The environment's console log (a VM's serial output, a container's output). While "Follow" is
 * on and the environment runs, it streams over the log bridge (openLogStream); otherwise it shows
 * the newest output, read on demand. Mounted only while its tab is open, so following stops when
 * the tab is left.
 */
export function LogsPanel({ env }: { env: EnvironmentSummary }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [follow, setFollow] = useState(true);
  const [loading, setLoading] = useState(false);
  const [status, setStatus] = useState<FollowStatus | null>(null);
  const inFlight = useRef(false);
  const boxRef = useRef<HTMLPreElement>(null);
  const followId = useId();
  const live = LIVE_STATES.has(env.state);
  const streaming = follow && live;

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

  // Not streaming: what the log holds now (a stopped VM's boot, a container's last words).
  useEffect(() => {
    if (streaming) return;
    const first = setTimeout(() => void refresh(), 0);
    return () => clearTimeout(first);
  }, [refresh, streaming]);

  useEffect(() => {
    // Not streaming: the status line ignores `status`, so a stale one does no harm.
    if (!streaming) return;
    let latest: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const follower = new LogFollower(
      { openLogStream: () => api.call('openLogStream', { id: env.id }), page: window.location },
      (raw) => {
        latest = raw;
        timer ??= setTimeout(() => {
          timer = null;
          if (latest !== null) setText(plainLogText(latest));
        }, REDRAW_MS);
      },
      (next) => {
        setStatus(next);
        if (next.kind === 'failed') setError(next.error);
        if (next.kind === 'following') {
          setError(null);
          setText((t) => t ?? '');
        }
      },
    );
    void follower.start();
    return () => {
      follower.stop();
      if (timer) clearTimeout(timer);
    };
  }, [env.id, streaming]);

  // Following keeps the newest line in view.
  useEffect(() => {
    const box = boxRef.current;
    if (follow && box) box.scrollTop = box.scrollHeight;
  }, [text, follow]);

  return (
    <div className="logs-view">
      <div className="view-toolbar" role="toolbar" aria-label={`Log of ${env.name}`}>
        {streaming ? null : (
          <button
            type="button"
            className="button--quiet button--small"
            aria-busy={loading}
            onClick={() => void refresh()}
          >
            Refresh
          </button>
        )}
        <label htmlFor={followId} className="logs-view__follow">
          <input
            id={followId}
            type="checkbox"
            checked={follow}
            onChange={(event) => setFollow(event.target.checked)}
          />{' '}
          Follow
        </label>
        <span className="hint" role="status">
          {streaming ? followText(status) : followText(null)}
        </span>
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
