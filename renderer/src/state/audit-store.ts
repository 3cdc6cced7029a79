import { create } from 'zustand';
import type { ApiErrorShape, AuditEvent } from '../../../preload/contract';
import { api } from '../bridge/api';
import { errorShape } from './load-status';
import type { LoadStatus } from './load-status';

export const AUDIT_FEED_SIZE = 50;

type AuditStore = {
  /** Newest first, at most AUDIT_FEED_SIZE. */
  items: AuditEvent[];
  status: LoadStatus;
  error: ApiErrorShape | null;
  load(): Promise<void>;
  /** An `auditAppended` push. */
  received(event: AuditEvent): void;
};

/** Newest first, one entry per seq: a push can race the initial list. */
export function mergeAuditEvents(current: AuditEvent[], incoming: AuditEvent[]): AuditEvent[] {
  const bySeq = new Map<number, AuditEvent>();
  for (const event of [...current, ...incoming]) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, AUDIT_FEED_SIZE);
}

export const useAuditStore = create<AuditStore>((set, get) => ({
  items: [],
  status: 'idle',
  error: null,

  async load() {
    set({ status: 'loading', error: null });
    try {
      const { items } = await api.call('listAuditEvents', { limit: AUDIT_FEED_SIZE });
      set({ items: mergeAuditEvents(get().items, items), status: 'ready' });
    } catch (err) {
      set({ status: 'error', error: errorShape(err) });
    }
  },

  received(event) {
    set({ items: mergeAuditEvents(get().items, [event]) });
  },
}));
