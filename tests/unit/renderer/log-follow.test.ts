import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../renderer/src/bridge/api-client';
import {
  FOLLOW_KEEP_CHARS,
  LogFollower,
  type FollowStatus,
  type LogSocket,
} from '../../../renderer/src/pages/environment/logs/log-follow';

/** A log socket the test drives like the bridge would. */
function fakeLogSocket() {
  const h: {
    open?: () => void;
    message?: (d: ArrayBuffer | string) => void;
    close?: (code: number) => void;
  } = {};
  const state = { url: '', closed: false };
  const socket: LogSocket = {
    onOpen: (fn) => (h.open = fn),
    onMessage: (fn) => (h.message = fn),
    onClose: (fn) => (h.close = fn),
    close: () => {
      state.closed = true;
    },
  };
  return { socket, h, state };
}

function follower(open: () => Promise<{ url: string; token: string }>) {
  const fake = fakeLogSocket();
  const texts: string[] = [];
  const statuses: FollowStatus[] = [];
  const f = new LogFollower(
    {
      openLogStream: open,
      page: { protocol: 'http:', host: '127.0.0.1:7450' },
      connect: (url) => {
        fake.state.url = url;
        return fake.socket;
      },
    },
    (t) => texts.push(t),
    (s) => statuses.push(s),
  );
  return { f, fake, texts, statuses };
}

const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

describe('following a console log over the log bridge', () => {
  it('connects with the ticket, accumulates output (split UTF-8 too), and says when the log ends', async () => {
    const { f, fake, texts, statuses } = follower(async () => ({ url: '/logs', token: 't/1' }));
    await f.start();
    expect(fake.state.url).toBe('ws://127.0.0.1:7450/logs?token=t%2F1');
    fake.h.open!();
    const euro = new TextEncoder().encode('€');
    fake.h.message!(bytes('boot ok\n'));
    fake.h.message!(euro.slice(0, 1).buffer as ArrayBuffer);
    fake.h.message!(euro.slice(1).buffer as ArrayBuffer);
    expect(texts.at(-1)).toBe('boot ok\n€');
    fake.h.close!(1000);
    expect(statuses).toEqual([
      { kind: 'connecting' },
      { kind: 'following' },
      { kind: 'ended', why: 'the log ended' },
    ]);
  });

  it('keeps only the newest output of a chatty log', async () => {
    const { f, fake, texts } = follower(async () => ({ url: '/logs', token: 't' }));
    await f.start();
    fake.h.open!();
    fake.h.message!('a'.repeat(FOLLOW_KEEP_CHARS));
    fake.h.message!('tail');
    expect(texts.at(-1)!.length).toBe(FOLLOW_KEEP_CHARS);
    expect(texts.at(-1)!.endsWith('tail')).toBe(true);
  });

  it('a refused ticket is shown as the error; stopping closes the socket and says nothing more', async () => {
    const refused = follower(async () => {
      throw new ApiError('BAD_ARGS', 'since is for container logs');
    });
    await refused.f.start();
    expect(refused.statuses.at(-1)).toEqual({
      kind: 'failed',
      error: { code: 'BAD_ARGS', message: 'since is for container logs' },
    });

    const { f, fake, statuses } = follower(async () => ({ url: '/logs', token: 't' }));
    await f.start();
    fake.h.open!();
    f.stop();
    expect(fake.state.closed).toBe(true);
    fake.h.close!(1006);
    expect(statuses.at(-1)).toEqual({ kind: 'following' });
  });
});
