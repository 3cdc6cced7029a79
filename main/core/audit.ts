import type { AuditEvent } from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';
import type { Store } from '../store/store.js';

export type AuditInput = Omit<AuditEvent, 'seq' | 'at'>;

/** Every action is written to the append-only log and pushed, so the activity feed is live. */
export class Audit {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  record(entry: AuditInput): AuditEvent {
    const event = this.store.appendEvent(entry);
    this.bus.emit('auditAppended', event);
    return event;
  }
}
