import type { ApiSession } from './api-session.js';

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width - 1) + '…' : text.padEnd(width);
}

/** `genos ls`: the environments, one per line (or JSON). */
export async function runList(session: ApiSession, json: boolean, out: NodeJS.WritableStream) {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await session.call(
      'listEnvironments',
      cursor ? { limit: 500, cursor } : { limit: 500 },
    );
    items.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  if (json) {
    out.write(JSON.stringify(items, null, 2) + '\n');
    return 0;
  }
  if (items.length === 0) {
    out.write('No environments yet. Compose one in the app, or with `genos compose "..."`.\n');
    return 0;
  }
  out.write(`${pad('ID', 14)}${pad('NAME', 24)}${pad('BACKEND', 9)}${pad('STATE', 13)}CREATED\n`);
  for (const env of items) {
    out.write(
      `${pad(env.id, 14)}${pad(env.name, 24)}${pad(env.backend, 9)}${pad(env.state, 13)}${env.createdAt}\n`,
    );
  }
  return 0;
}

/** `genos events`: the newest entries of the audit log. */
export async function runEvents(
  session: ApiSession,
  limit: number,
  json: boolean,
  out: NodeJS.WritableStream,
) {
  const { items } = await session.call('listAuditEvents', { limit });
  if (json) {
    out.write(JSON.stringify(items, null, 2) + '\n');
    return 0;
  }
  for (const e of items.slice().reverse()) {
    out.write(
      `${e.at}  ${pad(e.outcome, 6)}${pad(e.actor, 13)}${e.action}${e.target ? ' ' + e.target : ''}\n`,
    );
  }
  return 0;
}
