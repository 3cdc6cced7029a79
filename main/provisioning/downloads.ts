import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveChecksum, type ChecksumSource } from './checksum-fetch.js';
import type { Checksum } from './checksums.js';
import { DownloadError, fileNameOf, hostOf, isAbort } from './download-errors.js';
import { checkScheme } from './http-get.js';
import { partPaths, removePart } from './part-state.js';
import { ProgressMeter, type DownloadProgress } from './progress.js';
import { transfer, type TransferResult } from './transfer.js';

/**
 * Downloads one file to `dest`, resumable across app restarts and verified before it gets its
 * final name: until the digest matches, the bytes live only in `<dest>.part` (+ the sidecar
 * `<dest>.part.json`), so a partial or corrupt file is never mistaken for a complete one.
 *
 * - resume: a later call finds the .part and asks for the rest (Range + If-Range); a server that
 *   answers 200, a wrong Content-Range or a changed ETag/Last-Modified makes it start over.
 * - mirrors: `[url, ...mirrors]` in order, moving on after a connection error or a 5xx.
 * - a connection that breaks mid-stream is resumed up to `retries` times within the call.
 * - cancel (signal): the .part is KEPT for a later resume, unless `discard` is set.
 * - a full disk (ENOSPC) removes the .part: nothing half-written stays behind.
 */
export type DownloadOptions = {
  url: string;
  dest: string;
  /** A hex digest (64 = SHA-256, 128 = SHA-512) or the distro's checksum file. Without it the
   * SHA-256 is computed and returned, but nothing is verified. */
  sha256?: ChecksumSource;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Alternative full URLs of the same file, tried after `url`. */
  mirrors?: string[];
  /** http://[user:pass@]host:port */
  proxy?: string;
  /** On cancel, delete the .part instead of keeping it for a resume. */
  discard?: boolean;
  /** Resumes within this call after a broken connection (default 3). */
  retries?: number;
  idleTimeoutMs?: number;
};

export type DownloadResult = {
  path: string;
  bytes: number;
  /** The digest of the file: the expected algorithm's, else SHA-256. */
  checksum: Checksum;
  verified: boolean;
  /** The URL (primary or mirror) that served the bytes. */
  url: string;
  /** Bytes that were already in the .part when the last transfer resumed (0: from scratch). */
  resumedFrom: number;
  /** How often the .part was thrown away because the server could not continue it. */
  restarts: number;
};

export async function download(o: DownloadOptions): Promise<DownloadResult> {
  const name = path.basename(o.dest);
  const urls = [o.url, ...(o.mirrors ?? [])];
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new DownloadError(
        'http',
        `${u} is not a valid URL; check the catalog entry or the mirror setting.`,
      );
    }
    checkScheme(parsed);
  }
  await fs.mkdir(path.dirname(o.dest), { recursive: true });
  const meter = new ProgressMeter(o.onProgress);
  try {
    const expected = o.sha256 !== undefined ? await resolveChecksum(o.sha256, o.url, o) : null;
    const algo = expected?.algo ?? 'sha256';
    const got = await withRetries(o, urls, (url) =>
      transfer({
        url,
        dest: o.dest,
        algo,
        meter,
        signal: o.signal,
        proxy: o.proxy,
        idleTimeoutMs: o.idleTimeoutMs,
      }),
    );
    meter.stage('verify', got.bytes, got.bytes);
    const { part, sidecar } = partPaths(o.dest);
    if (expected && expected.hex !== got.hex) {
      await removePart(o.dest);
      throw new DownloadError(
        'checksum',
        `The download of ${name} is corrupt: expected ${algo} ${expected.hex}, got ${got.hex}. The bad file was deleted; download it again or try a mirror.`,
      );
    }
    // Durable before it is visible: after a power cut the final name never holds missing bytes.
    const fh = await fs.open(part, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(part, o.dest);
    await syncDir(path.dirname(o.dest));
    await fs.rm(sidecar, { force: true });
    return {
      path: o.dest,
      bytes: got.bytes,
      checksum: { algo, hex: got.hex },
      verified: expected !== null,
      url: got.url,
      resumedFrom: got.resumedFrom,
      restarts: got.restarts,
    };
  } catch (e) {
    throw await settleFailure(e, o, name);
  }
}

async function withRetries(
  o: DownloadOptions,
  urls: string[],
  attempt: (url: string) => Promise<TransferResult>,
): Promise<TransferResult> {
  const retries = o.retries ?? 3;
  for (let round = 0; ; round++) {
    try {
      return await tryMirrors(urls, attempt, o.signal);
    } catch (e) {
      if (!(e instanceof DownloadError) || e.failure !== 'interrupted' || round >= retries) throw e;
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** round, 2000)));
      if (o.signal?.aborted) throw e;
    }
  }
}

async function tryMirrors(
  urls: string[],
  attempt: (url: string) => Promise<TransferResult>,
  signal?: AbortSignal,
): Promise<TransferResult> {
  const failures: DownloadError[] = [];
  for (const url of urls) {
    try {
      return await attempt(url);
    } catch (e) {
      if (isAbort(e, signal)) throw e;
      if (e instanceof DownloadError && (e.failure === 'offline' || e.failure === 'server')) {
        failures.push(e);
        continue;
      }
      throw e;
    }
  }
  if (failures.length === 1 || failures.every((f) => f.failure === failures[0]!.failure))
    throw failures[0]!.failure === 'offline' && urls.length > 1
      ? new DownloadError(
          'offline',
          `offline: could not reach ${urls.map(hostOf).join(', ')} — drop the file ${fileNameOf(urls[0]!)} onto GenOS instead, or try again when the network is back.`,
        )
      : failures[0]!;
  throw failures[0]!;
}

/** Turns what went wrong into the one error the caller sees, cleaning up where that is right. */
async function settleFailure(e: unknown, o: DownloadOptions, name: string): Promise<unknown> {
  if (isAbort(e, o.signal)) {
    const { part } = partPaths(o.dest);
    if (o.discard) {
      await removePart(o.dest);
      return new DownloadError('cancelled', `The download of ${name} was cancelled.`);
    }
    const size = await fs.stat(part).then(
      (s) => s.size,
      () => 0,
    );
    return new DownloadError(
      'cancelled',
      `The download of ${name} was cancelled; the ${size} bytes so far are kept in ${part} and the next download resumes from there.`,
    );
  }
  if ((e as { code?: unknown } | null)?.code === 'ENOSPC') {
    await removePart(o.dest).catch(() => {});
    return new DownloadError(
      'no-space',
      `The disk holding ${path.dirname(o.dest)} is full, so ${name} could not be saved; the partial file was removed. Free some space (or move the GenOS data directory) and download again.`,
    );
  }
  return e;
}

/** The rename itself is durable only once its directory is: else a power cut could bring the
 * .part back beside the catalog's record of a finished download. Some file systems refuse a
 * directory's fsync; they give no more than that anyway. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => null);
  if (!fh) return;
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}
