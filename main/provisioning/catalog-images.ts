import fs from 'node:fs/promises';
import path from 'node:path';
import type { CatalogImage, Settings, TaskInfo } from '../../preload/contract.js';
import type { Audit } from '../core/audit.js';
import { GenosError } from '../core/errors.js';
import type { TaskContext, TaskManager } from '../core/tasks.js';
import type { Store } from '../store/store.js';
import { checkBaseFile, overlaysOn } from './base-files.js';
import {
  catalogImageEntries,
  requireEntry,
  type CatalogImageEntry,
  type CatalogMedia,
} from './catalog-entries.js';
import { resolveChecksum } from './checksum-fetch.js';
import { checksumFromHex, type Checksum } from './checksums.js';
import { DownloadError, fileNameOf } from './download-errors.js';
import { isFilePattern, matchesPattern } from './file-pattern.js';
import {
  adoptIntoCache,
  cachedStatus,
  ensureCachedImage,
  fetchInFlight,
  imageCacheDir,
  mirrorUrlsFor,
} from './image-cache.js';
import { LOCAL_CATALOG_FILE } from './local-catalog.js';
import type { DownloadProgress } from './progress.js';

export type CatalogImagesDeps = {
  dataDir: string;
  store: Pick<Store, 'getSettings' | 'getEnvironment'>;
  audit: Audit;
  tasks: TaskManager;
};

type Ref = { osId: string; version: string; media?: CatalogMedia };

const KINDS = new Set(['catalog.download', 'catalog.add-base']);
const targetOf = (r: Ref) =>
  `catalog/${r.osId}/${r.version}${r.media === 'installer-iso' ? '/installer-iso' : ''}`;

/** Loopback servers (a local mirror, the tests' fixture server) are never reached via the proxy. */
function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === 'localhost' || h === '[::1]' || /^127\./.test(h);
  } catch {
    return false;
  }
}

/** Mirrors and proxy from the settings, for one catalog entry. */
export function downloadOptionsFor(
  entry: Pick<CatalogImageEntry, 'image'>,
  settings: Pick<Settings, 'downloadMirrors' | 'downloadProxy'>,
): { mirrors: string[]; checksumMirrors: string[]; proxy?: string } {
  const rules = settings.downloadMirrors;
  const proxy =
    settings.downloadProxy && !isLoopback(entry.image.url) ? settings.downloadProxy : null;
  return {
    mirrors: mirrorUrlsFor(entry.image.url, rules),
    checksumMirrors: entry.image.checksumUrl ? mirrorUrlsFor(entry.image.checksumUrl, rules) : [],
    ...(proxy ? { proxy } : {}),
  };
}

function rateText(p: DownloadProgress): string | null {
  if (p.rateBytesPerSec <= 0) return null;
  const rate = `${(p.rateBytesPerSec / 1e6).toFixed(1)} MB/s`;
  if (p.etaSec === null) return rate;
  const s = Math.round(p.etaSec);
  const eta = s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
  return `${rate}, about ${eta} left`;
}

/** Task progress from download progress: bytes as done/total, rate and ETA in the message. */
function reporter(ctx: TaskContext): (p: DownloadProgress) => void {
  return (p) =>
    ctx.progress({
      stage: p.stage,
      done: p.done,
      ...(p.total !== null ? { total: p.total } : {}),
      ...(rateText(p) ? { message: rateText(p)! } : {}),
    });
}

/**
 * The OS catalog's base images as the API and CLI see them: what is cached, partly downloaded or
 * missing (and which file to drop in instead), downloads and user files as tasks, and removal
 * that refuses while an environment's overlay sits on the base.
 */
export class CatalogImagesService {
  constructor(private readonly deps: CatalogImagesDeps) {}

  async list(): Promise<{
    items: CatalogImage[];
    localCatalog: { path: string; error: string | null };
  }> {
    const { entries, local } = await catalogImageEntries(this.deps.dataDir);
    const dirs = entries.map((e) => imageCacheDir(this.deps.dataDir, e.image));
    const users = await overlaysOn(this.deps.dataDir, [...new Set(dirs)]);
    const items = await Promise.all(
      entries.map((e, i) => this.describe(e, users.get(dirs[i]!) ?? [])),
    );
    return { items, localCatalog: { path: local.path, error: local.error } };
  }

