import net from 'node:net';
import type { EnvironmentSpec, PortForward } from '../../../preload/contract.js';
import { isCloudImage } from '../../../preload/contract.js';

/**
 * The host port that reaches a VM's sshd (guest port 22/tcp). A catalog VM always gets one: if
 * the spec forwards 22 itself, that forward; otherwise start() adds one from a free 127.0.0.1
 * port chosen then. The chosen port is not stored anywhere of its own: qemu's argv (kept in the
 * runtime dir's instance.json, which re-adoption reads) holds the hostfwd, so the port of a
 * running VM is read back from there and can never disagree with what qemu really bound.
 * Choosing at start rather than when composing keeps specs portable (a fixed host port in a
 * spec collides as soon as two environments come from it) and needs no "auto" in the schema.
 */

const isSsh = (p: PortForward) => p.guest === 22 && p.protocol === 'tcp';

/** The spec's own forward to guest port 22, if any (none when the VM has no network). */
export function specSshForward(spec: EnvironmentSpec): PortForward | null {
  if (spec.network.mode === 'none') return null;
  return spec.network.ports.find(isSsh) ?? null;
}

/** Whether start() adds an SSH forward of its own. */
export function needsAutoSshForward(spec: EnvironmentSpec): boolean {
  return isCloudImage(spec.image) && spec.network.mode !== 'none' && !specSshForward(spec);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The spec start() launches: with an SSH forward added when the VM needs one. The port then
 * goes through the same taken-port check as the spec's own forwards.
 */
export async function withSshForward(
  spec: EnvironmentSpec,
  pickPort: () => Promise<number> = freeLoopbackPort,
): Promise<EnvironmentSpec> {
  if (!needsAutoSshForward(spec)) return spec;
  const forward: PortForward = { host: await pickPort(), guest: 22, protocol: 'tcp' };
  return { ...spec, network: { ...spec.network, ports: [...spec.network.ports, forward] } };
}

const HOSTFWD_SSH = /(?:^|,)hostfwd=tcp:127\.0\.0\.1:(\d{1,5})-:22(?:,|$)/;

/** The host port forwarded to guest port 22 in a qemu argv, or null. */
export function sshPortFromArgv(argv: readonly string[]): number | null {
  for (const arg of argv) {
    const m = HOSTFWD_SSH.exec(arg);
    if (m) return Number(m[1]);
  }
  return null;
}
