import type { AuditEvent } from '../../../../preload/contract';
import { formatTime } from '../../format/times';

const OUTCOMES = { ok: 'done', error: 'failed', info: 'note' } as const;

export function ActivityFeed({ items }: { items: AuditEvent[] }) {
  if (items.length === 0) return <p className="empty">Nothing has happened yet.</p>;
  return (
    <ol className="feed" aria-label="Recent activity">
      {items.map((event) => (
        <li key={event.seq} className={`feed__item feed__item--${event.outcome}`}>
          <time dateTime={event.at}>{formatTime(event.at)}</time>
          <span className="feed__action">{event.action}</span>
          {event.target ? <span className="feed__target">{event.target}</span> : null}
          <span className="feed__meta">
            by {event.actor}, {OUTCOMES[event.outcome]}
          </span>
        </li>
      ))}
    </ol>
  );
}
