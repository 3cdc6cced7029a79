import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { DEBIAN_IMAGE_SCRIPT, debianVmSpec } from '../helpers/debian-image.js';
import { DEBIAN_READY_MS as READY_MS, DebianServe } from '../helpers/debian-serve.js';
import { expectOutput, openTicket } from '../helpers/ticket-tap.js';

/**
 * "Open SSH terminal" into a real guest: the Debian 12 image from scripts/build-debian-image.sh,
 * network isolated with no forward in the spec, started through `genos serve`. GenOS adds the
 * SSH forward, the seed carries the environment's key, and once cloud-init is done an SSH
 * terminal through the console bridge runs a command as the generated user. After a serve
 * restart the running VM is re-adopted and SSH still reaches it on the same port. Slow under TCG.
 */
describe.runIf(
  backendAvailable('qemu') && backendAvailable('sshd') && fs.existsSync(DEBIAN_IMAGE_SCRIPT),
)('an SSH terminal into a Debian 12 guest', () => {
  const deb = new DebianServe('gssh-');
  const call = <T>(name: string, args: unknown) => deb.call<T>(name, args);

  beforeAll(async () => {
    await deb.startWithBase();
  }, 45 * 60_000);

  afterAll(() => deb.close());

  it(
    'logs in with the environment key, and again after a serve restart',
    { timeout: READY_MS + 10 * 60_000 },
    async () => {
      const spec = debianVmSpec('deb-ssh', { network: { mode: 'isolated', ports: [] } });
      const [env] = (await call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec }))
        .items;
      const plan = await call<{ notes: string[] }>('planEnvironment', { spec });
      expect(plan.notes.join('\n')).toMatch(/SSH: guest port 22 is forwarded/);
      await call('startEnvironment', { id: env!.id });

      const deadline = Date.now() + READY_MS;
      const first = await call<EnvironmentSummary>('getEnvironment', { id: env!.id });
      const early = await call<{ available: boolean; reason?: string }>('getSshAccess', {
        id: env!.id,
      });
      if (first.provision?.stage !== 'ready') expect(early.reason).toMatch(/still being set up/);
      const now = await deb.provisionOutcome(env!.id, deadline);
      expect(now.provision).toMatchObject({ stage: 'ready', failed: false });

      const access = await call<{ available: boolean; port: number; user: string }>(
        'getSshAccess',
        { id: env!.id },
      );
      expect(access).toMatchObject({ available: true, user: 'genos' });
      const creds = await call<{ sshPort: number | null }>('getCredentials', { id: env!.id });
      expect(creds.sshPort).toBe(access.port);

      // sshd may still be starting just after the ready marker: retry a few times.
      const sshRun = async (marker: string) => {
        for (let attempt = 1; ; attempt++) {
          const ticket = await call<{ url: string; token: string }>('openTerminal', {
            id: env!.id,
            mode: 'ssh',
          });
          const tap = await openTicket(deb.serve.port, ticket);
          try {
            const out = await expectOutput(
              tap,
              new RegExp(`${marker}-42 [\\s\\S]*uid=\\d+\\(genos\\)`),
              `echo ${marker}-$((6*7)) $(hostname); id\r`,
              60_000,
            );
            tap.ws.close();
            return out;
          } catch (e) {
            tap.ws.close();
            if (attempt >= 5) throw e;
            await new Promise((r) => setTimeout(r, 5000));
          }
        }
      };
      expect(await sshRun('ssh')).toContain('deb-ssh');

      // The app goes away and comes back: the VM keeps running, is re-adopted, and its SSH
      // port is read back from qemu's recorded argv.
      await deb.restart();
      const after = await call<{ available: boolean; port: number }>('getSshAccess', {
        id: env!.id,
      });
      expect(after).toMatchObject({ available: true, port: access.port });
      await sshRun('again');
      await call('killEnvironment', { id: env!.id });
    },
  );
});
