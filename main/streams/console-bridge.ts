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

/** A console and, when its size can change (a TTY), how to change it. */
export type OpenedConsole = {
  stream: Duplex;
  resize?: (cols: number, rows: number) => Promise<void>;
};

export type ConsoleOpener = { envId: string; open: () => Promise<Duplex | OpenedConsole> };

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

const MAX_COLS = 1000;
const MAX_ROWS = 500;
/** The longest input waits behind a resize the engine has not confirmed. */
const RESIZE_WAIT_MS = 2000;

/**
 * A text frame holding a JSON object with a `type` is a control message; anything else (binary
 * frames, plain text) is input for the console. One control so far:
 * `{"type":"resize","cols":C,"rows":R}` from xterm's fit, passed to the TTY (docker exec resize).
 * A serial console has no size the host can set, so there it is dropped, as are unknown types
 * and sizes out of range. Returns whether the frame was a control message, or a promise of the
 * resize being applied.
 */
function applyControl(text: string, opened: OpenedConsole): boolean | Promise<void> {
  if (!text.startsWith('{')) return false;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return false;
  const { type, cols, rows } = msg as Record<string, unknown>;
  if (typeof type !== 'string') return false;
  const valid = (n: unknown, max: number): n is number =>
    Number.isInteger(n) && (n as number) >= 1 && (n as number) <= max;
  if (type === 'resize' && valid(cols, MAX_COLS) && opened.resize && valid(rows, MAX_ROWS)) {
    // Input after a resize waits for it (the shell's next `stty size` sees it), but not forever.
    // An exec that ended meanwhile cannot be resized; the stream's close says so already.
    const applied = opened.resize(cols, rows).catch(() => undefined);
    const bounded = new Promise<void>((resolve) => setTimeout(resolve, RESIZE_WAIT_MS).unref());
    return Promise.race([applied, bounded]);
  }
  return true;
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

  issueConsoleToken(envId: string, open: () => Promise<Duplex | OpenedConsole>) {
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
    let opened: OpenedConsole;
    try {
      const value = await r.value.open();
      opened = 'stream' in value && !('pipe' in value) ? value : { stream: value as Duplex };
    } catch (e) {
      return refuse(socket, 502, `The console is not available (${(e as Error).message}).`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      pipeWebSocket(ws, opened.stream, { onText: (text) => applyControl(text, opened) }),
    );
  }
}
