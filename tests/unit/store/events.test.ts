import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditEvent } from '../../../preload/contract.js';
import type { Store } from '../../../main/store/store.js';
import { expectGenosError, useTempStore } from '../../helpers/store-temp.js';

let store: Store;
useTempStore((s) => (store = s));

describe('events', () => {
  it('appends and returns contract-shaped events with increasing seq', () => {
    const a = store.appendEvent({
      actor: 'user',
      action: 'env.create',
      target: 'e1',
      outcome: 'ok',
      detail: { cpus: 2 },
    });
    const b = store.appendEvent({ actor: 'orchestrator', action: 'env.start', outcome: 'error' });
    expect(AuditEvent.parse(a)).toEqual(a);
    expect(a).toMatchObject({
      seq: 1,
      target: 'e1',
      detail: { cpus: 2 },
      at: '2030-01-01T00:00:00.000Z',
    });
    expect(b).toMatchObject({ seq: 2, target: null, detail: null });
    expect(store.listEvents().items).toEqual([b, a]);
  });

  it('appends a batch all or nothing', () => {
    const batch = store.appendEvents(
      Array.from({ length: 10 }, (_, i) => ({
        actor: 'a',
        action: `b${i}`,
        outcome: 'info' as const,
      })),
    );
    expect(batch.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const poisoned = [
      { actor: 'a', action: 'fine', outcome: 'ok' as const },
      { actor: 'a', action: 'bad', outcome: 'maybe' as 'ok' },
    ];
    expect(() => store.appendEvents(poisoned)).toThrow(/CHECK constraint/);
    expect(store.listEvents({ limit: 1000 }).items).toHaveLength(10);
  });

  it('lists newest first, pages by beforeSeq and filters by target', () => {
    for (let i = 1; i <= 50; i++) {
      store.appendEvent({ actor: 'a', action: 'x', target: i % 2 ? 'odd' : 'even', outcome: 'ok' });
    }
    expect(store.listEvents({ limit: 3 }).items.map((e) => e.seq)).toEqual([50, 49, 48]);
    expect(store.listEvents({ limit: 3, beforeSeq: 48 }).items.map((e) => e.seq)).toEqual([
      47, 46, 45,
    ]);
    expect(store.listEvents({ limit: 3, target: 'odd' }).items.map((e) => e.seq)).toEqual([
      49, 47, 45,
    ]);
    expect(
      store.listEvents({ limit: 3, target: 'odd', beforeSeq: 5 }).items.map((e) => e.seq),
    ).toEqual([3, 1]);
    expect(store.listEvents({ target: 'nobody' }).items).toEqual([]);
    expectGenosError(() => store.listEvents({ limit: 1001 }).items, 'BAD_ARGS');
    expectGenosError(
      () => store.appendEvent({ actor: '', action: 'x', outcome: 'ok' }),
      'BAD_ARGS',
    );
  });

  it('is append-only: UPDATE and DELETE are refused by the database itself', () => {
    store.appendEvent({ actor: 'a', action: 'x', outcome: 'ok' });
    const db = new Database(store.file);
    expect(() => db.prepare("UPDATE events SET outcome = 'error'").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE events SET detail_json = '{}' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/append-only/);
    const put = (verb: string, seq: number) =>
      db
        .prepare(
          `${verb} INTO events (seq, at, actor, action, outcome) VALUES (?, 'x', 'y', 'z', 'ok')`,
        )
        .run(seq);
    // REPLACE deletes the old row without firing DELETE triggers, so it needs its own guard.
    expect(() => put('INSERT OR REPLACE', 1)).toThrow(/append-only/);
    expect(() => put('REPLACE', 1)).toThrow(/append-only/);
    store.appendEvent({ actor: 'a', action: 'later', outcome: 'ok' });
    db.prepare('UPDATE sqlite_sequence SET seq = 10').run();
    store.appendEvent({ actor: 'a', action: 'after-gap', outcome: 'ok' });
    expect(() => put('INSERT', 5)).toThrow(/append-only/);
    db.close();
    expect(store.listEvents().items.map((e) => [e.seq, e.action])).toEqual([
      [11, 'after-gap'],
      [2, 'later'],
      [1, 'x'],
    ]);
  });
});
