import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EnvRef } from '../../main/backends/backend.js';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { GenosError } from '../../main/core/errors.js';
import { SPICE_MAX_CONNECTIONS, SpiceBridge } from '../../main/streams/spice-bridge.js';
import { startStreamServer, type StreamServer } from '../../main/streams/stream-server.js';
import { backendAvailable } from '../helpers/backends.js';
import {
  CHANNEL,
  LINK_ERR_OK,
  MSG,
  SpiceChannelClient,
  sessionIdOf,
  surfaceOf,
} from '../helpers/spice-link-client.js';
import { ensureTestGuest, type TestGuest } from '../helpers/test-guest.js';
import {
  guestSpec,
  killAllUnder,
  readUntil,
  shortDataDir,
  tcgHost,
} from '../helpers/vm-test-env.js';
import { ByteReader } from '../unit/streams/rfb-client.js';

/**
 * The SPICE path end to end: qemu's SPICE server on a unix socket, the WebSocket bridge, and raw
 * SPICE link handshakes from Node: the main channel ("REDQ" 2.2, SpiceLinkReply OK, ticket,
 * MAIN_INIT), then the display channel on the same token, linked to that session, until the
 * guest's surface arrives. Tokens: missing 401, unknown/used-up/expired 403. qemu: no TCP.
 */

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary']);
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

async function openChannel(url: string) {
  const ws = new WebSocket(url, ['binary']);
  ws.binaryType = 'nodebuffer';
  const reader = new ByteReader();
  ws.on('message', (d: Buffer) => reader.push(d));
  ws.on('close', () => reader.fail(new Error('closed')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, spice: new SpiceChannelClient(reader, (b) => ws.send(b)) };
}

describe.skipIf(!backendAvailable('qemu'))('SPICE bridge to a real qemu', () => {
  let guest: TestGuest;
  let dataDir: string;
  let backend: QemuBackend;
  let bridge: SpiceBridge;
  let server: StreamServer;
  let env: EnvRef;
  let pid: number;
  let clock = 0;

  beforeAll(async () => {
    guest = await ensureTestGuest();
    dataDir = await shortDataDir('spice');
    backend = new QemuBackend({ dataDir });
    env = { id: 'gui', spec: guestSpec(guest, { display: 'gui' }), handles: {} };
    pid = (await backend.start(env, await tcgHost(), () => undefined, new AbortController().signal))
      .pid as number;
    const con = await backend.openConsole(env);
    await readUntil(con.stream, guest.readyMarker, 60_000);
    con.close();
    bridge = new SpiceBridge({ now: () => Date.now() + clock });
    server = await startStreamServer([bridge]);
  }, 300_000);

  afterAll(async () => {
    bridge?.close();
    await server?.close();
    await backend?.detachAll();
    if (dataDir) await killAllUnder(dataDir);
  });

  it('links the main channel, then the display channel on the same token, and gets a surface', async () => {
    const t0 = performance.now();
    const ep = await backend.openDisplay(env, 'spice');
    expect(ep).toEqual({ protocol: 'spice', socketPath: `${dataDir}/run/gui/spice.sock` });
    if (ep.protocol !== 'spice') return;
    const { path } = bridge.issueSpiceToken(env.id, ep.socketPath);
    const url = `${server.origin}${path}`;

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
    expect(bridge.sessionCount).toBe(2);
    display.ws.close();
    main.ws.close();
  });

  it('refuses a missing or unknown token, a used-up one and an expired one', async () => {
    expect(await upgradeStatus(`${server.origin}/spice`)).toBe(401);
    expect(await upgradeStatus(`${server.origin}/spice?token=nope`)).toBe(403);

    const socket = `${dataDir}/run/gui/spice.sock`;
    const spent = bridge.issueSpiceToken(env.id, socket);
    for (let i = 0; i < SPICE_MAX_CONNECTIONS; i++) {
      expect(await upgradeStatus(`${server.origin}${spent.path}`)).toBe(101);
    }
    expect(await upgradeStatus(`${server.origin}${spent.path}`)).toBe(403);

    const unused = bridge.issueSpiceToken(env.id, socket);
    const windowed = bridge.issueSpiceToken(env.id, socket);
    expect(await upgradeStatus(`${server.origin}${windowed.path}`)).toBe(101);
    clock += 31_000;
    try {
      expect(await upgradeStatus(`${server.origin}${unused.path}`)).toBe(403);
      expect(await upgradeStatus(`${server.origin}${windowed.path}`)).toBe(403);
    } finally {
      clock = 0;
    }
  });

  it('qemu listens on no TCP port at all (SPICE, VNC, QMP and serial are unix sockets)', () => {
    const tcp = execFileSync('ss', ['-H', '-ltnp'], { encoding: 'utf8' });
    expect(tcp).not.toContain(`pid=${pid},`);
    const unix = execFileSync('ss', ['-H', '-lxp'], { encoding: 'utf8' });
    const mine = unix.split('\n').filter((l) => l.includes(`pid=${pid},`));
    expect(mine.join('\n')).toContain('spice.sock');
    expect(mine.join('\n')).toContain('vnc.sock');
  });

  it('gives a headless VM no display, and says so when a VM has no SPICE server', async () => {
    const headless: EnvRef = { ...env, spec: { ...env.spec, display: 'headless' } };
    expect((await backend.openDisplay(headless, 'spice')).protocol).toBe('none');
    // As for a VM an earlier GenOS started: no spice.sock in its runtime dir. (Runs last.)
    await fs.rm(`${dataDir}/run/gui/spice.sock`);
    const err = await backend.openDisplay(env, 'spice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenosError);
    expect((err as GenosError).code).toBe('UNSUPPORTED');
    expect((err as GenosError).message).toMatch(/without a SPICE server.*restart it.*or use VNC/);
    expect((await backend.openDisplay(env, 'vnc')).protocol).toBe('vnc');
  });
});
