import fc from 'fast-check';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OneTimeTokens } from '../../../main/streams/one-time-tokens.js';
import { RingBuffer } from '../../../main/streams/ring-buffer.js';
import { readLogTail, RotatingLog } from '../../../main/streams/rotating-log.js';

describe('RingBuffer', () => {
  it('keeps exactly the last `capacity` bytes of any sequence of writes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 80 }),
        (cap, chunks, max) => {
          const ring = new RingBuffer(cap);
          for (const c of chunks) ring.write(c);
          const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          const kept = all.subarray(Math.max(0, all.length - cap));
          expect(ring.read()).toEqual(Buffer.from(kept));
          expect(ring.size).toBe(kept.length);
          expect(ring.total).toBe(all.length);
          expect(ring.read(max)).toEqual(
            Buffer.from(kept.subarray(Math.max(0, kept.length - max))),
          );
        },
      ),
    );
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('RotatingLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-log-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('appends synchronously, rotates at the cap into .1, and the tail reads across both', async () => {
    const file = path.join(dir, 'console.log');
    const log = new RotatingLog({ path: file, maxBytes: 10 });
    log.append(Buffer.from('0123456'));
    expect(await fs.readFile(file, 'utf8')).toBe('0123456'); // on disk when append returns
    log.append(Buffer.from('789abcdef'));
    expect(await fs.readFile(`${file}.1`, 'utf8')).toBe('0123456789');
    expect(await fs.readFile(file, 'utf8')).toBe('abcdef');
    log.append(Buffer.from('ghijklmnopqrstu'));
    // Two more rotations: only the last full file and the current one remain.
    expect(await fs.readFile(`${file}.1`, 'utf8')).toBe('klmnopqrst');
    expect(await fs.readFile(file, 'utf8')).toBe('u');
    expect((await readLogTail(file, 14)).toString()).toBe('klmnopqrstu');
    expect((await readLogTail(file, 3)).toString()).toBe('stu');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    await log.close();
    log.append(Buffer.from('ignored'));
    expect(log.error).toBeNull();
  });

  it('continues an existing log, counting its size', async () => {
    const file = path.join(dir, 'c.log');
    await fs.writeFile(file, '12345678');
    const log = new RotatingLog({ path: file, maxBytes: 10 });
    log.append(Buffer.from('abc'));
    expect(await fs.readFile(`${file}.1`, 'utf8')).toBe('12345678ab');
    expect(await fs.readFile(file, 'utf8')).toBe('c');
  });

  it('records a write failure once instead of throwing at the console', async () => {
    const log = new RotatingLog({ path: path.join(dir, 'missing-dir', 'x.log') });
    expect(() => log.append(Buffer.from('x'))).not.toThrow();
    expect(log.error?.message).toMatch(/ENOENT/);
  });

  it('reads an absent log as empty', async () => {
    expect((await readLogTail(path.join(dir, 'none.log'), 100)).length).toBe(0);
  });
});

describe('OneTimeTokens', () => {
  it('issues random tokens that work once and expire after the TTL', () => {
    let now = 1_000;
    const tokens = new OneTimeTokens<string>(30_000, () => now);
    const a = tokens.issue('env1');
    const b = tokens.issue('env2');
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.expiresAt).toBe(31_000);
    expect(tokens.redeem(a.token)).toEqual({ ok: true, value: 'env1' });
    expect(tokens.redeem(a.token)).toEqual({ ok: false, why: 'unknown' });
    now = 31_001;
    expect(tokens.redeem(b.token)).toEqual({ ok: false, why: 'expired' });
    expect(tokens.redeem(b.token)).toEqual({ ok: false, why: 'unknown' });
  });

  it('sweeps expired tokens and revokes by value', () => {
    let now = 0;
    const tokens = new OneTimeTokens<string>(10, () => now);
    tokens.issue('a');
    tokens.issue('b');
    now = 100;
    const c = tokens.issue('c');
    expect(tokens.size).toBe(1);
    tokens.revoke((v) => v === 'c');
    expect(tokens.redeem(c.token).ok).toBe(false);
  });
});
