import type { ApiErrorShape, ErrorCode } from '../../../../preload/contract';
import { errorShape } from '../../state/load-status';

/**
 * Keeps one stream (a display or a terminal) connected: asks for a ticket, opens the stream, and
 * when it drops waits (1 s, 2 s, 4 s, ...) and asks again. Every attempt asks for a NEW ticket:
 * tickets are one-time, so a used one can never reconnect. Refusals that waiting cannot fix (the
 * environment is not running, is gone, cannot have this stream) end the loop and are shown.
 */

export type LinkStatus =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected' }
  | { kind: 'waiting'; attempt: number; delayMs: number; why: string }
  /** The environment has no such stream (a headless VM, a container's display): why not. */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; error: ApiErrorShape };

export type StreamSession = { close(): void };

export type SessionEvents = {
  /** False once this attempt no longer counts (stopped meanwhile): open nothing more. */
  active(): boolean;
  /** The stream is up (for a display: the VNC handshake finished). Resets the backoff. */
  opened(): void;
  /** The stream ended without being asked to; the reconnector decides what comes next. */
  dropped(why: string): void;
};

/**
 * One attempt: ask for a ticket and start connecting; report progress through `events`. An
 * attempt stopped while its ticket was on the way should open nothing (check `events.active()`).
 */
export type StreamOpener = (
  events: SessionEvents,
) => Promise<StreamSession | { unavailable: string }>;

/** Waits before each retry; after the last one the reconnector gives up (a button can retry). */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000, 15_000];

/** Codes that another attempt would only repeat. */
const FINAL_CODES: ReadonlySet<ErrorCode> = new Set([
  'BAD_ARGS',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNSUPPORTED',
]);

export type Clock = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const realClock: Clock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Reconnector {
  private status: LinkStatus = { kind: 'idle' };
  private session: StreamSession | null = null;
  private timer: unknown = null;
  /** Failed attempts since the stream was last up. */
  private attempt = 0;
  /** Bumped whenever an attempt stops counting, so its late callbacks are ignored. */
  private generation = 0;
  private readonly listeners = new Set<(status: LinkStatus) => void>();

  constructor(
    private readonly open: StreamOpener,
    private readonly clock: Clock = realClock,
    private readonly delays: readonly number[] = RETRY_DELAYS_MS,
  ) {}

  readonly subscribe = (listener: (status: LinkStatus) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getStatus = (): LinkStatus => this.status;

  /** Connects now (again), forgetting earlier failures. */
  start(): void {
    this.halt();
    this.attempt = 0;
    void this.connect();
  }

  /** Closes the stream and stops retrying. */
  stop(): void {
    this.halt();
    this.set({ kind: 'idle' });
  }

  private halt(): void {
    this.generation += 1;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.session?.close();
    this.session = null;
  }

  private set(status: LinkStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }

  private async connect(): Promise<void> {
    this.timer = null;
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.attempt += 1;
    this.set({ kind: 'connecting', attempt: this.attempt });
    let result: StreamSession | { unavailable: string };
    try {
      result = await this.open({
        active: current,
        opened: () => {
          if (!current()) return;
          this.attempt = 0;
          this.set({ kind: 'connected' });
        },
        dropped: (why) => {
          if (!current()) return;
          this.generation += 1;
          this.session?.close();
          this.session = null;
          this.retry(why);
        },
      });
    } catch (err) {
      if (!current()) return;
      const error = errorShape(err);
      if (FINAL_CODES.has(error.code)) this.set({ kind: 'failed', error });
      else this.retry(error.message);
      return;
    }
    if (!current()) {
      // Stopped (or dropped) while the ticket was on its way: this session is not wanted.
      if ('close' in result) result.close();
      return;
    }
    if ('unavailable' in result) this.set({ kind: 'unavailable', reason: result.unavailable });
    else this.session = result;
  }

  private retry(why: string): void {
    // A stream that was up and dropped counts as the first failure of a new series.
    this.attempt = Math.max(this.attempt, 1);
    const delay = this.delays[this.attempt - 1];
    if (delay === undefined) {
      this.set({
        kind: 'failed',
        error: {
          code: 'UNAVAILABLE',
          message: `${why} (gave up after ${this.attempt} attempts).`,
        },
      });
      return;
    }
    this.set({
      kind: 'waiting',
      attempt: this.attempt,
      delayMs: delay,
      why,
    });
    this.timer = this.clock.setTimeout(() => void this.connect(), delay);
  }
}

/** The status in words, for a status line. */
export function describeLink(status: LinkStatus, what: string): string {
  switch (status.kind) {
    case 'idle':
      return '';
    case 'connecting':
      return status.attempt > 1
        ? `Reconnecting to the ${what} (attempt ${status.attempt})…`
        : `Connecting to the ${what}…`;
    case 'connected':
      return 'Connected';
    case 'waiting':
      return `The ${what} connection dropped (${status.why}); retrying in ${Math.round(status.delayMs / 1000)} s…`;
    case 'unavailable':
      return status.reason;
    case 'failed':
      return status.error.message;
  }
}
