import { GenosError } from '../core/errors.js';
import {
  checksumFromHex,
  findChecksum,
  parseChecksumFile,
  type Checksum,
  type ChecksumFile,
} from './checksums.js';
import {
  DownloadError,
  fileNameOf,
  isAbort,
  isNetworkError,
  offlineError,
} from './download-errors.js';
import { newestMatch } from './file-pattern.js';
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
  return fromChecksumFile(source, opts, name, (file, url) => {
    const sum = findChecksum(file, name);
    if (!sum) {
      throw new DownloadError(
        'checksum',
        `The checksum file ${url} does not list ${name}; the catalog entry is out of date — update GenOS or drop a downloaded ${name} onto it.`,
      );
    }
    return sum;
  });
}

/**
 * For a catalog URL whose file name is a pattern (file-pattern.ts): the newest file the
 * checksum file lists that matches it, and its digest.
 */
export async function resolveNewestListed(
  source: { checksumUrl: string; mirrors?: string[] },
  pattern: string,
  opts: FetchOpts,
): Promise<{ name: string; sum: Checksum }> {
  return fromChecksumFile(source, opts, pattern, (file, url) => {
    const name = newestMatch(pattern, file.entries.keys());
    const sum = name === null ? undefined : findChecksum(file, name);
    if (name === null || !sum) {
      throw new DownloadError(
        'checksum',
        `The checksum file ${url} lists no file like ${pattern}; the catalog entry is out of date — update GenOS, or download the ISO by hand and add it.`,
      );
    }
    return { name, sum };
  });
}

/** `pick` applied to the first checksum file (the entry's, then its mirrors) that can be read.
 * Offline, the error names `imageName`, the file to drop in (not the checksum file). */
async function fromChecksumFile<T>(
  source: { checksumUrl: string; mirrors?: string[] },
  opts: FetchOpts,
  imageName: string,
  pick: (file: ChecksumFile, url: string) => T,
): Promise<T> {
  const urls = [source.checksumUrl, ...(source.mirrors ?? [])];
  let firstError: unknown = null;
  for (const url of urls) {
    try {
      return pick(parseChecksumFile(await fetchText(url, opts, imageName)), url);
    } catch (e) {
      if (isAbort(e, opts.signal)) throw e;
      if (!(e instanceof DownloadError) || (e.failure !== 'offline' && e.failure !== 'server'))
        throw e;
      firstError ??= e;
    }
  }
  throw firstError;
}

async function fetchText(url: string, opts: FetchOpts, imageName: string): Promise<string> {
  let res;
  try {
    ({ res } = await httpGet(url, opts));
  } catch (e) {
    if (isNetworkError(e)) throw offlineError(url, e, imageName);
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
    if (isNetworkError(e)) throw offlineError(url, e, imageName);
    throw e;
  }
}
