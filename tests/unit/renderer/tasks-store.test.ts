import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RECENT_TASKS,
  newerTask,
  trayOrder,
  useTasksStore,
} from '../../../renderer/src/state/tasks-store';
import { installFakeBridge, removeFakeBridge } from './fake-bridge';
import { task } from './fixtures';

beforeEach(() =>
  useTasksStore.setState({ byId: {}, status: 'idle', error: null, cancelErrors: {} }),
);
afterEach(removeFakeBridge);

describe('newerTask', () => {
  it('never lets a running report replace a finished one (a list can race the last push)', () => {
    const done = task({ id: 'a', state: 'done' });
    expect(newerTask(done, task({ id: 'a', state: 'running', done: 5 }))).toBe(done);
  });

  it('keeps the report with more progress within a stage, and takes a new stage', () => {
    const ahead = task({ id: 'a', stage: 'copy', done: 50, total: 100 });
    expect(newerTask(ahead, task({ id: 'a', stage: 'copy', done: 10, total: 100 }))).toBe(ahead);
    const hashing = task({ id: 'a', stage: 'hash', done: 1, total: 100 });
    expect(newerTask(ahead, hashing)).toBe(hashing);
    const failed = task({ id: 'a', state: 'failed' });
    expect(newerTask(ahead, failed)).toBe(failed);
  });
});

describe('trayOrder', () => {
  it('lists running tasks first, oldest first, then the recent finished ones, newest first', () => {
    const order = trayOrder([
      task({ id: 'old-done', state: 'done', endedAt: '2026-01-01T00:01:00Z' }),
      task({ id: 'run-2', startedAt: '2026-01-01T00:05:00Z' }),
      task({ id: 'new-failed', state: 'failed', endedAt: '2026-01-01T00:09:00Z' }),
      task({ id: 'run-1', startedAt: '2026-01-01T00:02:00Z' }),
    ]);
    expect(order.map((t) => t.id)).toEqual(['run-1', 'run-2', 'new-failed', 'old-done']);
  });

  it('keeps only the most recent finished tasks', () => {
    const many = Array.from({ length: RECENT_TASKS + 5 }, (_, i) =>
      task({ id: `t${i}`, state: 'done', endedAt: new Date(i * 1000).toISOString() }),
    );
    expect(trayOrder(many)).toHaveLength(RECENT_TASKS);
  });
});

describe('tasks store', () => {
  it('loads the list and merges pushes into it', async () => {
    installFakeBridge({ listTasks: () => ({ result: { items: [task({ id: 'a' })] } }) });
    useTasksStore.getState().received(task({ id: 'a', state: 'done' }));
    await useTasksStore.getState().load();
    expect(useTasksStore.getState().byId.a?.state).toBe('done');
    expect(useTasksStore.getState().status).toBe('ready');
  });

  it('asks the server to cancel, and keeps its refusal for the tray', async () => {
    const log = installFakeBridge({
      cancelTask: () => ({ error: { code: 'UNAVAILABLE', message: 'server gone' } }),
    });
    await useTasksStore.getState().cancel('a');
    expect(log).toEqual([{ name: 'cancelTask', args: { id: 'a' } }]);
    expect(useTasksStore.getState().cancelErrors.a).toEqual({
      code: 'UNAVAILABLE',
      message: 'server gone',
    });
  });
});
