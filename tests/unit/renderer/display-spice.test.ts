import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../../../preload/contract';
import { DisplayController } from '../../../renderer/src/pages/environment/display/display-controller';
import type {
  DisplayProtocol,
  RfbLike,
} from '../../../renderer/src/pages/environment/display/display-controller';
import { KEYSYM, textToKeys } from '../../../renderer/src/pages/environment/display/guest-keys';
import {
  SCANCODE,
  scancodeForKeysym,
  spiceKeyCode,
} from '../../../renderer/src/pages/environment/display/spice-keys';

/** A display client as the controller sees it (noVNC's RFB or the SPICE session). */
class FakeClient extends EventTarget implements RfbLike {
  scaleViewport = false;
  clipViewport = true;
  disconnected = 0;
  constructor(
    readonly kind: DisplayProtocol,
    readonly url: string,
  ) {
    super();
  }
  disconnect() {
    this.disconnected += 1;
  }
  focus() {}
  sendCtrlAltDel() {}
  sendKey() {}
  toBlob(callback: (blob: Blob | null) => void) {
    callback(null);
  }
}

const ticket = (protocol: DisplayProtocol, token: string): CallResult<'openDisplay'> => ({
  protocol,
  url: protocol === 'spice' ? '/spice' : '/display',
  token,
  expiresAt: 0,
});

function setup() {
  const clients: FakeClient[] = [];
  let spiceLoaded!: () => void;
  const openDisplay = vi.fn(async (protocol: DisplayProtocol) =>
    ticket(protocol, `${protocol}-${openDisplay.mock.calls.length}`),
  );
  const controller = new DisplayController(
    {},
    {
      openDisplay,
      createRfb: (_target, url) => {
        const client = new FakeClient('vnc', url);
        clients.push(client);
        return client;
      },
      // Resolves when the test says the chunk has loaded.
      createSpice: (_target, url) =>
        new Promise<RfbLike>((resolve) => {
          spiceLoaded = () => {
            const client = new FakeClient('spice', url);
            clients.push(client);
            resolve(client);
          };
        }),
      page: { protocol: 'http:', host: 'localhost:1234' },
    },
  );
  return { controller, clients, openDisplay, loadSpice: () => spiceLoaded() };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DisplayController with SPICE', () => {
  it('switches protocols: closes the VNC stream and connects spice-html5 with a SPICE ticket', async () => {
    const { controller, clients, openDisplay, loadSpice } = setup();
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(openDisplay).toHaveBeenLastCalledWith('vnc');
    clients[0]!.dispatchEvent(new Event('connect'));

    controller.setProtocol('spice');
    expect(clients[0]!.disconnected).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(openDisplay).toHaveBeenLastCalledWith('spice');
    loadSpice();
    await vi.advanceTimersByTimeAsync(0);
    expect(clients[1]!.kind).toBe('spice');
    expect(clients[1]!.url).toBe('ws://localhost:1234/spice?token=spice-2');
    expect(clients[1]!.scaleViewport).toBe(true);
    clients[1]!.dispatchEvent(new Event('connect'));
    expect(controller.getStatus()).toEqual({ kind: 'connected' });

    // Choosing the same protocol again changes nothing.
    controller.setProtocol('spice');
    expect(clients[1]!.disconnected).toBe(0);
  });

  it('disconnects a SPICE client that finished loading after the display was stopped', async () => {
    const { controller, clients, loadSpice } = setup();
    controller.setProtocol('spice'); // before start: nothing connects yet
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    controller.stop();
    loadSpice();
    await vi.advanceTimersByTimeAsync(0);
    expect(clients[0]!.disconnected).toBe(1);
    expect(controller.getStatus()).toEqual({ kind: 'idle' });
  });

  it('fails clearly when SPICE is asked of a build without the SPICE client', async () => {
    const controller = new DisplayController(
      {},
      {
        openDisplay: async () => ticket('spice', 't'),
        createRfb: () => new FakeClient('vnc', ''),
        page: { protocol: 'http:', host: 'h' },
      },
    );
    controller.setProtocol('spice');
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.getStatus()).toMatchObject({ kind: 'waiting', why: /no SPICE client/ });
    controller.stop();
  });
});

describe('SPICE key codes', () => {
  it('maps the keysyms "Type into guest" sends to US scan codes', () => {
    const codes = textToKeys('aZ1!/\n').map((key) => [scancodeForKeysym(key.keysym), key.shift]);
    expect(codes).toEqual([
      [0x1e, false],
      [0x2c, true],
      [0x02, false],
      [0x02, true],
      [0x35, false],
      [0x1c, false],
    ]);
    expect(scancodeForKeysym(KEYSYM.shiftLeft)).toBe(SCANCODE.shiftLeft);
    expect(scancodeForKeysym(0x010000e9 + 0x100)).toBeNull(); // no US key for it
  });

  it('encodes presses and releases, extended keys with their E0 prefix first', () => {
    expect(spiceKeyCode(0x1e, true)).toBe(0x1e);
    expect(spiceKeyCode(0x1e, false)).toBe(0x9e);
    expect(spiceKeyCode(SCANCODE.delete, true)).toBe(0x53e0);
    expect(spiceKeyCode(SCANCODE.delete, false)).toBe(0xd3e0);
  });
});
