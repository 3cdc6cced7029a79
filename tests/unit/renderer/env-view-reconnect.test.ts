import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../renderer/src/bridge/api-client';
import { Reconnector, describeLink } from '../../../renderer/src/pages/environment/reconnect';
import type {
  LinkStatus,
  SessionEvents,
  StreamSession,
} from '../../../renderer/src/pages/environment/reconnect';

/** An opener whose attempts the test drives: each call is one ticket asked for. */
function scriptedOpener() {
  const attempts: { events: SessionEvents; session: StreamSession & { closed: boolean } }[] = [];
  let next: (() => Promise<never>) | null = null;
  const open = vi.fn(async (events: SessionEvents) => {
    if (next) {
      const fail = next;
      next = null;
      return fail();
    }
    const session = {
      closed: false,
      close() {
        this.closed = true;
      },
    };
    attempts.push({ events, session });
    return session;
  });
  return {
    open,
    attempts,
    failNext(error: Error) {
      next = () => Promise.reject(error);
    },
  };
}

function track(link: Reconnector): LinkStatus[] {
  const seen: LinkStatus[] = [];
  link.subscribe((status) => seen.push(status));
  return seen;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Reconnector', () => {
  it('asks for a new ticket on every attempt and backs off 1 s, 2 s, 4 s', async () => {
    const opener = scriptedOpener();
    const link = new Reconnector(opener.open, undefined, [1000, 2000, 4000]);
    const seen = track(link);
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(opener.open).toHaveBeenCalledTimes(1);

    opener.attempts[0]!.events.dropped('refused');
    expect(link.getStatus()).toMatchObject({ kind: 'waiting', attempt: 1, delayMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(opener.open).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(opener.open).toHaveBeenCalledTimes(2);

    opener.attempts[1]!.events.dropped('refused');
    expect(link.getStatus()).toMatchObject({ kind: 'waiting', attempt: 2, delayMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(opener.open).toHaveBeenCalledTimes(3);
    expect(seen.map((s) => s.kind)).toEqual([
      'connecting',
      'waiting',
      'connecting',
      'waiting',
      'connecting',
    ]);
  });

  it('starts the backoff over once a stream was up, and closes the one that dropped', async () => {
    const opener = scriptedOpener();
    const link = new Reconnector(opener.open, undefined, [1000, 2000]);
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    opener.attempts[0]!.events.dropped('refused');
    await vi.advanceTimersByTimeAsync(1000);
    opener.attempts[1]!.events.opened();
    expect(link.getStatus()).toEqual({ kind: 'connected' });
    opener.attempts[1]!.events.dropped('the stream closed');
    expect(opener.attempts[1]!.session.closed).toBe(true);
    expect(link.getStatus()).toMatchObject({ kind: 'waiting', attempt: 1, delayMs: 1000 });
  });

  it('gives up after the last delay, saying why', async () => {
    const opener = scriptedOpener();
    const link = new Reconnector(opener.open, undefined, [1000]);
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    opener.attempts[0]!.events.dropped('refused');
    await vi.advanceTimersByTimeAsync(1000);
    opener.attempts[1]!.events.dropped('refused');
    expect(link.getStatus()).toEqual({
      kind: 'failed',
      error: { code: 'UNAVAILABLE', message: 'refused (gave up after 2 attempts).' },
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(opener.open).toHaveBeenCalledTimes(2);
  });

  it('stops at a refusal that waiting cannot fix (not running), and retries other errors', async () => {
    const opener = scriptedOpener();
    const link = new Reconnector(opener.open, undefined, [1000]);
    opener.failNext(new ApiError('UNAVAILABLE', 'the bridge is busy'));
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(link.getStatus()).toMatchObject({ kind: 'waiting', why: 'the bridge is busy' });

    opener.failNext(new ApiError('CONFLICT', 'web is stopped: start it to see its display.'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(link.getStatus()).toEqual({
      kind: 'failed',
      error: { code: 'CONFLICT', message: 'web is stopped: start it to see its display.' },
    });
    expect(describeLink(link.getStatus(), 'display')).toBe(
      'web is stopped: start it to see its display.',
    );
  });

  it('reports a stream the environment does not have, without retrying', async () => {
    const link = new Reconnector(async () => ({ unavailable: 'This VM is headless.' }));
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(link.getStatus()).toEqual({ kind: 'unavailable', reason: 'This VM is headless.' });
  });

  it('closes a session that arrives after stop, and ignores its events', async () => {
    let resolve!: (session: StreamSession) => void;
    let events!: SessionEvents;
    const late = { closed: false, close: vi.fn() };
    const link = new Reconnector(
      (e) =>
        new Promise((r) => {
          events = e;
          resolve = r;
        }),
    );
    link.start();
    link.stop();
    resolve(late);
    await vi.advanceTimersByTimeAsync(0);
    expect(late.close).toHaveBeenCalled();
    events.opened();
    events.dropped('late');
    expect(link.getStatus()).toEqual({ kind: 'idle' });
  });

  it('describes each state for the status line', () => {
    expect(describeLink({ kind: 'connecting', attempt: 1 }, 'display')).toBe(
      'Connecting to the display…',
    );
    expect(describeLink({ kind: 'connecting', attempt: 3 }, 'serial console')).toBe(
      'Reconnecting to the serial console (attempt 3)…',
    );
    expect(
      describeLink({ kind: 'waiting', attempt: 1, delayMs: 2000, why: 'refused' }, 'shell'),
    ).toBe('The shell connection dropped (refused); retrying in 2 s…');
  });
});
