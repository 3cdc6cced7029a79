import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Pipes a WebSocket (binary frames) to a byte stream and back, with backpressure both ways: a
 * slow browser pauses the VM-side reads instead of buffering without bound, and a slow VM socket
 * pauses the WebSocket. Either side closing closes the other.
 */

/** Unacknowledged bytes sent to the browser before reading from the VM side pauses. */
const HIGH_WATER = 4 * 1024 * 1024;
/** A gathered frame goes out at this size without waiting longer. */
const GATHER_BYTES = 256 * 1024;

type Frame = { data: Buffer | ArrayBuffer | Buffer[]; isBinary: boolean };

/**
 * `onText`: sees text frames first (the terminal's control messages, e.g. a resize) and returns
 * true for those it consumed, or a promise for a control that takes a while to apply: frames that
 * arrive meanwhile wait for it, so input typed after a resize finds the new size. Every other
 * frame is bytes for the stream.
 */
export function pipeWebSocket(
  ws: WebSocket,
  stream: Duplex,
  opts: { onText?: (text: string) => boolean | Promise<void>; gatherMs?: number } = {},
): void {
  let inFlight = 0;
  let pendingBytes = 0;
  let lastSent = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let pending: Buffer[] = [];
  let held: Frame[] | null = null;

  const close = () => {
    if (closed) return;
    closed = true;
    if (timer) clearTimeout(timer);
    // What the stream said last (a command's final output, then its end) still goes out.
    if (pending.length && ws.readyState === ws.OPEN) ws.send(Buffer.concat(pending));
    pending = [];
    stream.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
  };

  // Chunks read in the same turn of the event loop go out as one frame: a busy TTY delivers
  // many small reads, and each frame costs the browser a message event and a terminal write.
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (closed || pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    lastSent = performance.now();
    ws.send(chunk, { binary: true }, () => {
      inFlight -= chunk.length;
      if (inFlight <= HIGH_WATER / 2 && stream.isPaused() && !closed) stream.resume();
    });
  };
  stream.on('data', (chunk: Buffer) => {
    inFlight += chunk.length;
    if (inFlight > HIGH_WATER) stream.pause();
    pendingBytes += chunk.length;
    if (pending.push(chunk) > 1) {
      if (pendingBytes >= GATHER_BYTES) flush();
      return;
    }
    // `gatherMs` (terminals): a stream that sent a moment ago is busy, so what it reads next is
    // gathered for that long into one larger frame; after a pause (a keystroke's echo) the
    // first bytes still go out in this turn.
    const gather = opts.gatherMs ?? 0;
    if (gather > 0 && performance.now() - lastSent < gather) timer = setTimeout(flush, gather);
    else setImmediate(flush);
  });

  const toStream = (data: Frame['data']) => {
    const buf = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (!stream.write(buf)) {
      ws.pause();
      stream.once('drain', () => ws.resume());
    }
  };
  const handle = ({ data, isBinary }: Frame) => {
    if (closed) return;
    const control =
      !isBinary && opts.onText
        ? opts.onText(String(Array.isArray(data) ? Buffer.concat(data) : data))
        : false;
    if (control === true) return;
    if (control === false) return toStream(data);
    const waiting: Frame[] = [];
    held = waiting;
    void control
      .catch(() => undefined)
      .then(() => {
        held = null;
        // A waiting frame may be a slow control again: it then holds the ones after it.
        while (waiting.length && held === null) handle(waiting.shift()!);
        if (held !== null) (held as Frame[]).unshift(...waiting);
      });
  };
  ws.on('message', (data: Frame['data'], isBinary: boolean) => {
    if (held) held.push({ data, isBinary });
    else handle({ data, isBinary });
  });
  stream.on('end', close);
  stream.on('close', close);
  stream.on('error', close);
  ws.on('close', close);
  ws.on('error', close);
}
