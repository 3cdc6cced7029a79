/**
 * A dockerd of the test's own, for tests that stop and restart the engine: its own socket, data
 * root, exec root and pidfile under a temp dir, its own network namespace, and no bridge,
 * iptables or masquerading, so it never touches the system daemon's networks or containers.
 * Only root can run one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';

const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'];

export function dockerdBinary(): string | null {
  return DOCKERD.find((p) => fs.existsSync(p)) ?? null;
}

/** dockerd is installed and we are root (it needs to mount and make cgroups). */
export function canRunPrivateDockerd(): boolean {
  return dockerdBinary() !== null && process.getuid?.() === 0;
}

export type PrivateDockerd = {
  socket: string;
  host: string;
  docker: Docker;
  start(): Promise<void>;
  /** SIGTERM and wait: containers are stopped (1 s grace), the socket goes away. */
  stop(): Promise<void>;
  running(): boolean;
  log(): string;
  /** Stops it and removes its dirs. */
  dispose(): Promise<void>;
};

/** `extraArgs` go after the defaults (e.g. `--experimental` for CRIU checkpoints). */
export function privateDockerd(opts: { extraArgs?: string[] } = {}): PrivateDockerd {
  // Short: containerd's sockets live under the exec root and must fit sockaddr_un.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-'));
  const socket = path.join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const docker = new Docker({ socketPath: socket, host: undefined });
  let child: ChildProcess | null = null;
  let log = '';
  const argv = [
    `--host=${host}`,
    `--data-root=${path.join(dir, 'data')}`,
    `--exec-root=${path.join(dir, 'x')}`,
    `--pidfile=${path.join(dir, 'dockerd.pid')}`,
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--shutdown-timeout=1',
    `--containerd-namespace=genos-test-${path.basename(dir)}`,
    `--containerd-plugins-namespace=genos-test-${path.basename(dir)}-plugins`,
    ...(opts.extraArgs ?? []),
  ];

  const waitUp = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child?.exitCode !== null) throw new Error(`private dockerd exited: ${log.slice(-2000)}`);
      try {
        await docker.ping();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`private dockerd did not answer within 60 s: ${log.slice(-2000)}`);
  };

  const self: PrivateDockerd = {
    socket,
    host,
    docker,
    running: () => child !== null && child.exitCode === null,
    log: () => log,
    async start() {
      // Its own network namespace: a dockerd with --bridge=none deletes any `docker0` it sees,
      // which would cut the system daemon's default bridge from under every other test.
      // unshare execs dockerd (no --fork), so the child's pid is dockerd's and SIGTERM reaches it.
      child = spawn('unshare', ['--net', '--', dockerdBinary()!, ...argv], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (log += String(d)));
      child.stderr!.on('data', (d) => (log = (log + String(d)).slice(-200_000)));
      await waitUp();
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
    async dispose() {
      // Whatever the test left: the containers go with the daemon's data root.
      if (self.running()) {
        const all = await docker.listContainers({ all: true }).catch(() => []);
        for (const c of all) {
          await docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined);
        }
      }
      await self.stop();
      // Overlay mounts under the data root are gone once dockerd stopped; a leftover one is
      // unmounted rather than deleted through.
      try {
        execFileSync('umount', ['-R', path.join(dir, 'data')], { stdio: 'ignore' });
      } catch {
        // nothing mounted
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** Copies an image from the system engine into another (docker save | docker load). */
export async function copyImage(image: string, toHost: string): Promise<void> {
  const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
  const load = spawn('docker', ['-H', toHost, 'load', '-q'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let err = '';
  load.stderr!.on('data', (d) => (err += String(d)));
  save.stdout!.pipe(load.stdin!);
  const [a, b] = await Promise.all(
    [save, load].map((p) => new Promise<number | null>((r) => p.once('exit', r))),
  );
  if (a !== 0 || b !== 0) throw new Error(`copying ${image} failed (${a}/${b}): ${err}`);
}
