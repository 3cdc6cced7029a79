import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvRef } from '../../main/backends/backend.js';
import { GenosError } from '../../main/core/errors.js';
import { SPICE_MAX_CONNECTIONS, SpiceBridge } from '../../main/streams/spice-bridge.js';
import { backendAvailable } from '../helpers/backends.js';
import { listeningSocketsOf, startDisplayVm, type DisplayVm } from '../helpers/display-vm.js';
import {
  CHANNEL,
  LINK_ERR_OK,
  MSG,
  SpiceChannelClient,
  sessionIdOf,
  surfaceOf,
} from '../helpers/spice-link-client.js';
import { openByteSocket, upgradeStatus as upgradeStatusWith } from '../helpers/ws-upgrade.js';

/**
 * The SPICE path end to end: qemu's SPICE server on a unix socket, the WebSocket bridge, and raw
 * SPICE link handshakes from Node: the main channel ("REDQ" 2.2, SpiceLinkReply OK, ticket,
 * MAIN_INIT), then the display channel on the same token, linked to that session, until the
 * guest's surface arrives. Tokens: missing 401, unknown/used-up/expired 403. qemu: no TCP.
 */

const upgradeStatus = (url: string) => upgradeStatusWith(url, ['binary']);

async function openChannel(url: string) {
  const { ws, reader } = await openByteSocket(url, ['binary']);
  return { ws, spice: new SpiceChannelClient(reader, (b) => ws.send(b)) };
}

describe.skipIf(!backendAvailable('qemu'))('SPICE bridge to a real qemu', () => {
  let vm: DisplayVm<SpiceBridge>;
  let clock = 0;

  beforeAll(async () => {
    vm = await startDisplayVm(
      'spice',
      60_000,
      () => new SpiceBridge({ now: () => Date.now() + clock }),
    );
  }, 300_000);

  afterAll(() => vm?.stop());

  it('links the main channel, then the display channel on the same token, and gets a surface', async () => {
    const t0 = performance.now();
    const ep = await vm.backend.openDisplay(vm.env, 'spice');
    expect(ep).toEqual({ protocol: 'spice', socketPath: `${vm.dataDir}/run/gui/spice.sock` });
    if (ep.protocol !== 'spice') return;
    const { path } = vm.bridge.issueSpiceToken(vm.env.id, ep.socketPath);
    const url = `${vm.server.origin}${path}`;

    const main = await openChannel(url);
    const reply = await main.spice.link(CHANNEL.main);
    expect(reply).toMatchObject({ major: 2, minor: 2, error: LINK_ERR_OK });
    expect(reply.pubKey).toHaveLength(162);
    expect(await main.spice.ticket(reply)).toBe(LINK_ERR_OK);
    const session = sessionIdOf(await main.spice.until([MSG.mainInit]));

    const display = await openChannel(url);
    const dReply = await display.spice.link(CHANNEL.display, session);
    expect(dReply.error).toBe(LINK_ERR_OK);
    expect(await display.spice.ticket(dReply)).toBe(LINK_ERR_OK);
    display.spice.displayInit();
    const surface = surfaceOf(await display.spice.until([MSG.displaySurfaceCreate], 15_000));
    const firstDisplayMs = performance.now() - t0;
    // The VGA text console (720x400) or a graphics mode: a real screen, not an empty surface.
    expect(surface.width).toBeGreaterThanOrEqual(640);
    expect(surface.height).toBeGreaterThanOrEqual(400);
    console.log(`openDisplay(spice) -> first display surface: ${firstDisplayMs.toFixed(1)} ms`);
    expect(firstDisplayMs).toBeLessThan(5_000);
    expect(vm.bridge.sessionCount).toBe(2);
    display.ws.close();
    main.ws.close();
  });

  it('refuses a missing or unknown token, a used-up one and an expired one', async () => {
    expect(await upgradeStatus(`${vm.server.origin}/spice`)).toBe(401);
    expect(await upgradeStatus(`${vm.server.origin}/spice?token=nope`)).toBe(403);

    const socket = `${vm.dataDir}/run/gui/spice.sock`;
    const spent = vm.bridge.issueSpiceToken(vm.env.id, socket);
    for (let i = 0; i < SPICE_MAX_CONNECTIONS; i++) {
      expect(await upgradeStatus(`${vm.server.origin}${spent.path}`)).toBe(101);
    }
    expect(await upgradeStatus(`${vm.server.origin}${spent.path}`)).toBe(403);

    const unused = vm.bridge.issueSpiceToken(vm.env.id, socket);
    const windowed = vm.bridge.issueSpiceToken(vm.env.id, socket);
    expect(await upgradeStatus(`${vm.server.origin}${windowed.path}`)).toBe(101);
    clock += 31_000;
    try {
      expect(await upgradeStatus(`${vm.server.origin}${unused.path}`)).toBe(403);
      expect(await upgradeStatus(`${vm.server.origin}${windowed.path}`)).toBe(403);
    } finally {
      clock = 0;
    }
  });

  it('qemu listens on no TCP port at all (SPICE, VNC, QMP and serial are unix sockets)', () => {
    const { tcp, unix } = listeningSocketsOf(vm.pid);
    expect(tcp).toEqual([]);
    expect(unix.join('\n')).toContain('spice.sock');
    expect(unix.join('\n')).toContain('vnc.sock');
  });

  it('gives a headless VM no display, and says so when a VM has no SPICE server', async () => {
    const headless: EnvRef = { ...vm.env, spec: { ...vm.env.spec, display: 'headless' } };
    expect((await vm.backend.openDisplay(headless, 'spice')).protocol).toBe('none');
    // As for a VM an earlier GenOS started: no spice.sock in its runtime dir. (Runs last.)
    await fs.rm(`${vm.dataDir}/run/gui/spice.sock`);
    const err = await vm.backend.openDisplay(vm.env, 'spice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenosError);
    expect((err as GenosError).code).toBe('UNSUPPORTED');
    expect((err as GenosError).message).toMatch(/without a SPICE server.*restart it.*or use VNC/);
    expect((await vm.backend.openDisplay(vm.env, 'vnc')).protocol).toBe('vnc');
  });
});
