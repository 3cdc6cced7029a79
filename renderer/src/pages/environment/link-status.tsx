import { describeLink } from './reconnect';
import type { LinkStatus } from './reconnect';

/** A stream's state for its toolbar, with Reconnect once the reconnector has given up. */
export function LinkStatusControls({
  status,
  what,
  onReconnect,
}: {
  status: LinkStatus;
  what: string;
  onReconnect: () => void;
}) {
  return (
    <>
      {status.kind === 'failed' ? (
        <button type="button" className="button--small" onClick={onReconnect}>
          Reconnect
        </button>
      ) : null}
      <span role="status" className={`view-toolbar__status view-toolbar__status--${status.kind}`}>
        {describeLink(status, what)}
      </span>
    </>
  );
}
