import net from 'node:net';
import type { EnvironmentSpec } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';

/** One check: resolves when healthy, rejects with a short reason ("connection refused") when not. */
export type Probe = () => Promise<void>;

/** Who runs an environment's health check, and how. */
export type HealthPlan =
  | { by: 'none' }
  /** Docker: the container's own HEALTHCHECK (create-options.ts); its events reach the monitor. */
  | { by: 'engine'; describe: string }
  | { by: 'genos'; describe: string; probe: Probe }
  | { by: 'unsupported'; error: GenosError };

export type TcpConnect = (port: number, timeoutMs: number) => Promise<void>;

/** What the container engine says of a check it runs (its health_status events). */
export type EngineVerdict = 'starting' | 'healthy' | 'unhealthy';

/**
 * The longest time the engine takes per probe: it waits intervalSec after one ends before the
 * next begins, and a probe runs for up to timeoutSec.
 */
export function engineCycleMs(check: { intervalSec: number; timeoutSec: number }): number {
  return (check.intervalSec + check.timeoutSec) * 1000;
}

function describeInContainer(check: NonNullable<EnvironmentSpec['healthCheck']>): string {
  switch (check.kind) {
    case 'command':
      return `the check command "${(check.command ?? []).join(' ')}"`;
    case 'file':
      return `the check that ${check.path ?? '(no path)'} exists`;
    case 'tcp':
      return `the tcp check of port ${check.port ?? '(none)'} in the container`;
  }
}

/**
 * Who checks what. Docker runs every kind itself — a command or `test -e` in the container, and
 * tcp against 127.0.0.1:<port> *inside* the container, which reaches the service directly (no host
 * forward needed, works in network mode none too) — so GenOS does not check a second time and the
 * engine's health events are the one source. For a VM GenOS checks tcp through the host forward
 * qemu listens on; command and file need a guest agent, which GenOS does not have, so those are
 * reported as unsupported instead of pretending.
 */
export function planHealth(spec: EnvironmentSpec, connect: TcpConnect): HealthPlan {
  const check = spec.healthCheck;
  if (!check) return { by: 'none' };
  if (spec.backend === 'docker') return { by: 'engine', describe: describeInContainer(check) };
  const timeoutMs = check.timeoutSec * 1000;
  switch (check.kind) {
    case 'tcp': {
      if (!check.port) {
        return {
          by: 'unsupported',
          error: new GenosError(
            'BAD_ARGS',
            'The tcp health check needs a port: set healthCheck.port.',
          ),
        };
      }
      const forward = spec.network.ports.find(
        (p) => p.guest === check.port && p.protocol === 'tcp',
      );
      if (!forward || spec.network.mode === 'none') {
        return {
          by: 'unsupported',
          error: new GenosError(
            'UNSUPPORTED',
            `The tcp health check of guest port ${check.port} needs a host port forward to reach the VM: add {host: <a free port>, guest: ${check.port}} to network.ports${spec.network.mode === 'none' ? ' and use network mode nat or isolated (none has no forwards)' : ''}.`,
          ),
        };
      }
      return {
        by: 'genos',
        describe: `tcp 127.0.0.1:${forward.host} -> guest port ${check.port}`,
        probe: () => connect(forward.host, timeoutMs),
      };
    }
    case 'command':
    case 'file':
      return {
        by: 'unsupported',
        error: new GenosError(
          'UNSUPPORTED',
          `A ${check.kind} health check of a VM needs a guest agent, which GenOS does not have yet, so it is not run. Use a tcp check on a forwarded port instead.`,
        ),
      };
  }
}

/**
 * Connects to a loopback port. qemu's user-mode forward accepts on the host before it knows the
 * guest will, then closes at once when nothing listens in the guest; so a connection the peer
 * ends within settleMs counts as refused, while one that stays open (or sends a banner) passes.
 */
export function tcpConnect(settleMs = 300): TcpConnect {
  return (port, timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let connected = false;
      const done = (err?: string) => {
        clearTimeout(deadline);
        clearTimeout(settle);
        socket.destroy();
        if (err) reject(new Error(err));
        else resolve();
      };
      let settle: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
      socket.once('connect', () => {
        connected = true;
        settle = setTimeout(() => done(), Math.min(settleMs, timeoutMs));
      });
      socket.once('data', () => done());
      socket.on('error', (e: NodeJS.ErrnoException) =>
        done(e.code === 'ECONNREFUSED' ? 'connection refused' : e.message),
      );
      socket.once('close', () => {
        if (connected) done('the guest closed the connection: nothing listens on its port?');
      });
    });
}
