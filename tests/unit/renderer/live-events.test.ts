import { beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../../preload/contract';
import type { ApiClient } from '../../../renderer/src/bridge/api-client';
import { useEnvironmentsStore } from '../../../renderer/src/state/environments-store';
import { useImagesStore } from '../../../renderer/src/state/images-store';
import { bindLiveEvents } from '../../../renderer/src/state/live-events';
import { useTasksStore } from '../../../renderer/src/state/tasks-store';
import { env, image, task } from './fixtures';

type Listener = (payload: unknown) => void;

function fakeClient() {
  const listeners = new Map<string, Listener>();
  const client = {
    call: () => Promise.reject(new Error('no calls here')),
    on: (event: string, listener: Listener) => {
      listeners.set(event, listener);
      return () => listeners.delete(event);
    },
  } as unknown as ApiClient;
  const push = <K extends EventName>(event: K, payload: EventPayload<K>) =>
    listeners.get(event)?.(payload);
  return { client, push };
}

beforeEach(() => {
  useEnvironmentsStore.setState({ items: [], total: 0, deleted: new Set() });
  useImagesStore.setState({ items: [], status: 'idle' });
  useTasksStore.setState({ byId: {} });
});

describe('live events', () => {
  it('removes an environment when the audit log says its delete finished', () => {
    const { client, push } = fakeClient();
    const unbind = bindLiveEvents(client);
    push('environmentChanged', env({ id: 'a', state: 'deleting' }));
    expect(useEnvironmentsStore.getState().items).toHaveLength(1);
    const audit = { seq: 1, at: '', actor: 'websocket', detail: null, target: 'a' };
    push('auditAppended', { ...audit, action: 'env.delete', outcome: 'error' });
    expect(useEnvironmentsStore.getState().items).toHaveLength(1);
    push('auditAppended', { ...audit, seq: 2, action: 'env.delete', outcome: 'ok' });
    expect(useEnvironmentsStore.getState().items).toEqual([]);
    unbind();
  });

  it('adds the image a finished import produced, and tracks the task', () => {
    const { client, push } = fakeClient();
    const unbind = bindLiveEvents(client);
    push('taskUpdated', task({ id: 't', state: 'running' }));
    expect(useTasksStore.getState().byId.t?.state).toBe('running');
    push('taskUpdated', task({ id: 't', state: 'done', result: image({ id: 'i1' }) }));
    expect(useImagesStore.getState().items.map((i) => i.id)).toEqual(['i1']);
    unbind();
  });
});
