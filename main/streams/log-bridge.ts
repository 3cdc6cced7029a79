import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { GenosError } from '../core/errors.js';
import { DEFAULT_TOKEN_TTL_MS, OneTimeTokens } from './one-time-tokens.js';

/**
 * Following a console log: a read-only WebSocket endpoint behind one-time tokens, like the
 * terminal bridge, that sends the log's recent output and then new output as it comes, and closes
 * when the log ends (the container stopped, the VM's console closed). Frames from the client are
 * ignored: nothing reaches the environment through here.
 *
 * A connection without an Origin is a non-browser client (the CLI); the one-time token, which only
 * an authenticated API call hands out, is what admits it, as it does for a browser.
 */

export type LogOpener = { envId: string; open: () => Promise<Readable> };

/** Unacknowledged bytes sent to the client before reading from the log pauses. */
const HIGH_WATER = 1024 * 1024;

function refuse(socket: Duplex, status: 401 | 403 | 502, message: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 502: 'Bad Gateway' }[status];
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

/** Sends the log to the socket with backpressure; either side ending ends the other. */
export function pipeLogToWebSocket(ws: WebSocket, log: Readable): void {
  let inFlight = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    log.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000, 'log ended');
  };
  log.on('data', (chunk: Buffer | string) => {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    inFlight += buf.length;
    if (inFlight > HIGH_WATER) log.pause();
    ws.send(buf, { binary: true }, () => {
      inFlight -= buf.length;
      if (inFlight <= HIGH_WATER / 2 && log.isPaused() && !closed) log.resume();
    });
  });
  log.on('end', close);
  log.on('close', close);
  log.on('error', close);
  ws.on('close', close);
  ws.on('error', close);
}

export class LogBridge {
  readonly path: string;
  private readonly tokens: OneTimeTokens<LogOpener>;
  private readonly open = new Set<Readable>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 4096,
  });

  constructor(
    private readonly opts: {
      path?: string;
      tokenTtlMs?: number;
      allowOrigin?: (origin: string) => boolean;
    } = {},
  ) {
    this.path = opts.path ?? '/logs';
    this.tokens = new OneTimeTokens(opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS);
  }

  issueLogToken(envId: string, open: () => Promise<Readable>) {
    return this.tokens.issue({ envId, open });
  }

  /** Spends a token without a WebSocket: the in-process CLI reads the log stream directly. */
  async redeem(token: string): Promise<Readable> {
    const r = this.tokens.redeem(token);
    if (!r.ok) throw new GenosError('FORBIDDEN', `The log token is ${r.why} or already used.`);
    return this.track(await r.value.open());
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) return false;
    void this.accept(req, socket, head, url.searchParams.get('token')).catch(() =>
      socket.destroy(),
    );
    return true;
  }

  close(): void {
    this.tokens.revoke(() => true);
    for (const log of this.open) log.destroy();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private track(log: Readable): Readable {
    this.open.add(log);
    log.once('close', () => this.open.delete(log));
    return log;
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    token: string | null,
  ): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && !(this.opts.allowOrigin?.(origin) ?? false)) {
      return refuse(socket, 403, 'This origin may not read logs.');
    }
    if (!token) return refuse(socket, 401, 'A log token is required.');
    const r = this.tokens.redeem(token);
    if (!r.ok) return refuse(socket, 403, `The log token is ${r.why} or already used.`);
    let log: Readable;
    try {
      log = this.track(await r.value.open());
    } catch (e) {
      return refuse(socket, 502, `The log is not available (${(e as Error).message}).`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => pipeLogToWebSocket(ws, log));
  }
}
