/**
 * The local test image for the Docker tests: busybox-static's binary FROM scratch, its applets
 * installed as symlinks in /bin, tagged by a hash of what went into it so every test file (and
 * every run) reuses one build. Nothing is pulled: there is no registry here (ENVIRONMENT.md).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { EnvironmentSpec, EnvironmentSpecInput, HostInfo } from '../../preload/contract.js';
import { baseSpec } from './spec-fixture.js';

export const TEST_IMAGE_REPO = 'genos-test/busybox';

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

// RUN needs a binary in the image: exec form, busybox itself installs the applets (sh included).
const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "sh", "-c", "mkdir -p /tmp /root /etc /usr/bin /sbin && chmod 1777 /tmp && echo root:x:0:0:root:/root:/bin/sh > /etc/passwd && echo root:x:0: > /etc/group"]
LABEL genos.test-image=busybox
ENV PATH=/bin:/usr/bin:/sbin
CMD ["/bin/sh"]
`;

/** The static busybox binary, or null (then the lead adds busybox-static to .ci/run). */
export function findStaticBusybox(): string | null {
  for (const p of BUSYBOX_CANDIDATES) {
    try {
      const head = Buffer.alloc(4096);
      const fd = fs.openSync(p, 'r');
      fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      // A dynamic busybox names its interpreter (ld-linux) in the first page; a static one does not.
      if (!head.includes('ld-linux')) return p;
    } catch {
      // not here; try the next
    }
  }
  return null;
}

export function testDocker(): Docker {
  // host: undefined, so docker-modem does not take DOCKER_HOST behind our back (tests change it).
  return new Docker({ socketPath: '/var/run/docker.sock', host: undefined });
}

async function drain(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  const error = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { error?: string })
    .find((o) => o.error);
  if (error) throw new Error(`test image build failed: ${error.error}`);
  return text;
}

let cached: Promise<string> | null = null;

/** mkdir is atomic: the one process that makes the dir holds the lock. Stale after a minute. */
function tryLock(dir: string): boolean {
  try {
    fs.mkdirSync(dir);
    return true;
  } catch {
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > 60_000) fs.rmSync(dir, { recursive: true });
    } catch {
      // gone meanwhile: the next try takes it
    }
    return false;
  }
}

/** Builds (once per hash) and returns the test image's reference. */
export function ensureTestImage(docker: Docker = testDocker()): Promise<string> {
  cached ??= (async () => {
    const busybox = findStaticBusybox();
    if (!busybox) {
      throw new Error('busybox-static is not installed: apt-get install busybox-static (.ci/run)');
    }
    const bin = fs.readFileSync(busybox);
    const hash = createHash('sha256').update(bin).update(DOCKERFILE).digest('hex').slice(0, 12);
    const ref = `${TEST_IMAGE_REPO}:${hash}`;
    const present = (): Promise<boolean> =>
      docker
        .getImage(ref)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    if (await present()) return ref;
    // Test files run in parallel processes: one builds, the others wait for its tag.
    const lock = path.join(os.tmpdir(), `genos-test-image-${hash}.lock`);
    const deadline = Date.now() + 60_000;
    while (!tryLock(lock)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
      if (await present()) return ref;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-test-image-'));
    try {
      if (await present()) return ref;
      fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
      fs.copyFileSync(busybox, path.join(dir, 'busybox'));
      fs.chmodSync(path.join(dir, 'busybox'), 0o755);
      const stream = await docker.buildImage(
        { context: dir, src: ['Dockerfile', 'busybox'] },
        { t: ref, rm: true, forcerm: true, networkmode: 'none' },
      );
      await drain(stream);
      return ref;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(lock, { recursive: true, force: true });
    }
  })();
  return cached;
}

/** A random id for this test run's labels (genos.test=<id>), so cleanup touches only ours. */
export function testRunId(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Removes every container, network and image labelled genos.test=<runId> (ours only). */
export async function cleanupTestRun(docker: Docker, runId: string): Promise<void> {
  const label = { label: [`genos.test=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters: label });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await docker.listNetworks({ filters: label });
  for (const n of networks)
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  const images = await docker.listImages({ filters: label });
  for (const i of images) {
    for (const ref of i.RepoTags?.filter((t) => t !== '<none>:<none>') ?? []) {
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined);
    }
    await docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

/** A minimal docker EnvironmentSpec for tests, with the given overrides. */
export function testSpec(
  image: string,
  over: Partial<EnvironmentSpecInput> & { name: string },
): EnvironmentSpec {
  return baseSpec({
    backend: 'docker',
    os: { id: 'busybox', version: null },
    resources: { cpus: 1, memoryMiB: 64, diskGiB: 1 },
    image: { kind: 'container-image', ref: image },
    ...over,
  });
}

/** The HostInfo fields the Docker backend reads (CPU count), for tests. */
export function testHost(): HostInfo {
  return { cpu: { count: os.cpus().length, model: 'test' } } as HostInfo;
}
