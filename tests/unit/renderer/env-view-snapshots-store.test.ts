import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../preload/contract';
import { useSnapshotsStore } from '../../../renderer/src/state/snapshots-store';
import { installFakeBridge, removeFakeBridge } from './fake-bridge';

const snap = (name: string, kind = 'live'): Snapshot => ({
  id: name,
  name,
  kind,
  createdAt: '2026-01-01T00:00:00.000Z',
  sizeBytes: null,
});

beforeEach(() =>
  useSnapshotsStore.setState({
    envId: null,
    items: [],
    status: 'idle',
    error: null,
    busy: null,
    failure: null,
    restored: null,
  }),
);
afterEach(removeFakeBridge);

describe('snapshots store', () => {
  it('takes a snapshot, then lists again', async () => {
    const items: Snapshot[] = [];
    const log = installFakeBridge({
      listSnapshots: () => ({ result: { items: [...items] } }),
      createSnapshot: ({ name, kind }: { name: string; kind: string }) => {
        items.push(snap(name, kind));
        return { result: snap(name, kind) };
      },
    });
    const store = useSnapshotsStore.getState();
    await store.load('vm');
    await expect(store.create('vm', 's1', 'live')).resolves.toBe(true);
    expect(useSnapshotsStore.getState()).toMatchObject({
      envId: 'vm',
      status: 'ready',
      items: [{ name: 's1', kind: 'live' }],
      busy: null,
      failure: null,
    });
    expect(log.map((c) => c.name)).toEqual(['listSnapshots', 'createSnapshot', 'listSnapshots']);
    expect(log[1]!.args).toEqual({ id: 'vm', name: 's1', kind: 'live' });
  });

  it('keeps the server’s refusal with the action and name, until dismissed', async () => {
    installFakeBridge({
      listSnapshots: () => ({ result: { items: [snap('s1')] } }),
      createSnapshot: () => ({
        error: { code: 'CONFLICT', message: 'A snapshot named "s1" exists.' },
      }),
      restoreSnapshot: () => ({ error: { code: 'UNSUPPORTED', message: 'Stop the VM first.' } }),
    });
    const store = useSnapshotsStore.getState();
    await expect(store.create('vm', 's1', 'live')).resolves.toBe(false);
    expect(useSnapshotsStore.getState().failure).toEqual({
      action: 'create',
      name: 's1',
      code: 'CONFLICT',
      message: 'A snapshot named "s1" exists.',
    });
    await expect(store.restore('vm', 's1')).resolves.toBe(false);
    expect(useSnapshotsStore.getState().failure).toMatchObject({
      action: 'restore',
      code: 'UNSUPPORTED',
    });
    store.dismiss();
    expect(useSnapshotsStore.getState().failure).toBeNull();
  });

  it('says which snapshot was restored, and deletes', async () => {
    let items = [snap('s1')];
    installFakeBridge({
      listSnapshots: () => ({ result: { items } }),
      restoreSnapshot: () => ({ result: { restored: true } }),
      deleteSnapshot: () => {
        items = [];
        return { result: { deleted: true } };
      },
    });
    const store = useSnapshotsStore.getState();
    await store.restore('vm', 's1');
    expect(useSnapshotsStore.getState().restored).toBe('s1');
    await store.remove('vm', 's1');
    expect(useSnapshotsStore.getState()).toMatchObject({ items: [], restored: null });
  });

  it('drops a late list for an environment no longer shown', async () => {
    let answer!: (value: unknown) => void;
    installFakeBridge({
      listSnapshots: ({ id }: { id: string }) =>
        id === 'old'
          ? new Promise((resolve) => (answer = resolve))
          : { result: { items: [snap('new-one')] } },
    });
    const store = useSnapshotsStore.getState();
    const late = store.load('old');
    await store.load('new');
    answer({ result: { items: [snap('old-one')] } });
    await late;
    expect(useSnapshotsStore.getState()).toMatchObject({
      envId: 'new',
      items: [{ name: 'new-one' }],
    });
  });

  it('does one change at a time', async () => {
    let finish!: (value: unknown) => void;
    installFakeBridge({
      listSnapshots: () => ({ result: { items: [] } }),
      createSnapshot: () => new Promise((resolve) => (finish = resolve)),
    });
    const store = useSnapshotsStore.getState();
    const first = store.create('vm', 'a', 'live');
    await Promise.resolve();
    expect(useSnapshotsStore.getState().busy).toEqual({ action: 'create', name: 'a' });
    await expect(store.create('vm', 'b', 'live')).resolves.toBe(false);
    finish({ result: snap('a') });
    await expect(first).resolves.toBe(true);
  });
});
