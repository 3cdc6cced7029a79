import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonLines } from '../../../main/backends/docker/json-lines.js';
import { PullProgress, waysToGetImage } from '../../../main/backends/docker/pull.js';

const fixture = (name: string) =>
  fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

/** The recorded stream cut into awkward chunks, as a socket delivers it. */
function chunked(text: string, size: number): Readable {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return Readable.from(parts);
}

describe('PullProgress on a recorded pull', () => {
  it('folds per-layer progress into one monotonic figure', async () => {
    const agg = new PullProgress();
    const seen: Array<{ done: number; total: number; message: string }> = [];
    await readJsonLines(chunked(fixture('pull-two-layers.jsonl'), 37), (o) => {
      agg.feed(o);
      const s = agg.summary();
      seen.push({ done: s.doneBytes, total: s.totalBytes, message: s.message });
    });
    const final = agg.summary();
    expect(final.layers).toBe(3);
    expect(final.complete).toBe(3);
    // "Already exists" has no size; the two downloaded layers are fully counted.
    expect(final.totalBytes).toBe(3_512_000 + 12_800_000);
    expect(final.doneBytes).toBe(final.totalBytes);
    expect(final.message).toMatch(/^layer \S+ complete( \d+\/\d+ bytes)?; 3\/3 layers complete$/);
    // Each message names the layer that moved, with its bytes once its size is known.
    expect(seen.some((s) => /^layer \S+ downloading \d+\/\d+ bytes; /.test(s.message))).toBe(true);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    }
    expect(seen.some((s) => s.message.includes('extracting'))).toBe(true);
    expect(agg.lastStatus).toMatch(/Downloaded newer image/);
  });

  it('tracks one layer through its phases', () => {
    const agg = new PullProgress();
    agg.feed({ status: 'Pulling fs layer', id: 'l1', progressDetail: {} });
    expect(agg.layers.get('l1')).toEqual({ phase: 'waiting', current: 0, total: null });
    agg.feed({ status: 'Downloading', id: 'l1', progressDetail: { current: 10, total: 100 } });
    expect(agg.layers.get('l1')).toEqual({ phase: 'downloading', current: 10, total: 100 });
    // A retry restarting the count never moves the bar backwards.
    agg.feed({ status: 'Downloading', id: 'l1', progressDetail: { current: 5, total: 100 } });
    expect(agg.layers.get('l1')?.current).toBe(10);
    agg.feed({ status: 'Download complete', id: 'l1' });
    expect(agg.layers.get('l1')).toEqual({ phase: 'downloaded', current: 100, total: 100 });
    agg.feed({ status: 'Extracting', id: 'l1', progressDetail: { current: 1, total: 100 } });
    expect(agg.layers.get('l1')?.phase).toBe('extracting');
    agg.feed({ status: 'Pull complete', id: 'l1' });
    expect(agg.summary()).toMatchObject({ complete: 1, doneBytes: 100, totalBytes: 100 });
  });

  it("throws the engine's error", async () => {
    const agg = new PullProgress();
    await expect(
      readJsonLines(chunked(fixture('pull-error.jsonl'), 50), (o) => agg.feed(o)),
    ).rejects.toThrow(/no such host/);
  });

  it('names the ways to get an image offline', () => {
    const w = waysToGetImage('debian:12');
    expect(w).toMatch(/docker save debian:12/);
    expect(w).toMatch(/docker load -i/);
    expect(w).toMatch(/docker pull debian:12/);
  });
});

describe('readJsonLines', () => {
  it('parses objects split across chunks, skips non-JSON lines and arrays', async () => {
    const got: unknown[] = [];
    await readJsonLines(chunked('{"a":1}\r\n{"b"\n:2}\nnot json\n[1]\n{"c":3}', 3), (o) =>
      got.push(o),
    );
    expect(got).toEqual([{ a: 1 }, { c: 3 }]);
  });

  it('stops with AbortError when the signal aborts', async () => {
    const ac = new AbortController();
    const endless = new Readable({ read() {} });
    endless.push('{"x":1}\n');
    const p = readJsonLines(endless, () => ac.abort(), ac.signal);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
