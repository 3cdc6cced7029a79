import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { exitReason, mapInspect } from '../../../main/backends/docker/state.js';
import {
  cpuPercent,
  memoryUsed,
  toStats,
  type RawStats,
} from '../../../main/backends/docker/stats.js';
import { demuxBuffer } from '../../../main/backends/docker/logs.js';

function info(
  state: Partial<Omit<Docker.ContainerInspectInfo['State'], 'Health'>> & { Health?: unknown },
) {
  return {
    Id: 'c0ffee',
    Image: 'sha256:abc',
    Config: { Image: 'debian:12' },
    State: {
      Status: 'exited',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-01-01T00:00:00Z',
      FinishedAt: '2026-01-01T00:01:00Z',
      ...state,
    },
  } as unknown as Docker.ContainerInspectInfo;
}

describe('mapInspect', () => {
  it('running, with pid and start time', () => {
    expect(mapInspect(info({ Status: 'running', Running: true, Pid: 42 }))).toMatchObject({
      status: { state: 'running', pid: 42, since: '2026-01-01T00:00:00Z' },
      containerId: 'c0ffee',
      image: 'debian:12',
      health: 'none',
      oomKilled: false,
    });
  });

  it('paused', () => {
    expect(
      mapInspect(info({ Status: 'paused', Running: true, Paused: true, Pid: 7 })).status,
    ).toEqual({
      state: 'paused',
      pid: 7,
      since: '2026-01-01T00:00:00Z',
    });
  });

  it('created (never started) has no exit code and no start time', () => {
    const s = mapInspect(info({ Status: 'created', StartedAt: '0001-01-01T00:00:00Z' })).status;
    expect(s).toEqual({ state: 'stopped', exitCode: null, reason: 'created, not started yet' });
  });

  it('exited: code, signal, out of memory', () => {
    expect(mapInspect(info({ ExitCode: 3 })).status).toEqual({
      state: 'stopped',
      exitCode: 3,
      reason: 'exited with code 3',
    });
    expect(mapInspect(info({ ExitCode: 137 })).status).toMatchObject({
      reason: 'killed by SIGKILL (exit code 137)',
    });
    const oom = mapInspect(info({ ExitCode: 137, OOMKilled: true }));
    expect(oom.oomKilled).toBe(true);
    expect(oom.status).toMatchObject({ reason: expect.stringMatching(/^out of memory/) });
  });

  it('dead and removing', () => {
    expect(mapInspect(info({ Status: 'dead', Error: 'device busy' })).status).toMatchObject({
      state: 'stopped',
      reason: 'dead: device busy',
    });
    expect(mapInspect(info({ Status: 'removing' })).status).toMatchObject({
      reason: 'being removed',
    });
  });

  it('health status', () => {
    const s = info({ Status: 'running', Running: true, Health: { Status: 'unhealthy' } });
    expect(mapInspect(s).health).toBe('unhealthy');
  });

  it('exitReason words', () => {
    expect(exitReason(0, false)).toBe('exited normally (code 0)');
    expect(exitReason(143, false)).toBe('killed by SIGTERM (exit code 143)');
    expect(exitReason(129 + 30, false)).toBe('killed by signal 31 (exit code 159)');
    expect(exitReason(1, false, 'exec format error')).toBe('failed: exec format error');
    // An OOM kill of some process does not explain a clean exit.
    expect(exitReason(0, true)).toBe('exited normally (code 0)');
  });
});

/** Two recorded samples (cgroup v1, as dockerd 20.10 gives them on this machine). */
const v1: RawStats = {
  read: '2026-11-23T00:49:15.357424615Z',
  cpu_stats: {
    cpu_usage: { total_usage: 2_500_000_000, percpu_usage: [1, 2] },
    system_cpu_usage: 120_000_000_000,
    online_cpus: 2,
  },
  precpu_stats: {
    cpu_usage: { total_usage: 2_000_000_000 },
    system_cpu_usage: 118_000_000_000,
    online_cpus: 2,
  },
  memory_stats: {
    usage: 10_000_000,
    limit: 67_108_864,
    stats: { total_inactive_file: 2_000_000, cache: 3_000_000 },
  },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 200 }, eth1: { rx_bytes: 24, tx_bytes: 6 } },
  blkio_stats: {
    io_service_bytes_recursive: [
      { op: 'Read', value: 4096 },
      { op: 'Write', value: 8192 },
      { op: 'Sync', value: 1 },
      { op: 'Read', value: 4096 },
      { op: 'Total', value: 12288 },
    ],
  },
};

describe('stats', () => {
  it('CPU % from the two samples docker gives: delta over system delta times CPUs', () => {
    // 0.5 s of CPU over 2 s of system time (both CPUs) = 25 % of the machine = 50 % of one CPU.
    expect(cpuPercent(v1)).toBeCloseTo(50);
  });

  it('memory without reclaimable cache (v1 and v2 field names)', () => {
    expect(memoryUsed(v1)).toBe(8_000_000);
    expect(memoryUsed({ memory_stats: { usage: 5_000, stats: { inactive_file: 1_000 } } })).toBe(
      4_000,
    );
    expect(memoryUsed({ memory_stats: { usage: 5_000 } })).toBe(5_000);
  });

  it('sums networks and block I/O (either op case)', () => {
    const s = toStats(v1);
    expect(s).toEqual({
      at: '2026-11-23T00:49:15.357424615Z',
      cpuPercent: 50,
      memoryBytes: 8_000_000,
      memoryLimitBytes: 67_108_864,
      netRxBytes: 1024,
      netTxBytes: 206,
      blockReadBytes: 8192,
      blockWriteBytes: 8192,
    });
    const v2 = toStats({
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: 'read', value: 5 },
          { op: 'write', value: 6 },
        ],
      },
    });
    expect([v2.blockReadBytes, v2.blockWriteBytes]).toEqual([5, 6]);
  });

  it('a stopped container (empty sample) gives zeros, not NaN', () => {
    const s = toStats(
      {
        read: '0001-01-01T00:00:00Z',
        memory_stats: {},
        networks: null,
        blkio_stats: { io_service_bytes_recursive: null },
      },
      () => new Date('2026-01-01T00:00:00Z'),
    );
    expect(s).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      cpuPercent: 0,
      memoryBytes: 0,
      memoryLimitBytes: null,
      netRxBytes: 0,
      netTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
    });
  });
});

describe('demuxBuffer', () => {
  it('unwraps stdout/stderr frames', () => {
    const frame = (type: number, text: string) => {
      const h = Buffer.alloc(8);
      h[0] = type;
      h.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([h, Buffer.from(text)]);
    };
    const buf = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'é\n')]);
    expect(demuxBuffer(buf).toString()).toBe('out\nerr\né\n');
  });
});
