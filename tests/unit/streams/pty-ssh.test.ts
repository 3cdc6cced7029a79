import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureEnvSshKey, keygenArgv, readEnvSshKey } from '../../../main/provisioning/ssh-key.js';
import { sshArgv } from '../../../main/streams/pty-ssh.js';
import { backendAvailable } from '../../helpers/backends.js';

const target = {
  port: 41022,
  user: 'genos',
  privateKeyPath: '/data/qemu/e1/ssh/id_ed25519',
  knownHostsPath: '/data/qemu/e1/ssh/known_hosts',
  hostKeyAlias: 'genos-e1',
};

/** The value of every `-o Name=value`, by name. */
function options(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (argv[i - 1] === '-o') {
      const eq = a.indexOf('=');
      out[a.slice(0, eq)] = a.slice(eq + 1);
    }
  });
  return out;
}

describe('the ssh argv', () => {
  it('logs into the loopback forward with the environment key only, without prompts', () => {
    const argv = sshArgv(target);
    expect(argv.slice(-2)).toEqual(['--', '127.0.0.1']);
    expect(argv[argv.indexOf('-l') + 1]).toBe('genos');
    expect(argv[argv.indexOf('-p') + 1]).toBe('41022');
    expect(argv[argv.indexOf('-i') + 1]).toBe(target.privateKeyPath);
    expect(argv[argv.indexOf('-F') + 1]).toBe('/dev/null');
    expect(argv).toContain('-tt');
    expect(options(argv)).toMatchObject({
      IdentitiesOnly: 'yes',
      IdentityAgent: 'none',
      BatchMode: 'yes',
      PasswordAuthentication: 'no',
      StrictHostKeyChecking: 'accept-new',
      UserKnownHostsFile: target.knownHostsPath,
      GlobalKnownHostsFile: '/dev/null',
      HostKeyAlias: 'genos-e1',
    });
  });

  it('keeps odd paths as single arguments (no shell ever parses them)', () => {
    const odd = { ...target, privateKeyPath: '/d/a b;$(x)/id', knownHostsPath: '/d/k "h"' };
    const argv = sshArgv(odd);
    expect(argv).toContain('/d/a b;$(x)/id');
    expect(argv).toContain('UserKnownHostsFile=/d/k "h"');
  });
});

describe('the environment SSH key', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-ssh-key-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has no passphrase and names the environment', () => {
    expect(keygenArgv('/e/ssh/id_ed25519', 'e1')).toEqual([
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-f',
      '/e/ssh/id_ed25519',
      '-C',
      'genos-e1',
    ]);
  });

  const run = backendAvailable('sshd') ? it : it.skip;
  run('is made once, 0600 in a 0700 dir, and kept', async () => {
    const envDir = path.join(dir, 'env');
    const key = await ensureEnvSshKey(envDir, 'e1');
    expect(key.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* genos-e1$/);
    expect(fs.statSync(path.join(envDir, 'ssh')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(key.privateKeyPath).mode & 0o777).toBe(0o600);
    // Usable without a passphrase: ssh-keygen derives the same public key from it.
    const derived = execFileSync('ssh-keygen', ['-y', '-P', '', '-f', key.privateKeyPath], {
      encoding: 'utf8',
    });
    expect(key.publicKey.startsWith(derived.trim())).toBe(true);
    const again = await ensureEnvSshKey(envDir, 'e1');
    expect(again.publicKey).toBe(key.publicKey);
    expect(await readEnvSshKey(envDir)).toEqual(key);
  });

  run('replaces a half-made pair instead of asking ssh-keygen to overwrite', async () => {
    const envDir = path.join(dir, 'env');
    fs.mkdirSync(path.join(envDir, 'ssh'), { recursive: true });
    fs.writeFileSync(path.join(envDir, 'ssh', 'id_ed25519'), 'partial');
    const key = await ensureEnvSshKey(envDir, 'e2');
    expect(key.publicKey).toMatch(/genos-e2$/);
  });

  it('says which package to install when ssh-keygen is missing', async () => {
    await expect(
      ensureEnvSshKey(path.join(dir, 'env'), 'e1', { keygen: path.join(dir, 'no-ssh-keygen') }),
    ).rejects.toThrow(/openssh-client/);
  });
});
