import type { EnvironmentSummary } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import type { ApiSession } from './api-session.js';

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

/** `genos logs <name|id>`: the newest console output (VM serial log, container logs). */
export async function runLogs(
  session: ApiSession,
  ref: string | undefined,
  out: NodeJS.WritableStream,
) {
  if (!ref) throw new GenosError('BAD_ARGS', 'genos logs needs the name or id of an environment.');
  const env = await resolveEnv(session, ref);
  const { text } = await session.call('consoleLog', { id: env.id });
  out.write(text.endsWith('\n') || !text ? text : text + '\n');
  return 0;
}
