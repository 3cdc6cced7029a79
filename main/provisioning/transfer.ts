import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { ChecksumAlgo } from './checksums.js';
import { DownloadError, hostOf, isAbort, isNetworkError, offlineError } from './download-errors.js';
import { httpGet } from './http-get.js';
import type { HttpResponse } from './http-response.js';
import { hashPrefix } from './ring-hasher.js';
import { streamToFile } from './stream-to-file.js';
import { partPaths, readPartState, removePart, writePartState } from './part-state.js';
import type { ProgressMeter } from './progress.js';

/**
 * One attempt at one URL: resume the .part when the sidecar says it belongs to this URL and the
 * server proves it still has the same file, else start from zero. Streams into `<dest>.part`,
 * hashing as it goes (the resumed prefix is hashed from disk first), so no second pass is needed.
 */
/** From this size (or an unknown one) the hash runs on a worker; a smaller file is hashed here,
 * where a worker's start-up would cost more than its hash. */
const WORKER_HASH_MIN_BYTES = 32 * 1024 * 1024;

export type TransferOptions = {
  url: string;
  dest: string;
  algo: ChecksumAlgo;
  meter: ProgressMeter;
  signal?: AbortSignal;
  proxy?: string;
  idleTimeoutMs?: number;
};

export type TransferResult = {
  url: string;
  hex: string;
  bytes: number;
  resumedFrom: number;
  restarts: number;
};

export async function transfer(
  o: TransferOptions,
  mayResume = true,
  restarts = 0,
): Promise<TransferResult> {
  const { part } = partPaths(o.dest);
  const { state, size } = await readPartState(o.dest);
  const validator = state?.etag ?? state?.lastModified ?? null;
  const offset = mayResume && state && state.url === o.url && validator && size > 0 ? size : 0;
  const headers: Record<string, string> = {};
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    // A server that honours If-Range answers 200 with the whole new file when it changed.
    headers['if-range'] = validator!;
  }
  let res: HttpResponse;
  try {
    ({ res } = await httpGet(o.url, {
      headers,
      signal: o.signal,
      proxy: o.proxy,
      idleTimeoutMs: o.idleTimeoutMs,
    }));
  } catch (e) {
    if (!isAbort(e, o.signal) && isNetworkError(e)) throw offlineError(o.url, e);
    throw e;
  }
  const status = res.statusCode ?? 0;
  if (status >= 500) {
    res.resume();
    throw new DownloadError(
      'server',
      `${hostOf(o.url)} answered ${status} for ${o.url}; trying a mirror or later may help.`,
    );
  }
  if (status === 416 && offset > 0) {
    res.resume();
    // Range past the end: the .part may already be whole (a crash after the last byte).
    if (state!.total === offset) return finishFromDisk(o, offset, restarts);
    await removePart(o.dest);
    return transfer(o, false, restarts + 1);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new DownloadError(
      'http',
      `${o.url} answered ${status} ${res.statusMessage ?? ''}: the file is not there — check the catalog entry or the mirror setting.`,
    );
  }
  const etag = header(res, 'etag');
  const lastModified = header(res, 'last-modified');
  let append = false;
  let total = contentLength(res);
  if (status === 206) {
    const range = parseContentRange(header(res, 'content-range'));
    const changed =
      (state?.etag && etag && etag !== state.etag) ||
      (!state?.etag && state?.lastModified && lastModified && lastModified !== state.lastModified);
    if (!range || range.start !== offset || changed || offset === 0) {
      // Not the continuation we asked for (or the file changed under us): start over, cleanly.
      res.destroy();
      if (!mayResume)
        throw new DownloadError(
          'http',
          `${o.url} answered a range nobody asked for; the server is misbehaving.`,
        );
      await removePart(o.dest);
      return transfer(o, false, restarts + 1);
    }
    append = true;
    total = range.total;
  } else if (offset > 0) {
    restarts++; // 200 to a Range request: the server ignores ranges, or the file changed
  }
  const start = append ? offset : 0;
  await writePartState(o.dest, { url: o.url, etag, lastModified, total, bytes: start });
  o.meter.start(start);
  let done: number;
  let hex: string;
  try {
    ({ bytes: done, hex } = await streamToFile(res, part, {
      append,
      start,
      algo: o.algo,
      hashInWorker: total === null || total >= WORKER_HASH_MIN_BYTES,
      onBytes: (n) => o.meter.update(n, total),
      signal: o.signal,
    }));
  } catch (e) {
    done = await fs.stat(part).then(
      (st) => st.size,
      () => start,
    );
    await writePartState(o.dest, { url: o.url, etag, lastModified, total, bytes: done }).catch(
      () => {},
    );
    if (!isAbort(e, o.signal) && isNetworkError(e)) throw interrupted(o.url, done, total);
    throw e;
  }
  if (total !== null && done !== total) throw interrupted(o.url, done, total);
  await writePartState(o.dest, { url: o.url, etag, lastModified, total, bytes: done });
  o.meter.update(done, total, true);
  return { url: o.url, hex, bytes: done, resumedFrom: start, restarts };
}

async function finishFromDisk(
  o: TransferOptions,
  size: number,
  restarts: number,
): Promise<TransferResult> {
  const hash = createHash(o.algo);
  await hashPrefix(partPaths(o.dest).part, size, hash);
  return { url: o.url, hex: hash.digest('hex'), bytes: size, resumedFrom: size, restarts };
}

function interrupted(url: string, done: number, total: number | null): DownloadError {
  const of = total !== null ? ` of ${total}` : '';
  return new DownloadError(
    'interrupted',
    `The download from ${hostOf(url)} broke off after ${done}${of} bytes; the partial file is kept and the next attempt resumes from there.`,
  );
}

function header(res: HttpResponse, name: string): string | null {
  return res.headers[name] || null;
}

function contentLength(res: HttpResponse): number | null {
  const n = Number(header(res, 'content-length'));
  return Number.isSafeInteger(n) && n >= 0 && header(res, 'content-length') !== null ? n : null;
}

export function parseContentRange(
  v: string | null,
): { start: number; end: number; total: number | null } | null {
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}
