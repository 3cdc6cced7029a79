import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentSpecInput } from '../../../preload/contract.js';
import { HealthMonitor } from '../../../main/orchestrator/health.js';
import { planHealth, tcpConnect } from '../../../main/orchestrator/health-probe.js';
import { fakeSpec, orchestratorHarness } from '../../helpers/orchestrator-harness.js';

const tcpCheck = { kind: 'tcp' as const, port: 80, intervalSec: 2, timeoutSec: 1, retries: 3 };
const forwarded: Partial<EnvironmentSpecInput> = {
  network: { mode: 'nat', ports: [{ host: 18080, guest: 80, protocol: 'tcp' }] },
  healthCheck: tcpCheck,
};

describe('who runs a health check', () => {
  const connect = vi.fn(async () => undefined);

  it('leaves Docker to the engine, whatever the kind', () => {
    const cases: Array<[EnvironmentSpecInput['healthCheck'], string]> = [
      [tcpCheck, 'the tcp check of port 80 in the container'],
      [{ kind: 'command', command: ['pg_isready'] }, 'the check command "pg_isready"'],
      [{ kind: 'file', path: '/ready' }, 'the check that /ready exists'],
    ];
    for (const [healthCheck, describe] of cases) {
      expect(planHealth(fakeSpec({ backend: 'docker', healthCheck }), connect)).toEqual({
        by: 'engine',
        describe,
      });
    }
  });

  it('checks a VM tcp port through its host forward', async () => {
    const plan = planHealth(fakeSpec(forwarded), connect);
    expect(plan).toMatchObject({ by: 'genos', describe: 'tcp 127.0.0.1:18080 -> guest port 80' });
    if (plan.by === 'genos') await plan.probe();
    expect(connect).toHaveBeenCalledWith(18080, 1000);
  });

  it('says what to add when a VM has no forward for the port', () => {
    const plan = planHealth(fakeSpec({ healthCheck: tcpCheck }), connect);
    expect(plan.by).toBe('unsupported');
    if (plan.by !== 'unsupported') return;
    expect(plan.error.code).toBe('UNSUPPORTED');
    expect(plan.error.message).toMatch(/add \{host: <a free port>, guest: 80\} to network\.ports/);
    expect(plan.error.message).toMatch(/network mode nat or isolated/);
  });

  it('refuses command and file checks of a VM: no guest agent', () => {
    const plan = planHealth(
      fakeSpec({ healthCheck: { kind: 'command', command: ['systemctl', 'is-active', 'x'] } }),
      connect,
    );
    expect(plan).toMatchObject({
      by: 'unsupported',
      error: { code: 'UNSUPPORTED', message: expect.stringMatching(/needs a guest agent/) },
    });
  });
});

describe('the tcp probe', () => {
  const servers: net.Server[] = [];
  const listen = async (onConn: (s: net.Socket) => void) => {
    const server = net.createServer(onConn);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  };
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it('passes a port that accepts and stays open, or greets', async () => {
    const open: net.Socket[] = [];
    const quiet = await listen((s) => open.push(s));
    const greeter = await listen((s) => s.write('SSH-2.0-test\r\n'));
    await expect(tcpConnect(50)(quiet, 1000)).resolves.toBeUndefined();
    await expect(tcpConnect(5000)(greeter, 1000)).resolves.toBeUndefined();
    open.forEach((s) => s.destroy());
  });

  it('fails a closed port, and a forward whose guest side hangs up at once (qemu slirp)', async () => {
    const hangsUp = await listen((s) => s.destroy());
    const closed = await listen(() => undefined);
    servers.at(-1)!.close();
    await new Promise((r) => setTimeout(r, 20));
    await expect(tcpConnect()(closed, 1000)).rejects.toThrow('connection refused');
    await expect(tcpConnect(500)(hangsUp, 1000)).rejects.toThrow(/closed the connection/);
  });
});

