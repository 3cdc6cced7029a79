import type { ApiErrorShape } from '../../../../../preload/contract';
import { errorShape } from '../../../state/load-status';
import type { StreamTicket } from '../stream-url';
import { streamUrl } from '../stream-url';

/**
 * Follows an environment's console log over the read-only log bridge: one ticket, one WebSocket
 * that first sends the recent output (a VM's console buffer, a container's last lines) and then
 * new output as it comes, and closes when the environment stops. No polling, and no reconnect
 * loop: a log that ended because the environment stopped has nothing more to say; the panel
 * follows again when the environment runs again.
 */

export type FollowStatus =
  | { kind: 'connecting' }
  | { kind: 'following' }
  | { kind: 'ended'; why: string }
  | { kind: 'failed'; error: ApiErrorShape };

/** What the follower needs of a WebSocket (the browser's, or a test's). */
export type LogSocket = {
  onOpen(fn: () => void): void;
  onMessage(fn: (data: ArrayBuffer | string) => void): void;
  onClose(fn: (code: number) => void): void;
  close(): void;
};

function browserSocket(url: string): LogSocket {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  return {
    onOpen: (fn) => ws.addEventListener('open', () => fn()),
    onMessage: (fn) =>
      ws.addEventListener('message', (e: MessageEvent<ArrayBuffer | string>) => fn(e.data)),
    onClose: (fn) => ws.addEventListener('close', (e) => fn(e.code)),
    close: () => ws.close(),
  };
}

export type LogFollowDeps = {
  openLogStream(): Promise<StreamTicket>;
  page: { protocol: string; host: string };
  connect?: (url: string) => LogSocket;
};

/** The text kept while following: the newest output, like the 256 KiB a refresh reads. */
export const FOLLOW_KEEP_CHARS = 512 * 1024;

export class LogFollower {
  private socket: LogSocket | null = null;
  private raw = '';
  private stopped = false;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly deps: LogFollowDeps,
    private readonly onText: (raw: string) => void,
    private readonly onStatus: (status: FollowStatus) => void,
  ) {}

  async start(): Promise<void> {
    this.onStatus({ kind: 'connecting' });
    let ticket: StreamTicket;
    try {
      ticket = await this.deps.openLogStream();
    } catch (err) {
      if (!this.stopped) this.onStatus({ kind: 'failed', error: errorShape(err) });
      return;
    }
    if (this.stopped) return;
    const url = streamUrl(ticket, this.deps.page);
    const socket = (this.deps.connect ?? browserSocket)(url);
    this.socket = socket;
    socket.onOpen(() => {
      // The stream starts with the recent output: it replaces what a refresh had shown.
      this.raw = '';
      this.onStatus({ kind: 'following' });
    });
    socket.onMessage((data) => {
      const chunk =
        typeof data === 'string'
          ? data
          : this.decoder.decode(new Uint8Array(data), { stream: true });
      this.raw = (this.raw + chunk).slice(-FOLLOW_KEEP_CHARS);
      this.onText(this.raw);
    });
    socket.onClose((code) => {
      if (this.socket === socket) this.socket = null;
      if (this.stopped) return;
      this.onStatus({
        kind: 'ended',
        why: code === 1000 ? 'the log ended' : `the stream closed (code ${code})`,
      });
    });
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = null;
  }
}
