import { randomUUID } from 'node:crypto';
import type { TaskInfo } from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';
import { GenosError, isGenosError } from './errors.js';

export type TaskContext = {
  signal: AbortSignal;
  progress(p: { stage?: string; done?: number; total?: number; message?: string }): void;
};

/** Progress pushes per task are capped: a fast copy must not flood every window with events. */
const MIN_PUSH_INTERVAL_MS = 100;
const KEEP_FINISHED = 50;

/**
 * Long work (imports, conversions, builds, downloads): each gets an id, pushes `taskUpdated`
 * as it goes, and can be cancelled. Calls that start long work return the task at once.
 */
export class TaskManager {
  private readonly tasks = new Map<
    string,
    { info: TaskInfo; controller: AbortController; done: Promise<TaskInfo> }
  >();
  private readonly lastPush = new Map<string, number>();

  constructor(private readonly bus: EventBus) {}

  start<T>(
    kind: string,
    title: string,
    target: string | null,
    run: (ctx: TaskContext) => Promise<T>,
    onDone?: (result: T) => void,
  ): TaskInfo {
    const controller = new AbortController();
    const info: TaskInfo = {
      id: randomUUID(),
      kind,
      title,
      target,
      state: 'running',
      stage: null,
      done: null,
      total: null,
      message: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      error: null,
    };
    const update = (patch: Partial<TaskInfo>, force = false) => {
      Object.assign(info, patch);
      const now = Date.now();
      if (force || now - (this.lastPush.get(info.id) ?? 0) >= MIN_PUSH_INTERVAL_MS) {
        this.lastPush.set(info.id, now);
        this.bus.emit('taskUpdated', { ...info });
      }
    };
    const ctx: TaskContext = {
      signal: controller.signal,
      progress: (p) =>
        update({
          stage: p.stage ?? info.stage,
          done: p.done ?? null,
          total: p.total ?? null,
          message: p.message ?? null,
        }),
    };
    const done = (async () => {
      try {
        const result = await run(ctx);
        onDone?.(result);
        update({ state: 'done', result, endedAt: new Date().toISOString() }, true);
      } catch (err) {
        const cancelled =
          controller.signal.aborted || (isGenosError(err) && err.code === 'CANCELLED');
        const error = isGenosError(err)
          ? err.toShape()
          : {
              code: 'INTERNAL' as const,
              message: `${title} failed: ${err instanceof Error ? err.message : String(err)}`,
            };
        update(
          { state: cancelled ? 'cancelled' : 'failed', error, endedAt: new Date().toISOString() },
          true,
        );
      } finally {
        this.lastPush.delete(info.id);
        this.prune();
      }
      return { ...info };
    })();
    this.tasks.set(info.id, { info, controller, done });
    this.bus.emit('taskUpdated', { ...info });
    return { ...info };
  }

  list(): TaskInfo[] {
    return [...this.tasks.values()].map((t) => ({ ...t.info })).reverse();
  }

  cancel(id: string): boolean {
    const task = this.tasks.get(id);
    if (!task || task.info.state !== 'running') return false;
    task.controller.abort(new GenosError('CANCELLED', `${task.info.title} was cancelled.`));
    return true;
  }

  /** Resolves when the task has ended (for the CLI and tests). */
  wait(id: string): Promise<TaskInfo> {
    const task = this.tasks.get(id);
    if (!task) return Promise.reject(new GenosError('NOT_FOUND', `There is no task ${id}.`));
    return task.done;
  }

  /** Cancels everything still running (at shutdown) and waits for it to wind down. */
  async dispose(): Promise<void> {
    const running = [...this.tasks.values()].filter((t) => t.info.state === 'running');
    for (const t of running)
      t.controller.abort(new GenosError('CANCELLED', 'GenOS is shutting down.'));
    await Promise.allSettled(running.map((t) => t.done));
  }

  private prune(): void {
    const finished = [...this.tasks.values()].filter((t) => t.info.state !== 'running');
    for (const t of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.tasks.delete(t.info.id);
  }
}
