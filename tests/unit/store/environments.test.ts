import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EnvironmentSummary } from '../../../preload/contract.js';
import { PAGE_SQL } from '../../../main/store/environments-repo.js';
import type { Store } from '../../../main/store/store.js';
import { expectGenosError, steppingClock, useTempStore } from '../../helpers/store-temp.js';

let store: Store;
const temp = useTempStore((s) => (store = s));

describe('environments', () => {
  it('inserts and reads back a contract-shaped summary', () => {
    const env = store.insertEnvironment({
      name: ' web ',
      backend: 'docker',
      spec: { image: 'nginx', ports: [80] },
    });
    expect(EnvironmentSummary.parse(env)).toEqual(env);
    expect(env).toMatchObject({
      name: 'web',
      state: 'draft',
      stateReason: null,
      spec: { image: 'nginx', ports: [80] },
    });
    expect(env.id).toMatch(/^[0-9a-f]{12}$/);
    expect(env.createdAt).toBe('2030-01-01T00:00:00.000Z');
    expect(store.getEnvironment(env.id)).toEqual(env);
    expect(store.getEnvironment('missing')).toBeUndefined();
  });

  it('refuses duplicate names and ids, and invalid ids', () => {
    store.insertEnvironment({ id: 'fixed', name: 'a', backend: 'qemu', spec: {} });
    expectGenosError(
      () => store.insertEnvironment({ name: 'a', backend: 'qemu', spec: {} }),
      'CONFLICT',
      /named "a"/,
    );
    expectGenosError(
      () => store.insertEnvironment({ id: 'fixed', name: 'b', backend: 'qemu', spec: {} }),
      'CONFLICT',
      /id "fixed"/,
    );
    expectGenosError(
      () => store.insertEnvironment({ id: 'bad id!', name: 'c', backend: 'qemu', spec: {} }),
      'BAD_ARGS',
    );
    expectGenosError(
      () => store.insertEnvironment({ name: '  ', backend: 'qemu', spec: {} }),
      'BAD_ARGS',
    );
  });

  it('changes state, keeps or replaces handles, and reports unknown ids', () => {
    const env = store.insertEnvironment({
      name: 'vm',
      backend: 'qemu',
      spec: {},
      state: 'provisioning',
    });
    const running = store.setEnvironmentState(env.id, 'running', null, {
      pid: 4242,
      qmpSocket: '/d/vm.qmp',
    });
    expect(running.state).toBe('running');
    expect(running.updatedAt > env.updatedAt).toBe(true);
    expect(store.getEnvironmentHandles(env.id)).toEqual({ pid: 4242, qmpSocket: '/d/vm.qmp' });

    store.setEnvironmentState(env.id, 'degraded', 'guest agent silent');
    expect(store.getEnvironment(env.id)?.stateReason).toBe('guest agent silent');
    expect(store.getEnvironmentHandles(env.id)).toEqual({ pid: 4242, qmpSocket: '/d/vm.qmp' });

    store.setEnvironmentState(env.id, 'stopped', null, {});
    expect(store.listEnvironmentHandles()).toEqual([{ id: env.id, state: 'stopped', handles: {} }]);
    expectGenosError(() => store.setEnvironmentState('nope', 'running', null), 'NOT_FOUND');
  });

  it('deletes idempotently', () => {
    const env = store.insertEnvironment({ name: 'gone', backend: 'qemu', spec: {} });
    expect(store.deleteEnvironment(env.id)).toBe(true);
    expect(store.deleteEnvironment(env.id)).toBe(false);
    expect(store.getEnvironment(env.id)).toBeUndefined();
  });

  it('runs a transaction as a unit', () => {
    expect(() =>
      store.transaction(() => {
        store.insertEnvironment({ name: 'half', backend: 'qemu', spec: {} });
        store.appendEvent({ actor: 't', action: 'x', outcome: 'ok' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.listEnvironments().total).toBe(0);
    expect(store.listEvents().items).toEqual([]);
  });
});

describe('listEnvironments (keyset pagination)', () => {
  function walk(q: { limit: number; state?: 'running' }): string[][] {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = store.listEnvironments({ ...q, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((e) => e.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    return pages;
  }

  it('returns each of 250 rows exactly once, newest first', () => {
    const ids = Array.from(
      { length: 250 },
      (_, i) => store.insertEnvironment({ name: `e${i}`, backend: 'qemu', spec: {} }).id,
    );
    const pages = walk({ limit: 100 });
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual([...ids].reverse());
    const first = store.listEnvironments({ limit: 100 });
    expect(first.total).toBe(250);
    expect(first.items.every((e) => EnvironmentSummary.safeParse(e).success)).toBe(true);
  });

  it('orders rows with the same timestamp by id, without skipping or repeating any', () => {
    temp.reopen({ now: steppingClock(Date.UTC(2030, 0, 1), 0) });
    const ids = Array.from(
      { length: 250 },
      (_, i) => store.insertEnvironment({ name: `t${i}`, backend: 'docker', spec: {} }).id,
    );
    const pages = walk({ limit: 7 });
    expect(pages.flat()).toEqual([...ids].sort());
    expect(pages.at(-1)).toHaveLength(250 % 7);
  });

  it('filters by state, with its own total', () => {
    for (let i = 0; i < 30; i++) {
      const e = store.insertEnvironment({ name: `s${i}`, backend: 'qemu', spec: {} });
      if (i % 3 === 0) store.setEnvironmentState(e.id, 'running', null);
    }
    const pages = walk({ limit: 4, state: 'running' });
    expect(pages.flat()).toHaveLength(10);
    expect(store.listEnvironments({ state: 'running' }).total).toBe(10);
    expect(store.listEnvironments({ state: 'paused' })).toEqual({
      items: [],
      next: null,
      total: 0,
    });
  });

  it('ends with next = null exactly at the end', () => {
    for (let i = 0; i < 4; i++)
      store.insertEnvironment({ name: `n${i}`, backend: 'qemu', spec: {} });
    expect(store.listEnvironments({ limit: 4 }).next).toBeNull();
    expect(store.listEnvironments({ limit: 3 }).next).not.toBeNull();
  });

  it('refuses malformed cursors and limits with BAD_ARGS', () => {
    const bad = [
      '',
      '!!!',
      'e30',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('["yesterday","x"]').toString('base64url'),
      'a'.repeat(300),
    ];
    for (const cursor of bad)
      expectGenosError(() => store.listEnvironments({ cursor }), 'BAD_ARGS', /cursor/);
    for (const limit of [0, -1, 1.5, 501])
      expectGenosError(() => store.listEnvironments({ limit }), 'BAD_ARGS', /limit/);
  });

  it('pages by index range, never by sorting the table', () => {
    const db = new Database(store.file, { readonly: true });
    const params = { limit: 101, s: 'running', c: '2030-01-01T00:00:00.000Z', i: 'x' };
    const plans = Object.values(PAGE_SQL).map((sql) => {
      const stmt = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const used = Object.fromEntries(
        Object.entries(params).filter(([k]) => sql.includes(`@${k}`)),
      );
      return (stmt.all(used) as { detail: string }[]).map((r) => r.detail).join(' | ');
    });
    db.close();
    for (const plan of plans) {
      expect(plan).toMatch(/USING INDEX environments_by_/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });
});