  private async describe(e: CatalogImageEntry, userIds: string[]): Promise<CatalogImage> {
    const st = await cachedStatus(e.image, this.deps.dataDir);
    const running = this.runningTask(e);
    return {
      osId: e.osId,
      version: e.version,
      media: e.media,
      name: e.name,
      origin: e.origin,
      url: e.image.url,
      format: e.image.format,
      compression: e.image.compression,
      cloudInit: e.cloudInit,
      checksumSource: e.image.sha256 ? 'pinned' : e.image.checksumUrl ? 'checksum-file' : 'none',
      dropFile: st.state === 'cached' ? path.basename(st.path) : st.dropFile,
      state: st.state,
      cached:
        st.state === 'cached'
          ? {
              path: st.path,
              bytes: st.bytes,
              checksum: st.checksum,
              trust: st.verified
                ? 'verified'
                : st.origin === 'user-file'
                  ? 'user-supplied'
                  : 'unverified',
              addedAt: st.addedAt,
            }
          : null,
      partial: st.state === 'partial' ? { bytesDone: st.bytesDone, total: st.total } : null,
      usedBy: userIds.map((id) => this.deps.store.getEnvironment(id)?.name ?? id),
      taskId: running?.id ?? null,
    };
  }

  private runningTask(r: Ref): TaskInfo | undefined {
    return this.deps.tasks
      .list()
      .find((t) => t.state === 'running' && KINDS.has(t.kind) && t.target === targetOf(r));
  }

  private async entry(r: Ref): Promise<CatalogImageEntry> {
    const { entries, local } = await catalogImageEntries(this.deps.dataDir);
    try {
      return requireEntry(entries, r.osId, r.version, r.media);
    } catch (e) {
      // The entry may be in the local catalog that did not parse: say so.
      if (local.error && e instanceof GenosError)
        throw new GenosError(e.code, `${e.message} (${local.error})`);
      throw e;
    }
  }

  private async item(e: CatalogImageEntry): Promise<CatalogImage> {
    const dir = imageCacheDir(this.deps.dataDir, e.image);
    const users = await overlaysOn(this.deps.dataDir, [dir]);
    return this.describe(e, users.get(dir) ?? []);
  }

  /** Downloads (or resumes) the base; a second call while one runs gets the running task. */
  async startDownload(r: Ref, actor: string): Promise<TaskInfo> {
    const e = await this.entry(r);
    const running = this.runningTask(r);
    if (running?.kind === 'catalog.download') return running;
    if (running)
      throw new GenosError(
        'CONFLICT',
        `${e.name} is being added from a file; wait for it to finish.`,
      );
    const opts = downloadOptionsFor(e, this.deps.store.getSettings());
    return this.deps.tasks.start(
      'catalog.download',
      `Download ${e.name}`,
      targetOf(r),
      async (ctx) => {
        try {
          const got = await ensureCachedImage(e.image, {
            dataDir: this.deps.dataDir,
            signal: ctx.signal,
            onProgress: reporter(ctx),
            ...opts,
          });
          if (!got.fromCache) await this.checkOrDiscard(e, got.path);
          this.record(actor, 'catalog.download', r, 'ok', {
            bytes: got.manifest.bytes,
            verified: got.manifest.verified,
            fromCache: got.fromCache,
          });
          return this.item(e);
        } catch (err) {
          this.record(actor, 'catalog.download', r, 'error', {
            error: String((err as Error).message),
          });
          throw offlineHint(err, e);
        }
      },
    );
  }

  /** A user's file becomes the cached base: verified when the catalog has a digest for it. */
  async startAddBase(r: Ref & { path: string }, actor: string): Promise<TaskInfo> {
    const e = await this.entry(r);
    if (this.runningTask(r))
      throw new GenosError(
        'CONFLICT',
        `${e.name} is being downloaded or added; wait for it or cancel it first.`,
      );
    const st = await cachedStatus(e.image, this.deps.dataDir);
    if (st.state === 'cached')
      throw new GenosError(
        'CONFLICT',
        `${e.name} is already cached (${st.path}); remove it first to replace it.`,
      );
    const file = path.resolve(r.path);
    const s = await fs.stat(file).catch(() => null);
    if (!s?.isFile())
      throw new GenosError('NOT_FOUND', `${file} does not exist or is not a file; check the path.`);
    // An entry named by a pattern is checked against the checksum file's line for the file's name.
    const pattern = fileNameOf(e.image.url);
    if (isFilePattern(pattern) && !matchesPattern(pattern, path.basename(file)))
      throw new GenosError(
        'BAD_ARGS',
        `${path.basename(file)} does not look like ${pattern}: keep the name the distro gave the file, so its checksum can be found.`,
      );
    // A wrong file is refused before gigabytes are copied (a packed one is checked once unpacked).
    if (e.image.compression === 'none')
      await checkBaseFile(file, e.image.format, path.basename(file));
    const settings = this.deps.store.getSettings();
    return this.deps.tasks.start(
      'catalog.add-base',
      `Add ${path.basename(file)} as ${e.name}`,
      targetOf(r),
      async (ctx) => {
        try {
          ctx.progress({ stage: 'checksum', message: 'Looking up the expected checksum' });
          const expected = await this.expectedChecksum(e, settings, ctx.signal, file);
          const manifest = await adoptIntoCache(e.image, file, {
            dataDir: this.deps.dataDir,
            expected: expected.sum,
            signal: ctx.signal,
            onProgress: reporter(ctx),
          });
          await this.checkOrDiscard(
            e,
            path.join(imageCacheDir(this.deps.dataDir, e.image), manifest.file),
          );
          this.record(actor, 'catalog.add-base', r, 'ok', {
            file,
            verified: manifest.verified,
            why: expected.why,
          });
          return { ...(await this.item(e)), note: expected.why };
        } catch (caught) {
          let err = caught;
          if (caught instanceof DownloadError && caught.failure === 'checksum')
            err = new DownloadError(
              'checksum',
              `${caught.message} If it is an image you built or changed yourself, give it its own entry in ${LOCAL_CATALOG_FILE} in the data directory (a file:// URL) instead.`,
            );
          this.record(actor, 'catalog.add-base', r, 'error', {
            file,
            error: String((err as Error).message),
          });
          throw err;
        }
      },
    );
  }

