import type { EventName, EventPayload } from '../../preload/contract.js';

type AnyListener = (event: EventName, payload: unknown) => void;

/**
 * Main -> renderer pushes. Services emit typed events; each transport subscribes once with
 * `onAny` and forwards to its clients, so services never know which transports exist.
 */
export class EventBus {
  private readonly listeners = new Set<AnyListener>();

  emit<K extends EventName>(event: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (err) {
        // One broken subscriber must not stop the others from hearing the event.
        console.error(`genos: event listener for ${event} failed:`, err);
      }
    }
  }

  onAny(listener: AnyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
