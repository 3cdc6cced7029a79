import { EVENT_NAMES } from '../../../preload/contract';
import type { EventName, EventPayload } from '../../../preload/contract';

type Listener = (payload: never) => void;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** Listeners per pushed event. They outlive any one socket, so a reconnect keeps them. */
export class EventListeners {
  private readonly byEvent = new Map<EventName, Set<Listener>>();

  constructor(private readonly log: Pick<Console, 'error'>) {}

  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) {
      set = new Set();
      this.byEvent.set(event, set);
    }
    const stored = listener as Listener;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  emit(event: EventName, payload: unknown): void {
    for (const listener of [...(this.byEvent.get(event) ?? [])]) {
      try {
        (listener as (payload: unknown) => void)(payload);
      } catch (err) {
        // One broken listener must not keep the others from hearing the event.
        this.log.error(`genos: listener for ${event} failed:`, err);
      }
    }
  }
}
