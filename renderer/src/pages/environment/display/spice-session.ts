import { SpiceMainConn, type SpiceWireMessage } from '@spice-project/spice-html5';
import { keycode_to_end_scan } from '@spice-project/spice-html5/src/utils.js';
import type { RfbLike } from './display-controller';
import { SCANCODE, scancodeForKeysym, spiceKeyCode } from './spice-keys';

/**
 * spice-html5 behind the face the display controller knows from noVNC (RfbLike): 'connect' and
 * 'disconnect' events, scaling, Ctrl+Alt+Del, key presses, a PNG of the frame. This module is
 * loaded on demand (dynamic import), so neither it nor spice-html5 is in the initial bundle.
 *
 * Under the page's CSP: spice-html5 sets styles only through element.style (allowed; the one
 * setAttribute('style') is for VP8 video streams, which qemu's SPICE server never sends: its
 * streaming-video default is off), and uses no eval.
 */

const MSGC_INPUTS_KEY_DOWN = 101;
const MSGC_INPUTS_KEY_UP = 102;
/**
 * Gap between generated key events. qemu's SPICE server pushes scan codes straight into the
 * guest's PS/2 queue (16 bytes), so a burst drops keys; its VNC server paces them itself
 * (key-delay-ms, 10 ms by default). Measured: a 30-character line arrives intact at 5-10 ms.
 */
const KEY_GAP_MS = 10;

/** SPICE_MSGC_INPUTS_KEY_DOWN/UP with a mini header (type u16, size u32), then the code (u32). */
function keyMessage(down: boolean, code: number): SpiceWireMessage {
  return {
    buffer_size: () => 10,
    to_buffer(buffer, at = 0) {
      const view = new DataView(buffer);
      view.setUint16(at, down ? MSGC_INPUTS_KEY_DOWN : MSGC_INPUTS_KEY_UP, true);
      view.setUint32(at + 2, 4, true);
      view.setUint32(at + 6, code, true);
      return at + 10;
    },
  };
}

let sessions = 0;

export class SpiceSession extends EventTarget implements RfbLike {
  clipViewport = false;
  private scale = true;
  private ended = false;
  private readonly screen: HTMLDivElement;
  private readonly conn: SpiceMainConn;
  private readonly observers: Array<{ disconnect(): void }> = [];
  private readonly keys: Array<{ down: boolean; code: number }> = [];
  private keyTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly target: HTMLElement,
    url: string,
  ) {
    super();
    const doc = target.ownerDocument;
    this.screen = doc.createElement('div');
    // spice-html5 finds its screen with getElementById.
    this.screen.id = `genos-spice-screen-${++sessions}`;
    this.screen.className = 'spice-screen';
    // spice-html5 alert()s for a key it has no scan code for (media keys, ...): stop those
    // before they reach its listeners on the canvas.
    const guard = (event: KeyboardEvent) => {
      if (keycode_to_end_scan(event.keyCode) === 0) {
        event.stopPropagation();
        event.preventDefault();
      }
    };
    this.screen.addEventListener('keydown', guard, true);
    this.screen.addEventListener('keyup', guard, true);
    target.append(this.screen);

    const resize = new ResizeObserver(() => this.applyScale());
    resize.observe(target);
    // The canvas appears (and is replaced on a mode change) when a surface arrives.
    const surfaces = new MutationObserver(() => this.applyScale());
    surfaces.observe(this.screen, { childList: true });
    this.observers.push(resize, surfaces);

    try {
      this.conn = new SpiceMainConn({
        uri: url,
        password: '',
        screen_id: this.screen.id,
        onsuccess: () => this.dispatchEvent(new Event('connect')),
        onerror: () => this.end(),
        onagent: (conn) => this.fitGuest(conn),
      });
    } catch (err) {
      this.teardown();
      throw err;
    }
  }

  get scaleViewport(): boolean {
    return this.scale;
  }

  set scaleViewport(scale: boolean) {
    this.scale = scale;
    this.applyScale();
  }

  disconnect(): void {
    this.end();
  }

  focus(): void {
    this.canvas()?.focus();
  }

  sendCtrlAltDel(): void {
    for (const code of [SCANCODE.ctrlLeft, SCANCODE.altLeft, SCANCODE.delete])
      this.press(code, true);
    for (const code of [SCANCODE.delete, SCANCODE.altLeft, SCANCODE.ctrlLeft])
      this.press(code, false);
  }

  sendKey(keysym: number, _code: string | null, down = true): void {
    const scancode = scancodeForKeysym(keysym);
    if (scancode !== null) this.press(scancode, down);
  }

  toBlob(callback: (blob: Blob | null) => void, type?: string): void {
    const canvas = this.canvas();
    if (canvas) canvas.toBlob(callback, type);
    else callback(null);
  }

  /** Queues a generated key event; they go out KEY_GAP_MS apart. */
  private press(scancode: number, down: boolean): void {
    this.keys.push({ down, code: spiceKeyCode(scancode, down) });
    if (this.keyTimer === null) this.sendNextKey();
  }

  private sendNextKey(): void {
    this.keyTimer = null;
    const next = this.keys.shift();
    const inputs = this.conn.inputs;
    if (!next || this.ended) return;
    if (inputs?.state === 'ready') inputs.send_msg(keyMessage(next.down, next.code));
    this.keyTimer = setTimeout(() => this.sendNextKey(), KEY_GAP_MS);
  }

  private canvas(): HTMLCanvasElement | null {
    return this.screen.querySelector('canvas');
  }

  /** With the agent in the guest, ask for a screen the size of the frame (multiples of 8). */
  private fitGuest(conn: SpiceMainConn): void {
    const width = this.target.clientWidth - (this.target.clientWidth % 8);
    const height = this.target.clientHeight - (this.target.clientHeight % 8);
    if (width > 0 && height > 0) conn.resize_window(0, width, height, 32, 0, 0);
  }

  /**
   * Scale with a transform rather than by sizing the canvas: spice-html5 reads pointer positions
   * from offsetX/offsetY, which a transform keeps in the canvas's own pixels.
   */
  private applyScale(): void {
    const canvas = this.canvas();
    const style = this.screen.style;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return;
    style.width = `${canvas.width}px`;
    if (this.scale) {
      const k = Math.min(
        this.target.clientWidth / canvas.width,
        this.target.clientHeight / canvas.height,
      );
      style.transformOrigin = '0 0';
      style.transform = `scale(${k})`;
      this.target.style.overflow = 'hidden';
    } else {
      style.transform = '';
      this.target.style.overflow = 'auto';
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.conn.stop();
    } catch {
      // stop() removes the canvases it finds by id in the document; when the panel has already
      // left the document (React unmounts before it cleans up) it throws half-way, before
      // closing the main channel. The other channels are closed by then.
      this.conn.cleanup();
    }
    this.teardown();
    this.dispatchEvent(new Event('disconnect'));
  }

  private teardown(): void {
    if (this.keyTimer !== null) clearTimeout(this.keyTimer);
    this.keys.length = 0;
    for (const observer of this.observers) observer.disconnect();
    this.screen.remove();
    this.target.style.overflow = '';
  }
}

/** What the panel imports on demand. */
export function createSpiceSession(target: HTMLElement, url: string): SpiceSession {
  return new SpiceSession(target, url);
}
