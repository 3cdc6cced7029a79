import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { GenosError } from '../core/errors.js';
import { RingBuffer } from './ring-buffer.js';
import { RotatingLog, readLogTail } from './rotating-log.js';

/**
 * One VM's serial console: the single connection to qemu's serial socket (qemu serves one client
 * at a time), fanned out to any number of viewers. Output is also kept in a ring buffer (recent
 * output for late viewers) and in a size-capped log file (boot output readable after the fact,
 * even across app restarts). Input comes from one viewer at a time: the last to claim it.
 */

export type SerialConsoleOptions = {
  socketPath: string;
  logPath: string;
  ringBytes?: number;
  logMaxBytes?: number;
  /** How long to retry while the socket does not exist yet (qemu starting). */
  connectTimeoutMs?: number;
};

export type ViewerOptions = {
  /** Take the keyboard now (default true: the newest viewer types). */
  claimInput?: boolean;
  /** Send the ring buffer's content first, so the viewer sees the screen so far (default true). */
  replay?: boolean;
};

/** A viewer whose unread output passes this is closed rather than letting memory grow. */
const VIEWER_BACKLOG_MAX = 8 * 1024 * 1024;
const WINDOW_MAX = 64 * 1024;

export class ConsoleViewer extends Duplex {
  constructor(
    private readonly owner: SerialConsole,
    readonly viewerId: number,
  ) {
    super({ allowHalfOpen: false });
  }

  get hasInput(): boolean {
    return this.owner.inputHolder === this;
  }

  /** Takes the keyboard from whoever had it. */
  claimInput(): void {
    this.owner.claim(this);
  }

  override _read(): void {
    // Output is pushed as it arrives; nothing to pull.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    // Keystrokes from a viewer without the keyboard are dropped, not queued.
    if (this.hasInput) this.owner.send(chunk);
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.owner.detach(this);
    cb(err);
  }
}

export class SerialConsole extends EventEmitter<{
  data: [Buffer];
  close: [];
  input: [ConsoleViewer | null];
}> {
  private readonly ring: RingBuffer;
  readonly log: RotatingLog;
  private readonly viewers = new Set<ConsoleViewer>();
  private nextViewer = 1;
  inputHolder: ConsoleViewer | null = null;
  private window = '';
  private ended = false;

  private constructor(
    private readonly socket: net.Socket,
    opts: SerialConsoleOptions,
  ) {
    super();
    this.ring = new RingBuffer(opts.ringBytes ?? 256 * 1024);
    this.log = new RotatingLog({ path: opts.logPath, maxBytes: opts.logMaxBytes });
    socket.on('data', (d: Buffer) => this.onOutput(d));
    socket.on('error', () => undefined); // 'close' follows; the VM ending is not an error here
    socket.on('close', () => this.onClose());
  }

  static async open(opts: SerialConsoleOptions): Promise<SerialConsole> {
    const deadline = Date.now() + (opts.connectTimeoutMs ?? 5_000);
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(opts.socketPath);
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        return new SerialConsole(socket, opts);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() >= deadline) {
          throw new GenosError(
            'UNAVAILABLE',
            `Could not connect to the VM's serial console ${opts.socketPath}: ${(e as Error).message}.`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Bytes of output seen since the console was opened. */
  get totalBytes(): number {
    return this.ring.total;
  }

  /** The most recent output (up to the ring's capacity). */
  recent(maxBytes?: number): Buffer {
    return this.ring.read(maxBytes);
  }

  attach(opts: ViewerOptions = {}): ConsoleViewer {
    const v = new ConsoleViewer(this, this.nextViewer++);
    this.viewers.add(v);
    if (opts.replay !== false && this.ring.size > 0) v.push(this.ring.read());
    if (opts.claimInput !== false) this.claim(v);
    if (this.ended) v.push(null);
    return v;
  }

  /** Sends bytes to the guest directly (health checks, tests); viewers use their stream. */
  send(data: Uint8Array | string): void {
    if (!this.ended) this.socket.write(data);
  }

  /**
   * Resolves with the matched text once `pattern` appears in the output, searching the recent
   * output first unless `onlyNew`; rejects after `timeoutMs` or when the console closes.
   */
  waitFor(
    pattern: string | RegExp,
    timeoutMs: number,
    opts: { onlyNew?: boolean } = {},
  ): Promise<string> {
    const test = (text: string): string | null => {
      if (typeof pattern === 'string') return text.includes(pattern) ? pattern : null;
      return pattern.exec(text)?.[0] ?? null;
    };
    let seen = opts.onlyNew ? '' : this.ring.read(WINDOW_MAX).toString('latin1');
    const now = test(seen);
    if (now !== null) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.off('data', onData);
        this.off('close', onClose);
        fn();
      };
      const onData = (d: Buffer) => {
        seen = (seen + d.toString('latin1')).slice(-WINDOW_MAX);
        const m = test(seen);
        if (m !== null) done(() => resolve(m));
      };
      const onClose = () =>
        done(() =>
          reject(
            new GenosError(
              'UNAVAILABLE',
              `The console closed before "${String(pattern)}" appeared.`,
            ),
          ),
        );
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new GenosError(
                'UNAVAILABLE',
                `"${String(pattern)}" did not appear on the console within ${timeoutMs} ms.`,
              ),
            ),
          ),
        timeoutMs,
      );
      this.on('data', onData);
      this.on('close', onClose);
    });
  }

  /** Disconnects from qemu (the VM keeps running) and ends every viewer. */
  async close(): Promise<void> {
    this.socket.destroy();
    this.onClose();
    await this.log.close();
  }

  /** @internal */ claim(v: ConsoleViewer): void {
    if (!this.viewers.has(v) || this.inputHolder === v) return;
    this.inputHolder = v;
    this.emit('input', v);
  }

  /** @internal */ detach(v: ConsoleViewer): void {
    this.viewers.delete(v);
    if (this.inputHolder === v) {
      this.inputHolder = null;
      this.emit('input', null);
    }
  }

  private onOutput(d: Buffer): void {
    this.ring.write(d);
    this.log.append(d);
    for (const v of this.viewers) {
      if (v.readableLength > VIEWER_BACKLOG_MAX) {
        v.destroy(new Error('console viewer fell too far behind; reconnect to resume'));
      } else {
        v.push(d);
      }
    }
    this.emit('data', d);
  }

  private onClose(): void {
    if (this.ended) return;
    this.ended = true;
    for (const v of this.viewers) v.push(null);
    this.emit('close');
  }
}

/** The console output kept on disk for an environment (when no console is attached, or older). */
export function readConsoleLog(logPath: string, maxBytes = 256 * 1024): Promise<Buffer> {
  return readLogTail(logPath, maxBytes);
}
