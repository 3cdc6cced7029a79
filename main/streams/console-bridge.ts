import type { Duplex } from 'node:stream';
import { DEFAULT_TOKEN_TTL_MS, OneTimeTokens } from './one-time-tokens.js';
import { TicketBridge, type Opened } from './ticket-bridge.js';
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

const MAX_COLS = 1000;
const MAX_ROWS = 500;
/** The longest input waits behind a resize the engine has not confirmed. */
const RESIZE_WAIT_MS = 2000;
/**
 * A busy terminal's output is gathered this long into one frame: the browser pays per frame
 * (a message, an xterm write) about as much as per byte, and 2 ms is far below what a person
 * notices (a keystroke's echo after a pause is not held at all).
 */
const GATHER_MS = 2;

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

export class ConsoleBridge extends TicketBridge<ConsoleOpener> {
  constructor(opts: ConsoleBridgeOptions = {}) {
    super({
      path: opts.path ?? '/console',
      tickets: new OneTimeTokens(opts.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS),
      originAllowed: (origin) => !opts.allowOrigin || opts.allowOrigin(origin),
      refusals: {
        origin: 'This origin may not open a console.',
        noToken: 'A console token is required.',
        badToken: (why) => `The console token is ${why} or already used.`,
        unavailable: (e) => `The console is not available (${e.message}).`,
      },
      ws: { perMessageDeflate: false, maxPayload: 1024 * 1024 },
    });
  }

  issueConsoleToken(envId: string, open: () => Promise<Duplex | OpenedConsole>) {
    return this.issueWithPath({ envId, open });
  }

  protected async open({ open }: ConsoleOpener): Promise<Opened> {
    const value = await open();
    const opened = 'stream' in value && !('pipe' in value) ? value : { stream: value as Duplex };
    return {
      stream: opened.stream,
      join: (ws) =>
        pipeWebSocket(ws, opened.stream, {
          onText: (text) => applyControl(text, opened),
          gatherMs: GATHER_MS,
        }),
    };
  }
}
