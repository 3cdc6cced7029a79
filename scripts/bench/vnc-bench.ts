/**
 * VNC display bridge figures, each against a direct unix-socket client in the same run:
 * 1. openDisplay -> first framebuffer update in an RFB client (token, WebSocket upgrade, RFB
 *    handshake, full-screen update) on a booted test guest; target < 300 ms.
 * 2. Per-message added latency, the bridge alone: 64-byte round trips to an echo server on a
 *    unix socket, through the bridge vs direct; target < 1 ms p99 added.
 * 3. The same VM's 1x1 FramebufferUpdateRequest round trip, bridge vs direct (informational:
 *    qemu answers on its refresh timer, so its jitter dwarfs the bridge's).
 * Run: node --import tsx scripts/bench/vnc-bench.ts   (figures, not a pass/fail test)
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { startStreamServer, type StreamServer } from '../../main/streams/stream-server.js';
import { VncBridge } from '../../main/streams/vnc-bridge.js';
import { ensureTestGuest } from '../../tests/helpers/test-guest.js';
import { guestSpec, killAllUnder, tcgHost } from '../../tests/helpers/vm-test-env.js';
import { ByteReader, RfbClient } from '../../tests/unit/streams/rfb-client.js';
import { ms, summarize, verdict } from './bench-util.js';

const SESSIONS = 10;
const RTTS = 60;
const ECHOES = 5_000;
/** Round trips run first and not counted: JIT and socket buffers warm up on both paths. */
const WARMUP = 2_000;

type Conn = { reader: ByteReader; write: (b: Buffer) => void; close: () => void };

function direct(socketPath: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath);
    s.setNoDelay(true);
    const reader = new ByteReader();
    s.on('data', (d: Buffer) => reader.push(d));
    s.once('connect', () =>
      resolve({ reader, write: (b) => s.write(b), close: () => s.destroy() }),
    );
    s.once('error', reject);
  });
}

function bridged(url: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'nodebuffer';
    const reader = new ByteReader();
    ws.on('message', (d: Buffer) => reader.push(d));
    ws.once('open', () => resolve({ reader, write: (b) => ws.send(b), close: () => ws.close() }));
    ws.once('error', reject);
  });
}

async function firstFrame(open: () => Promise<Conn>): Promise<number> {
  const t0 = performance.now();
  const c = await open();
  const rfb = new RfbClient(c.reader, c.write);
  await rfb.handshake();
  rfb.requestUpdate(false);
  const f = await rfb.readFrame();
  const t = performance.now() - t0;
  if (f.distinctPixels < 2) throw new Error('blank frame');
  c.close();
  return t;
}

/** Round trips of a 1x1 non-incremental update request: qemu answers each at once. */
async function rtts(c: Conn): Promise<number[]> {
  const rfb = new RfbClient(c.reader, c.write);
  await rfb.handshake();
  const req = Buffer.from([3, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
  const out: number[] = [];
  for (let i = 0; i < RTTS + 5; i++) {
    const t0 = performance.now();
    c.write(req);
    await rfb.readFrame();
    if (i >= 5) out.push(performance.now() - t0); // the first few warm up both paths
  }
  c.close();
  return out;
}

function line(label: string, samples: number[]): ReturnType<typeof summarize> {
  const s = summarize(samples);
  console.log(
    `  ${label.padEnd(34)} p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  [n=${s.n}]`,
  );
  return s;
}

async function benchVm(bridge: VncBridge, server: StreamServer): Promise<void> {
  const guest = await ensureTestGuest();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-vncb-'));
  try {
    const backend = new QemuBackend({ dataDir });
    const env = { id: 'v', spec: guestSpec(guest, { display: 'gui' }), handles: {} };
    await backend.start(env, await tcgHost(), () => undefined, new AbortController().signal);
    const inst = await backend.instances.require('v');
    await inst.console.waitFor(guest.readyMarker, 60_000);
    const ep = await backend.openDisplay(env);
    if (ep.protocol !== 'vnc') throw new Error('no display');

    const viaBridge: number[] = [];
    const straight: number[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      straight.push(await firstFrame(() => direct(ep.socketPath)));
      viaBridge.push(
        await firstFrame(async () => {
          const d = await backend.openDisplay(env);
          if (d.protocol !== 'vnc') throw new Error('no display');
          return bridged(`${server.origin}${bridge.issueDisplayToken('v', d.socketPath).path}`);
        }),
      );
    }
    console.log('openDisplay -> first full framebuffer update (720x400 raw, guest up):');
    line('direct unix socket (baseline)', straight);
    const b = line('bridge (token + WebSocket)', viaBridge);
    console.log(`  ${verdict(b.p50, 300)} ms (p50)`);

    console.log(`1x1 update-request round trip to qemu (${RTTS} each):`);
    const d = line('direct unix socket (baseline)', await rtts(await direct(ep.socketPath)));
    const w = line(
      'bridge',
      await rtts(
        await bridged(`${server.origin}${bridge.issueDisplayToken('v', ep.socketPath).path}`),
      ),
    );
    // qemu answers on its display refresh timer (tens to hundreds of ms, adaptive), so this
    // p99 difference is qemu's jitter; the echo figure above is the bridge's own latency.
    console.log(
      `  difference: p50 ${ms(w.p50 - d.p50)}, p99 ${ms(w.p99 - d.p99)} (qemu's refresh timer dominates; informational)`,
    );
    await backend.kill(env);
  } finally {
    await killAllUnder(dataDir);
  }
}

async function benchEcho(bridge: VncBridge, server: StreamServer): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-echo-'));
  const file = path.join(dir, 'echo.sock');
  const echo = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => echo.listen(file, () => r()));
  const run = async (c: Conn) => {
    const msg = Buffer.alloc(64, 7);
    const out: number[] = [];
    for (let i = 0; i < ECHOES + WARMUP; i++) {
      const t0 = performance.now();
      c.write(msg);
      await c.reader.read(64);
      if (i >= WARMUP) out.push(performance.now() - t0);
    }
    c.close();
    return out;
  };
  try {
    console.log(`64-byte echo round trip, bridge only (${ECHOES} each):`);
    const d = line('direct unix socket (baseline)', await run(await direct(file)));
    const w = line(
      'bridge',
      await run(await bridged(`${server.origin}${bridge.issueDisplayToken('e', file).path}`)),
    );
    console.log(
      `  added by the bridge: p50 ${ms(w.p50 - d.p50)}, p99 ${ms(w.p99 - d.p99)} (${verdict(w.p99 - d.p99, 1)} ms p99)`,
    );
  } finally {
    echo.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const bridge = new VncBridge();
const server = await startStreamServer([bridge]);
try {
  await benchEcho(bridge, server);
  await benchVm(bridge, server);
} finally {
  bridge.close();
  await server.close();
}
