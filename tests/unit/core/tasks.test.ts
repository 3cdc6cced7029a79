import { describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../../preload/contract.js';
import { EventBus } from '../../../main/api/event-bus.js';
import { GenosError } from '../../../main/core/errors.js';
import { TaskManager } from '../../../main/core/tasks.js';

function setup() {
  const bus = new EventBus();
  const pushed: TaskInfo[] = [];
  bus.onAny((event, payload) => {
    if (event === 'taskUpdated') pushed.push(payload as TaskInfo);
  });
  return { tasks: new TaskManager(bus), pushed };
}

describe('TaskManager', () => {
  it('pushes start, progress and the result', async () => {
    const { tasks, pushed } = setup();
    const info = tasks.start('image.import', 'Import x', null, async ({ progress }) => {
      progress({ stage: 'copy', done: 5, total: 10 });
      return { id: 'img1' };
    });
    const end = await tasks.wait(info.id);
    expect(end).toMatchObject({ state: 'done', result: { id: 'img1' } });
    expect(pushed.map((t) => t.state)).toEqual(['running', 'running', 'done']);
    expect(pushed[1]).toMatchObject({ stage: 'copy', done: 5, total: 10 });
  });

  it('cancels through the signal and reports cancelled, not failed', async () => {
    const { tasks } = setup();
    const info = tasks.start(
      'image.convert',
      'Convert x',
      null,
      ({ signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
    );
    expect(tasks.cancel(info.id)).toBe(true);
    const end = await tasks.wait(info.id);
    expect(end).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(tasks.cancel(info.id)).toBe(false);
  });

  it('keeps a GenosError code and turns other failures into INTERNAL', async () => {
    const { tasks } = setup();
    const a = tasks.start('k', 'A', null, async () => {
      throw new GenosError('NOT_FOUND', '/x does not exist.');
    });
    const b = tasks.start('k', 'B', null, async () => {
      throw new Error('boom');
    });
    expect(await tasks.wait(a.id)).toMatchObject({
      state: 'failed',
      error: { code: 'NOT_FOUND', message: '/x does not exist.' },
    });
    expect(await tasks.wait(b.id)).toMatchObject({
      state: 'failed',
      error: { code: 'INTERNAL', message: 'B failed: boom' },
    });
  });

  it('throttles progress pushes so a fast copy cannot flood the windows', async () => {
    const { tasks, pushed } = setup();
    const info = tasks.start('k', 'Fast', null, async ({ progress }) => {
      for (let i = 0; i < 10_000; i++) progress({ done: i, total: 10_000 });
    });
    await tasks.wait(info.id);
    expect(pushed.length).toBeLessThan(10);
    expect(pushed.at(-1)!.state).toBe('done');
  });

  it('cancels running work at dispose', async () => {
    const { tasks } = setup();
    const info = tasks.start(
      'k',
      'Long',
      null,
      ({ signal }) =>
        new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    );
    await tasks.dispose();
    expect((await tasks.wait(info.id)).state).toBe('cancelled');
  });
});
