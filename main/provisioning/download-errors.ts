import { GenosError } from '../core/errors.js';
import type { ErrorCode } from '../../preload/contract.js';

/**
 * Why a download failed, so callers (the image cache, the UI) can react without parsing the
 * message: 'offline' and 'server' try the next mirror, 'checksum' removes the bad file, and so on.
 */
export type DownloadFailure =
  | 'offline'
  | 'server'
  | 'http'
  | 'interrupted'
  | 'checksum'
  | 'no-space'
  | 'redirect'
  | 'cancelled'
  | 'decompress';

const CODES: Record<DownloadFailure, ErrorCode> = {
  offline: 'UNAVAILABLE',
  server: 'UNAVAILABLE',
  http: 'NOT_FOUND',
  interrupted: 'UNAVAILABLE',
  checksum: 'CONFLICT',
  'no-space': 'UNAVAILABLE',
  redirect: 'UNSUPPORTED',
  cancelled: 'CANCELLED',
  decompress: 'UNAVAILABLE',
};

export class DownloadError extends GenosError {
  constructor(
    readonly failure: DownloadFailure,
    message: string,
  ) {
    super(CODES[failure], message);
    this.name = 'DownloadError';
  }
}

/** Errors that mean "this host could not be reached": the next mirror may do better. */
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export function isNetworkError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function fileNameOf(url: string): string {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return name || 'download';
  } catch {
    return 'download';
  }
}

/** `dropFile`: the image to drop in instead, when `url` is not the image (its checksum file). */
export function offlineError(
  url: string,
  cause: unknown,
  dropFile: string = fileNameOf(url),
): DownloadError {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return new DownloadError(
    'offline',
    `offline: could not reach ${hostOf(url)}${why} — drop the file ${dropFile} onto GenOS instead, or try again when the network is back.`,
  );
}

export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (e instanceof Error && e.name === 'AbortError');
}
