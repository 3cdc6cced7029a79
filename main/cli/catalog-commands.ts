import path from 'node:path';
import type { CatalogImage, TaskInfo } from '../../preload/contract.js';
import { findOs } from '../composer/catalog.js';
import { GenosError } from '../core/errors.js';
import type { ApiSession } from './api-session.js';
import { sizeText } from './size-text.js';

type Io = { out: NodeJS.WritableStream; err: NodeJS.WritableStream & { isTTY?: boolean } };
type Media = CatalogImage['media'];
type Flags = { json: boolean; media: Media };

const ISO_FLAG = (m: Media) => (m === 'installer-iso' ? ' --iso' : '');

function stateText(i: CatalogImage): string {
  if (i.cached) {
    const trust = {
      verified: 'verified',
      'user-supplied': 'user-supplied, not verified',
      unverified: 'downloaded, no checksum to verify',
    }[i.cached.trust];
    const used = i.usedBy.length ? `, used by ${i.usedBy.join(', ')}` : '';
    return `cached ${sizeText(i.cached.bytes)} (${trust}${used})`;
  }
  if (i.partial) {
    const of = i.partial.total ? ` of ${sizeText(i.partial.total)}` : '';
    return `partial ${sizeText(i.partial.bytesDone)}${of} — \`genos images pull ${i.osId} ${i.version}${ISO_FLAG(i.media)}\` resumes`;
  }
  return `absent — offline? drop in ${i.dropFile}`;
}

/** `genos images catalog [--json]`: what the base-image cache holds per catalog OS/version. */
export async function runCatalogList(session: ApiSession, json: boolean, io: Io): Promise<number> {
  const { items, localCatalog } = await session.call('listCatalogImages', {});
  if (json) {
    io.out.write(JSON.stringify({ items, localCatalog }, null, 2) + '\n');
    return 0;
  }
  if (localCatalog.error) io.err.write(`genos: warning: ${localCatalog.error}\n`);
  const label = (i: CatalogImage) =>
    `${i.osId} ${i.version}${i.media === 'installer-iso' ? ' (installer ISO)' : ''}`;
  const width = Math.max(...items.map((i) => label(i).length), 10);
  for (const i of items) {
    const local = i.origin === 'local' ? ' [local]' : '';
    io.out.write(`${label(i).padEnd(width)}  ${stateText(i)}${local}\n`);
  }
  const absent = items.filter((i) => i.state !== 'cached').length;
  if (absent)
    io.out.write(
      `\nOffline: put the file named above next to you and run \`genos images add-base <os> <version> <file>\` (with --iso for an installer ISO).\n`,
    );
  return 0;
}

function bar(t: TaskInfo): string {
  const width = 24;
  const frac = t.total ? Math.min(1, (t.done ?? 0) / t.total) : null;
  const filled = frac === null ? 0 : Math.round(frac * width);
  const pct = frac === null ? '  ?%' : `${String(Math.floor(frac * 100)).padStart(3)}%`;
  const bytes =
    t.done !== null ? ` ${sizeText(t.done)}${t.total ? ` of ${sizeText(t.total)}` : ''}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}${bytes} ${t.stage ?? ''} ${t.message ?? ''}`;
}

/** Follows a task to its end: a bar on a TTY, nothing otherwise; Ctrl-C cancels it. */
function follow(session: ApiSession, task: TaskInfo, io: Io, json: boolean): Promise<TaskInfo> {
  const tty = !json && io.err.isTTY === true;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (t: TaskInfo) => {
      if (settled) return;
      settled = true;
      off();
      process.off('SIGINT', onInt);
      if (tty) io.err.write('\n');
      resolve(t);
    };
    const onInt = () => void session.call('cancelTask', { id: task.id }).catch(() => undefined);
    process.on('SIGINT', onInt);
    const off = session.onAny((event, payload) => {
      const t = payload as TaskInfo;
      if (event !== 'taskUpdated' || t.id !== task.id) return;
      if (t.state !== 'running') return finish(t);
      if (tty) io.err.write(`\r${bar(t).padEnd(100).slice(0, 100)}`);
    });
    // It may have ended before we subscribed (a base that was already cached).
    void session.call('listTasks', {}).then(({ items }) => {
      const now = items.find((t) => t.id === task.id);
      if (now && now.state !== 'running') finish(now);
    });
  });
}

