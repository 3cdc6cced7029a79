import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostfwd } from '../../../main/backends/qemu/argv-devices.js';
import { guestCredentials } from '../../../main/backends/qemu/credentials.js';
import { provisionOutcomePath } from '../../../main/backends/qemu/first-boot-watch.js';
import type { QemuInstance } from '../../../main/backends/qemu/qemu-instance.js';
import { runtimeDirFor } from '../../../main/backends/qemu/runtime-paths.js';
import { sshTargetFor } from '../../../main/backends/qemu/ssh-access.js';
import {
  needsAutoSshForward,
  sshPortFromArgv,
  specSshForward,
  withSshForward,
} from '../../../main/backends/qemu/ssh-forward.js';
import { sshKeyPath } from '../../../main/provisioning/ssh-key.js';
import { baseSpec } from '../../helpers/spec-fixture.js';

const nat = (ports: Array<{ host: number; guest: number; protocol?: 'tcp' | 'udp' }> = []) =>
  baseSpec({ network: { mode: 'nat', ports } });

describe('the SSH forward of a catalog VM', () => {
  it('is added at start only for catalog VMs with a network and no forward to 22/tcp', async () => {
    expect(needsAutoSshForward(nat())).toBe(true);
    expect(needsAutoSshForward(baseSpec({ network: { mode: 'isolated', ports: [] } }))).toBe(true);
    expect(needsAutoSshForward(baseSpec())).toBe(false); // network none
    expect(needsAutoSshForward(nat([{ host: 2222, guest: 22 }]))).toBe(false);
    expect(needsAutoSshForward(nat([{ host: 2222, guest: 22, protocol: 'udp' }]))).toBe(true);
    expect(
      needsAutoSshForward(
        baseSpec({
          image: { kind: 'library', imageId: 'img1' },
          network: { mode: 'nat', ports: [] },
        }),
      ),
    ).toBe(false);
  });

  it('joins the spec’s ports, so the taken-port check and hostfwd cover it', async () => {
    const spec = nat([{ host: 8080, guest: 80 }]);
    const started = await withSshForward(spec, async () => 41022);
    expect(started.network.ports).toEqual([
      { host: 8080, guest: 80, protocol: 'tcp' },
      { host: 41022, guest: 22, protocol: 'tcp' },
    ]);
    expect(spec.network.ports).toHaveLength(1); // the stored spec is left alone
    const own = nat([{ host: 2222, guest: 22 }]);
    expect(await withSshForward(own, async () => 1)).toBe(own);
    expect(specSshForward(own)?.host).toBe(2222);
  });

  it('picks a real free loopback port by default', async () => {
    const started = await withSshForward(nat());
    const port = started.network.ports[0]!.host;
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });

  it('is read back from the recorded qemu argv (what re-adoption sees)', () => {
    const netdev = ['user', 'id=net0', hostfwd({ host: 8080, guest: 80, protocol: 'tcp' })];
    netdev.push(hostfwd({ host: 41022, guest: 22, protocol: 'tcp' }));
    expect(sshPortFromArgv(['-m', '512', '-netdev', netdev.join(',')])).toBe(41022);
    expect(
      sshPortFromArgv([
        '-netdev',
        `user,id=n,${hostfwd({ host: 5, guest: 220, protocol: 'tcp' })}`,
      ]),
    ).toBeNull();
    expect(
      sshPortFromArgv(['-netdev', `user,id=n,${hostfwd({ host: 5, guest: 22, protocol: 'udp' })}`]),
    ).toBeNull();
  });
});

describe('where the SSH terminal logs in', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-ssh-access-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const inst = (argv: string[]) => ({ record: { argv } }) as unknown as QemuInstance;
  const fwdArgv = [
    '-netdev',
    `user,id=net0,${hostfwd({ host: 41022, guest: 22, protocol: 'tcp' })}`,
  ];

  it('explains each reason there is none', async () => {
    const envDir = path.join(dataDir, 'qemu', 'e1');
    const ref = (spec = nat()) => ({ id: 'e1', spec, handles: {} });
    await expect(
      sshTargetFor(ref(baseSpec({ image: { kind: 'library', imageId: 'x' } })), envDir, null),
    ).rejects.toThrow(/not from the OS catalog/);
    await expect(sshTargetFor(ref(baseSpec()), envDir, null)).rejects.toThrow(/network "none"/);
    await expect(sshTargetFor(ref(), envDir, null)).rejects.toThrow(/not running/);
    await expect(sshTargetFor(ref(), envDir, inst(['-m', '1']))).rejects.toThrow(/restart it/);
    await expect(sshTargetFor(ref(), envDir, inst(fwdArgv))).rejects.toThrow(/still being set up/);
    fs.mkdirSync(envDir, { recursive: true });
    fs.writeFileSync(provisionOutcomePath(envDir), JSON.stringify({ state: 'ready' }));
    await expect(sshTargetFor(ref(), envDir, inst(fwdArgv))).rejects.toThrow(
      /before GenOS made SSH keys/,
    );
    fs.mkdirSync(path.dirname(sshKeyPath(envDir)), { recursive: true });
    fs.writeFileSync(sshKeyPath(envDir), 'key', { mode: 0o600 });
    fs.writeFileSync(`${sshKeyPath(envDir)}.pub`, 'ssh-ed25519 AAAA genos-e1\n');
    expect(await sshTargetFor(ref(), envDir, inst(fwdArgv))).toEqual({
      port: 41022,
      user: 'genos',
      privateKeyPath: sshKeyPath(envDir),
      knownHostsPath: path.join(envDir, 'ssh', 'known_hosts'),
      hostKeyAlias: 'genos-e1',
    });
  });

  it('getCredentials reports the port chosen at start', async () => {
    const envDir = path.join(dataDir, 'qemu', 'e1');
    fs.mkdirSync(envDir, { recursive: true });
    fs.writeFileSync(
      path.join(envDir, 'credentials.json'),
      JSON.stringify({ user: 'genos', password: 'pw' }),
    );
    const run = runtimeDirFor(dataDir, 'e1');
    fs.mkdirSync(run, { recursive: true });
    fs.writeFileSync(
      path.join(run, 'instance.json'),
      JSON.stringify({
        version: 1,
        envId: 'e1',
        pid: 4242,
        startTicks: 1,
        binary: 'q',
        argv: fwdArgv,
        startedAt: '',
      }),
    );
    const env = {
      id: 'e1',
      name: 'box',
      backend: 'qemu',
      spec: nat() as unknown as Record<string, unknown>,
    };
    expect((await guestCredentials(dataDir, env)).sshPort).toBe(41022);
    const own = {
      ...env,
      spec: nat([{ host: 2222, guest: 22 }]) as unknown as Record<string, unknown>,
    };
    expect((await guestCredentials(dataDir, own)).sshPort).toBe(2222);
  });
});
