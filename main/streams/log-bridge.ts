import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import { GenosError } from '../core/errors.js';
import { DEFAULT_TOKEN_TTL_MS, OneTimeTokens } from './one-time-tokens.js';
import { TicketBridge, type Opened } from './ticket-bridge.js';

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

const spent = (why: string) => `The log token is ${why} or already used.`;

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

export class LogBridge extends TicketBridge<LogOpener> {
  private readonly following = new Set<Readable>();

  constructor(
    opts: { path?: string; tokenTtlMs?: number; allowOrigin?: (origin: string) => boolean } = {},
  ) {
    super({
      path: opts.path ?? '/logs',
      tickets: new OneTimeTokens(opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS),
      // Stricter than the other bridges: without allowOrigin no browser may connect at all.
      originAllowed: (origin) => origin === undefined || (opts.allowOrigin?.(origin) ?? false),
      refusals: {
        origin: 'This origin may not read logs.',
        noToken: 'A log token is required.',
        badToken: spent,
        unavailable: (e) => `The log is not available (${e.message}).`,
      },
      ws: { perMessageDeflate: false, maxPayload: 4096 },
    });
  }

  issueLogToken(envId: string, open: () => Promise<Readable>) {
    return this.tickets.issue({ envId, open });
  }

  /** Spends a token without a WebSocket: the in-process CLI reads the log stream directly. */
  async redeem(token: string): Promise<Readable> {
    const r = this.tickets.redeem(token);
    if (!r.ok) throw new GenosError('FORBIDDEN', spent(r.why));
    return this.track(await r.value.open());
  }

  override close(): void {
    for (const log of this.following) log.destroy();
    super.close();
  }

  protected async open({ open }: LogOpener): Promise<Opened> {
    const log = this.track(await open());
    return { stream: log, join: (ws) => pipeLogToWebSocket(ws, log) };
  }

  private track(log: Readable): Readable {
    this.following.add(log);
    log.once('close', () => this.following.delete(log));
    return log;
  }
}
