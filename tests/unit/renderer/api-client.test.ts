import { describe, expect, it } from 'vitest';
import type { GenosBridge } from '../../../preload/contract';
import { ApiError, createApiClient } from '../../../renderer/src/bridge/api-client';

function bridgeReplying(reply: unknown): GenosBridge {
  const calls = new Proxy({}, { get: () => async () => reply }) as GenosBridge['calls'];
  return { calls, on: () => () => {}, transport: 'websocket' };
}

describe('api client', () => {
  it('unwraps a result', async () => {
    const client = createApiClient(() => bridgeReplying({ result: { pong: true, at: 'now' } }));
    await expect(client.call('ping', {})).resolves.toEqual({ pong: true, at: 'now' });
  });

  it('throws ApiError with the code and message of an error envelope', async () => {
    const client = createApiClient(() =>
      bridgeReplying({ error: { code: 'NOT_FOUND', message: 'no such env' } }),
    );
    const err = await client.call('getEnvironment', { id: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'no such env' });
  });

  it('says UNAVAILABLE when there is no bridge', async () => {
    const client = createApiClient(() => undefined);
    await expect(client.call('ping', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('turns a rejected bridge call into UNAVAILABLE', async () => {
    const calls = new Proxy({}, { get: () => async () => Promise.reject(new Error('ipc gone')) });
    const client = createApiClient(() => ({
      calls: calls as GenosBridge['calls'],
      on: () => () => {},
      transport: 'electron',
    }));
    await expect(client.call('ping', {})).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('ipc gone'),
    });
  });
});
