import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type { EnvRef } from '../../main/backends/backend.js';
import type { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import type { EnvironmentSpecInput } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testSpec } from '../helpers/docker-test-image.js';
import { dockerTestRun } from '../helpers/docker-test-run.js';

/** Lifecycle, hardening, terminal, logs and stats against the real dockerd. */

const hasDocker = backendAvailable('docker');
const { runId, host, never, up: upOn, labelledBackend, cleanup } = dockerTestRun();
const noProgress = () => {};

let image: string;
let backend: DockerBackend;
let docker: Docker;

function env(suffix: string, over: Partial<EnvironmentSpecInput> = {}): EnvRef {
  return { id: `${runId}${suffix}`, spec: testSpec(image, { name: 'life', ...over }), handles: {} };
}

const up = (e: EnvRef) => upOn(backend, e);

/** Collects a console's output and waits for a pattern in it. */
function reader(stream: Duplex) {
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return {
    text: () => text,
    async waitFor(re: RegExp, timeoutMs = 5000): Promise<string> {
      const t0 = Date.now();
      while (!re.test(text)) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`no ${re} in ${JSON.stringify(text)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return text;
    },
  };
}

describe.skipIf(!hasDocker)('Docker backend lifecycle (real dockerd)', () => {
  beforeAll(async () => {
    image = await ensureTestImage();
    docker = testDocker();
    backend = labelledBackend();
  });
  afterAll(() => cleanup(backend, docker));

  it('create -> start -> pause -> resume -> restart -> stop -> remove, state checked at each step', async () => {
    const e = env('a');
    const plan = await backend.plan(e, host);
    expect(plan).toMatchObject({
      backend: 'docker',
      image,
      createOptions: { name: `genos-life-${e.id}` },
    });

    const handles = await backend.create(e, host, noProgress, never);
    expect(handles).toMatchObject({ containerName: `genos-life-${e.id}`, image, network: null });
    expect(await backend.inspect(e)).toEqual({
      state: 'stopped',
      exitCode: null,
      reason: 'created, not started yet',
    });
    // Create again (a retry) finds the same container.
    expect((await backend.create(e, host, noProgress, never)).containerId).toBe(
      handles.containerId,
    );

    await backend.start({ ...e, handles }, host, noProgress, never);
    expect(await backend.inspect(e)).toMatchObject({ state: 'running', pid: expect.any(Number) });
    expect((await backend.listRunning()).map((r) => r.envId)).toContain(e.id);
    expect((await backend.listUnknown([])).map((u) => u.envId)).toContain(e.id);
    expect((await backend.listUnknown([e.id])).map((u) => u.envId)).not.toContain(e.id);

    await backend.pause(e);
    expect((await backend.inspect(e)).state).toBe('paused');
    await backend.pause(e); // idempotent
    await backend.resume(e);
    expect((await backend.inspect(e)).state).toBe('running');

    const before = (await backend.inspect(e)) as { since?: string };
    await backend.restart(e, 0);
    const after = (await backend.inspect(e)) as { state: string; since?: string };
    expect(after.state).toBe('running');
    expect(after.since).not.toBe(before.since);

    const t0 = performance.now();
    await backend.stop(e, 1000);
    // The interactive shell ignores SIGTERM, so the stop waits out its timeout, then kills.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await backend.inspect(e)).toMatchObject({ state: 'stopped', exitCode: 137 });
    await backend.stop(e, 1000); // idempotent

    await backend.remove(e);
    expect((await backend.inspect(e)).state).toBe('missing');
    await backend.remove(e); // idempotent
  });

  it('re-adoption after an app restart: a fresh backend finds the container and its terminal works', async () => {
    const e = await up(env('ra'));
    const restarted = labelledBackend();
    try {
      const found = (await restarted.listRunning()).find((r) => r.envId === e.id);
      expect(found?.handles).toMatchObject({
        containerId: e.handles.containerId,
        containerName: `genos-life-${e.id}`,
      });
      const adopted = { ...e, handles: found!.handles };
      expect((await restarted.inspect(adopted)).state).toBe('running');
      const con = await restarted.openConsole(adopted);
      con.stream.write('echo $((20+22))\n');
      await reader(con.stream).waitFor(/\r?\n42\r?\n/);
      con.close();
    } finally {
      restarted.close();
    }
    await backend.remove(e);
  });

  it('applies the sandbox defaults: docker inspect and inside the container', async () => {
    const e = await up(env('h'));
    const info = await docker.getContainer(String(e.handles.containerId)).inspect();
    const hc = info.HostConfig;
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.CapAdd ?? []).toEqual([]);
    expect(hc.SecurityOpt).toContain('no-new-privileges:true');
    expect(hc.SecurityOpt?.join(' ') ?? '').not.toMatch(/unconfined/);
    expect(hc.Privileged).toBe(false);
    expect(hc.PidsLimit).toBe(512);
    expect(hc.Memory).toBe(64 * 1024 * 1024);
    expect(hc.MemorySwap).toBe(hc.Memory);
    expect(hc.NanoCpus).toBe(1_000_000_000);
    expect(info.Mounts).toEqual([]);
    expect(JSON.stringify(info)).not.toMatch(/docker\.sock|podman\.sock/);
    expect(info.Config.Labels).toMatchObject({
      'genos.env': e.id,
      'genos.version': expect.any(String),
    });

    const status = await backend.exec(e, ['cat', '/proc/self/status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(status.stdout).toMatch(/^CapBnd:\s+0000000000000000$/m);
    expect(status.stdout).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(status.stdout).toMatch(/^Seccomp:\s+2$/m); // 2 = filter mode: the default profile
    // network none: only the loopback interface.
    const links = await backend.exec(e, ['ip', '-o', 'link']);
    expect(
      links.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1]?.trim()),
    ).toEqual(['lo']);
    // Root in the container cannot do root things: mounting is refused.
    const mount = await backend.exec(e, ['mount', '-t', 'tmpfs', 'none', '/mnt']);
    expect(mount.exitCode).not.toBe(0);
    await backend.remove(e);
  });

  it('read-only root with a writable /tmp; added capabilities show in CapEff', async () => {
    const e = await up(
      env('r', { hardening: { readOnlyRoot: true, capAdd: ['NET_BIND_SERVICE'] } }),
    );
    expect((await backend.exec(e, ['touch', '/root-file'])).exitCode).not.toBe(0);
    expect((await backend.exec(e, ['touch', '/tmp/ok'])).exitCode).toBe(0);
    const st = await backend.exec(e, ['cat', '/proc/self/status']);
    expect(st.stdout).toMatch(/^CapEff:\s+0000000000000400$/m); // bit 10 = NET_BIND_SERVICE
    await backend.remove(e);
  });

  it('a fork bomb stops at the pids limit', async () => {
    const e = await up(env('p', { hardening: { pidsLimit: 32 } }));
    const r = await backend.exec(e, [
      'sh',
      '-c',
      'i=0; while [ $i -lt 200 ]; do sleep 3 & i=$((i+1)); done; echo spawned $i',
    ]);
    expect(r.stdout + r.stderr).toMatch(/can't fork/);
    expect(r.stdout).not.toMatch(/spawned 200/);
    const raw = (await docker
      .getContainer(String(e.handles.containerId))
      .stats({ stream: false })) as {
      pids_stats?: { current?: number };
    };
    expect(raw.pids_stats?.current ?? 0).toBeLessThanOrEqual(32);
    await backend.kill(e);
    await backend.remove(e);
  });

  it('exec TTY console: arithmetic round trip, resize; attach to the main process; logs follow', async () => {
    const e = await up(env('c'));
    const con = await backend.openConsole(e);
    const out = reader(con.stream);
    con.stream.write('echo $((6*7))\n');
    await out.waitFor(/\r?\n42\r?\n/);
    await con.resize!(123, 37);
    con.stream.write('stty size\n');
    await out.waitFor(/37 123/);
    con.close();

    const follow = await backend.logs(e, { follow: true });
    const logged = reader(follow as unknown as Duplex);
    const main = await backend.attach(e);
    const attached = reader(main.stream);
    main.stream.write('echo marker-$((2+3))\n');
    await attached.waitFor(/marker-5/);
    await logged.waitFor(/marker-5/);
    await main.resize!(90, 30);
    main.close();
    follow.destroy();
    // Detaching left the main process running.
    expect((await backend.inspect(e)).state).toBe('running');

    const all = await backend.logs(e);
    expect(await text(all)).toMatch(/marker-5/);
    const later = await backend.logs(e, { since: new Date(Date.now() + 60_000) });
    expect(await text(later)).toBe('');
    await backend.remove(e);
  });

  it('stats: one measured sample, and a stream of them', async () => {
    const e = await up(env('s'));
    await backend.exec(e, ['sh', '-c', '(while :; do :; done) >/dev/null 2>&1 &']);
    const s = await backend.stats(e);
    expect(s.cpuPercent).toBeGreaterThan(10);
    expect(s.memoryBytes).toBeGreaterThan(0);
    expect(s.memoryLimitBytes).toBe(64 * 1024 * 1024);
    const ac = new AbortController();
    const samples: number[] = [];
    const done = backend.sampleStats(
      e,
      (x) => {
        samples.push(x.cpuPercent);
        if (samples.length === 2) ac.abort();
      },
      ac.signal,
    );
    await done;
    expect(samples).toHaveLength(2);
    expect(Math.max(...samples)).toBeGreaterThan(10);
    await backend.remove(e);
  });

  it('ephemeral environments are removed, with their volumes, when stopped', async () => {
    const e = await up(env('e', { ephemeral: true }));
    await backend.stop(e, 0);
    expect((await backend.inspect(e)).state).toBe('missing');
  });

  it('never touches a same-named container that is not ours', async () => {
    const e = env('n');
    const foreign = await docker.createContainer({
      name: `genos-life-${e.id}`,
      Image: image,
      Labels: { 'genos.test': runId },
    });
    await expect(backend.remove(e)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(backend.start(e, host, noProgress, never)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await foreign.inspect()).State.Status).toBe('created');
  });

  it('says what to do when the container is not running or absent', async () => {
    const e = env('x');
    await expect(backend.openConsole(e)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/create it first/),
    });
    await backend.create(e, host, noProgress, never);
    await expect(backend.openConsole(e)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/start .* first/),
    });
    // A live snapshot of a container that is not running cannot be a CRIU checkpoint: it is
    // taken as a filesystem snapshot, and says so.
    expect(await backend.snapshot(e, 'live1', 'live')).toMatchObject({
      kind: 'commit',
      note: expect.stringMatching(/CRIU/),
    });
    await backend.deleteSnapshot(e, 'live1');
    expect(await backend.openDisplay(e)).toMatchObject({ protocol: 'none' });
    await backend.remove(e);
  });
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stream) s += c.toString();
  return s;
}
