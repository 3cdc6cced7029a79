import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentSpec, LaunchPlan } from '../../../preload/contract';
import { useLaunchStore } from '../../../renderer/src/state/compose-launch-store';
import { usePlanStore } from '../../../renderer/src/state/compose-plan-store';
import { installFakeBridge, removeFakeBridge } from './fake-bridge';
import { baseSpec } from '../../helpers/spec-fixture';
import { env } from './fixtures';

const spec = (name: string, count = 1) =>
  baseSpec({
    name,
    backend: 'docker',
    os: { id: 'busybox', version: null },
    resources: { cpus: 1, memoryMiB: 64, diskGiB: 1 },
    count,
    image: { kind: 'container-image', ref: 'busybox' },
  });

/** createEnvironment makes `count` environments named like the orchestrator does. */
function fakeCreate({ spec: s }: { spec: EnvironmentSpec }) {
  const names =
    s.count === 1 ? [s.name] : Array.from({ length: s.count }, (_, i) => `${s.name}-${i + 1}`);
  return { result: { items: names.map((name) => env({ id: `id-${name}`, name })) } };
}

beforeEach(() => {
  useLaunchStore.setState({ busy: false, step: null, failure: null });
  usePlanStore.getState().clear();
});
afterEach(removeFakeBridge);

describe('launch', () => {
  it('creates every environment, then starts each one', async () => {
    const log = installFakeBridge({
      createEnvironment: fakeCreate,
      startEnvironment: ({ id }: { id: string }) => ({ result: env({ id, state: 'running' }) }),
    });
    const made = await useLaunchStore.getState().launch([spec('web', 2), spec('db')], true);
    expect(made?.map((e) => e.name)).toEqual(['web-1', 'web-2', 'db']);
    expect(log.map((c) => `${c.name} ${JSON.stringify(c.args)}`)).toEqual([
      `createEnvironment ${JSON.stringify({ spec: spec('web', 2) })}`,
      `createEnvironment ${JSON.stringify({ spec: spec('db') })}`,
      'startEnvironment {"id":"id-web-1"}',
      'startEnvironment {"id":"id-web-2"}',
      'startEnvironment {"id":"id-db"}',
    ]);
    expect(useLaunchStore.getState()).toMatchObject({ busy: false, failure: null });
  });

  it('creates without starting when asked', async () => {
    const log = installFakeBridge({ createEnvironment: fakeCreate });
    await useLaunchStore.getState().launch([spec('web')], false);
    expect(log.map((c) => c.name)).toEqual(['createEnvironment']);
  });

  it('keeps the server’s message, saying what was made before the failure', async () => {
    installFakeBridge({
      createEnvironment: fakeCreate,
      startEnvironment: () => ({ error: { code: 'UNAVAILABLE', message: 'no such image' } }),
    });
    await expect(useLaunchStore.getState().launch([spec('web')], true)).resolves.toBeNull();
    expect(useLaunchStore.getState().failure).toEqual({
      message: 'Could not start web (web was created and can be started from Environments).',
      error: { code: 'UNAVAILABLE', message: 'no such image' },
    });

    installFakeBridge({
      createEnvironment: () => ({
        error: { code: 'BAD_ARGS', message: 'Invalid arguments: spec.name: bad' },
      }),
    });
    await useLaunchStore.getState().launch([spec('web')], true);
    expect(useLaunchStore.getState().failure).toMatchObject({
      message: 'Could not create web.',
      error: { code: 'BAD_ARGS', message: 'Invalid arguments: spec.name: bad' },
    });
  });
});

describe('dry-run plan', () => {
  const plan = (memory: number): LaunchPlan => ({
    backend: 'qemu',
    binary: '/usr/bin/qemu-system-x86_64',
    argv: ['-m', `${memory}M`],
    runtimeDir: '/run',
    notes: [],
  });

  it('plans a spec once, keeps the newest answer and shows a plan error', async () => {
    const waiting: (() => void)[] = [];
    const log = installFakeBridge({
      planEnvironment: ({ spec: s }: { spec: EnvironmentSpec }) =>
        new Promise((resolve) =>
          waiting.push(() => resolve({ result: plan(s.resources.memoryMiB) })),
        ),
    });
    const first = usePlanStore.getState().refresh(spec('a'));
    const bigger = { ...spec('a'), resources: { cpus: 1, memoryMiB: 512, diskGiB: 1 } };
    const second = usePlanStore.getState().refresh(bigger);
    waiting[1]!();
    await second;
    waiting[0]!();
    await first;
    expect(usePlanStore.getState()).toMatchObject({ status: 'ready', plan: plan(512) });
    await usePlanStore.getState().refresh(bigger);
    expect(log).toHaveLength(2);

    installFakeBridge({
      planEnvironment: () => ({ error: { code: 'UNAVAILABLE', message: 'no engine' } }),
    });
    await usePlanStore.getState().refresh(spec('b'));
    expect(usePlanStore.getState()).toMatchObject({
      status: 'error',
      plan: null,
      error: { code: 'UNAVAILABLE', message: 'no engine' },
    });
  });
});
