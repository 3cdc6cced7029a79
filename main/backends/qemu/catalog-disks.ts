import fs from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import { inspectImage } from '../../images/inspect.js';
import { createOverlay } from '../../images/overlay.js';
import { defaultRunner, type QemuImgRunner } from '../../images/qemu-img.js';
import { buildSeed } from '../../provisioning/cloud-init.js';
import { DownloadError } from '../../provisioning/download-errors.js';
import { instanceIdFor, seedInputForSpec } from '../../provisioning/guest-seed.js';
import { ensureCachedImage } from '../../provisioning/image-cache.js';
import type { DownloadProgress } from '../../provisioning/progress.js';
import { writeSeedIso } from '../../provisioning/seed-iso.js';
import { ensureEnvSshKey } from '../../provisioning/ssh-key.js';
import type { Progress } from '../backend.js';
import type { CatalogBase } from './catalog-image.js';
import { ensureCredentials } from './credentials.js';

/**
 * Makes a catalog VM's files: the cached base (downloaded once, shared by every environment),
 * a qcow2 overlay on it, and the environment's cloud-init seed (NoCloud, label cidata).
 *
 *   <cache>/<key>/<image>   the base, never written to
 *   <envDir>/disk.qcow2     the overlay the VM writes to
 *   <envDir>/seed.iso       meta-data + user-data, attached read-only
 *   <envDir>/credentials.json  the generated login (0600)
 *   <envDir>/ssh/id_ed25519    the environment's SSH key (0600; its .pub goes into the seed)
 *
 * Idempotent like the other disks: what exists is kept, so a crash mid-create resumes.
 */
export const seedPath = (envDir: string) => path.join(envDir, 'seed.iso');

export type CatalogDiskDeps = {
  envId: string;
  dataDir: string;
  runner?: QemuImgRunner;
  signal?: AbortSignal;
  progress?: Progress;
  sshPublicKey?: string | null;
  mirrors?: string[];
  checksumMirrors?: string[];
  proxy?: string;
};

const exists = (p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );

const MiB = 1024 * 1024;

function describeDownload(file: string, p: DownloadProgress): string {
  if (p.stage === 'verify') return `Verifying ${file}`;
  if (p.stage === 'decompress') return `Unpacking ${file}`;
  const done = (p.done / MiB).toFixed(1);
  return p.total
    ? `Downloading ${file}: ${done} of ${(p.total / MiB).toFixed(1)} MiB`
    : `Downloading ${file}: ${done} MiB`;
}

/**
 * Downloads the base (or installer ISO) into the cache; a failure says which file to drop in,
 * and how.
 */
export async function fetchCatalogBase(base: CatalogBase, deps: CatalogDiskDeps): Promise<string> {
  const file = base.dropFile;
  deps.progress?.({ stage: 'downloading', message: `Downloading ${file}` });
  try {
    const got = await ensureCachedImage(base.entry, {
      dataDir: deps.dataDir,
      signal: deps.signal,
      ...(deps.mirrors?.length ? { mirrors: deps.mirrors } : {}),
      ...(deps.checksumMirrors?.length ? { checksumMirrors: deps.checksumMirrors } : {}),
      ...(deps.proxy ? { proxy: deps.proxy } : {}),
      onProgress: (p) =>
        deps.progress?.({
          stage: 'downloading',
          done: p.done,
          ...(p.total !== null ? { total: p.total } : {}),
          message: describeDownload(file, p),
        }),
    });
    return got.path;
  } catch (e) {
    if (deps.signal?.aborted || (e instanceof DownloadError && e.failure === 'cancelled')) throw e;
    const why = e instanceof Error ? e.message : String(e);
    const iso = base.format === 'iso';
    throw new GenosError(
      e instanceof GenosError ? e.code : 'UNAVAILABLE',
      `The ${iso ? 'installer ISO' : 'base image'} ${file} could not be downloaded (${why}). Without a network, fetch ${base.entry.url} ` +
        `on another machine and add it with \`genos images add-base <os> <version> ${file}${iso ? ' --iso' : ''}\` ` +
        `(or "Add base…" in the Images page); GenOS then uses it instead.`,
    );
  }
}

/**
 * The public half of the environment's own key (GenOS's SSH terminal logs in with it). Without
 * ssh-keygen the VM is still made, only without that way in; the progress says so.
 */
async function envSshKey(envDir: string, deps: CatalogDiskDeps): Promise<string | null> {
  try {
    return (await ensureEnvSshKey(envDir, deps.envId)).publicKey;
  } catch (e) {
    deps.progress?.({
      stage: 'preparing-disk',
      message: `No SSH terminal for this VM: ${e instanceof Error ? e.message : String(e)}`,
    });
    return null;
  }
}

export async function ensureCatalogDisks(
  spec: EnvironmentSpec,
  envDir: string,
  disk: string,
  base: CatalogBase,
  deps: CatalogDiskDeps,
): Promise<void> {
  await fs.mkdir(envDir, { recursive: true, mode: 0o700 });
  const runner = deps.runner ?? defaultRunner;
  if (!(await exists(disk))) {
    const basePath = base.cached ? base.path : await fetchCatalogBase(base, deps);
    deps.progress?.({ stage: 'preparing-disk', message: 'Making the disk overlay on the base' });
    // The cache directory of this base is the only place its overlay may point into.
    const library = { dir: path.dirname(basePath) };
    const info = await inspectImage(basePath, {
      format: base.format,
      library,
      check: false,
      runner,
      signal: deps.signal,
    });
    await createOverlay({
      base: basePath,
      baseFormat: base.format,
      overlay: disk,
      library,
      // Never smaller than the base (that would cut its file system off); larger grows the disk.
      size: Math.max(spec.resources.diskGiB * 1024 ** 3, info.virtualSize),
      runner,
      signal: deps.signal,
    });
  }
  const seed = seedPath(envDir);
  if (await exists(seed)) return;
  deps.progress?.({ stage: 'preparing-disk', message: 'Writing the cloud-init seed' });
  const creds = await ensureCredentials(envDir);
  const { input } = seedInputForSpec(spec, {
    instanceId: instanceIdFor(deps.envId),
    password: creds.password,
    userName: creds.user,
    sshPublicKey: deps.sshPublicKey ?? null,
  });
  const envKey = await envSshKey(envDir, deps);
  if (envKey) input.sshAuthorizedKeys = [...(input.sshAuthorizedKeys ?? []), envKey];
  await writeSeedIso(buildSeed(input), seed);
}
