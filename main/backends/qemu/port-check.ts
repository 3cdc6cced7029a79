import dgram from 'node:dgram';
import net from 'node:net';
import type { PortForward } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';

/**
 * Host forwards bind 127.0.0.1. qemu only says "Could not set up host forwarding rule" when a
 * port is taken, after the fact and without naming it; checking first lets GenOS name every
 * taken port before anything starts. (A program can still grab a port between the check and
 * qemu's bind; the launch then fails with qemu's message.)
 */

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ address: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** The forwards whose host port is taken on 127.0.0.1. */
export async function takenPorts(ports: readonly PortForward[]): Promise<PortForward[]> {
  const checks = await Promise.all(
    ports.map(async (p) =>
      (p.protocol === 'udp' ? await udpFree(p.host) : await tcpFree(p.host)) ? null : p,
    ),
  );
  return checks.filter((p): p is PortForward => p !== null);
}

export function describePorts(ports: readonly PortForward[]): string {
  return ports.map((p) => `${p.host}/${p.protocol}`).join(', ');
}

/** Throws CONFLICT naming every taken port, or returns when all are free. */
export async function assertPortsFree(ports: readonly PortForward[]): Promise<void> {
  const dupes = ports.filter(
    (p, i) => ports.findIndex((q) => q.host === p.host && q.protocol === p.protocol) !== i,
  );
  if (dupes.length > 0) {
    throw new GenosError(
      'BAD_ARGS',
      `Host port ${describePorts(dupes)} is forwarded twice: each host port can forward to one guest port.`,
    );
  }
  const taken = await takenPorts(ports);
  if (taken.length > 0) {
    const s = taken.length > 1 ? 's' : '';
    throw new GenosError(
      'CONFLICT',
      `Host port${s} ${describePorts(taken)} on 127.0.0.1 ${taken.length > 1 ? 'are' : 'is'} already in use: ` +
        `stop the program using ${taken.length > 1 ? 'them' : 'it'} or choose other host ports.`,
    );
  }
}