  /** Pinned digest, else the distro's checksum file when reachable; else none (user-supplied). */
  private async expectedChecksum(
    e: CatalogImageEntry,
    settings: Settings,
    signal: AbortSignal,
    file: string,
  ): Promise<{ sum: Checksum | null; why: string }> {
    if (e.image.sha256) {
      const sum = checksumFromHex(e.image.sha256);
      if (sum) return { sum, why: 'checked against the digest pinned in the catalog' };
    }
    if (!e.image.checksumUrl)
      return { sum: null, why: 'the catalog has no checksum for it: kept as user-supplied' };
    const opts = downloadOptionsFor(e, settings);
    try {
      const sum = await resolveChecksum(
        {
          checksumUrl: e.image.checksumUrl,
          mirrors: opts.checksumMirrors,
          ...(isFilePattern(fileNameOf(e.image.url)) ? { fileName: path.basename(file) } : {}),
        },
        e.image.url,
        { signal, idleTimeoutMs: 10_000, ...(opts.proxy ? { proxy: opts.proxy } : {}) },
      );
      return { sum, why: `checked against ${e.image.checksumUrl}` };
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof DownloadError && ['offline', 'server'].includes(err.failure))
        return {
          sum: null,
          why: `the checksum file ${e.image.checksumUrl} could not be reached (offline?): kept as user-supplied`,
        };
      throw err;
    }
  }

  /** A base that fails the header check is removed from the cache: never offered to a VM. */
  private async checkOrDiscard(e: CatalogImageEntry, file: string): Promise<void> {
    try {
      await checkBaseFile(file, e.image.format, `The image for ${e.name}`);
    } catch (err) {
      await fs.rm(imageCacheDir(this.deps.dataDir, e.image), { recursive: true, force: true });
      throw err;
    }
  }

  /** Deletes the cached base (or the partial download) of an OS/version. */
  async removeBase(r: Ref, actor: string): Promise<{ removed: boolean }> {
    const e = await this.entry(r);
    const dir = imageCacheDir(this.deps.dataDir, e.image);
    if (this.runningTask(r) || fetchInFlight(e.image, this.deps.dataDir))
      throw new GenosError(
        'CONFLICT',
        `${e.name} is being downloaded right now; cancel the download first.`,
      );
    const users = (await overlaysOn(this.deps.dataDir, [dir])).get(dir) ?? [];
    if (users.length) {
      const names = users.map((id) => this.deps.store.getEnvironment(id)?.name ?? id);
      throw new GenosError(
        'CONFLICT',
        `The ${e.name} base is in use by ${names.join(', ')} (${names.length === 1 ? 'its disk is an overlay' : 'their disks are overlays'} on it); delete ${names.length === 1 ? 'that environment' : 'those environments'} first.`,
      );
    }
    const existed = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    await fs.rm(dir, { recursive: true, force: true });
    if (existed) this.record(actor, 'catalog.remove-base', r, 'ok', null);
    return { removed: existed };
  }

  private record(
    actor: string,
    action: string,
    r: Ref,
    outcome: 'ok' | 'error',
    detail: Record<string, unknown> | null,
  ): void {
    this.deps.audit.record({ actor, action, target: targetOf(r), outcome, detail });
  }
}

/** Offline: say which file to drop in and how, in the place the download failed. */
function offlineHint(err: unknown, e: CatalogImageEntry): unknown {
  if (!(err instanceof DownloadError) || err.failure !== 'offline') return err;
  const file = path.basename(new URL(e.image.url).pathname);
  return new DownloadError(
    'offline',
    `${err.message} To add it without a download: Images → OS catalog → Add base… with ${file}, or \`genos images add-base ${e.osId} ${e.version} ${file}${e.media === 'installer-iso' ? ' --iso' : ''}\`.`,
  );
}
