import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../preload/contract';
import { AUDIT_FEED_SIZE, mergeAuditEvents } from '../../../renderer/src/state/audit-store';

const event = (seq: number, action = 'x'): AuditEvent => ({
  seq,
  at: new Date(seq * 1000).toISOString(),
  actor: 'test',
  action,
  target: null,
  outcome: 'ok',
  detail: null,
});

describe('mergeAuditEvents', () => {
  it('keeps newest first, one entry per seq (a push may race the first list)', () => {
    const merged = mergeAuditEvents([event(3), event(1)], [event(2), event(3, 'again')]);
    expect(merged.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(merged[0]?.action).toBe('again');
  });

  it('caps the feed', () => {
    const many = Array.from({ length: AUDIT_FEED_SIZE + 10 }, (_, i) => event(i + 1));
    const merged = mergeAuditEvents([], many);
    expect(merged).toHaveLength(AUDIT_FEED_SIZE);
    expect(merged[0]?.seq).toBe(AUDIT_FEED_SIZE + 10);
  });
});
