import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyChange } from '../../../main/orchestrator/follow-changes.js';
import { reconcile } from '../../../main/orchestrator/reconcile.js';
import {
  DEFAULT_RESTART,
  RestartPolicies,
  backoffDelay,
  wantsRestart,
} from '../../../main/orchestrator/restart-policy.js';
import { orchestratorHarness } from '../../helpers/orchestrator-harness.js';

describe('backoff', () => {
  it('doubles from 1 s and caps at 60 s', () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelay(i + 1));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(backoffDelay(500)).toBe(DEFAULT_RESTART.maxDelayMs);
  });

  it('restarts what failed for on-failure, also what stopped for always, nothing for never', () => {
    expect(wantsRestart('on-failure', 'failed')).toBe(true);
    expect(wantsRestart('on-failure', 'stopped')).toBe(false);
    expect(wantsRestart('always', 'stopped')).toBe(true);
    expect(wantsRestart('never', 'failed')).toBe(false);
  });
});

describe('restart policies', () => {
  let h: ReturnType<typeof orchestratorHarness>;
  let policies: RestartPolicies;
  let deps: ReturnType<typeof orchestratorHarness>['deps'] & { onExit: (id: string) => void };

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    h = orchestratorHarness();
    policies = new RestartPolicies({
      store: h.store,
      audit: h.deps.audit,
      orchestrator: h.orchestrator,
    });
    deps = { ...h.deps, onExit: (id) => void policies.onExit(id) };
  });
  afterEach(() => {
    policies.dispose();
    h.close();
    vi.useRealTimers();
  });

  /** The container's process is killed behind GenOS's back: the engine reports it. */
  const die = async (id: string, exitCode = 137) => {
    h.backend.instances.set(id, 'stopped');
    await applyChange(h.orchestrator, deps, id, { kind: 'died', exitCode });
    await vi.advanceTimersByTimeAsync(0);
  };
  const state = (id: string) => h.store.getEnvironment(id)?.state;
  const starts = (id: string) => h.backend.calls.filter((c) => c === `start:${id}`).length;

  it('on-failure: a process that dies is restarted after 1 s, audited with attempt and delay', async () => {
    const env = await h.running({ restartPolicy: 'on-failure' });
    await die(env.id);
    expect(state(env.id)).toBe('failed');
    expect(policies.pending(env.id)).toBe(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(state(env.id)).toBe('failed');
    await vi.advanceTimersByTimeAsync(1);
    expect(state(env.id)).toBe('running');
    expect(starts(env.id)).toBe(2);
    const [restart] = h.audit(env.id, 'env.restart');
    expect(restart).toMatchObject({
      actor: 'restart-policy',
      outcome: 'info',
      detail: {
        policy: 'on-failure',
        attempt: 1,
        delayMs: 1000,
        because: 'it exited with code 137',
      },
    });
    expect(h.audit(env.id, 'env.start').at(-1)).toMatchObject({
      actor: 'restart-policy',
      outcome: 'ok',
    });
  });

  it('backs off 1, 2, 4, 8, 16 s, then gives up on the crash loop and stays failed', async () => {
    const env = await h.running({ restartPolicy: 'on-failure' });
    for (const delay of [1000, 2000, 4000, 8000, 16000]) {
      await die(env.id);
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(state(env.id)).toBe('failed');
      await vi.advanceTimersByTimeAsync(1);
      expect(state(env.id)).toBe('running');
    }
    await die(env.id);
    const failed = h.store.getEnvironment(env.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.stateReason).toMatch(
      /^crash loop: restarted 5 times in 5 minutes; not restarting again/,
    );
    expect(policies.pending(env.id)).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(state(env.id)).toBe('failed');
    expect(starts(env.id)).toBe(6);
    const restarts = h.audit(env.id, 'env.restart');
    expect(restarts.map((e) => e.detail?.delayMs ?? 'gave up')).toEqual([
      1000,
      2000,
      4000,
      8000,
      16000,
      'gave up',
    ]);
    expect(restarts.at(-1)).toMatchObject({ outcome: 'error', detail: { gaveUp: true } });
  });

  it('forgets restarts older than the window, so a rare crash starts again at 1 s', async () => {
    const env = await h.running({ restartPolicy: 'always' });
    await die(env.id);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(DEFAULT_RESTART.loopWindowMs);
    await die(env.id);
    expect(h.audit(env.id, 'env.restart').at(-1)).toMatchObject({
      detail: { attempt: 1, delayMs: 1000 },
    });
  });

  it('a failed restart attempt backs off to the next one', async () => {
    const env = await h.running({ restartPolicy: 'on-failure' });
    await die(env.id);
    h.backend.failNext.start = new Error('qemu would not start');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.store.getEnvironment(env.id)!.stateReason).toContain('qemu would not start');
    expect(h.audit(env.id, 'env.restart').at(-1)).toMatchObject({
      detail: { attempt: 2, delayMs: 2000 },
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect(state(env.id)).toBe('running');
  });

  it('never restarts what the user stopped, even with always', async () => {
    const env = await h.running({ restartPolicy: 'always' });
    await h.orchestrator.stop(env.id, 'user');
    // The engine's die event of that stop arrives after it.
    await applyChange(h.orchestrator, deps, env.id, { kind: 'died', exitCode: 0 });
    await reconcile(h.orchestrator, deps, { startup: false });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(state(env.id)).toBe('stopped');
    expect(h.audit(env.id, 'env.restart')).toEqual([]);
    expect(starts(env.id)).toBe(1);
  });

  it('always restarts a clean exit; on-failure leaves it stopped; never leaves a failure failed', async () => {
    const always = await h.running({ name: 'a', restartPolicy: 'always' });
    const onFailure = await h.running({ name: 'b', restartPolicy: 'on-failure' });
    const never = await h.running({ name: 'c', restartPolicy: 'never' });
    await die(always.id, 0);
    await die(onFailure.id, 0);
    await die(never.id, 1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state(always.id)).toBe('running');
    expect(state(onFailure.id)).toBe('stopped');
    expect(state(never.id)).toBe('failed');
    expect(h.audit(never.id, 'env.restart')).toEqual([]);
  });

  it('restarts a VM whose qemu died, found by reconciliation', async () => {
    const env = await h.running({ restartPolicy: 'on-failure' });
    h.backend.instances.set(env.id, 'stopped'); // SIGKILL: the fake reports exit 137
    await reconcile(h.orchestrator, deps, { startup: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.store.getEnvironment(env.id)).toMatchObject({
      state: 'failed',
      stateReason: 'qemu exited with signal 9',
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(state(env.id)).toBe('running');
  });

  it('does not restart once the user acted meanwhile (deleted it)', async () => {
    const env = await h.running({ restartPolicy: 'on-failure' });
    await die(env.id);
    await h.orchestrator.remove(env.id, 'user');
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.store.getEnvironment(env.id)).toBeUndefined();
    expect(starts(env.id)).toBe(1);
  });

  it('deletes an ephemeral environment that died on its own and is not restarted', async () => {
    const crashed = await h.running({ name: 'x', ephemeral: true, restartPolicy: 'never' });
    const exited = await h.running({ name: 'y', ephemeral: true, restartPolicy: 'on-failure' });
    await die(crashed.id, 139);
    await die(exited.id, 0);
    expect(h.store.getEnvironment(crashed.id)).toBeUndefined();
    expect(h.store.getEnvironment(exited.id)).toBeUndefined();
    expect(h.backend.calls).toContain(`remove:${crashed.id}`);
    // and one found dead by reconciliation
    const vm = await h.running({ name: 'z', ephemeral: true });
    h.backend.instances.set(vm.id, 'stopped');
    await reconcile(h.orchestrator, deps, { startup: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.store.getEnvironment(vm.id)).toBeUndefined();
  });

  it('reconciliation leaves an environment alone while an operation of ours runs on it', async () => {
    const env = await h.running({ restartPolicy: 'on-failure' });
    h.backend.instances.set(env.id, 'stopped');
    const report = await h.orchestrator.exclusive(env.id, () =>
      reconcile(h.orchestrator, deps, { startup: false }),
    );
    expect(report.changed).toEqual([]);
    expect(state(env.id)).toBe('running');
  });

  it('finishes at start-up a stop of an ephemeral environment that a crash cut short', async () => {
    const env = await h.running({ ephemeral: true, restartPolicy: 'always' });
    h.store.setEnvironmentState(env.id, 'stopping', 'crash mid-stop');
    h.backend.instances.set(env.id, 'stopped');
    await reconcile(h.orchestrator, deps, { startup: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.store.getEnvironment(env.id)).toBeUndefined();
    expect(h.audit(env.id, 'env.restart')).toEqual([]);
  });
});
