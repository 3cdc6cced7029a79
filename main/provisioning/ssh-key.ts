import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';

/**
 * The SSH key GenOS logs into one environment's guest with. Each environment has its own
 * (ed25519, no passphrase), in <envDir>/ssh (0700): the private key never leaves that directory,
 * never goes to the store, logs or events; only the public half goes into the cloud-init seed.
 * Beside it, known_hosts: the guest's host key as first seen, so a changed key is refused.
 */
export type EnvSshKey = {
  /** <envDir>/ssh/id_ed25519 (0600) */
  privateKeyPath: string;
  /** The one-line public key, "ssh-ed25519 AAAA... genos-<envId>". */
  publicKey: string;
  /** <envDir>/ssh/known_hosts */
  knownHostsPath: string;
};

export const sshDirFor = (envDir: string) => path.join(envDir, 'ssh');
export const sshKeyPath = (envDir: string) => path.join(sshDirFor(envDir), 'id_ed25519');
export const knownHostsPath = (envDir: string) => path.join(sshDirFor(envDir), 'known_hosts');

const MISSING_SSH_KEYGEN =
  'ssh-keygen is not installed, so GenOS cannot make an SSH key for this VM: install the ' +
  'openssh-client package (Debian/Ubuntu: `sudo apt install openssh-client`).';

function runKeygen(argv: string[], binary: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, argv, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new GenosError('UNAVAILABLE', MISSING_SSH_KEYGEN));
      }
      reject(
        new GenosError(
          'INTERNAL',
          `ssh-keygen could not make the environment's SSH key: ${String(stderr).trim() || err.message}.`,
        ),
      );
    });
  });
}

/** The argv that makes the key: no passphrase, quiet, a comment naming the environment. */
export function keygenArgv(keyPath: string, envId: string): string[] {
  return ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath, '-C', `genos-${envId}`];
}

/** The key of a VM, when it has one. */
export async function readEnvSshKey(envDir: string): Promise<EnvSshKey | null> {
  const privateKeyPath = sshKeyPath(envDir);
  const [priv, pub] = await Promise.all([
    fs.stat(privateKeyPath).catch(() => null),
    fs.readFile(`${privateKeyPath}.pub`, 'utf8').catch(() => null),
  ]);
  if (!priv?.isFile() || !pub?.trim()) return null;
  return { privateKeyPath, publicKey: pub.trim(), knownHostsPath: knownHostsPath(envDir) };
}

/** The environment's key, made on first use and kept for the environment's lifetime. */
export async function ensureEnvSshKey(
  envDir: string,
  envId: string,
  opts: { keygen?: string } = {},
): Promise<EnvSshKey> {
  const dir = sshDirFor(envDir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for a dir that exists: make sure.
  await fs.chmod(dir, 0o700);
  const existing = await readEnvSshKey(envDir);
  if (existing) return existing;
  const key = sshKeyPath(envDir);
  // A half-made pair (a crash between the two files) would make ssh-keygen ask to overwrite.
  await fs.rm(key, { force: true });
  await fs.rm(`${key}.pub`, { force: true });
  await runKeygen(keygenArgv(key, envId), opts.keygen ?? 'ssh-keygen');
  await fs.chmod(key, 0o600);
  const made = await readEnvSshKey(envDir);
  if (!made) throw new GenosError('INTERNAL', `ssh-keygen did not write ${key}.pub.`);
  return made;
}
