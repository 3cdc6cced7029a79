import path from 'node:path';
import type { ImageFormat, TaskInfo } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import type { ApiSession } from './api-session.js';
import { sizeText } from './size-text.js';

/** Waits for a task to end, drawing its progress on stderr; resolves to the finished task. */
export function followTask(
  session: ApiSession,
  task: TaskInfo,
  err: NodeJS.WritableStream,
): Promise<TaskInfo> {
  return new Promise((resolve) => {
    let last = task;
    const off = session.onAny((event, payload) => {
      const t = payload as TaskInfo;
      if (event !== 'taskUpdated' || t.id !== task.id) return;
      last = t;
      if (t.state === 'running') {
        const pct = t.total ? ` ${Math.floor(((t.done ?? 0) / t.total) * 100)}%` : '';
        err.write(`\r${t.title}: ${t.stage ?? 'working'}${pct}   `);
        return;
      }
      off();
      err.write('\n');
      resolve(last);
    });
    // The task may have ended before we subscribed.
    void session.call('listTasks', {}).then(({ items }) => {
      const now = items.find((t) => t.id === task.id);
      if (now && now.state !== 'running') {
        off();
        resolve(now);
      }
    });
  });
}

/** `genos images`: the image library. */
export async function runImages(session: ApiSession, json: boolean, out: NodeJS.WritableStream) {
  const { items } = await session.call('listImages', {});
  if (json) {
    out.write(JSON.stringify(items, null, 2) + '\n');
    return 0;
  }
  if (items.length === 0) {
    out.write(
      'The image library is empty. Add one with `genos import <file>` or drop it on the app.\n',
    );
    return 0;
  }
  for (const i of items) {
    const used = i.usedBy.length ? `  used by ${i.usedBy.join(', ')}` : '';
    out.write(
      `${i.id}  ${i.name}  ${i.format}  ${sizeText(i.virtualSize)} (${sizeText(i.actualSize)} on disk)${used}\n`,
    );
  }
  return 0;
}

/** `genos import <file> [--reference] [--format F] [--name N]` */
export async function runImport(
  session: ApiSession,
  args: {
    file: string | undefined;
    reference: boolean;
    format?: string;
    name?: string;
    rootfs?: boolean;
    tag?: string;
  },
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  if (!args.file)
    throw new GenosError('BAD_ARGS', 'genos import needs the path of a disk image or ISO.');
  if (/\.tar(\.(gz|xz|zst))?$/i.test(args.file))
    return importTarball(session, { ...args, file: args.file }, io);
  const { task } = await session.call('importImage', {
    path: path.resolve(args.file),
    mode: args.reference ? 'reference' : 'copy',
    ...(args.format ? { format: args.format as ImageFormat } : {}),
    ...(args.name ? { name: args.name } : {}),
  });
  const end = await followTask(session, task, io.err);
  if (end.state !== 'done') {
    io.err.write(`genos: ${end.error?.message ?? `import ${end.state}`}\n`);
    return 1;
  }
  const image = end.result as { id: string; name: string; format: string };
  io.out.write(`Imported ${image.name} as ${image.format} (id ${image.id}).\n`);
  return 0;
}

/** A .tar goes to the container engine: a `docker save` tarball, or a root filesystem with --rootfs. */
async function importTarball(
  session: ApiSession,
  args: { file: string; rootfs?: boolean; tag?: string },
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  const { task } = await session.call('importContainerImage', {
    path: path.resolve(args.file),
    kind: args.rootfs ? 'rootfs' : 'docker-save',
    ...(args.tag ? { tag: args.tag } : {}),
  });
  const end = await followTask(session, task, io.err);
  if (end.state !== 'done') {
    io.err.write(`genos: ${end.error?.message ?? `import ${end.state}`}\n`);
    return 1;
  }
  io.out.write(
    `Imported into the container engine: ${(end.result as { tags: string[] }).tags.join(', ')}\n`,
  );
  return 0;
}

/**
 * `genos images pull-container <ref>`: a container image from a registry, with per-layer
 * progress (not `images pull`, which downloads the catalog's VM base images).
 */
export async function runPullContainer(
  session: ApiSession,
  ref: string | undefined,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  if (!ref) {
    throw new GenosError(
      'BAD_ARGS',
      'genos images pull-container needs an image reference: `genos images pull-container debian:12`.',
    );
  }
  const { task } = await session.call('pullContainerImage', { ref });
  const end = await followTask(session, task, io.err);
  if (end.state !== 'done') {
    io.err.write(`genos: ${end.error?.message ?? `pull ${end.state}`}\n`);
    return 1;
  }
  io.out.write(`Pulled ${ref} (${(end.result as { id: string }).id}).\n`);
  return 0;
}
