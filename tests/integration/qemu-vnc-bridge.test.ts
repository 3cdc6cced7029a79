import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EnvRef } from '../../main/backends/backend.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { startStreamServer, type StreamServer } from '../../main/streams/stream-server.js';
import { TOKEN_PROTOCOL_PREFIX, VncBridge } from '../../main/streams/vnc-bridge.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import {
  guestSpec,
  killAllUnder,
  readUntil,
  shortDataDir,
  tcgHost,
} from '../helpers/vm-test-env.js';
import { ByteReader, RfbClient } from '../unit/streams/rfb-client.js';

/**
 * The display path end to end: qemu's VNC server on a unix socket, the WebSocket bridge with a
 * one-time token, and a real RFB handshake from Node that must receive a non-uniform frame (the
 * VGA text console shows the kernel log). Tokens: missing -> 401, spent -> 403. qemu: no TCP.
 */

/** The HTTP status of a WebSocket upgrade: 101 when it opened (then closed), else the refusal. */
function upgradeStatus(url: string, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

async function openRfb(url: string, protocols?: string[]) {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = 'nodebuffer';
  const reader = new ByteReader();
  ws.on('message', (d: Buffer) => reader.push(d));
  ws.on('close', () => reader.fail(new Error('closed')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const rfb = new RfbClient(reader, (b) => ws.send(b));
  return { ws, rfb };
}

describe.skipIf(!backendAvailable('qemu'))('VNC bridge to a real qemu', () => {
  let guest: TestGuest;
  let dataDir: string;
  let backend: QemuBackend;
  let bridge: VncBridge;
  let server: StreamServer;
  let env: EnvRef;
  let pid: number;

  beforeAll(async () => {
    guest = await ensureTestGuest();
    dataDir = await shortDataDir('vnc');
    backend = new QemuBackend({ dataDir });
    env = { id: 'gui', spec: guestSpec(guest, { display: 'gui' }), handles: {} };
    pid = (await backend.start(env, await tcgHost(), () => undefined, new AbortController().signal))
      .pid as number;
    const con = await backend.openConsole(env);
    await readUntil(con.stream, guest.readyMarker, 30_000);
    con.close();
    bridge = new VncBridge();
    server = await startStreamServer([bridge]);
  }, 300_000);

  afterAll(async () => {
    bridge?.close();
    await server?.close();
    await backend?.detachAll();
    if (dataDir) await killAllUnder(dataDir);
  });

  it('carries an RFB session: handshake, ServerInit, a non-uniform framebuffer update', async () => {
    const ep = await backend.openDisplay(env);
    expect(ep).toEqual({ protocol: 'vnc', socketPath: `${dataDir}/run/gui/vnc.sock` });
    if (ep.protocol !== 'vnc') return;
    const t0 = performance.now();
    const { token, path } = bridge.issueDisplayToken(env.id, ep.socketPath);
    const { ws, rfb } = await openRfb(`${server.origin}${path}`);
    const init = await rfb.handshake();
    expect(init.width).toBeGreaterThanOrEqual(640);
    expect(init.height).toBeGreaterThanOrEqual(400);
    expect(init.name).toBe('QEMU (test-vm)');
    rfb.requestUpdate(false);
    const frame = await rfb.readFrame();
    const firstFrameMs = performance.now() - t0;
    expect(frame.pixels.length).toBe((init.width * init.height * init.bpp) / 8);
    expect(frame.distinctPixels).toBeGreaterThan(1); // text on the VGA console, not a blank screen
    expect(firstFrameMs).toBeLessThan(3_000);
    ws.close();

    // The token was spent by that connection.
    expect(await upgradeStatus(`${server.origin}/display?token=${token}`)).toBe(403);
  });

  it('refuses a missing, unknown or spent token, and accepts one offered as a subprotocol', async () => {
    expect(await upgradeStatus(`${server.origin}/display`)).toBe(401);
    expect(await upgradeStatus(`${server.origin}/display?token=nope`)).toBe(403);
    const { token } = bridge.issueDisplayToken(env.id, `${dataDir}/run/gui/vnc.sock`);
    expect(
      await upgradeStatus(`${server.origin}/display`, [`${TOKEN_PROTOCOL_PREFIX}${token}`]),
    ).toBe(101);
    expect(
      await upgradeStatus(`${server.origin}/display`, [`${TOKEN_PROTOCOL_PREFIX}${token}`]),
    ).toBe(403);
  });

  it('answers 502 when the VM display socket is gone, without leaking the socket path', async () => {
    const { path } = bridge.issueDisplayToken(env.id, `${dataDir}/run/none/vnc.sock`);
    const body = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${server.origin}${path}`);
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => {
        expect(res.statusCode).toBe(502);
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      });
    });
    expect(body).toMatch(/not available/);
    expect(body).not.toContain('vnc.sock');
  });

  it('qemu listens on no TCP port at all (VNC, QMP and serial are unix sockets)', () => {
    const tcp = execFileSync('ss', ['-H', '-ltnp'], { encoding: 'utf8' });
    expect(tcp).not.toContain(`pid=${pid},`);
    const unix = execFileSync('ss', ['-H', '-lxp'], { encoding: 'utf8' });
    const mine = unix.split('\n').filter((l) => l.includes(`pid=${pid},`));
    expect(mine.join('\n')).toContain('vnc.sock');
    expect(mine.join('\n')).toContain('qmp.sock');
  });

  it('gives a headless VM no display', async () => {
    const headless: EnvRef = { ...env, spec: { ...env.spec, display: 'headless' } };
    expect((await backend.openDisplay(headless)).protocol).toBe('none');
  });
});
