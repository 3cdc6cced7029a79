/**
 * Images, offline first: what is on this machine, importing `docker save` tarballs (docker load)
 * and root filesystem tarballs (docker import) with progress and cancel, and "make sure this
 * image is here" that pulls only when allowed and otherwise says how to get it.
 */
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { GenosError } from '../../core/errors.js';
import type { Progress } from '../backend.js';
import { statusOf } from './docker-errors.js';
import type { DockerEngine } from './engine.js';
import { progressError, readJsonLines } from './json-lines.js';
import { pullImage, waysToGetImage } from './pull.js';

export type LocalImage = {
  id: string;
  tags: string[];
  sizeBytes: number;
  createdAt: string;
  labels: Record<string, string>;
};

export async function listImages(
  engine: DockerEngine,
  opts: { reference?: string } = {},
): Promise<LocalImage[]> {
  const list = await engine.run('list images', (d) =>
    d.listImages(opts.reference ? { filters: { reference: [opts.reference] } } : {}),
  );
  return list.map((i) => ({
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    sizeBytes: i.Size,
    createdAt: new Date(i.Created * 1000).toISOString(),
    labels: i.Labels ?? {},
  }));
}

/** The image's id when it is present locally, else null. */
export async function localImageId(engine: DockerEngine, ref: string): Promise<string | null> {
  return engine.run(`inspect image ${ref}`, (d) =>
    d
      .getImage(ref)
      .inspect()
      .then(
        (i) => i.Id,
        (e: unknown) => {
          if (statusOf(e) === 404) return null;
          throw e;
        },
      ),
  );
}

/**
 * A read stream of `file` that reports bytes read (at most ~10 times a second, and at the end)
 * and stops when `signal` aborts.
 */
export function readWithProgress(
  file: string,
  stage: string,
  progress: Progress,
  signal: AbortSignal,
): { stream: NodeJS.ReadableStream; size: number } {
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new GenosError('BAD_ARGS', `${file} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof GenosError) throw e;
    throw new GenosError('NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
  }
  let done = 0;
  let last = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      const now = performance.now();
      if (now - last > 100 || done === size) {
        last = now;
        progress({ stage, done, total: size });
      }
      cb(null, chunk);
    },
  });
  const source = fs.createReadStream(file, { signal });
  source.on('error', (e) => counter.destroy(e));
  return { stream: source.pipe(counter), size };
}

async function runImport(
  what: string,
  signal: AbortSignal,
  send: () => Promise<NodeJS.ReadableStream>,
  onObject: (o: Record<string, unknown>) => void,
  engine: DockerEngine,
): Promise<void> {
  if (signal.aborted) throw new GenosError('CANCELLED', `${what}: cancelled`);
  try {
    await engine.run(what, async () => {
      const res = await send();
      await readJsonLines(
        res,
        (o) => {
          const err = progressError(o);
          if (err) throw new GenosError('BAD_ARGS', `${what}: the engine refused the file: ${err}`);
          onObject(o);
        },
        signal,
      );
    });
  } catch (e) {
    if (signal.aborted) throw new GenosError('CANCELLED', `${what}: cancelled`);
    throw e;
  }
}

/** `docker load` of a `docker save` tarball. Returns the references (or ids) it loaded. */
export async function loadImageTarball(
  engine: DockerEngine,
  file: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<string[]> {
  const { stream } = readWithProgress(file, 'load', progress, signal);
  const loaded: string[] = [];
  await runImport(
    `load image tarball ${file}`,
    signal,
    async () => (await engine.docker()).loadImage(stream, { abortSignal: signal, quiet: true }),
    (o) => {
      const m = typeof o.stream === 'string' ? /Loaded image(?: ID)?: (\S+)/.exec(o.stream) : null;
      if (m?.[1]) loaded.push(m[1]);
    },
    engine,
  );
  if (loaded.length === 0) {
    throw new GenosError('BAD_ARGS', `${file} held no image: is it a \`docker save\` tarball?`);
  }
  return loaded;
}

export type RootfsImport = {
  repo: string;
  tag: string;
  /** Dockerfile instructions applied to the image, e.g. 'CMD ["/bin/sh"]'. */
  changes?: string[];
};

/** `docker import` of a root filesystem tarball (optionally gzip/xz). Returns the image id. */
export async function importRootfsTarball(
  engine: DockerEngine,
  file: string,
  target: RootfsImport,
  progress: Progress,
  signal: AbortSignal,
): Promise<string> {
  const { stream } = readWithProgress(file, 'import', progress, signal);
  let id: string | null = null;
  await runImport(
    `import root filesystem ${file}`,
    signal,
    async () =>
      (await engine.docker()).importImage(stream, {
        repo: target.repo,
        tag: target.tag,
        ...(target.changes?.length ? { changes: target.changes } : {}),
        abortSignal: signal,
      }),
    (o) => {
      if (typeof o.status === 'string' && /^sha256:[0-9a-f]{64}$/.test(o.status)) id = o.status;
    },
    engine,
  );
  if (!id)
    throw new GenosError(
      'INTERNAL',
      `import of ${file}: the engine did not say which image it made`,
    );
  return id;
}

export type EnsureOptions = { allowPull: boolean; progress: Progress; signal: AbortSignal };

/**
 * Makes sure `ref` is present: returns its id, pulls it when allowed, otherwise NOT_FOUND naming
 * the image and the ways to get it offline.
 */
export async function ensureImage(
  engine: DockerEngine,
  ref: string,
  opts: EnsureOptions,
): Promise<string> {
  const id = await localImageId(engine, ref);
  if (id) return id;
  if (!opts.allowPull) {
    throw new GenosError(
      'NOT_FOUND',
      `The image ${ref} is not on this machine, and pulling is off (offline; turn on "Pull missing container images" in Settings to pull it). ${waysToGetImage(ref)}`,
    );
  }
  await pullImage(engine, ref, opts.progress, opts.signal);
  const pulled = await localImageId(engine, ref);
  if (!pulled) throw new GenosError('INTERNAL', `pulled ${ref}, but the engine does not list it`);
  return pulled;
}
