import type { CallResult } from '../../../../../preload/contract';
import { Reconnector } from '../reconnect';
import type { LinkStatus, SessionEvents, StreamOpener } from '../reconnect';
import { streamUrl } from '../stream-url';
import { textToKeys, typeKeys } from './guest-keys';

/** What the controller needs of noVNC's RFB (a fake in unit tests). */
export type RfbLike = EventTarget & {
  scaleViewport: boolean;
  clipViewport: boolean;
  disconnect(): void;
  focus(): void;
  sendCtrlAltDel(): void;
  sendKey(keysym: number, code: string | null, down?: boolean): void;
  toBlob(callback: (blob: Blob | null) => void, type?: string): void;
};

export type DisplayProtocol = 'vnc' | 'spice';

/** `Target` is the element noVNC draws in (typed loosely so unit tests run without a DOM). */
export type DisplayDeps<Target> = {
  openDisplay(protocol: DisplayProtocol): Promise<CallResult<'openDisplay'>>;
  createRfb(target: Target, url: string): RfbLike;
  /** The SPICE client, behind the same face; async because it is loaded on first use. */
  createSpice?(target: Target, url: string): Promise<RfbLike>;
  page: { protocol: string; host: string };
};

/**
 * One environment's display: noVNC (or spice-html5) in `target`, kept connected by a Reconnector
 * (a new openDisplay ticket per attempt), with the toolbar's commands. Framework-free; the panel
 * owns its lifetime.
 */
export class DisplayController<Target = unknown> {
  private rfb: RfbLike | null = null;
  private scale = true;
  private protocol: DisplayProtocol = 'vnc';
  private readonly link: Reconnector;

  constructor(
    private readonly target: Target,
    private readonly deps: DisplayDeps<Target>,
  ) {
    this.link = new Reconnector((events) => this.open(events));
  }

  readonly subscribe = (listener: (status: LinkStatus) => void) => this.link.subscribe(listener);
  readonly getStatus = (): LinkStatus => this.link.getStatus();

  start(): void {
    this.link.start();
  }

  stop(): void {
    this.link.stop();
  }

  /** Switches between VNC and SPICE: the current stream closes and the other one connects. */
  setProtocol(protocol: DisplayProtocol): void {
    if (protocol === this.protocol) return;
    this.protocol = protocol;
    if (this.link.getStatus().kind !== 'idle') this.link.start();
  }

  /** Scale the guest's screen to the frame (true) or show it pixel for pixel, scrolling (false). */
  setScale(scale: boolean): void {
    this.scale = scale;
    if (this.rfb) this.applyScale(this.rfb);
  }

  sendCtrlAltDel(): void {
    this.rfb?.sendCtrlAltDel();
    this.rfb?.focus();
  }

  /** Types `text` as key presses; false when there is no connection to type into. */
  type(text: string): boolean {
    const rfb = this.rfb;
    if (!rfb || this.link.getStatus().kind !== 'connected') return false;
    typeKeys(textToKeys(text), (keysym, down) => rfb.sendKey(keysym, null, down));
    return true;
  }

  /** The current frame as a PNG, or null when there is none. */
  screenshot(): Promise<Blob | null> {
    const rfb = this.rfb;
    if (!rfb) return Promise.resolve(null);
    return new Promise((resolve) => rfb.toBlob(resolve, 'image/png'));
  }

  private applyScale(rfb: RfbLike): void {
    rfb.scaleViewport = this.scale;
    rfb.clipViewport = false;
  }

  private async open(events: SessionEvents): ReturnType<StreamOpener> {
    const ticket = await this.deps.openDisplay(this.protocol);
    if (ticket.protocol === 'none') return { unavailable: ticket.reason };
    if (!events.active()) return { close: () => undefined };
    const url = streamUrl(ticket, this.deps.page);
    let rfb: RfbLike;
    if (ticket.protocol === 'spice') {
      if (!this.deps.createSpice) throw new Error('This build has no SPICE client.');
      rfb = await this.deps.createSpice(this.target, url);
      // Stopped while the SPICE client was loading: its channels are not wanted.
      if (!events.active()) {
        rfb.disconnect();
        return { close: () => undefined };
      }
    } else {
      rfb = this.deps.createRfb(this.target, url);
    }
    this.applyScale(rfb);
    this.rfb = rfb;
    let closing = false;
    let ended = false;
    rfb.addEventListener('connect', () => events.opened());
    rfb.addEventListener('disconnect', () => {
      ended = true;
      if (this.rfb === rfb) this.rfb = null;
      if (!closing) events.dropped('the stream closed');
    });
    rfb.addEventListener('securityfailure', () => {
      if (!closing) events.dropped(`the ${ticket.protocol.toUpperCase()} handshake failed`);
    });
    return {
      close: () => {
        closing = true;
        if (this.rfb === rfb) this.rfb = null;
        // noVNC logs an error for disconnecting twice.
        if (!ended) rfb.disconnect();
      },
    };
  }
}

/** "web-2026-01-31-142501.png": the environment and the local time the frame was taken. */
export function screenshotName(envName: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `${envName}-${day}-${time}.png`;
}
