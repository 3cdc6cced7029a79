import type { EnvironmentSummary } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import type { ApiSession } from './api-session.js';
import { parseSinceFlag } from '../streams/log-since.js';

/** Finds an environment by id or by name, the way a user types it. */
export async function resolveEnv(session: ApiSession, ref: string): Promise<EnvironmentSummary> {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(ref)) {
    const byId = await session.call('getEnvironment', { id: ref }).catch(() => null);
    if (byId) return byId;
  }
  let cursor: string | undefined;
  do {
    const page = await session.call(
      'listEnvironments',
      cursor ? { limit: 500, cursor } : { limit: 500 },
    );
    const match = page.items.find((e) => e.name === ref);
    if (match) return match;
    cursor = page.next ?? undefined;
  } while (cursor);
  throw new GenosError(
    'NOT_FOUND',
    `No environment is called or has the id "${ref}". See \`genos ls\`.`,
  );
}

export type LifecycleVerb = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'restart' | 'rm';

/** `genos start|stop|kill|pause|resume|restart|rm <name|id>...` */
export async function runLifecycle(
  session: ApiSession,
  verb: LifecycleVerb,
  refs: string[],
  out: NodeJS.WritableStream,
  opts: { timeoutSec?: number } = {},
): Promise<number> {
  if (refs.length === 0)
    throw new GenosError('BAD_ARGS', `genos ${verb} needs the name or id of an environment.`);
  for (const ref of refs) {
    const env = await resolveEnv(session, ref);
    const id = env.id;
    if (verb === 'rm') {
      await session.call('deleteEnvironment', { id });
      out.write(`${env.name}: deleted\n`);
      continue;
    }
    const call = {
      start: 'startEnvironment',
      stop: 'stopEnvironment',
      kill: 'killEnvironment',
      pause: 'pauseEnvironment',
      resume: 'resumeEnvironment',
      restart: 'restartEnvironment',
    } as const;
    const after =
      verb === 'stop' && opts.timeoutSec !== undefined
        ? await session.call('stopEnvironment', { id, timeoutSec: opts.timeoutSec })
        : await session.call(call[verb], { id });
    out.write(
      `${after.name}: ${after.state}${after.stateReason ? ` (${after.stateReason})` : ''}\n`,
    );
  }
  return 0;
}

/** `genos logs <name|id> [-f] [--since 10m|ISO]`: console output, followed until Ctrl+C or the end. */
export async function runLogs(
  session: ApiSession,
  ref: string | undefined,
  out: NodeJS.WritableStream,
  opts: { follow?: boolean; since?: string } = {},
) {
  if (!ref) throw new GenosError('BAD_ARGS', 'genos logs needs the name or id of an environment.');
  const since = opts.since !== undefined ? parseSinceFlag(opts.since) : {};
  const env = await resolveEnv(session, ref);
  if (!opts.follow) {
    const { text } = await session.call('consoleLog', { id: env.id, ...since });
    out.write(text.endsWith('\n') || !text ? text : text + '\n');
    return 0;
  }
  const ticket = await session.call('openLogStream', { id: env.id, ...since });
  const log = await session.openLog(ticket);
  const stop = () => log.destroy();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const chunk of log) out.write(chunk as Buffer);
  } catch {
    // Ctrl+C destroys the stream mid-read: that is the normal way out.
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}

const SIZE = /^(\d+)\s*(g|gb|gib)?$/i;

/** `genos resize <name|id> <size>`: grows a stopped VM's disk. */
export async function runResize(
  session: ApiSession,
  ref: string | undefined,
  size: string | undefined,
  out: NodeJS.WritableStream,
) {
  if (!ref || !size) {
    throw new GenosError(
      'BAD_ARGS',
      'genos resize needs an environment and a size, e.g. genos resize web 40G.',
    );
  }
  const m = SIZE.exec(size.trim());
  if (!m || Number(m[1]) < 1) {
    throw new GenosError(
      'BAD_ARGS',
      `"${size}" is not a disk size: give whole GiB, like 40G, 40GiB or 40.`,
    );
  }
  const env = await resolveEnv(session, ref);
  const after = await session.call('resizeDisk', { id: env.id, sizeGiB: Number(m[1]) });
  const spec = after.spec as { resources?: { diskGiB?: number } };
  out.write(`${after.name}: disk is now ${spec.resources?.diskGiB ?? m[1]} GiB\n`);
  return 0;
}
