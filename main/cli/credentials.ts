import { GenosError } from '../core/errors.js';
import type { ApiSession } from './api-session.js';
import { resolveEnv } from './env-commands.js';

/** `genos credentials <name|id> [--json]`: the login cloud-init made in a catalog VM. */
export async function runCredentials(
  session: ApiSession,
  ref: string | undefined,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (!ref)
    throw new GenosError('BAD_ARGS', 'genos credentials needs the name or id of an environment.');
  const env = await resolveEnv(session, ref);
  const c = await session.call('getCredentials', { id: env.id });
  if (json) {
    out.write(JSON.stringify({ name: env.name, ...c }, null, 2) + '\n');
    return 0;
  }
  out.write(`user:     ${c.user}\npassword: ${c.password}\n`);
  out.write(
    c.sshPort === null
      ? 'ssh:      no port forward to 22 (log in on the console: genos logs, or the Console tab)\n'
      : `ssh:      ssh -p ${c.sshPort} ${c.user}@127.0.0.1\n`,
  );
  return 0;
}
