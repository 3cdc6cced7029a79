import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EnvRef } from '../../main/backends/backend.js';
import { TOKEN_PROTOCOL_PREFIX, VncBridge } from '../../main/streams/vnc-bridge.js';
import { backendAvailable } from '../helpers/backends.js';
import { listeningSocketsOf, startDisplayVm, type DisplayVm } from '../helpers/display-vm.js';
import { openByteSocket, upgradeStatus } from '../helpers/ws-upgrade.js';
import { RfbClient } from '../unit/streams/rfb-client.js';

/**
 * The display path end to end: qemu's VNC server on a unix socket, the WebSocket bridge with a
 * one-time token, and a real RFB handshake from Node that must receive a non-uniform frame (the
 * VGA text console shows the kernel log). Tokens: missing -> 401, spent -> 403. qemu: no TCP.
 */

async function openRfb(url: string, protocols?: string[]) {
  const { ws, reader } = await openByteSocket(url, protocols);
  const rfb = new RfbClient(reader, (b) => ws.send(b));
  return { ws, rfb };
}

describe.skipIf(!backendAvailable('qemu'))('VNC bridge to a real qemu', () => {
  let vm: DisplayVm<VncBridge>;

  beforeAll(async () => {
    vm = await startDisplayVm('vnc', 30_000, () => new VncBridge());
  }, 300_000);

  afterAll(() => vm?.stop());

  it('carries an RFB session: handshake, ServerInit, a non-uniform framebuffer update', async () => {
    const ep = await vm.backend.openDisplay(vm.env);
    expect(ep).toEqual({ protocol: 'vnc', socketPath: `${vm.dataDir}/run/gui/vnc.sock` });
    if (ep.protocol !== 'vnc') return;
    const t0 = performance.now();
    const { token, path } = vm.bridge.issueDisplayToken(vm.env.id, ep.socketPath);
    const { ws, rfb } = await openRfb(`${vm.server.origin}${path}`);
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
    expect(await upgradeStatus(`${vm.server.origin}/display?token=${token}`)).toBe(403);
  });

  it('refuses a missing, unknown or spent token, and accepts one offered as a subprotocol', async () => {
    expect(await upgradeStatus(`${vm.server.origin}/display`)).toBe(401);
    expect(await upgradeStatus(`${vm.server.origin}/display?token=nope`)).toBe(403);
    const { token } = vm.bridge.issueDisplayToken(vm.env.id, `${vm.dataDir}/run/gui/vnc.sock`);
    expect(
      await upgradeStatus(`${vm.server.origin}/display`, [`${TOKEN_PROTOCOL_PREFIX}${token}`]),
    ).toBe(101);
    expect(
      await upgradeStatus(`${vm.server.origin}/display`, [`${TOKEN_PROTOCOL_PREFIX}${token}`]),
    ).toBe(403);
  });

  it('answers 502 when the VM display socket is gone, without leaking the socket path', async () => {
    const { path } = vm.bridge.issueDisplayToken(vm.env.id, `${vm.dataDir}/run/none/vnc.sock`);
    const body = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${vm.server.origin}${path}`);
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
    const { tcp, unix } = listeningSocketsOf(vm.pid);
    expect(tcp).toEqual([]);
    expect(unix.join('\n')).toContain('vnc.sock');
    expect(unix.join('\n')).toContain('qmp.sock');
  });

  it('gives a headless VM no display', async () => {
    const headless: EnvRef = { ...vm.env, spec: { ...vm.env.spec, display: 'headless' } };
    expect((await vm.backend.openDisplay(headless)).protocol).toBe('none');
  });
});