async function defaultVersion(session: ApiSession, osId: string, media: Media): Promise<string> {
  const { items } = await session.call('listCatalogImages', {});
  const mine = items.filter((i) => i.osId === osId && i.media === media);
  if (!mine.length)
    throw new GenosError(
      'NOT_FOUND',
      `The catalog has no ${media === 'installer-iso' ? 'installer ISO' : 'VM image'} for "${osId}"; \`genos images catalog\` lists what it has.`,
    );
  const preferred = findOs(osId)?.defaultVersion;
  return (mine.find((i) => i.version === preferred) ?? mine[0]!).version;
}

function report(end: TaskInfo, json: boolean, io: Io, okText: (r: CatalogImage) => string): number {
  if (json) {
    io.out.write(
      JSON.stringify(
        end.state === 'done'
          ? { ok: true, image: end.result }
          : { ok: false, state: end.state, error: end.error },
        null,
        2,
      ) + '\n',
    );
  }
  if (end.state !== 'done') {
    io.err.write(`genos: ${end.error?.message ?? `${end.title} ${end.state}`}\n`);
    return end.state === 'cancelled' ? 130 : 1;
  }
  if (!json) io.out.write(okText(end.result as CatalogImage) + '\n');
  return 0;
}

/** `genos images pull <os> [version] [--json]`: download (or resume) a catalog base image. */
export async function runCatalogPull(
  session: ApiSession,
  args: { osId: string | undefined; version: string | undefined } & Flags,
  io: Io,
): Promise<number> {
  if (!args.osId)
    throw new GenosError(
      'BAD_ARGS',
      'genos images pull needs an OS, e.g. `genos images pull debian 12`.',
    );
  const version = args.version ?? (await defaultVersion(session, args.osId, args.media));
  const { task } = await session.call('downloadCatalogImage', {
    osId: args.osId,
    version,
    media: args.media,
  });
  const end = await follow(session, task, io, args.json);
  return report(end, args.json, io, (r) => {
    const trust =
      r.cached?.trust === 'verified' ? 'checksum verified' : 'not verified (no checksum)';
    return `${r.name} is cached: ${r.cached?.path} (${sizeText(r.cached?.bytes ?? 0)}, ${trust}).`;
  });
}

/** `genos images add-base <os> <version> <file>`: a file the user has becomes the cached base. */
export async function runCatalogAddBase(
  session: ApiSession,
  args: { words: string[] } & Flags,
  io: Io,
): Promise<number> {
  const [osId, version, file] = args.words;
  if (!osId || !version || !file)
    throw new GenosError(
      'BAD_ARGS',
      'genos images add-base needs an OS, a version and a file: `genos images add-base debian 12 debian-12-genericcloud-amd64.qcow2`.',
    );
  const { task } = await session.call('addCatalogBase', {
    osId,
    version,
    media: args.media,
    path: path.resolve(file),
  });
  const end = await follow(session, task, io, args.json);
  return report(end, args.json, io, (r) => {
    const note = (r as CatalogImage & { note?: string }).note;
    return `${r.name} is cached from ${file}${note ? `: ${note}` : ''}.`;
  });
}

/** `genos images rm-base <os> <version>`: delete a cached base (refused while in use). */
export async function runCatalogRemove(
  session: ApiSession,
  args: { words: string[] } & Flags,
  io: Io,
): Promise<number> {
  const [osId, version] = args.words;
  if (!osId || !version)
    throw new GenosError(
      'BAD_ARGS',
      'genos images rm-base needs an OS and a version: `genos images rm-base debian 12`.',
    );
  const { removed } = await session.call('removeCatalogBase', {
    osId,
    version,
    media: args.media,
  });
  if (args.json) io.out.write(JSON.stringify({ removed }) + '\n');
  else
    io.out.write(
      removed
        ? `Removed the cached ${osId} ${version} base.\n`
        : `Nothing cached for ${osId} ${version}.\n`,
    );
  return 0;
}

/** `genos images <sub> ...` for the catalog subcommands; null when `sub` is not one of them. */
export function catalogSubcommand(
  sub: string | undefined,
): 'catalog' | 'pull' | 'add-base' | 'rm-base' | null {
  return sub === 'catalog' || sub === 'pull' || sub === 'add-base' || sub === 'rm-base'
    ? sub
    : null;
}

export async function runCatalogCommand(
  session: ApiSession,
  sub: 'catalog' | 'pull' | 'add-base' | 'rm-base',
  words: string[],
  flags: Flags,
  io: Io,
): Promise<number> {
  switch (sub) {
    case 'catalog':
      return runCatalogList(session, flags.json, io);
    case 'pull':
      return runCatalogPull(session, { osId: words[0], version: words[1], ...flags }, io);
    case 'add-base':
      return runCatalogAddBase(session, { words, ...flags }, io);
    case 'rm-base':
      return runCatalogRemove(session, { words, ...flags }, io);
  }
}
