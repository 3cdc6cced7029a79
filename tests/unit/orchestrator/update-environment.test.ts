import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentSummary } from '../../../preload/contract.js';
import { EnvironmentUpdater } from '../../../main/orchestrator/update-environment.js';
import { fakeSpec, orchestratorHarness } from '../../helpers/orchestrator-harness.js';

describe('updateEnvironment', () => {
  let h: ReturnType<typeof orchestratorHarness>;
  afterEach(() => h.close());

  function setup() {
    h = orchestratorHarness();
    const updater = new EnvironmentUpdater({ ...h.deps, orchestrator: h.orchestrator });
    const pushed: EnvironmentSummary[] = [];
    h.bus.onAny((event, payload) => {
      if (event === 'environmentChanged') pushed.push(payload as EnvironmentSummary);
    });
    return { updater, pushed };
  }

  it('changes a draft, stores, audits and pushes it', async () => {
    const { updater, pushed } = setup();
    const [draft] = h.orchestrator.create(fakeSpec(), 'test');
    const result = await updater.update(
      draft!.id,
      {
        resources: { cpus: 2, diskGiB: 8 },
        network: { mode: 'nat', ports: [{ host: 8022, guest: 22, protocol: 'tcp' }] },
      },
      'test',
    );
    expect(result.changed).toEqual([
      'resources.cpus',
      'resources.diskGiB',
      'network.mode',
      'network.ports',
    ]);
    expect(h.store.getEnvironment(draft!.id)!.spec).toMatchObject({
      resources: { cpus: 2, memoryMiB: 256, diskGiB: 8 },
      network: { mode: 'nat', ports: [{ host: 8022, guest: 22 }] },
    });
    expect(pushed.at(-1)?.spec).toMatchObject({ resources: { cpus: 2 } });
    expect(h.audit(draft!.id, 'env.update')[0]?.detail).toMatchObject({
      from: { 'resources.cpus': 1 },
      to: { 'resources.cpus': 2 },
    });
    // The same again changes nothing and records nothing.
    const again = await updater.update(draft!.id, { resources: { cpus: 2 } }, 'test');
    expect(again.changed).toEqual([]);
    expect(h.audit(draft!.id, 'env.update')).toHaveLength(1);
  });

  it('refuses a running environment, naming its state', async () => {
    const { updater } = setup();
    const env = await h.running();
    await expect(updater.update(env.id, { restartPolicy: 'always' }, 'test')).rejects.toMatchObject(
      { code: 'CONFLICT', message: expect.stringMatching(/it is running\. Stop it first/) },
    );
  });

  it('checks host limits, ports and the disk of a stopped VM', async () => {
    const { updater } = setup();
    const env = await h.running();
    await h.orchestrator.stop(env.id, 'test');
    const refused = (patch: Parameters<EnvironmentUpdater['update']>[1]) =>
      updater.update(env.id, patch, 'test');
    await expect(refused({ resources: { cpus: 64 } })).rejects.toMatchObject({
      code: 'BAD_ARGS',
      message: expect.stringMatching(/cannot have 64 CPUs: this host has 4/),
    });
    await expect(refused({ resources: { memoryMiB: 1024 * 1024 } })).rejects.toMatchObject({
      code: 'BAD_ARGS',
      message: expect.stringMatching(/cannot have 1048576 MiB of memory/),
    });
    await expect(
      refused({ network: { ports: [{ host: 80, guest: 80, protocol: 'tcp' }] } }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/need network mode "nat"/) });
    await expect(
      refused({
        network: {
          mode: 'nat',
          ports: [
            { host: 80, guest: 80, protocol: 'tcp' },
            { host: 80, guest: 81, protocol: 'tcp' },
          ],
        },
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/80\/tcp is forwarded twice/) });
    await expect(refused({ resources: { diskGiB: 2 } })).rejects.toMatchObject({
      message: expect.stringMatching(/cannot shrink/),
    });
    await expect(refused({ resources: { diskGiB: 40 } })).rejects.toMatchObject({
      message: expect.stringMatching(/grow it with resizeDisk/),
    });
    // Nothing of the refused patches was kept.
    expect(h.store.getEnvironment(env.id)!.spec).toMatchObject({
      resources: { cpus: 1, memoryMiB: 256, diskGiB: 4 },
      network: { mode: 'none', ports: [] },
    });
    const ok = await refused({ resources: { memoryMiB: 512 }, restartPolicy: 'on-failure' });
    expect(ok.env.spec).toMatchObject({
      resources: { memoryMiB: 512 },
      restartPolicy: 'on-failure',
    });
  });
});
