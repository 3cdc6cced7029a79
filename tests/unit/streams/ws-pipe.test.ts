import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { pipeWebSocket } from '../../../main/streams/ws-pipe.js';

/** The part of a ws WebSocket the pipe uses: frames sent are recorded. */
function fakeSocket() {
  const ws = Object.assign(new EventEmitter(), {
    OPEN: 1,
    CONNECTING: 0,
    readyState: 1,
    frames: [] as string[],
    send(data: Buffer, _opts?: unknown, done?: () => void) {
      ws.frames.push(data.toString());
      done?.();
    },
    close() {
      ws.readyState = 3;
    },
    pause() {},
    resume() {},
  });
  return ws;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('pipeWebSocket', () => {
  it('sends what one turn read as one frame, at once', async () => {
    const ws = fakeSocket();
    const stream = new PassThrough();
    pipeWebSocket(ws as unknown as WebSocket, stream);
    stream.write('a');
    stream.write('b');
    await tick();
    await tick();
    expect(ws.frames).toEqual(['ab']);
  });

  it('with gatherMs, holds a busy stream’s next reads for that long, but not the first after a pause', async () => {
    const ws = fakeSocket();
    const stream = new PassThrough();
    pipeWebSocket(ws as unknown as WebSocket, stream, { gatherMs: 200 });
    stream.write('first');
    await tick();
    await tick();
    expect(ws.frames).toEqual(['first']);
    // Right after a send: gathered.
    stream.write('x');
    await tick();
    await tick();
    stream.write('y');
    await tick();
    expect(ws.frames).toEqual(['first']);
    await expect.poll(() => ws.frames, { timeout: 2000 }).toEqual(['first', 'xy']);
    // After a pause longer than the window: at once again.
    await new Promise((r) => setTimeout(r, 250));
    stream.write('echo');
    await tick();
    await tick();
    expect(ws.frames).toEqual(['first', 'xy', 'echo']);
  });

  it('sends what is still gathered when the stream ends', async () => {
    const ws = fakeSocket();
    const stream = new PassThrough();
    pipeWebSocket(ws as unknown as WebSocket, stream, { gatherMs: 10_000 });
    stream.write('first');
    await tick();
    await tick();
    stream.end('last words');
    await expect.poll(() => ws.frames).toEqual(['first', 'last words']);
    expect(ws.readyState).toBe(3);
  });
});
