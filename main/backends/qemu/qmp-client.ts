import { EventEmitter } from 'node:events';
import net from 'node:net';
import { GenosError } from '../../core/errors.js';

/**
 * A QMP client over qemu's unix socket: greeting, qmp_capabilities, commands matched to replies
 * by id, asynchronous events, per-command timeouts. qemu serves one QMP client per socket at a
 * time, so the owner keeps one connection per VM and shares it.
 */

export type QmpEvent = {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
};

export type QmpGreeting = {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
};

/** A command qemu answered with an error (`{"error": {"class", "desc"}}`). */
export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command} failed: ${desc} (${errorClass})`);
    this.name = 'QmpError';
  }
}

type Pending = {
  command: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
};

export type ConnectOptions = {
  /** How long to keep retrying while the socket does not exist or refuses (qemu starting). */
  timeoutMs?: number;
  /** Default per-command timeout. */
  commandTimeoutMs?: number;
};

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connectOnce(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [Error | null] }> {
  private nextId = 1;
  private buf = '';
  private readonly pending = new Map<string, Pending>();
  private closedWith: Error | null | undefined = undefined;
  greeting: QmpGreeting | null = null;
  private greetingWaiter: ((g: QmpGreeting) => void) | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly commandTimeoutMs: number,
  ) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.shutdown(e));
    socket.on('close', () => this.shutdown(null));
  }

  /** Connects (retrying until qemu has created the socket), reads the greeting, negotiates. */
  static async connect(socketPath: string, opts: ConnectOptions = {}): Promise<QmpClient> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
    let socket: net.Socket | null = null;
    while (!socket) {
      try {
        socket = await connectOnce(socketPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (!RETRYABLE.has(code) || Date.now() >= deadline) {
          throw new GenosError(
            'UNAVAILABLE',
            `Could not reach the VM's QMP socket ${socketPath}: ${(e as Error).message}. ` +
              'Is the VM running?',
          );
        }
        await sleep(20);
      }
    }
    const client = new QmpClient(socket, opts.commandTimeoutMs ?? 30_000);
    const left = Math.max(500, deadline - Date.now());
    await client.handshake(left);
    return client;
  }

  private async handshake(timeoutMs: number): Promise<void> {
    let onClose: ((e: Error | null) => void) | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      this.greeting = await new Promise<QmpGreeting>((resolve, reject) => {
        timer = setTimeout(() => {
          reject(new GenosError('UNAVAILABLE', 'qemu sent no QMP greeting (another client?).'));
        }, timeoutMs);
        this.greetingWaiter = resolve;
        onClose = (e) =>
          reject(
            new GenosError(
              'UNAVAILABLE',
              `QMP closed during the greeting${e ? `: ${e.message}` : ''}.`,
            ),
          );
        this.once('close', onClose);
      });
      await this.execute('qmp_capabilities', undefined, { timeoutMs });
    } catch (e) {
      this.close();
      throw e;
    } finally {
      clearTimeout(timer);
      if (onClose) this.off('close', onClose);
    }
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Runs one command; resolves with its `return` value, rejects with QmpError or a timeout. */
  execute<T = unknown>(
    command: string,
    args?: Record<string, unknown>,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.closedWith !== undefined) {
      return Promise.reject(
        new GenosError('UNAVAILABLE', `QMP connection is closed; cannot run ${command}.`),
      );
    }
    const id = `genos-${this.nextId++}`;
    const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        // qemu may still answer later; the reply is then ignored (unknown id).
        this.pending.delete(id);
        reject(
          new GenosError('UNAVAILABLE', `qemu did not answer ${command} within ${timeoutMs} ms.`),
        );
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      const msg: Record<string, unknown> = { execute: command, id };
      if (args !== undefined) msg.arguments = args;
      this.socket.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** Resolves with the next event named `name` (matching `pred`), or null after `timeoutMs`. */
  waitForEvent(
    name: string,
    timeoutMs: number,
    pred?: (e: QmpEvent) => boolean,
  ): Promise<QmpEvent | null> {
    return new Promise((resolve) => {
      const done = (v: QmpEvent | null) => {
        clearTimeout(t);
        this.off('event', onEvent);
        this.off('close', onClose);
        resolve(v);
      };
      const onEvent = (e: QmpEvent) => {
        if (e.event === name && (!pred || pred(e))) done(e);
      };
      const onClose = () => done(null);
      const t = setTimeout(() => done(null), timeoutMs);
      this.on('event', onEvent);
      this.on('close', onClose);
    });
  }

  close(): void {
    this.socket.destroy();
    this.shutdown(null);
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onMessage(line);
    }
    // A peer that never sends a newline must not grow our buffer without bound.
    if (this.buf.length > 16 * 1024 * 1024) this.shutdown(new Error('QMP message too large'));
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // qemu only sends JSON; ignore anything else rather than crash
    }
    if ('QMP' in msg) {
      this.greetingWaiter?.(msg.QMP as QmpGreeting);
      this.greetingWaiter = null;
    } else if (typeof msg.event === 'string') {
      this.emit('event', msg as QmpEvent);
    } else if (typeof msg.id === 'string') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if ('error' in msg) {
        const err = (msg.error ?? {}) as { class?: string; desc?: string };
        p.reject(new QmpError(p.command, err.class ?? 'GenericError', err.desc ?? 'unknown error'));
      } else {
        p.resolve(msg.return);
      }
    }
  }

  private shutdown(err: Error | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(
        new GenosError(
          'UNAVAILABLE',
          `QMP connection closed before qemu answered ${p.command}${err ? `: ${err.message}` : ''}.`,
        ),
      );
    }
    this.pending.clear();
    this.socket.destroy();
    this.emit('close', err);
  }
}
