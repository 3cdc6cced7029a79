import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WIRE_PROTOCOL, WIRE_TOKEN_PREFIX } from '../../../preload/contract';
import { createWsBridge } from '../../../renderer/src/bridge/ws-bridge';
import type { WsBridgeOptions } from '../../../renderer/src/bridge/ws-bridge';
import { fakeSockets } from './fake-socket';

const quietLog = { warn: () => {}, error: () => {} };

function setup(overrides: Partial<WsBridgeOptions> = {}) {
  const { openSocket, sockets } = fakeSockets();
  const serverReachable = vi.fn(async () => true);
  const onTokenRefused = vi.fn();
  const made = createWsBridge({
    token: 'tok',
    openSocket,
    serverReachable,
    onTokenRefused,
    log: quietLog,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...overrides,
  });
  return {
    ...made,
    sockets,
    serverReachable,
    onTokenRefused,
    last: () => sockets[sockets.length - 1]!,
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createWsBridge', () => {
  it('without a token it never connects and every call is FORBIDDEN', async () => {
    const { bridge, connection, sockets } = setup({ token: null });
    expect(sockets).toHaveLength(0);
    expect(connection.current().state).toBe('token-missing');
    const reply = await bridge.calls.ping({});
    expect(reply.error?.code).toBe('FORBIDDEN');
    expect(reply.error?.message).toContain('needs the link with its token');
  });

  it('offers the wire protocol first and the token as the second subprotocol', () => {
    const { last } = setup();
    expect(last().protocols).toEqual([WIRE_PROTOCOL, `${WIRE_TOKEN_PREFIX}tok`]);
  });

  it('queues calls made while connecting and resolves them from replies by id', async () => {
    const { bridge, last, connection } = setup();
    const host = bridge.calls.hostInfo({ refresh: true });
    const settings = bridge.calls.getSettings({});
    expect(last().sent).toEqual([]);
    last().open();
    expect(connection.current()).toMatchObject({ state: 'open', epoch: 1 });
    expect(last().sent).toEqual([
      { id: 1, call: 'hostInfo', args: { refresh: true } },
      { id: 2, call: 'getSettings', args: {} },
    ]);
    last().reply({ id: 2, error: { code: 'INTERNAL', message: 'boom' } });
    last().reply({ id: 1, result: { ok: 1 } });
    await expect(host).resolves.toEqual({ result: { ok: 1 } });
    await expect(settings).resolves.toEqual({ error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('delivers pushes to listeners of that event only, until unsubscribed', () => {
    const { bridge, last } = setup();
    last().open();
    const settings = vi.fn();
    const audit = vi.fn();
    const off = bridge.on('settingsChanged', settings);
    bridge.on('auditAppended', audit);
    last().reply({ event: 'settingsChanged', payload: { theme: 'dark' } });
    last().reply({ event: 'noSuchEvent', payload: 1 });
    last().reply(null);
    last().reply([1, 2]);
    off();
    last().reply({ event: 'settingsChanged', payload: { theme: 'light' } });
    expect(settings).toHaveBeenCalledTimes(1);
    expect(settings).toHaveBeenCalledWith({ theme: 'dark' });
    expect(audit).not.toHaveBeenCalled();
  });

  it('ends pending calls with UNAVAILABLE on a drop, then reconnects with a new epoch', async () => {
    const { bridge, last, sockets, connection } = setup();
    last().open();
    const pending = bridge.calls.ping({});
    last().drop(1006);
    const reply = await pending;
    expect(reply.error?.code).toBe('UNAVAILABLE');
    expect(connection.current().state).toBe('reconnecting');
    expect((await bridge.calls.ping({})).error?.code).toBe('UNAVAILABLE');
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(connection.current()).toMatchObject({ state: 'open', epoch: 2 });
  });

  it('backs off between failed handshakes', async () => {
    const { last, sockets, serverReachable } = setup({ refusedAfterFailures: 99 });
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(199);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(399);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    expect(serverReachable).not.toHaveBeenCalled();
  });

  it('a refusal close code stops for good and forgets the token', async () => {
    const { bridge, last, sockets, connection, onTokenRefused } = setup();
    const pending = bridge.calls.ping({});
    last().drop(4401, 'bad token');
    expect((await pending).error?.code).toBe('FORBIDDEN');
    expect(connection.current()).toMatchObject({ state: 'token-refused', detail: 'bad token' });
    expect(onTokenRefused).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('handshakes that keep failing while the server answers HTTP mean the token was refused', async () => {
    const { last, connection, serverReachable } = setup({ refusedAfterFailures: 2 });
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(200);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(serverReachable).toHaveBeenCalledOnce();
    expect(connection.current().state).toBe('token-refused');
  });

  it('keeps retrying while the server is down', async () => {
    const { last, sockets, connection } = setup({
      refusedAfterFailures: 1,
      serverReachable: async () => false,
    });
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.current().state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets.length).toBeGreaterThan(1);
  });

  it('a call with no reply times out as UNAVAILABLE', async () => {
    const { bridge, last } = setup({ callTimeoutMs: 5000 });
    last().open();
    const pending = bridge.calls.ping({});
    await vi.advanceTimersByTimeAsync(5000);
    expect((await pending).error).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('ping'),
    });
  });

  it('reports status changes to subscribers', () => {
    const { connection, last } = setup();
    const seen: string[] = [];
    connection.subscribe((status) => seen.push(status.state));
    last().open();
    last().drop(1006);
    expect(seen).toEqual(['open', 'reconnecting']);
  });
});
