/**
 * `docker inspect` -> the backend's RuntimeStatus, with the reason in words (exit code, signal,
 * out of memory) and the health check's status.
 */
import type Docker from 'dockerode';
import type { RuntimeStatus } from '../backend.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy' | 'none';

export type DockerStatus = {
  status: RuntimeStatus;
  health: HealthStatus;
  oomKilled: boolean;
  containerId: string;
  image: string;
};

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  6: 'SIGABRT',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
};

export function exitReason(exitCode: number, oomKilled: boolean, error?: string): string {
  // The engine sets OOMKilled when any process in the container was OOM-killed; it explains the
  // exit only when the exit was not clean.
  if (oomKilled && exitCode !== 0) return 'out of memory: the kernel killed it at the memory limit';
  if (error) return `failed: ${error}`;
  if (exitCode === 0) return 'exited normally (code 0)';
  // 128+n: the main process died of signal n (the shell convention the engine follows).
  if (exitCode > 128 && exitCode < 160) {
    const sig = SIGNALS[exitCode - 128] ?? `signal ${exitCode - 128}`;
    return `killed by ${sig} (exit code ${exitCode})`;
  }
  return `exited with code ${exitCode}`;
}

export function healthOf(state: Partial<Docker.ContainerInspectInfo['State']>): HealthStatus {
  const s = (state as { Health?: { Status?: unknown } }).Health?.Status;
  return s === 'starting' || s === 'healthy' || s === 'unhealthy' ? s : 'none';
}

export function mapInspect(info: Docker.ContainerInspectInfo): DockerStatus {
  const st = info.State;
  const oomKilled = st.OOMKilled === true;
  const base = {
    health: healthOf(st),
    oomKilled,
    containerId: info.Id,
    image: info.Config?.Image ?? info.Image,
  };
  const since = st.StartedAt && !st.StartedAt.startsWith('0001-') ? st.StartedAt : undefined;
  switch (st.Status) {
    case 'running':
    case 'restarting':
      return { ...base, status: { state: 'running', pid: st.Pid || undefined, since } };
    case 'paused':
      return { ...base, status: { state: 'paused', pid: st.Pid || undefined, since } };
    case 'created':
      return {
        ...base,
        status: { state: 'stopped', exitCode: null, reason: 'created, not started yet' },
      };
    case 'removing':
      return {
        ...base,
        status: { state: 'stopped', exitCode: st.ExitCode, reason: 'being removed' },
      };
    case 'dead':
      return {
        ...base,
        status: {
          state: 'stopped',
          exitCode: st.ExitCode,
          reason: `dead: ${st.Error || 'the engine could not stop it cleanly'}`,
        },
      };
    case 'exited':
    default:
      return {
        ...base,
        status: {
          state: 'stopped',
          exitCode: st.ExitCode,
          reason: exitReason(st.ExitCode, oomKilled, st.Error),
        },
      };
  }
}
