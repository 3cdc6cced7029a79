import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { Issued } from './one-time-tokens.js';
import type { UpgradeHandler } from './stream-server.js';
import type { WindowedTokens } from './windowed-tokens.js';

/**
 * What every stream bridge (display, SPICE, terminal, log) does with an upgrade request: answer
 * only on its own path, check the Origin, redeem the ticket, open what the WebSocket is joined to,
 * and only then upgrade, so that every refusal is a plain HTTP status with a message a client can
 * show. How many connections a ticket opens is up to its tokens (one-time or windowed); what is
 * opened and how the WebSocket is piped to it is up to the bridge (open()).
 */

/** The refusals' messages, worded for the bridge's own API call. */
export type Refusals = {
  origin: string;
  noToken: string;
  badToken: (why: 'unknown' | 'expired') => string;
  unavailable: (e: Error) => string;
};

/** What a redeemed ticket opened: the backend side, and how a WebSocket is joined to it. */
export type Opened = { stream: { destroy(): void }; join(ws: WebSocket): void };

export type TicketBridgeConfig<T> = {
  /** The URL path the endpoint answers on. */
  path: string;
  /** One-time (OneTimeTokens) or good for a few connections in a window (WindowedTokens). */
  tickets: WindowedTokens<T>;
  /** Checked before the ticket, so a foreign page learns nothing about tickets. */
  originAllowed: (origin: string | undefined) => boolean;
  refusals: Refusals;
  ws: Omit<ServerOptions, 'noServer'>;
};

function refuse(socket: Duplex, status: 401 | 403 | 502, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroy();
}

export abstract class TicketBridge<T extends { envId: string }> implements UpgradeHandler {
  readonly path: string;
  protected readonly tickets: WindowedTokens<T>;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, T>();

  constructor(private readonly config: TicketBridgeConfig<T>) {
    this.path = config.path;
    this.tickets = config.tickets;
    this.wss = new WebSocketServer({ ...config.ws, noServer: true });
  }

  /** Opens the backend side of a redeemed ticket; a throw answers 502. */
  protected abstract open(value: T): Promise<Opened>;

  /** Where the client put the token; the URL unless a bridge accepts more. */
  protected tokenOf(_req: IncomingMessage, url: URL): string | null | undefined {
    return url.searchParams.get('token');
  }

  /** A ticket and the path (with the token) the client opens. */
  protected issueWithPath(value: T): Issued & { path: string } {
    const { token, expiresAt } = this.tickets.issue(value);
    return { token, expiresAt, path: `${this.path}?token=${encodeURIComponent(token)}` };
  }

  /**
   * For the HTTP server's 'upgrade' event: returns false when the request is not for this
   * endpoint (the server routes it elsewhere), else handles it, accepting or refusing.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) return false;
    void this.accept(req, socket, head, url).catch(() => socket.destroy());
    return true;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Drops the unspent tickets of one environment and ends its sessions (it stopped). */
  protected endEnv(envId: string, reason: string): void {
    this.tickets.revoke((t) => t.envId === envId);
    for (const [ws, t] of this.sessions) if (t.envId === envId) ws.close(1001, reason);
  }

  close(): void {
    this.tickets.revoke(() => true);
    // Ending each session also destroys its backend stream, e.g. a docker exec whose socket
    // would otherwise keep the process alive after shutdown.
    for (const ws of this.sessions.keys()) ws.terminate();
    this.wss.close();
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
  ): Promise<void> {
    const { refusals } = this.config;
    if (!this.config.originAllowed(req.headers.origin)) return refuse(socket, 403, refusals.origin);
    const token = this.tokenOf(req, url);
    if (!token) return refuse(socket, 401, refusals.noToken);
    const r = this.tickets.redeem(token);
    if (!r.ok) return refuse(socket, 403, refusals.badToken(r.why));
    let opened: Opened;
    try {
      opened = await this.open(r.value);
    } catch (e) {
      return refuse(socket, 502, refusals.unavailable(e as Error));
    }
    // The client gave up while the backend side was opening, or the upgrade fails (a malformed
    // handshake, a half-closed socket): nobody will read the stream, so it must not stay open
    // (a docker exec would keep running, a VM's display socket stay connected).
    if (socket.destroyed) {
      opened.stream.destroy();
      return;
    }
    const abandon = () => opened.stream.destroy();
    socket.once('close', abandon);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', abandon);
      this.sessions.set(ws, r.value);
      ws.once('close', () => this.sessions.delete(ws));
      opened.join(ws);
    });
  }
}
