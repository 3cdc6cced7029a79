import { useConnectionStore } from '../state/connection-store';
import type { ConnectionState } from '../bridge/connection-status';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  'token-missing': 'Not connected',
  'token-refused': 'Refused',
};

/** A live status: screen readers hear when the connection drops or comes back. */
export function ConnectionIndicator() {
  const { state, detail, transport } = useConnectionStore();
  const where = transport === 'electron' ? 'GenOS core' : 'genos serve';
  return (
    <p
      role="status"
      aria-label="Connection"
      className={`connection connection--${state}`}
      title={detail ?? `${LABELS[state]} to ${where}`}
    >
      <span className="connection__dot" aria-hidden="true" />
      {LABELS[state]}
    </p>
  );
}