describe('health monitor', () => {
  let h: ReturnType<typeof orchestratorHarness>;
  let monitor: HealthMonitor;
  let failWith: string | null;
  const failing = async () => {
    if (failWith) throw new Error(failWith);
  };
  const connect = vi.fn(failing);

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    h = orchestratorHarness();
    failWith = null;
    connect.mockReset();
    connect.mockImplementation(failing);
    monitor = new HealthMonitor(
      { store: h.store, audit: h.deps.audit, orchestrator: h.orchestrator, connect },
      { tickMs: 1000 },
    );
    monitor.start();
  });
  afterEach(() => {
    monitor.stop();
    h.close();
    vi.useRealTimers();
  });
  const state = (id: string) => h.store.getEnvironment(id)!;

  it('moves running -> degraded after `retries` failures in a row, and back when it passes', async () => {
    const env = await h.running(forwarded);
    // Seen at the first tick (1 s), checked one interval (2 s) later.
    await vi.advanceTimersByTimeAsync(3000);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(state(env.id).state).toBe('running');

    failWith = 'connection refused';
    await vi.advanceTimersByTimeAsync(2000 * 2);
    expect(monitor.failures(env.id)).toBe(2);
    expect(state(env.id).state).toBe('running');
    await vi.advanceTimersByTimeAsync(2000);
    expect(state(env.id)).toMatchObject({
      state: 'degraded',
      stateReason: 'health check failed 3 times: connection refused',
    });

    failWith = null;
    await vi.advanceTimersByTimeAsync(2000);
    expect(state(env.id)).toMatchObject({
      state: 'running',
      stateReason: 'health check passes again',
    });
    const moves = h
      .audit(env.id, 'env.state')
      .map((e) => `${String(e.detail?.from)}->${String(e.detail?.to)}`);
    expect(moves.slice(-2)).toEqual(['running->degraded', 'degraded->running']);
  });

  it('hands a degraded environment that keeps failing to onFailed, once per threshold', async () => {
    monitor.stop();
    const onFailed = vi.fn(async () => undefined);
    monitor = new HealthMonitor(
      { store: h.store, audit: h.deps.audit, orchestrator: h.orchestrator, connect, onFailed },
      { tickMs: 1000 },
    );
    monitor.start();
    const env = await h.running(forwarded);
    failWith = 'connection refused';
    await vi.advanceTimersByTimeAsync(1000 + 3 * 2000);
    expect(state(env.id).state).toBe('degraded');
    expect(onFailed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(3 * 2000);
    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(onFailed).toHaveBeenCalledWith(
      env.id,
      'health check failed 6 times in a row: connection refused',
    );
  });

  it('counts a probe that hangs past timeoutSec as a failure', async () => {
    const env = await h.running(forwarded);
    connect.mockImplementation(() => new Promise(() => undefined));
    // Seen at 1 s; each check: 2 s interval, then 1 s timeout.
    await vi.advanceTimersByTimeAsync(1000 + 3 * 3000);
    expect(state(env.id)).toMatchObject({
      state: 'degraded',
      stateReason: 'health check failed 3 times: no answer within 1 s',
    });
  });

  it('resets the count when it stops running', async () => {
    const env = await h.running(forwarded);
    failWith = 'connection refused';
    await vi.advanceTimersByTimeAsync(5000);
    expect(monitor.failures(env.id)).toBe(2);
    await h.orchestrator.stop(env.id, 'user');
    await vi.advanceTimersByTimeAsync(1000);
    await h.orchestrator.start(env.id, 'user');
    await vi.advanceTimersByTimeAsync(3000);
    expect(monitor.failures(env.id)).toBe(1);
    expect(state(env.id).state).toBe('running');
  });

  it('reports a check it cannot run once in the audit log, and never pretends', async () => {
    const env = await h.running({ healthCheck: { kind: 'file', path: '/run/ready' } });
    await vi.advanceTimersByTimeAsync(60_000);
    const reports = h.audit(env.id, 'env.health');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      outcome: 'error',
      detail: { status: 'unsupported', code: 'UNSUPPORTED' },
    });
    expect(connect).not.toHaveBeenCalled();
    expect(state(env.id).state).toBe('running');
  });

  it('leaves Docker environments to the engine', async () => {
    const env = await h.running({ ...forwarded, backend: 'docker' });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(connect).not.toHaveBeenCalled();
    expect(h.audit(env.id, 'env.health')).toEqual([]);
  });

  describe('engine-run checks (Docker)', () => {
    const fileCheck = {
      kind: 'file' as const,
      path: '/ready',
      intervalSec: 2,
      timeoutSec: 1,
      retries: 2,
    };
    const container = { backend: 'docker' as const, healthCheck: fileCheck };

    it('judges the engine the same way: degraded at its unhealthy, back on healthy', async () => {
      const env = await h.running(container);
      await monitor.engineReport(env.id, 'starting');
      await monitor.engineReport(env.id, 'healthy');
      expect(state(env.id).state).toBe('running');
      await monitor.engineReport(env.id, 'unhealthy');
      expect(state(env.id)).toMatchObject({
        state: 'degraded',
        stateReason: 'health check failed 2 times: the check that /ready exists failed',
      });
      expect(monitor.failures(env.id)).toBe(2);
      await monitor.engineReport(env.id, 'healthy');
      expect(state(env.id)).toMatchObject({
        state: 'running',
        stateReason: 'health check passes again',
      });
      expect(monitor.failures(env.id)).toBe(0);
      expect(connect).not.toHaveBeenCalled();
    });

    it('audits a pass after a start or a failure once, so `genos up --wait` sees it healthy', async () => {
      const env = await h.running(container);
      const passes = () =>
        h.audit(env.id, 'env.health').map((e) => [e.outcome, e.detail?.status, e.detail?.check]);
      await monitor.engineReport(env.id, 'healthy');
      await monitor.engineReport(env.id, 'healthy');
      expect(passes()).toEqual([['ok', 'healthy', 'the check that /ready exists']]);
      await monitor.engineReport(env.id, 'unhealthy');
      await monitor.engineReport(env.id, 'healthy');
      expect(passes()).toHaveLength(2);
    });

    it('escalates to onFailed after `retries` more engine cycles still unhealthy, never sooner', async () => {
      monitor.stop();
      const onFailed = vi.fn(async () => undefined);
      monitor = new HealthMonitor(
        { store: h.store, audit: h.deps.audit, orchestrator: h.orchestrator, connect, onFailed },
        { tickMs: 1000 },
      );
      monitor.start();
      const env = await h.running(container);
      await monitor.engineReport(env.id, 'unhealthy');
      expect(state(env.id).state).toBe('degraded');
      // One engine cycle is interval + timeout = 3 s: the 3rd failure after 3 s, the 4th after 6 s.
      await vi.advanceTimersByTimeAsync(5500);
      expect(monitor.failures(env.id)).toBe(3);
      expect(onFailed).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1000);
      expect(onFailed).toHaveBeenCalledTimes(1);
      expect(onFailed).toHaveBeenCalledWith(
        env.id,
        'health check failed 4 times in a row: the check that /ready exists still fails',
      );
    });

    it('stops counting when the engine reports a pass, and ignores stopped environments', async () => {
      const env = await h.running(container);
      await monitor.engineReport(env.id, 'unhealthy');
      await monitor.engineReport(env.id, 'healthy');
      await vi.advanceTimersByTimeAsync(30_000);
      expect(state(env.id).state).toBe('running');
      expect(monitor.failures(env.id)).toBe(0);
      await h.orchestrator.stop(env.id, 'user');
      await monitor.engineReport(env.id, 'unhealthy');
      expect(state(env.id).state).toBe('stopped');
    });
  });
});
