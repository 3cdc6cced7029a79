/**
 * The internal networks of isolated mode: one per stack (or lone environment), `Internal: true`
 * so its members reach each other by name and nothing reaches out (no gateway, no NAT).
 */
import type Docker from 'dockerode';
import { GenosError } from '../../core/errors.js';
import type { IsolatedNetwork } from './create-options.js';
import { statusOf } from './docker-errors.js';

async function inspectNetwork(
  docker: Docker,
  name: string,
): Promise<Docker.NetworkInspectInfo | null> {
  try {
    return (await docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

function checkInternal(info: Docker.NetworkInspectInfo, name: string): string {
  // A same-named network someone made without Internal would silently give the stack the internet.
  if (!info.Internal) {
    throw new GenosError(
      'CONFLICT',
      `network ${name} exists but is not internal, so it cannot isolate: remove it (docker network rm ${name}) and try again`,
    );
  }
  return info.Id;
}

// The engine's CheckDuplicate is not atomic: two stack members created at once made two networks
// of one name here (then "network ... is ambiguous"). One creation per name at a time, in-process
// (one process owns the data dir and so acts on the engine).
const creating = new Map<string, Promise<string>>();

/** Creates the network unless it exists (then checks it is internal). Returns its id. */
export function ensureIsolatedNetwork(docker: Docker, net: IsolatedNetwork): Promise<string> {
  const pending = creating.get(net.name);
  if (pending) return pending;
  const p = ensureOnce(docker, net).finally(() => creating.delete(net.name));
  creating.set(net.name, p);
  return p;
}

async function ensureOnce(docker: Docker, net: IsolatedNetwork): Promise<string> {
  const existing = await findNetwork(docker, net.name);
  if (existing) return checkInternal(existing, net.name);
  const created = await docker.createNetwork({
    Name: net.name,
    Driver: 'bridge',
    Internal: true,
    CheckDuplicate: true,
    Labels: net.labels,
  });
  return created.id;
}

/**
 * The network of that exact name. When an earlier race left duplicates, keeps the one in use (or
 * the oldest) and removes the empty others, so the name is unambiguous again.
 */
async function findNetwork(
  docker: Docker,
  name: string,
): Promise<Docker.NetworkInspectInfo | null> {
  const list = (await docker.listNetworks({ filters: { name: [name] } })).filter(
    (n) => n.Name === name,
  );
  if (list.length <= 1) return list[0] ? inspectNetwork(docker, list[0].Id) : null;
  const infos = (await Promise.all(list.map((n) => inspectNetwork(docker, n.Id)))).filter(
    (n): n is Docker.NetworkInspectInfo => n !== null,
  );
  const used = (n: Docker.NetworkInspectInfo) => Object.keys(n.Containers ?? {}).length > 0;
  infos.sort((a, b) => Number(used(b)) - Number(used(a)) || a.Created.localeCompare(b.Created));
  for (const extra of infos.slice(1)) {
    if (!used(extra))
      await docker
        .getNetwork(extra.Id)
        .remove()
        .catch(() => undefined);
  }
  return infos[0] ?? null;
}

/** Removes the network once no container uses it. Never fails the caller's removal. */
export async function removeNetworkIfUnused(docker: Docker, name: string): Promise<boolean> {
  const info = await inspectNetwork(docker, name).catch(() => null);
  if (!info || Object.keys(info.Containers ?? {}).length > 0) return false;
  try {
    await docker.getNetwork(name).remove();
    return true;
  } catch {
    // In use again (a stack member was just created) or already gone: both fine.
    return false;
  }
}
