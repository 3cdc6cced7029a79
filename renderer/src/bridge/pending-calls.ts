import type { ApiErrorShape, Envelope } from '../../../preload/contract';

export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

type Pending = {
  call: string;
  resolve: (reply: Envelope<unknown>) => void;
  timer: unknown;
};

/**
 * Calls sent (or waiting to be sent) over the socket, by request id. Every entry ends exactly
 * once: with the server's reply, with a timeout, or when the connection goes away.
 */
export class PendingCalls {
  private nextId = 1;
  private readonly byId = new Map<number, Pending>();

  constructor(
    private readonly timers: Timers,
    private readonly timeoutMs: number,
  ) {}

  add(call: string, resolve: (reply: Envelope<unknown>) => void): number {
    const id = this.nextId++;
    const timer = this.timers.setTimeout(() => {
      this.settle(id, {
        error: {
          code: 'UNAVAILABLE',
          message: `No reply to ${call} within ${Math.round(this.timeoutMs / 1000)} s; the server may be busy or gone.`,
        },
      });
    }, this.timeoutMs);
    this.byId.set(id, { call, resolve, timer });
    return id;
  }

  /** The name of the call waiting under this id, if any. */
  callOf(id: number): string | undefined {
    return this.byId.get(id)?.call;
  }

  settle(id: number, reply: Envelope<unknown>): boolean {
    const entry = this.byId.get(id);
    if (!entry) return false;
    this.byId.delete(id);
    this.timers.clearTimeout(entry.timer);
    entry.resolve(reply);
    return true;
  }

  /** Ends every waiting call with an error built from its call name. */
  failAll(error: (call: string) => ApiErrorShape): void {
    for (const [id, entry] of [...this.byId]) this.settle(id, { error: error(entry.call) });
  }

  get size(): number {
    return this.byId.size;
  }
}
