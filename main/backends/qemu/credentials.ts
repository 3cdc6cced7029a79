import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../../core/errors.js';
import { generatePassword } from '../../provisioning/sha512-crypt.js';
import { DEFAULT_GUEST_USER } from '../../provisioning/guest-seed.js';
import { readInstanceRecord } from './instance-record.js';
import { envDirFor, runtimeDirFor, runtimePaths } from './runtime-paths.js';
import { sshPortFromArgv } from './ssh-forward.js';

/**
 * The login cloud-init creates in a catalog VM. The plain password lives only here, in the
 * environment's directory (0700) as a 0600 file: never in the store, the audit log, events or
 * logs, and the seed ISO carries only its SHA-512 crypt hash.
 */
export type GuestCredentials = { user: string; password: string };

export const credentialsPath = (envDir: string) => path.join(envDir, 'credentials.json');

export async function readCredentials(envDir: string): Promise<GuestCredentials | null> {
  try {
    const c = JSON.parse(await fs.readFile(credentialsPath(envDir), 'utf8')) as GuestCredentials;
    return typeof c.user === 'string' && typeof c.password === 'string' ? c : null;
  } catch {
    return null;
  }
}

/** The environment's credentials, generated on first use and kept for its lifetime. */
export async function ensureCredentials(envDir: string): Promise<GuestCredentials> {
  const existing = await readCredentials(envDir);
  if (existing) return existing;
  await fs.mkdir(envDir, { recursive: true, mode: 0o700 });
  const creds: GuestCredentials = { user: DEFAULT_GUEST_USER, password: generatePassword() };
  const file = credentialsPath(envDir);
  const tmp = `${file}.tmp`;
  // Created 0600 (not chmod'ed after): the password is never readable by others, even briefly.
  await fs.writeFile(tmp, JSON.stringify(creds), { mode: 0o600, flag: 'w' });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
  return creds;
}

/**
 * What `getCredentials` answers: the login and the host port forwarded to the guest's SSH
 * (22/tcp): the spec's own forward, else the one GenOS added at the last start. Only catalog VMs have a generated login.
 */
export async function guestCredentials(
  dataDir: string,
  env: { id: string; name: string; backend: string; spec: Record<string, unknown> },
): Promise<GuestCredentials & { sshPort: number | null }> {
  const spec = env.spec as {
    image?: { kind?: string; media?: string };
    network?: { mode?: string; ports?: Array<{ host: number; guest: number; protocol?: string }> };
  };
  if (
    env.backend !== 'qemu' ||
    spec.image?.kind !== 'catalog' ||
    spec.image.media === 'installer-iso'
  ) {
    throw new GenosError(
      'NOT_FOUND',
      `${env.name} has no login made by GenOS: only VMs from the OS catalog's cloud images get one (cloud-init). Use the login you made in the installer, or the image's own.`,
    );
  }
  const creds = await readCredentials(envDirFor(dataDir, env.id));
  if (!creds) {
    throw new GenosError(
      'NOT_FOUND',
      `${env.name} has no login yet: it is made when the VM is first started.`,
    );
  }
  const ssh =
    spec.network?.mode === 'none'
      ? undefined
      : spec.network?.ports?.find((p) => p.guest === 22 && (p.protocol ?? 'tcp') === 'tcp');
  if (ssh || spec.network?.mode === 'none') return { ...creds, sshPort: ssh?.host ?? null };
  // The forward GenOS added at start (ssh-forward.ts): the port is in the recorded qemu argv.
  const record = await readInstanceRecord(runtimePaths(runtimeDirFor(dataDir, env.id)));
  return { ...creds, sshPort: record ? sshPortFromArgv(record.argv) : null };
}
