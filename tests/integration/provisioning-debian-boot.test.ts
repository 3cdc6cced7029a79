import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { makeRecipe } from '../../main/composer/index.js';
import { backendAvailable } from '../helpers/backends.js';
import { DEBIAN_IMAGE_SCRIPT, debianVmSpec } from '../helpers/debian-image.js';
import { DEBIAN_READY_MS as READY_MS, DebianServe } from '../helpers/debian-serve.js';
import { runCli } from '../helpers/run-cli.js';
import { expectOutput, openTicket } from '../helpers/ticket-tap.js';

/**
 * The real first boot: the Debian 12 image that scripts/build-debian-image.sh builds from
 * Debian's archive becomes the cached base for "debian 12", `genos up` starts a headless VM
 * with no network through the running serve, cloud-init reads GenOS's seed, and the guest
 * reports ready on its serial console. Then the generated login is used on that console, and
 * the guest answers with the host name from the spec. Slow under TCG (minutes): CI runs it.
 */
describe.runIf(backendAvailable('qemu') && fs.existsSync(DEBIAN_IMAGE_SCRIPT))(
  'a Debian 12 VM provisioned by cloud-init',
  () => {
    const deb = new DebianServe('gdeb-');
    const { tmp, dataDir } = deb;
    const events: Array<EnvironmentSummary & { seenAt: number }> = [];
    const call = <T>(name: string, args: unknown) => deb.call<T>(name, args);

    beforeAll(async () => {
      await deb.startWithBase((ws) =>
        ws.on('message', (d) => {
          const msg = JSON.parse(String(d)) as { event?: string; payload?: EnvironmentSummary };
          if (msg.event === 'environmentChanged' && msg.payload)
            events.push({ ...msg.payload, seenAt: Date.now() });
        }),
      );
    }, 45 * 60_000);

    afterAll(() => deb.close());

    it(
      'boots, runs cloud-init to the ready marker, and the generated login works on the console',
      { timeout: READY_MS + 10 * 60_000 },
      async () => {
        const spec = debianVmSpec('deb-first-boot', { network: { mode: 'none', ports: [] } });
        const recipe = path.join(tmp, 'deb.genos.json');
        fs.writeFileSync(recipe, JSON.stringify(makeRecipe([spec], 'debian 12 vm, no network')));
        // `genos up` reaches the running serve through its owner socket.
        const t0 = Date.now();
        const up = await runCli(['up', recipe, '--data-dir', dataDir]);
        const upMs = Date.now() - t0;
        expect(up.stderr).not.toContain('genos:');
        expect(up.stdout).toContain('deb-first-boot: running');
        const env = (
          await call<{ items: EnvironmentSummary[] }>('listEnvironments', {})
        ).items.find((e) => e.name === 'deb-first-boot')!;

        // The serial console from the start: the terminal replays what the ring buffer holds.
        const ticket = await call<{ url: string; token: string }>('openTerminal', { id: env.id });
        const term = await openTicket(deb.serve.port, ticket);

        const now = await deb.provisionOutcome(env.id, Date.now() + READY_MS);
        if (now.provision?.stage !== 'ready' || now.provision.failed) {
          const log = await call<{ text: string }>('consoleLog', { id: env.id });
          throw new Error(
            `not ready: ${JSON.stringify(now.provision)}\n--- console ---\n${log.text.slice(-4000)}`,
          );
        }
        const stages = events
          .filter((e) => e.id === env.id && e.provision)
          .map((e) => e.provision!.stage);
        expect(stages.indexOf('first-boot')).toBeGreaterThanOrEqual(0);
        expect(stages.lastIndexOf('ready')).toBeGreaterThan(stages.indexOf('first-boot'));
        expect(stages).not.toContain('downloading'); // the adopted base was used as it was
        const at = (stage: string) =>
          events.find((e) => e.id === env.id && e.provision?.stage === stage)?.seenAt;
        const secs = (t: number | undefined) =>
          t === undefined ? '-' : `${((t - t0) / 1000).toFixed(1)} s`;
        // The figure the issue asks for: prompt to ready for a cached VM base under TCG.
        console.log(
          `[debian-boot] genos up returned after ${(upMs / 1000).toFixed(1)} s; first-boot at ${secs(at('first-boot'))}, installing-packages at ${secs(at('installing-packages'))}, ready at ${secs(at('ready'))} (stages: ${[...new Set(stages)].join(' -> ')})`,
        );

        // Log in on the serial console with the generated password: the user exists, and the
        // guest has the host name from the spec.
        const creds = await call<{ user: string; password: string }>('getCredentials', {
          id: env.id,
        });
        await expectOutput(term, /deb-first-boot login:/, '\r', 120_000);
        await expectOutput(term, /Password:/, `${creds.user}\r`, 60_000);
        await expectOutput(term, /\$ ?$/m, `${creds.password}\r`, 120_000);
        const out = await expectOutput(
          term,
          /HOST=deb-first-boot[\s\S]*uid=\d+\(genos\)[\s\S]*GENOS-PROVISIONED \S+ ok/,
          'echo HOST=$(hostname); id; cat /var/lib/genos/provisioned\r',
          60_000,
        );
        expect(out).toContain('HOST=deb-first-boot');
        term.ws.close();

        const audit = await call<{ items: Array<{ action: string; detail: { stage?: string } }> }>(
          'listAuditEvents',
          { target: env.id, limit: 200 },
        );
        expect(
          audit.items.filter((e) => e.action === 'env.provision').map((e) => e.detail.stage),
        ).toEqual(expect.arrayContaining(['preparing-disk', 'first-boot', 'ready']));
        await call('killEnvironment', { id: env.id });

        // GenOS losing track of the outcome (stopped or restarted before it read the marker) is
        // healed by the next boot: the guest repeats the outcome it kept, and it is read again.
        fs.rmSync(path.join(dataDir, 'qemu', env.id, 'provision.json'));
        const mark = events.length;
        await call('startEnvironment', { id: env.id });
        const again = Date.now() + READY_MS;
        // Until the watcher reports first-boot, the environment still shows the old 'ready'.
        const rebooted = () => {
          const seen = events
            .slice(mark)
            .filter((e) => e.id === env.id)
            .map((e) => e.provision?.stage);
          return (
            seen.lastIndexOf('ready') > seen.indexOf('first-boot') && seen.includes('first-boot')
          );
        };
        while (!rebooted()) {
          if (Date.now() > again) throw new Error('the repeated outcome was not read on reboot');
          await new Promise((r) => setTimeout(r, 1000));
        }
        expect(
          (await call<EnvironmentSummary>('getEnvironment', { id: env.id })).provision,
        ).toMatchObject({ stage: 'ready', failed: false });
        await call('killEnvironment', { id: env.id });
      },
    );

    it(
      'fails the package stage, naming the package and the log, when the guest cannot install it',
      { timeout: READY_MS + 5 * 60_000 },
      async () => {
        // No network card: apt cannot reach a mirror, so git is never installed.
        const spec = debianVmSpec('deb-no-net', {
          network: { mode: 'none', ports: [] },
          apps: ['git'],
        });
        const [env] = (await call<{ items: EnvironmentSummary[] }>('createEnvironment', { spec }))
          .items;
        await call('startEnvironment', { id: env!.id });
        const now = await deb.provisionOutcome(env!.id, Date.now() + READY_MS);
        expect(now.provision).toMatchObject({ stage: 'installing-packages', failed: true });
        expect(now.provision!.message).toMatch(/Installing packages failed: .*git/);
        expect(now.provision!.message).toContain('genos logs deb-no-net');
        const audit = await call<{
          items: Array<{ action: string; outcome: string; detail: { failed?: boolean } }>;
        }>('listAuditEvents', { target: env!.id, limit: 200 });
        expect(
          audit.items.some(
            (e) => e.action === 'env.provision' && e.outcome === 'error' && e.detail.failed,
          ),
        ).toBe(true);
        await call('killEnvironment', { id: env!.id });
      },
    );
  },
);
