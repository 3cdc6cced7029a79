import type WebSocket from 'ws';
import type { TaskInfo } from '../../preload/contract.js';

/**
 * Every taskUpdated push on an API socket since this was called: a fast task can end in the same
 * packet as the reply that announced it, before a listener added after the reply would hear it.
 */
export function recordTasks(ws: WebSocket) {
  const seen: TaskInfo[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    const msg = JSON.parse(String(d));
    if (msg.event !== 'taskUpdated') return;
    seen.push(msg.payload);
    for (const w of waiters.splice(0)) w();
  });
  const until = async (taskId: string, pred: (t: TaskInfo) => boolean): Promise<TaskInfo[]> => {
    for (;;) {
      const mine = seen.filter((t) => t.id === taskId);
      if (mine.some(pred)) return mine;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return {
    /** The task's updates so far, once one of them passes `pred`. */
    until,
    /** The task's updates, once it has ended (done, failed or cancelled). */
    ended: (taskId: string) => until(taskId, (t) => t.state !== 'running'),
  };
}
