import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleBridge } from '../../../main/streams/console-bridge.js';
import { startStreamServer, type StreamServer } from '../../../main/streams/stream-server.js';
import { VncBridge } from '../../../main/streams/vnc-bridge.js';

/** A VNC-ish unix server: greets with an RFB version line, then echoes bytes reversed-cased. */
async function fakeVnc(file: string) {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write('RFB 003.008\n');
    s.on('data', (d) => s.write(Buffer.from(d.toString('latin1').toUpperCase(), 'latin1')));
  });
  await new Promise<void>((r) => server.listen(file, () => r()));
  return server;
}

type Outcome = { status: number; ws?: WebSocket; protocol?: string };

// Messages are queued from the moment the socket exists: the first frame can arrive in the same
// chunk as the 101 response, i.e. before a listener added after 'open' would see it.
const inbox = new WeakMap<WebSocket, { queue: Buffer[]; waiters: Array<(b: Buffer) => void> }>();

function connect(
  url: string,
  opts: { protocols?: string[]; headers?: Record<string, string> } = {},
) {
  return new Promise<Outcome>((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols, { headers: opts.headers });
    const box = { queue: [] as Buffer[], waiters: [] as Array<(b: Buffer) => void> };
    inbox.set(ws, box);
    ws.on('message', (d: Buffer) => {
      const w = box.waiters.shift();
      if (w) w(d);
      else box.queue.push(d);
    });
    ws.on('open', () => resolve({ status: 101, ws, protocol: ws.protocol }));
    ws.on('unexpected-response', (_q, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

function nextMessage(ws: WebSocket): Promise<Buffer> {
  const box = inbox.get(ws)!;
  const queued = box.queue.shift();
  return queued ? Promise.resolve(queued) : new Promise((r) => box.waiters.push(r));
}

describe('VncBridge', () => {
  let dir: string;
  let vncPath: string;
  let vnc: net.Server;
  let bridge: VncBridge;
  let server: StreamServer;
  let now = 0;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-br-'));
    vncPath = path.join(dir, 'vnc.sock');
    vnc = await fakeVnc(vncPath);
    now = Date.now();
    bridge = new VncBridge({
      now: () => now,
      allowOrigin: (o) => o === undefined || o === 'http://ok',
    });
    server = await startStreamServer([bridge]);
  });
  afterEach(async () => {
    bridge.close();
    await server.close();
    await new Promise((r) => vnc.close(r));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('pipes binary frames both ways with a valid token, which is then spent', async () => {
    const t = bridge.issueDisplayToken('env1', vncPath);
    expect(t.path).toBe(`/display?token=${t.token}`);
    const { status, ws } = await connect(`${server.origin}${t.path}`);
    expect(status).toBe(101);
    const greeting = await nextMessage(ws!);
    expect(greeting.toString()).toBe('RFB 003.008\n');
    const echoed = nextMessage(ws!);
    ws!.send(Buffer.from('hello'));
    expect((await echoed).toString()).toBe('HELLO');
    expect(bridge.sessionCount).toBe(1);
    expect((await connect(`${server.origin}${t.path}`)).status).toBe(403);
    const closed = new Promise((r) => ws!.once('close', r));
    bridge.closeEnv('env1');
    await closed;
  });

  it('refuses: no token 401, unknown 403, expired 403, foreign origin 403, dead VM 502', async () => {
    expect((await connect(`${server.origin}/display`)).status).toBe(401);
    expect((await connect(`${server.origin}/display?token=abc`)).status).toBe(403);
    const old = bridge.issueDisplayToken('env1', vncPath);
    now += 31_000;
    expect((await connect(`${server.origin}${old.path}`)).status).toBe(403);
    const t = bridge.issueDisplayToken('env1', vncPath);
    const evil = await connect(`${server.origin}${t.path}`, { headers: { origin: 'http://evil' } });
    expect(evil.status).toBe(403);
    const dead = bridge.issueDisplayToken('env1', path.join(dir, 'gone.sock'));
    expect((await connect(`${server.origin}${dead.path}`)).status).toBe(502);
  });

  it('accepts the token as a subprotocol and echoes the chosen protocol', async () => {
    const t = bridge.issueDisplayToken('env1', vncPath);
    const r = await connect(`${server.origin}/display`, {
      protocols: [`genos.display.${t.token}`],
    });
    expect(r.status).toBe(101);
    expect(r.protocol).toBe(`genos.display.${t.token}`);
    r.ws!.close();
    const t2 = bridge.issueDisplayToken('env1', vncPath);
    const b = await connect(`${server.origin}${t2.path}`, { protocols: ['binary'] });
    expect(b.protocol).toBe('binary');
    b.ws!.close();
  });

  it('leaves other paths to the server (404) and the stream server refuses a foreign Host', async () => {
    expect((await connect(`${server.origin}/other`)).status).toBe(404);
    const t = bridge.issueDisplayToken('env1', vncPath);
    const r = await connect(`${server.origin}${t.path}`, { headers: { host: 'evil.example:80' } });
    expect(r.status).toBe(403);
    const plain = await new Promise<number>((resolve) =>
      http.get(`http://127.0.0.1:${server.port}/`, (res) => resolve(res.statusCode ?? 0)),
    );
    expect(plain).toBe(404);
  });
});

describe('ConsoleBridge', () => {
  it('opens the console stream for a valid token only, and pipes it', async () => {
    const bridge = new ConsoleBridge();
    const server = await startStreamServer([bridge]);
    try {
      const stream = new PassThrough();
      const t = bridge.issueConsoleToken('env1', async () => stream);
      const { ws } = await connect(`${server.origin}${t.path}`);
      const got = nextMessage(ws!);
      stream.write('boot output');
      expect((await got).toString()).toBe('boot output');
      const typed = new Promise<Buffer>((r) => stream.once('data', r));
      ws!.send('ls\n');
      expect((await typed).toString()).toBe('ls\n');
      expect((await connect(`${server.origin}${t.path}`)).status).toBe(403);
      expect((await connect(`${server.origin}/console`)).status).toBe(401);
      const failing = bridge.issueConsoleToken('env1', async () => {
        throw new Error('not running');
      });
      expect((await connect(`${server.origin}${failing.path}`)).status).toBe(502);
      ws!.close();
    } finally {
      bridge.close();
      await server.close();
    }
  });
  it('holds input behind a resize until the TTY has it, and sends the last output before an end', async () => {
    const bridge = new ConsoleBridge();
    const server = await startStreamServer([bridge]);
    try {
      const events: string[] = [];
      const tty = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, done) {
          events.push(`input ${chunk.toString()}`);
          done();
        },
      });
      let applied!: () => void;
      const resize = (cols: number, rows: number) =>
        new Promise<void>((resolve) => {
          events.push(`resize ${cols}x${rows} asked`);
          applied = () => {
            events.push('resize applied');
            resolve();
          };
        });
      const t = bridge.issueConsoleToken('env1', async () => ({ stream: tty, resize }));
      const { ws } = await connect(`${server.origin}${t.path}`);
      ws!.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
      ws!.send(Buffer.from('stty size\n'));
      await new Promise((r) => setTimeout(r, 100));
      expect(events).toEqual(['resize 100x30 asked']);
      applied();
      await expect
        .poll(() => events)
        .toEqual(['resize 100x30 asked', 'resize applied', 'input stty size\n']);

      // Chunks pushed in one turn arrive together, and what came right before the end is kept.
      const closed = new Promise((r) => ws!.once('close', r));
      const got = nextMessage(ws!);
      tty.push('30 ');
      tty.push('100\n');
      expect((await got).toString()).toBe('30 100\n');
      tty.push('logout\n');
      tty.push(null);
      expect((await nextMessage(ws!)).toString()).toBe('logout\n');
      await closed;
    } finally {
      bridge.close();
      await server.close();
    }
  });
  it('closes the opened stream when the WebSocket handshake then fails', async () => {
    const bridge = new ConsoleBridge();
    const server = await startStreamServer([bridge]);
    try {
      const stream = new PassThrough();
      const closed = new Promise((r) => stream.once('close', r));
      const t = bridge.issueConsoleToken('env1', async () => stream);
      // An upgrade request without Sec-WebSocket-Key: ws answers 400 after the ticket opened.
      const { port } = new URL(server.origin);
      const raw = net.connect(Number(port), '127.0.0.1');
      raw.write(
        `GET ${t.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      let answer = '';
      raw.on('data', (d) => (answer += d.toString()));
      await closed;
      expect(stream.destroyed).toBe(true);
      await expect.poll(() => answer).toMatch(/^HTTP\/1.1 400/);
      raw.destroy();
    } finally {
      bridge.close();
      await server.close();
    }
  });
});
