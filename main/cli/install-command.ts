import { GenosError } from '../core/errors.js';
import type { ApiSession } from './api-session.js';
import { resolveEnv } from './env-commands.js';

/** `genos install-done <name|id>`: an ISO environment boots its disk from now on. */
export async function runInstallDone(
  session: ApiSession,
  ref: string | undefined,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (!ref) {
    throw new GenosError(
      'BAD_ARGS',
      'genos install-done needs the name or id of an environment installed from an ISO.',
    );
  }
  const env = await resolveEnv(session, ref);
  const { ejected } = await session.call('finishInstall', { id: env.id });
  out.write(
    ejected
      ? `${env.name}: installer ISO ejected; it boots from its disk from now on\n`
      : `${env.name}: it boots from its disk from its next start (the installer ISO is detached)\n`,
  );
  return 0;
}
