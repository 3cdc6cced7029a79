import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../../preload/contract';
import { useEnvironmentActionsStore } from '../../../renderer/src/state/environment-actions-store';
import { useEnvironmentsStore } from '../../../renderer/src/state/environments-store';
import { installFakeBridge, removeFakeBridge } from './fake-bridge';
import { env } from './fixtures';

beforeEach(() => {
  useEnvironmentsStore.setState({
    items: [],
    total: 0,
    status: 'ready',
    error: null,
    deleted: new Set(),
  });
  useEnvironmentActionsStore.setState({ pending: {}, failures: {} });
});
afterEach(removeFakeBridge);

describe('environments store', () => {
  it('adds a pushed environment, then replaces it with the next push', () => {
    const store = useEnvironmentsStore.getState();
    store.received(env({ id: 'a' }));
    store.received(env({ id: 'a', state: 'running' }));
    expect(useEnvironmentsStore.getState()).toMatchObject({ total: 1 });
    expect(useEnvironmentsStore.getState().items.map((e) => e.state)).toEqual(['running']);
  });

  it('drops a deleted environment and ignores a late push for it', () => {
    const store = useEnvironmentsStore.getState();
    store.received(env({ id: 'a' }));
    store.received(env({ id: 'b' }));
    store.removed('a');
    store.received(env({ id: 'a', state: 'deleting' }));
    store.removed('a');
    expect(useEnvironmentsStore.getState().items.map((e) => e.id)).toEqual(['b']);
    expect(useEnvironmentsStore.getState().total).toBe(1);
  });
});

describe('environment actions', () => {
  it('takes the server’s answer as the new state', async () => {
    useEnvironmentsStore.getState().received(env({ id: 'a' }));
    installFakeBridge({
      startEnvironment: ({ id }: { id: string }) => ({ result: env({ id, state: 'running' }) }),
    });
    await expect(useEnvironmentActionsStore.getState().run('a', 'start')).resolves.toBe(true);
    expect(useEnvironmentsStore.getState().items[0]?.state).toBe('running');
    expect(useEnvironmentActionsStore.getState().pending).toEqual({});
  });

  it('keeps a refusal on the environment, with the action, until the next try', async () => {
    const refusal = { code: 'CONFLICT', message: 'Cannot start a: it is running.' } as const;
    let answer: unknown = { error: refusal };
    installFakeBridge({ startEnvironment: () => answer });
    await expect(useEnvironmentActionsStore.getState().run('a', 'start')).resolves.toBe(false);
    expect(useEnvironmentActionsStore.getState().failures.a).toEqual({
      action: 'start',
      ...refusal,
    });
    answer = { result: env({ id: 'a', state: 'running' }) };
    await useEnvironmentActionsStore.getState().run('a', 'start');
    expect(useEnvironmentActionsStore.getState().failures).toEqual({});
  });

  it('removes a deleted environment once the server confirms', async () => {
    useEnvironmentsStore.getState().received(env({ id: 'a' }));
    installFakeBridge({ deleteEnvironment: () => ({ result: { deleted: true } }) });
    await useEnvironmentActionsStore.getState().run('a', 'delete');
    expect(useEnvironmentsStore.getState().items).toEqual([]);
  });

  it('runs one action at a time per environment', async () => {
    let finish: (value: unknown) => void = () => {};
    installFakeBridge({
      stopEnvironment: () => new Promise((resolve) => (finish = resolve)),
    });
    const first = useEnvironmentActionsStore.getState().run('a', 'stop');
    expect(useEnvironmentActionsStore.getState().pending).toEqual({ a: 'stop' });
    await expect(useEnvironmentActionsStore.getState().run('a', 'pause')).resolves.toBe(false);
    finish({ result: env({ id: 'a', state: 'stopped' }) as EnvironmentSummary });
    await expect(first).resolves.toBe(true);
  });
});
