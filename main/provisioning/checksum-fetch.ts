import { GenosError } from '../core/errors.js';
import { checksumFromHex, findChecksum, parseChecksumFile, type Checksum } from './checksums.js';
import {
  DownloadError,
  fileNameOf,
  isAbort,
  isNetworkError,
  offlineError,
} from './download-errors.js';
import { httpGet, readSmallBody } from './http-get.js';

/** Where the expected digest comes from: given directly, or the distro's checksum file. */
export type ChecksumSource =
  string | { checksumUrl: string; fileName?: string; mirrors?: string[] };

type FetchOpts = { signal?: AbortSignal; proxy?: string; idleTimeoutMs?: number };

/**
 * The expected digest for `imageUrl`. A checksum file is fetched first (it is small), so an
 * out-of-date catalog entry fails before gigabytes are transferred.
 */
export async function resolveChecksum(
  source: ChecksumSource,
  imageUrl: string,
  opts: FetchOpts,
): Promise<Checksum> {
  if (typeof source === 'string') {
    const sum = checksumFromHex(source);
    if (!sum) {
      throw new GenosError(
        'BAD_ARGS',
        `"${source}" is not a SHA-256 or SHA-512 digest (64 or 128 hex digits).`,
      );
    }
    return sum;
  }
  const name = source.fileName ?? fileNameOf(imageUrl);
  const urls = [source.checksumUrl, ...(source.mirrors ?? [])];
  let firstError: unknown = null;
  for (const url of urls) {
    try {
      const text = await fetchText(url, opts);
      const sum = findChecksum(parseChecksumFile(text), name);
      if (!sum) {
        throw new DownloadError(
          'checksum',
          `The checksum file ${url} does not list ${name}; the catalog entry is out of date — update GenOS or drop a downloaded ${name} onto it.`,
        );
      }
      return sum;
    } catch (e) {
      if (isAbort(e, opts.signal)) throw e;
      if (!(e instanceof DownloadError) || (e.failure !== 'offline' && e.failure !== 'server'))
        throw e;
      firstError ??= e;
    }
  }
  throw firstError;
}

async function fetchText(url: string, opts: FetchOpts): Promise<string> {
  let res;
  try {
    ({ res } = await httpGet(url, opts));
  } catch (e) {
    if (isNetworkError(e)) throw offlineError(url, e);
    throw e;
  }
  const status = res.statusCode ?? 0;
  if (status >= 500) {
    res.resume();
    throw new DownloadError(
      'server',
      `${url} answered ${status}; the server has a problem — try again later or set a mirror.`,
    );
  }
  if (status !== 200) {
    res.resume();
    throw new DownloadError(
      'http',
      `The checksum file ${url} answered ${status}; the catalog entry may be out of date.`,
    );
  }
  try {
    return await readSmallBody(res);
  } catch (e) {
    if (isNetworkError(e)) throw offlineError(url, e);
    throw e;
  }
}
