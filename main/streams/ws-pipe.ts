import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Pipes a WebSocket (binary frames) to a byte stream and back, with backpressure both ways: a
 * slow browser pauses the VM-side reads instead of buffering without bound, and a slow VM socket
 * pauses the WebSocket. Either side closing closes the other.
 */

/** Unacknowledged bytes sent to the browser before reading from the VM side pauses. */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * `onText`: sees text frames first (the terminal's control messages, e.g. a resize) and returns
 * true for those it consumed; every other frame is bytes for the stream.
 */
export function pipeWebSocket(
  ws: WebSocket,
  stream: Duplex,
  opts: { onText?: (text: string) => boolean } = {},
): void {
  let inFlight = 0;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    stream.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
  };

  stream.on('data', (chunk: Buffer) => {
    inFlight += chunk.length;
    if (inFlight > HIGH_WATER) stream.pause();
    ws.send(chunk, { binary: true }, () => {
      inFlight -= chunk.length;
      if (inFlight <= HIGH_WATER / 2 && stream.isPaused() && !closed) stream.resume();
    });
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!isBinary && opts.onText?.(String(Array.isArray(data) ? Buffer.concat(data) : data)))
      return;
    const buf = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (!stream.write(buf)) {
      ws.pause();
      stream.once('drain', () => ws.resume());
    }
  });
  stream.on('end', close);
  stream.on('close', close);
  stream.on('error', close);
  ws.on('close', close);
  ws.on('error', close);
}
