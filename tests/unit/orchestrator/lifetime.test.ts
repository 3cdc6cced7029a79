import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetricSample } from '../../../preload/contract.js';
import {
  LifetimeEnforcer,
  lifetimeDue,
  type LifetimePolicy,
} from '../../../main/orchestrator/lifetime.js';
import { orchestratorHarness } from '../../helpers/orchestrator-harness.js';

const T0 = Date.UTC(2030, 0, 1);
const MIN = 60_000;
const none: LifetimePolicy = { ttlMinutes: null, idleStopMinutes: null, idleCpuPercent: 2 };

/** One sample every 5 s from `from` to `to` (ms), CPU given by cpu(t). */
function samples(from: number, to: number, cpu: (t: number) => number): MetricSample[] {
  const out: MetricSample[] = [];
  for (let t = from; t <= to; t += 5000) {
    out.push({
      at: new Date(t).toISOString(),
      cpuPercent: cpu(t),
      memoryBytes: 1,
      memoryLimitBytes: null,
      netRxBytes: 0,
      netTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
    } as MetricSample);
  }
  return out;
}
const due = (now: number, policy: LifetimePolicy, ring: MetricSample[] = [], since = T0) =>
  lifetimeDue({ now, since, policy, samples: ring, maxGapMs: 15_000 });

describe('lifetimeDue', () => {
  it('is due once the time to live is over, not before', () => {
    const policy = { ...none, ttlMinutes: 30 };
    expect(due(T0 + 30 * MIN - 1, policy)).toBeNull();
    expect(due(T0 + 30 * MIN, policy)).toBe('its time to live of 30 min is over');
  });

  it('is idle after CPU stayed below the threshold for the whole window', () => {
    const policy = { ...none, idleStopMinutes: 10 };
    const now = T0 + 20 * MIN;
    expect(
      due(
        now,
        policy,
        samples(T0, now, () => 0.5),
      ),
    ).toBe('idle: CPU below 2% for 10 min');
    // busy 9 minutes ago: not idle
    const busy = samples(T0, now, (t) => (t === now - 9 * MIN ? 40 : 0.5));
    expect(due(now, policy, busy)).toBeNull();
    // busy 11 minutes ago only: idle since
    const before = samples(T0, now, (t) => (t === now - 11 * MIN ? 40 : 0.5));
    expect(due(now, policy, before)).not.toBeNull();
  });

  it('needs samples covering the window without gaps, ending now', () => {
    const policy = { ...none, idleStopMinutes: 10 };
    const now = T0 + 20 * MIN;
    // only 5 minutes of watching so far
    expect(
      due(
        now,
        policy,
        samples(now - 5 * MIN, now, () => 0),
      ),
    ).toBeNull();
    // idle samples from before a stop, then a fresh run of 3 minutes
    const ring = [...samples(T0, T0 + 10 * MIN, () => 0), ...samples(now - 3 * MIN, now, () => 0)];
    expect(due(now, policy, ring)).toBeNull();
    // sampling stopped a while ago (not running now)
    expect(
      due(
        now,
        policy,
        samples(T0, now - MIN, () => 0),
      ),
    ).toBeNull();
    expect(due(now, policy, [])).toBeNull();
  });
});

describe('lifetime enforcer', () => {
  let h: ReturnType<typeof orchestratorHarness>;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    h = orchestratorHarness();
  });
  afterEach(() => {
    h.close();
    vi.useRealTimers();
  });

  it('stops an environment past its TTL (deleting an ephemeral one) and audits why', async () => {
    const keep = await h.running({ name: 'keep' });
    const ttl = await h.running({ name: 'ttl' });
    const gone = await h.running({ name: 'gone', ephemeral: true });
    const enforcer = new LifetimeEnforcer(
      {
        store: h.store,
        audit: h.deps.audit,
        orchestrator: h.orchestrator,
        samples: () => [],
        policyOf: (env) => (env.name === 'keep' ? null : { ...none, ttlMinutes: 60 }),
      },
      { tickMs: 30_000, maxGapMs: 15_000 },
    );
    enforcer.start();
    await vi.advanceTimersByTimeAsync(59 * MIN);
    expect(h.store.getEnvironment(ttl.id)!.state).toBe('running');
    await vi.advanceTimersByTimeAsync(MIN);
    enforcer.stop();
    expect(h.store.getEnvironment(keep.id)!.state).toBe('running');
    expect(h.store.getEnvironment(ttl.id)).toMatchObject({
      state: 'stopped',
      stateReason: 'stopped by lifetime',
    });
    expect(h.store.getEnvironment(gone.id)).toBeUndefined();
    expect(h.audit(ttl.id, 'env.lifetime')[0]).toMatchObject({
      actor: 'lifetime',
      detail: { reason: 'its time to live of 60 min is over', ttlMinutes: 60 },
    });
  });

  it('stops an idle environment using the metrics ring', async () => {
    const env = await h.running();
    const enforcer = new LifetimeEnforcer({
      store: h.store,
      audit: h.deps.audit,
      orchestrator: h.orchestrator,
      samples: () => samples(T0, Date.now(), () => 0.1),
      policyOf: () => ({ ...none, idleStopMinutes: 15 }),
    });
    await vi.advanceTimersByTimeAsync(14 * MIN);
    await enforcer.tick();
    expect(h.store.getEnvironment(env.id)!.state).toBe('running');
    await vi.advanceTimersByTimeAsync(MIN);
    await enforcer.tick();
    expect(h.store.getEnvironment(env.id)!.state).toBe('stopped');
    expect(h.audit(env.id, 'env.lifetime')[0]!.detail!.reason).toBe(
      'idle: CPU below 2% for 15 min',
    );
  });
});
