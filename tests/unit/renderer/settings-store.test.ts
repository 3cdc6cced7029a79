import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenosBridge, Settings } from '../../../preload/contract';
import { useSettingsStore } from '../../../renderer/src/state/settings-store';
import { sampleSettings } from './fixtures';

const initial = sampleSettings();

type Global = { genos?: GenosBridge };

function installBridge(handlers: Record<string, (args: never) => unknown>) {
  const calls = new Proxy(
    {},
    { get: (_target, name: string) => async (args: never) => handlers[name]!(args) },
  ) as GenosBridge['calls'];
  (globalThis as Global).genos = { calls, on: () => () => {}, transport: 'websocket' };
}

beforeEach(() =>
  useSettingsStore.setState({ settings: null, status: 'idle', error: null, saveError: null }),
);
afterEach(() => delete (globalThis as Global).genos);

describe('settings store', () => {
  it('loads, then applies an update and keeps what the server answered', async () => {
    installBridge({
      getSettings: () => ({ result: initial }),
      updateSettings: ({ patch }: { patch: Partial<Settings> }) => ({
        result: { ...initial, ...patch },
      }),
    });
    await useSettingsStore.getState().load();
    expect(useSettingsStore.getState()).toMatchObject({ status: 'ready', settings: initial });
    await expect(useSettingsStore.getState().update({ theme: 'dark' })).resolves.toBe(true);
    expect(useSettingsStore.getState().settings?.theme).toBe('dark');
  });

  it('puts the old value back and shows the error when the server refuses', async () => {
    installBridge({
      getSettings: () => ({ result: initial }),
      updateSettings: () => ({ error: { code: 'BAD_ARGS', message: 'no' } }),
    });
    await useSettingsStore.getState().load();
    await expect(useSettingsStore.getState().update({ theme: 'dark' })).resolves.toBe(false);
    expect(useSettingsStore.getState()).toMatchObject({
      settings: initial,
      saveError: { code: 'BAD_ARGS', message: 'no' },
      saving: false,
    });
  });

  it('shows a load failure as an error state', async () => {
    installBridge({ getSettings: () => ({ error: { code: 'UNAVAILABLE', message: 'down' } }) });
    await useSettingsStore.getState().load();
    expect(useSettingsStore.getState()).toMatchObject({
      status: 'error',
      error: { code: 'UNAVAILABLE', message: 'down' },
    });
  });

  it('takes a settingsChanged push as the new truth', () => {
    useSettingsStore.getState().received({ ...initial, theme: 'light' });
    expect(useSettingsStore.getState()).toMatchObject({
      status: 'ready',
      settings: { theme: 'light' },
    });
  });
});
