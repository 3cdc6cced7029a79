import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../../../preload/contract';
import {
  DisplayController,
  screenshotName,
} from '../../../renderer/src/pages/environment/display/display-controller';
import type { RfbLike } from '../../../renderer/src/pages/environment/display/display-controller';
import { KEYSYM } from '../../../renderer/src/pages/environment/display/guest-keys';

/** noVNC's RFB as far as the controller uses it: events, options and the calls it makes. */
class FakeRfb extends EventTarget implements RfbLike {
  scaleViewport = false;
  clipViewport = true;
  keys: [number, string | null, boolean | undefined][] = [];
  disconnected = 0;
  ctrlAltDel = 0;
  constructor(readonly url: string) {
    super();
  }
  disconnect() {
    this.disconnected += 1;
  }
  focus() {}
  sendCtrlAltDel() {
    this.ctrlAltDel += 1;
  }
  sendKey(keysym: number, code: string | null, down?: boolean) {
    this.keys.push([keysym, code, down]);
  }
  toBlob(callback: (blob: Blob | null) => void) {
    callback(new Blob(['png']));
  }
}

function setup(tickets: CallResult<'openDisplay'>[]) {
  const rfbs: FakeRfb[] = [];
  const openDisplay = vi.fn(async () => tickets.shift()!);
  const controller = new DisplayController(
    {},
    {
      openDisplay,
      createRfb: (_target, url) => {
        const rfb = new FakeRfb(url);
        rfbs.push(rfb);
        return rfb;
      },
      page: { protocol: 'http:', host: 'localhost:1234' },
    },
  );
  return { controller, rfbs, openDisplay };
}

const vnc = (token: string): CallResult<'openDisplay'> => ({
  protocol: 'vnc',
  url: '/display',
  token,
  expiresAt: 0,
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DisplayController', () => {
  it('connects noVNC with the ticket’s token, scaled to fit', async () => {
    const { controller, rfbs } = setup([vnc('t1')]);
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(rfbs[0]!.url).toBe('ws://localhost:1234/display?token=t1');
    expect(rfbs[0]!.scaleViewport).toBe(true);
    rfbs[0]!.dispatchEvent(new Event('connect'));
    expect(controller.getStatus()).toEqual({ kind: 'connected' });
    controller.setScale(false);
    expect(rfbs[0]!.scaleViewport).toBe(false);
  });

  it('reconnects with a new ticket when the stream drops', async () => {
    const { controller, rfbs, openDisplay } = setup([vnc('t1'), vnc('t2')]);
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    rfbs[0]!.dispatchEvent(new Event('connect'));
    rfbs[0]!.dispatchEvent(new Event('disconnect'));
    // noVNC is already disconnected: it is not told again (it would log an error).
    expect(rfbs[0]!.disconnected).toBe(0);
    expect(controller.getStatus()).toMatchObject({ kind: 'waiting' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(openDisplay).toHaveBeenCalledTimes(2);
    expect(rfbs[1]!.url).toBe('ws://localhost:1234/display?token=t2');
  });

  it('shows why there is no display, and disconnects when stopped', async () => {
    const headless = setup([{ protocol: 'none', reason: 'This VM is headless.' }]);
    headless.controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(headless.controller.getStatus()).toEqual({
      kind: 'unavailable',
      reason: 'This VM is headless.',
    });

    const { controller, rfbs } = setup([vnc('t1')]);
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    controller.stop();
    expect(rfbs[0]!.disconnected).toBe(1);
    expect(controller.getStatus()).toEqual({ kind: 'idle' });
  });

  it('opens nothing when stopped while the ticket was on its way', async () => {
    let answer!: (ticket: CallResult<'openDisplay'>) => void;
    const rfbs: FakeRfb[] = [];
    const controller = new DisplayController(
      {},
      {
        openDisplay: () => new Promise((resolve) => (answer = resolve)),
        createRfb: (_target, url) => {
          const rfb = new FakeRfb(url);
          rfbs.push(rfb);
          return rfb;
        },
        page: { protocol: 'http:', host: 'localhost:1234' },
      },
    );
    controller.start();
    controller.stop();
    answer(vnc('t1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(rfbs).toEqual([]);
    expect(controller.getStatus()).toEqual({ kind: 'idle' });
  });

  it('types text as key presses and sends Ctrl+Alt+Del, only when connected', async () => {
    const { controller, rfbs } = setup([vnc('t1')]);
    controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.type('a')).toBe(false);
    rfbs[0]!.dispatchEvent(new Event('connect'));
    expect(controller.type('B\n')).toBe(true);
    expect(rfbs[0]!.keys).toEqual([
      [KEYSYM.shiftLeft, null, true],
      [0x42, null, true],
      [0x42, null, false],
      [KEYSYM.shiftLeft, null, false],
      [KEYSYM.return, null, true],
      [KEYSYM.return, null, false],
    ]);
    controller.sendCtrlAltDel();
    expect(rfbs[0]!.ctrlAltDel).toBe(1);
    await expect(controller.screenshot()).resolves.toBeInstanceOf(Blob);
  });

  it('names a screenshot after the environment and the local time', () => {
    expect(screenshotName('web', new Date(2026, 0, 31, 14, 5, 9))).toBe(
      'web-2026-01-31-140509.png',
    );
  });
});
