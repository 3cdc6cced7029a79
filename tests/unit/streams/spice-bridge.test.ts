import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SpiceBridge } from '../../../main/streams/spice-bridge.js';
import { startStreamServer, type StreamServer } from '../../../main/streams/stream-server.js';
import { WindowedTokens } from '../../../main/streams/windowed-tokens.js';

/**
 * The SPICE bridge without a VM: a unix server that answers each connection with its own
 * number, so a test sees which connections reached the socket. Tokens open several connections
 * (one per SPICE channel) within a window after the first, up to a count, for one environment.
 */

async function fakeSpice(file: string) {
  let n = 0;
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write(`conn ${++n}`);
  });
  await new Promise<void>((r) => server.listen(file, () => r()));
  return server;
}

type Outcome = { status: number; first?: string; ws?: WebSocket; body?: string };

function connect(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary'], { headers });
    ws.once('message', (d: Buffer) => resolve({ status: 101, first: d.toString(), ws }));
    ws.on('unexpected-response', (_q, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

describe('WindowedTokens', () => {
  it('opens up to maxUses connections within the window after the first use', () => {
    let now = 1_000;
    const t = new WindowedTokens<string>({ ttlMs: 30, windowMs: 100, maxUses: 3, now: () => now });
    const { token, expiresAt } = t.issue('env1');
    expect(expiresAt).toBe(1_030);
    now = 1_020;
    expect(t.redeem(token)).toEqual({ ok: true, value: 'env1' });
    now = 1_110; // past the unused lifetime, inside the window opened by the first use
    expect(t.redeem(token)).toEqual({ ok: true, value: 'env1' });
    expect(t.redeem(token)).toEqual({ ok: true, value: 'env1' });
    expect(t.redeem(token)).toEqual({ ok: false, why: 'unknown' }); // used up
    expect(t.size).toBe(0);
  });

  it('expires unused tokens and closes the window', () => {
    let now = 0;
    const t = new WindowedTokens<string>({ ttlMs: 30, windowMs: 100, maxUses: 9, now: () => now });
    const unused = t.issue('a').token;
    const used = t.issue('b').token;
    expect(t.redeem(used).ok).toBe(true);
    now = 31;
    expect(t.redeem(unused)).toEqual({ ok: false, why: 'expired' });
    expect(t.redeem(used).ok).toBe(true);
    now = 101;
    expect(t.redeem(used)).toEqual({ ok: false, why: 'expired' });
    expect(t.redeem(used)).toEqual({ ok: false, why: 'unknown' });
  });

  it('revokes by value and makes distinct 256-bit tokens', () => {
    const t = new WindowedTokens<string>({ ttlMs: 1_000, windowMs: 1_000, maxUses: 2 });
    const a = t.issue('a').token;
    const b = t.issue('b').token;
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    t.revoke((v) => v === 'a');
    expect(t.redeem(a).ok).toBe(false);
    expect(t.redeem(b).ok).toBe(true);
  });
});

describe('SpiceBridge', () => {
  let dir: string;
  let sock: string;
  let spice: net.Server;
  let bridge: SpiceBridge;
  let server: StreamServer;
  let now = 0;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-sp-'));
    sock = path.join(dir, 'spice.sock');
    spice = await fakeSpice(sock);
    now = Date.now();
    bridge = new SpiceBridge({
      now: () => now,
      maxConnections: 4,
      allowOrigin: (o) => o === undefined || o === 'http://ok',
    });
    server = await startStreamServer([bridge]);
  });
  afterEach(async () => {
    bridge.close();
    await server.close();
    await new Promise((r) => spice.close(r));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lets one token open a connection per channel, up to its count, with "binary"', async () => {
    const { path: p, token } = bridge.issueSpiceToken('e1', sock);
    expect(p).toBe(`/spice?token=${encodeURIComponent(token)}`);
    const url = `${server.origin}${p}`;
    const opened: Outcome[] = [];
    for (let i = 0; i < 4; i++) opened.push(await connect(url));
    expect(opened.map((o) => o.first)).toEqual(['conn 1', 'conn 2', 'conn 3', 'conn 4']);
    expect(opened.every((o) => o.ws?.protocol === 'binary')).toBe(true);
    expect(bridge.sessionCount).toBe(4);
    const fifth = await connect(url);
    expect(fifth.status).toBe(403);
    expect(fifth.body).toMatch(/used up: ask openDisplay/);
    for (const o of opened) o.ws?.close();
  });

  it('refuses a missing, unknown or expired token and a foreign origin', async () => {
    expect((await connect(`${server.origin}/spice`)).status).toBe(401);
    expect((await connect(`${server.origin}/spice?token=nope`)).status).toBe(403);
    const late = bridge.issueSpiceToken('e1', sock);
    now += 31_000;
    const expired = await connect(`${server.origin}${late.path}`);
    expect(expired.status).toBe(403);
    expect(expired.body).toMatch(/expired/);
    const fresh = bridge.issueSpiceToken('e1', sock);
    const foreign = await connect(`${server.origin}${fresh.path}`, { origin: 'http://evil' });
    expect(foreign.status).toBe(403);
    // The refused origin did not spend a use: the token still works from the page's origin.
    const ok = await connect(`${server.origin}${fresh.path}`, { origin: 'http://ok' });
    expect(ok.status).toBe(101);
    ok.ws?.close();
  });

  it('closes the window 30 s after the first connection', async () => {
    const { path: p } = bridge.issueSpiceToken('e1', sock);
    const first = await connect(`${server.origin}${p}`);
    now += 29_000;
    const second = await connect(`${server.origin}${p}`);
    now += 2_000;
    const third = await connect(`${server.origin}${p}`);
    expect([first.status, second.status, third.status]).toEqual([101, 101, 403]);
    first.ws?.close();
    second.ws?.close();
  });

  it('ends the sessions and tokens of a stopped environment only', async () => {
    const a = bridge.issueSpiceToken('a', sock);
    const b = bridge.issueSpiceToken('b', sock);
    const wa = await connect(`${server.origin}${a.path}`);
    const wb = await connect(`${server.origin}${b.path}`);
    const closed = new Promise<number>((r) => wa.ws!.once('close', (code) => r(code)));
    bridge.closeEnv('a');
    expect(await closed).toBe(1001);
    expect((await connect(`${server.origin}${a.path}`)).status).toBe(403);
    expect(wb.ws?.readyState).toBe(WebSocket.OPEN);
    wb.ws?.close();
  });

  it('answers 502 without the socket path when the VM has no SPICE socket', async () => {
    const { path: p } = bridge.issueSpiceToken('e1', path.join(dir, 'gone.sock'));
    const r = await connect(`${server.origin}${p}`);
    expect(r.status).toBe(502);
    expect(r.body).toMatch(/not available/);
    expect(r.body).not.toContain('gone.sock');
  });
});
