import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  WIRE_PROTOCOL,
  WIRE_TOKEN_PREFIX,
  WireRequest,
  type WirePush,
  type WireReply,
} from '../../preload/contract.js';
import type { CallContext, Dispatch } from '../api/dispatcher.js';
import type { EventBus } from '../api/event-bus.js';

export type WsApiOptions = {
  dispatch: Dispatch;
  bus: EventBus;
  path: string;
  transport: CallContext['transport'];
  /** When set, every connection must offer this token as a subprotocol. */
  token?: string;
  /**
   * Whether a browser's Origin may connect. A request without Origin (a non-browser client)
   * passes this check and still needs the token.
   */
  originAllowed?: (origin: string, req: IncomingMessage) => boolean;
  /** Other WebSocket endpoints on the same server (display, terminal); each claims its own path. */
  otherEndpoints?: ReadonlyArray<{
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  }>;
};

/** Frames larger than this are refused: no call of the contract needs more. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export function sameSecret(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function refuse(socket: Duplex, status: 401 | 403 | 404 | 400, why: string): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[
    status
  ];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`,
  );
}

/** Why this upgrade must be refused, or null when it may proceed. */
export function checkUpgrade(
  req: IncomingMessage,
  opts: WsApiOptions,
): [401 | 403 | 404 | 400, string] | null {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  if (url.pathname !== opts.path) return [404, 'No such endpoint.'];
  const protocols = offeredProtocols(req);
  if (!protocols.includes(WIRE_PROTOCOL)) return [400, `Offer the ${WIRE_PROTOCOL} subprotocol.`];
  const origin = req.headers.origin;
  if (origin !== undefined && opts.originAllowed && !opts.originAllowed(origin, req)) {
    return [403, `Origin ${origin} may not use this API.`];
  }
  if (opts.token !== undefined) {
    const offered = protocols.find((p) => p.startsWith(WIRE_TOKEN_PREFIX));
    if (!offered || !sameSecret(offered.slice(WIRE_TOKEN_PREFIX.length), opts.token)) {
      return [401, 'A valid token is required: open the full URL that genos serve printed.'];
    }
  }
  return null;
}

function send(ws: WebSocket, message: WireReply | WirePush): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

async function onMessage(ws: WebSocket, data: Buffer, isBinary: boolean, opts: WsApiOptions) {
  let raw: unknown;
  try {
    if (isBinary) throw new Error('binary');
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    send(ws, { id: null, error: { code: 'BAD_ARGS', message: 'Frames must be JSON text.' } });
    return;
  }
  const request = WireRequest.safeParse(raw);
  if (!request.success) {
    const rawId = (raw as { id?: unknown } | null)?.id;
    const id = typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 0 ? rawId : null;
    const message = 'A request is {"id": <number>, "call": <name>, "args": {...}}.';
    send(ws, { id, error: { code: 'BAD_ARGS', message } });
    return;
  }
  const { id, call, args } = request.data;
  const reply = await opts.dispatch(call, args, { transport: opts.transport, trusted: true });
  send(ws, { id, ...reply });
}

/**
 * Serves the contract over one WebSocket endpoint of an HTTP server. The caller is checked once,
 * at the upgrade (path, subprotocol, Origin, token); every frame then goes through the dispatcher.
 */
export function attachWsApi(server: Server, opts: WsApiOptions): { close(): void } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has(WIRE_PROTOCOL) ? WIRE_PROTOCOL : false),
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    for (const endpoint of opts.otherEndpoints ?? [])
      if (endpoint.handleUpgrade(req, socket, head)) return;
    const refusal = checkUpgrade(req, opts);
    if (refusal) return refuse(socket, ...refusal);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      void onMessage(ws, data as Buffer, isBinary, opts);
    });
    ws.on('error', () => ws.terminate());
  });

  const unsubscribe = opts.bus.onAny((event, payload) => {
    const frame = JSON.stringify({ event, payload } satisfies WirePush);
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(frame);
  });

  return {
    close() {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
