import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { DEFAULT_TOKEN_TTL_MS, OneTimeTokens } from './one-time-tokens.js';
import { pipeWebSocket } from './ws-pipe.js';

/**
 * The terminal bridge: like the display bridge, a noServer WebSocket endpoint behind one-time
 * tokens, piping a console stream (a serial-console viewer, a docker exec TTY) to xterm.js.
 * The token carries a function that opens the stream, so the bridge does not know backends.
 */

export type ConsoleOpener = { envId: string; open: () => Promise<Duplex> };

export type ConsoleBridgeOptions = {
  path?: string;
  tokenTtlMs?: number;
  allowOrigin?: (origin: string | undefined) => boolean;
};

function refuse(socket: Duplex, status: 401 | 403 | 502, message: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 502: 'Bad Gateway' }[status];
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

export class ConsoleBridge {
  readonly path: string;
  private readonly tokens: OneTimeTokens<ConsoleOpener>;
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 1024 * 1024,
  });

  constructor(private readonly opts: ConsoleBridgeOptions = {}) {
    this.path = opts.path ?? '/console';
    this.tokens = new OneTimeTokens(opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS);
  }

  issueConsoleToken(envId: string, open: () => Promise<Duplex>) {
    const { token, expiresAt } = this.tokens.issue({ envId, open });
    return { token, expiresAt, path: `${this.path}?token=${encodeURIComponent(token)}` };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) return false;
    void this.accept(req, socket, head, url.searchParams.get('token')).catch(() =>
      socket.destroy(),
    );
    return true;
  }

  closeEnv(envId: string): void {
    this.tokens.revoke((t) => t.envId === envId);
  }

  close(): void {
    this.tokens.revoke(() => true);
    // Ending each session also destroys its backend stream (ws-pipe), e.g. a docker exec whose
    // socket would otherwise keep the process alive after shutdown.
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    token: string | null,
  ): Promise<void> {
    if (this.opts.allowOrigin && !this.opts.allowOrigin(req.headers.origin)) {
      return refuse(socket, 403, 'This origin may not open a console.');
    }
    if (!token) return refuse(socket, 401, 'A console token is required.');
    const r = this.tokens.redeem(token);
    if (!r.ok) return refuse(socket, 403, `The console token is ${r.why} or already used.`);
    let stream: Duplex;
    try {
      stream = await r.value.open();
    } catch (e) {
      return refuse(socket, 502, `The console is not available (${(e as Error).message}).`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => pipeWebSocket(ws, stream));
  }
}
