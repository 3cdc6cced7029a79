import { CALL_NAMES, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX } from '../../../preload/contract';
import type { ApiErrorShape, Envelope, GenosBridge } from '../../../preload/contract';
import { TOKEN_HELP } from './connection-status';
import type { ConnectionSource, ConnectionStatus } from './connection-status';
import { EventListeners, isEventName } from './event-listeners';
import { PendingCalls } from './pending-calls';
import type { Timers } from './pending-calls';

export type SocketHandlers = {
  open(): void;
  message(data: unknown): void;
  close(code: number, reason: string): void;
};
export type SocketHandle = { send(data: string): void; close(): void };
/** Opens one socket with these subprotocols; the browser's WebSocket in the app, a fake in tests. */
export type OpenSocket = (protocols: string[], handlers: SocketHandlers) => SocketHandle;

export type WsBridgeOptions = {
  token: string | null;
  openSocket: OpenSocket;
  /** Whether the page's own server answers plain HTTP: tells a refused token from a dead server. */
  serverReachable: () => Promise<boolean>;
  /** Called once when the server has refused this token for good. */
  onTokenRefused?: () => void;
  timers?: Timers;
  log?: Pick<Console, 'warn' | 'error'>;
  callTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Handshakes that fail in a row, with the server up, before the token counts as refused. */
  refusedAfterFailures?: number;
};

/** Close codes a server uses to say "not you": the token or the origin was refused. */
const REFUSAL_CLOSE_CODES = new Set([1008, 4401, 4403]);

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * `window.genos` over the serve WebSocket: request/reply by id, pushes by event name, and a
 * reconnect with backoff. It never throws at callers: every call resolves to an envelope, with
 * UNAVAILABLE when there is no connection and FORBIDDEN once the token has been refused.
 */
export function createWsBridge(options: WsBridgeOptions): {
  bridge: GenosBridge;
  connection: ConnectionSource;
  dispose(): void;
} {
  const timers = options.timers ?? defaultTimers;
  const log = options.log ?? console;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 10_000 };
  const refusedAfter = options.refusedAfterFailures ?? 3;
  const pending = new PendingCalls(timers, options.callTimeoutMs ?? 120_000);
  const listeners = new EventListeners(log);
  const statusListeners = new Set<(status: ConnectionStatus) => void>();

  let status: ConnectionStatus = { state: 'connecting', epoch: 0, detail: null };
  let socket: SocketHandle | null = null;
  let outbox: string[] = [];
  let failedHandshakes = 0;
  let retryTimer: unknown = null;
  let disposed = false;

  function setStatus(next: Partial<ConnectionStatus>): void {
    status = { ...status, detail: null, ...next };
    for (const listener of [...statusListeners]) listener(status);
  }

  const unavailable = (detail: string) => (call: string) => ({
    code: 'UNAVAILABLE' as const,
    message: `${call}: ${detail}`,
  });

  function refuse(reason: string): void {
    setStatus({ state: 'token-refused', detail: reason });
    outbox = [];
    pending.failAll((call) => ({ code: 'FORBIDDEN', message: `${call}: ${TOKEN_HELP}` }));
    options.onTokenRefused?.();
  }

  function scheduleReconnect(): void {
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failedHandshakes, 16));
    setStatus({
      state: 'reconnecting',
      detail: `${status.epoch === 0 ? 'Cannot reach' : 'Lost the connection to'} genos serve; retrying in ${Math.ceil(delay / 1000)} s.`,
    });
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: {
      id?: unknown;
      result?: unknown;
      error?: ApiErrorShape;
      event?: unknown;
      payload?: unknown;
    };
    try {
      msg = JSON.parse(data) as typeof msg;
    } catch {
      log.warn('genos: ignored a message that is not JSON');
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if (typeof msg.id === 'number') {
      const reply = (
        msg.error ? { error: msg.error } : { result: msg.result }
      ) as Envelope<unknown>;
      if (!pending.settle(msg.id, reply)) log.warn(`genos: reply to unknown request ${msg.id}`);
    } else if (msg.id === null && msg.error) {
      log.warn(`genos: the server could not read a request: ${msg.error.message}`);
    } else if (isEventName(msg.event)) {
      listeners.emit(msg.event, msg.payload);
    }
  }

  function onClose(opened: boolean, code: number, reason: string): void {
    socket = null;
    outbox = [];
    if (disposed) return;
    if (REFUSAL_CLOSE_CODES.has(code)) {
      refuse(reason || 'The server refused this page’s token or origin.');
      return;
    }
    pending.failAll(
      unavailable(
        opened
          ? 'the connection to genos serve closed before the reply came.'
          : 'could not connect to genos serve.',
      ),
    );
    if (opened) {
      failedHandshakes = 0;
      scheduleReconnect();
      return;
    }
    failedHandshakes += 1;
    if (failedHandshakes < refusedAfter) {
      scheduleReconnect();
      return;
    }
    // A browser hides why a handshake failed. If plain HTTP to the same server works while the
    // socket keeps failing, the server is refusing us, and only a fresh link can fix that.
    void options.serverReachable().then(
      (up) => {
        if (disposed || status.state === 'token-refused') return;
        if (up) refuse('The server answers, but refuses this page’s connection.');
        else scheduleReconnect();
      },
      () => scheduleReconnect(),
    );
  }

  function connect(): void {
    if (disposed) return;
    let opened = false;
    setStatus({ state: status.epoch === 0 ? 'connecting' : 'reconnecting' });
    const handlers: SocketHandlers = {
      open() {
        opened = true;
        failedHandshakes = 0;
        setStatus({ state: 'open', epoch: status.epoch + 1 });
        const queued = outbox;
        outbox = [];
        for (const frame of queued) socket?.send(frame);
      },
      message: onMessage,
      close: (code, reason) => onClose(opened, code, reason),
    };
    try {
      socket = options.openSocket([WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + options.token], handlers);
    } catch (err) {
      refuse(
        `The browser would not open the connection: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  function request(call: string, args: unknown): Promise<Envelope<unknown>> {
    if (status.state === 'token-missing' || status.state === 'token-refused') {
      return Promise.resolve({ error: { code: 'FORBIDDEN', message: `${call}: ${TOKEN_HELP}` } });
    }
    if (!socket) {
      return Promise.resolve({
        error: unavailable('not connected to genos serve; reconnecting.')(call),
      });
    }
    return new Promise((resolve) => {
      const id = pending.add(call, resolve);
      const frame = JSON.stringify({ id, call, args });
      if (status.state !== 'open') {
        outbox.push(frame);
        return;
      }
      try {
        socket?.send(frame);
      } catch (err) {
        pending.settle(id, { error: unavailable(`sending failed: ${String(err)}`)(call) });
      }
    });
  }

  const calls = Object.fromEntries(
    CALL_NAMES.map((name) => [name, (args: unknown) => request(name, args)]),
  ) as unknown as GenosBridge['calls'];

  const bridge: GenosBridge = {
    calls,
    on: (event, listener) => listeners.on(event, listener),
    transport: 'websocket',
  };

  const connection: ConnectionSource = {
    current: () => status,
    subscribe(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
  };

  if (options.token === null) setStatus({ state: 'token-missing', detail: TOKEN_HELP });
  else connect();

  return {
    bridge,
    connection,
    dispose() {
      disposed = true;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      socket?.close();
      pending.failAll(unavailable('the page is closing.'));
    },
  };
}
