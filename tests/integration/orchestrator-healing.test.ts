import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { removeEnvironmentContainers } from '../helpers/environment-containers.js';
import { ServeSession } from '../helpers/serve-session.js';

/**
 * Self-healing through the whole stack: a real `genos serve`, its orchestrator, the Docker
 * backend and dockerd. A container killed behind GenOS's back (docker kill) comes back by itself
 * under on-failure, with the restart in the audit log; under never it stays failed.
 */
describe.runIf(backendAvailable('docker'))('restart policies against a real engine', () => {
  const docker = testDocker();
  const run = testRunId();
  let image: string;
  const api = new ServeSession();
  const envIds: string[] = [];
  const pushed = new Map<string, string[]>();
  const call = (name: string, args: unknown) => api.call<unknown>(name, args);
  const get = async (envId: string) =>
    (await call('getEnvironment', { id: envId })) as EnvironmentSummary;
  const audit = async (envId: string) =>
    ((await call('listAuditEvents', { target: envId, limit: 100 })) as { items: AuditEvent[] })
      .items;
  const containerOf = async (envId: string) => {
    const [c] = await docker.listContainers({
      all: true,
      filters: { label: [`genos.env=${envId}`] },
    });
    return c!;
  };
  const launch = async (name: string, restartPolicy: 'never' | 'on-failure') => {
    const spec = testSpec(image, { name: `${name}-${run}`, restartPolicy });
    const created = (await call('createEnvironment', { spec })) as { items: EnvironmentSummary[] };
    const envId = created.items[0]!.id;
    envIds.push(envId);
    expect(await call('startEnvironment', { id: envId })).toMatchObject({ state: 'running' });
    return envId;
  };

  beforeAll(async () => {
    image = await ensureTestImage(docker);
    await api.start();
    api.ws.on('message', (d) => {
      const msg = JSON.parse(String(d));
      if (msg.event !== 'environmentChanged') return;
      pushed.set(msg.payload.id, [...(pushed.get(msg.payload.id) ?? []), msg.payload.state]);
    });
  });
  afterAll(async () => {
    await api.close();
    await removeEnvironmentContainers(docker, envIds);
  });

  it('restarts a killed on-failure container within seconds; leaves a never one failed', async () => {
    const healing = await launch('heal', 'on-failure');
    const never = await launch('never', 'never');
    const before = await containerOf(healing);
    const killedAt = Date.now();
    await Promise.all([
      docker.getContainer(before.Id).kill(),
      docker.getContainer((await containerOf(never)).Id).kill(),
    ]);

    // Engine event (< 1 s) -> failed -> 1 s backoff -> start: running again well within 5 s.
    let back: EnvironmentSummary | null = null;
    while (Date.now() - killedAt < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      const env = await get(healing);
      if (env.state === 'running' && pushed.get(healing)?.includes('failed')) {
        back = env;
        break;
      }
    }
    expect(back, `still ${(await get(healing)).state} 5 s after the kill`).not.toBeNull();
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000); // the backoff was honoured
    // The same container, started again: its writable layer survives a restart.
    const after = await containerOf(healing);
    expect(after.Id).toBe(before.Id);
    expect(after.State).toBe('running');
    expect(pushed.get(healing)).toEqual(
      expect.arrayContaining(['failed', 'provisioning', 'starting', 'running']),
    );

    const trail = await audit(healing);
    const restart = trail.find((e) => e.action === 'env.restart');
    expect(restart).toMatchObject({
      actor: 'restart-policy',
      detail: { policy: 'on-failure', attempt: 1, delayMs: 1000 },
    });
    expect(String(restart!.detail!.because)).toMatch(/137/);
    expect(trail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'env.died', actor: 'engine' }),
        expect.objectContaining({ action: 'env.start', actor: 'restart-policy', outcome: 'ok' }),
      ]),
    );

    // Never: failed with the reason, and still failed after the backoff would have fired.
    await new Promise((r) => setTimeout(r, 1500));
    const stays = await get(never);
    expect(stays.state).toBe('failed');
    expect(stays.stateReason).toMatch(/137/);
    expect((await audit(never)).filter((e) => e.action === 'env.restart')).toEqual([]);
    expect((await containerOf(never)).State).toBe('exited');

    // A user's stop is never undone by the policy.
    await call('stopEnvironment', { id: healing, timeoutSec: 1 });
    await new Promise((r) => setTimeout(r, 2000));
    expect((await get(healing)).state).toBe('stopped');
    expect((await audit(healing)).filter((e) => e.action === 'env.restart')).toHaveLength(1);

    for (const envId of envIds) {
      expect(await call('deleteEnvironment', { id: envId })).toEqual({ deleted: true });
    }
  });
});
