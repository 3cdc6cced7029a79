import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import type { StreamTicket } from '../stream-url';
import { streamUrl } from '../stream-url';
import { Reconnector } from '../reconnect';
import type { LinkStatus, SessionEvents, StreamSession } from '../reconnect';
import { openHttpLink } from './safe-links';
import { adoptXtermStyles } from './xterm-csp-styles';
import { BatchedWriter } from './batched-writer';

export type TerminalDeps = {
  openTerminal(): Promise<StreamTicket>;
  page: { protocol: string; host: string };
};

export const SCROLLBACK_LINES = 5000;

const THEME = {
  background: '#15181d',
  foreground: '#e6e9ee',
  cursor: '#e6e9ee',
  selectionBackground: '#3a4b6b',
};

/**
 * One environment's terminal: xterm.js (fit, search, web links) attached to the console bridge
 * over a WebSocket (binary frames both ways), reconnected with a new ticket when it drops. For a
 * VM this is its serial console, for a container a shell. Built in `mount`, gone in `dispose`.
 */
export class TerminalController {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly link: Reconnector;
  private socket: WebSocket | null = null;
  private readonly cleanups: (() => void)[] = [];
  private readonly encoder = new TextEncoder();

  constructor(private readonly deps: TerminalDeps) {
    this.term = new Terminal({
      scrollback: SCROLLBACK_LINES,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 14,
      // At 1.0 the DOM renderer's rows clip underscores (they sit below the font's descent).
      lineHeight: 1.15,
      theme: THEME,
      // OSC 8 hyperlinks: the same rule as plain-text links.
      linkHandler: {
        activate: (_event, text) => void openHttpLink(text),
        allowNonHttpProtocols: false,
      },
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new WebLinksAddon((_event, uri) => void openHttpLink(uri)));
    this.term.attachCustomKeyEventHandler((event) => this.keyFilter(event));
    const input = this.term.onData((data) => this.send(this.encoder.encode(data)));
    // Some mouse reports are bytes, not text.
    const binary = this.term.onBinary((data) =>
      this.send(Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff)),
    );
    // Every fit (and so every size change) reaches the TTY, so full-screen programs wrap right.
    const resized = this.term.onResize(() => this.sendSize());
    this.cleanups.push(
      () => input.dispose(),
      () => binary.dispose(),
      () => resized.dispose(),
    );
    this.link = new Reconnector((events) => this.open(events));
  }

  readonly subscribe = (listener: (status: LinkStatus) => void) => this.link.subscribe(listener);
  readonly getStatus = (): LinkStatus => this.link.getStatus();

  /** Puts the terminal into `container` and keeps it fitted to it. */
  mount(container: HTMLElement): void {
    const host = container.ownerDocument.createElement('div');
    host.className = 'terminal-view__host';
    this.term.open(host);
    this.cleanups.push(adoptXtermStyles(host));
    container.append(host);
    // Gone with the terminal: an empty host left behind (a switch between serial and SSH, shell
    // and attach) would push the next terminal out of view, where xterm pauses its rendering.
    this.cleanups.push(() => host.remove());
    const resize = new ResizeObserver(() => this.refit(host));
    resize.observe(host);
    this.cleanups.push(() => resize.disconnect());
    this.refit(host);
  }

  start(): void {
    this.link.start();
  }

  dispose(): void {
    this.link.stop();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.term.dispose();
  }

  findNext(query: string): boolean {
    return query !== '' && this.search.findNext(query);
  }

  findPrevious(query: string): boolean {
    return query !== '' && this.search.findPrevious(query);
  }

  clearSearch(): void {
    this.search.clearDecorations();
    this.term.clearSelection();
  }

  focus(): void {
    this.term.focus();
  }

  private refit(host: HTMLElement): void {
    // A hidden tab has no size; fitting it would ask for a 0-column terminal.
    if (host.clientWidth === 0 || host.clientHeight === 0) return;
    this.fit.fit();
  }

  private send(bytes: Uint8Array): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(bytes);
  }

  /**
   * Text frames are control messages to the bridge (bytes go as binary). A container's TTY takes
   * the size; a VM's serial console cannot be sized by the host, so the bridge ignores it there.
   */
  private sendSize(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    const { cols, rows } = this.term;
    this.socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  /**
   * Ctrl+Shift+C copies the selection; Ctrl+Shift+V is left to the browser, whose paste event
   * xterm turns into input. Plain Ctrl+C and Ctrl+V stay the guest's (interrupt, literal next).
   */
  private keyFilter(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
    if (event.code === 'KeyC') {
      const text = this.term.getSelection();
      if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
      event.preventDefault();
      return false;
    }
    return event.code !== 'KeyV';
  }

  private async open(events: SessionEvents): Promise<StreamSession> {
    const ticket = await this.deps.openTerminal();
    if (!events.active()) return { close: () => undefined };
    const socket = new WebSocket(streamUrl(ticket, this.deps.page));
    socket.binaryType = 'arraybuffer';
    let closing = false;
    socket.addEventListener('open', () => {
      // The console replays its recent output to each new viewer: start from a clean screen.
      this.term.reset();
      this.socket = socket;
      this.sendSize();
      events.opened();
    });
    const writer = new BatchedWriter((data, parsed) => this.term.write(data, parsed));
    socket.addEventListener('message', (event: MessageEvent<ArrayBuffer | string>) => {
      writer.push(
        typeof event.data === 'string'
          ? this.encoder.encode(event.data)
          : new Uint8Array(event.data),
      );
    });
    socket.addEventListener('close', (event) => {
      if (this.socket === socket) this.socket = null;
      if (!closing) events.dropped(event.reason || `the stream closed (code ${event.code})`);
    });
    return {
      close: () => {
        closing = true;
        writer.drop();
        if (this.socket === socket) this.socket = null;
        socket.close();
      },
    };
  }
}
