import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseProgress } from '../../../main/images/convert.js';
import {
  createQemuImgRunner,
  runFailure,
  stderrSummary,
  type RunResult,
} from '../../../main/images/qemu-img.js';
import { expectRejects, tempDir } from './fixtures.js';

/** The runner, with a stand-in "qemu-img" script that reports what it was given. */

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('genos-qemu-img-');
});
afterEach(() => tmp.cleanup());

function fakeQemuImg(body: string): string {
  const file = path.join(tmp.dir, 'qemu-img');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

const hasPrlimit = fs.existsSync('/usr/bin/prlimit');

describe('createQemuImgRunner', () => {
  it.skipIf(!hasPrlimit)('runs under prlimit with the CPU and address-space limits', async () => {
    const run = createQemuImgRunner({
      qemuImg: fakeQemuImg(
        'echo "args: $*"; echo "arena=$MALLOC_ARENA_MAX"; cat /proc/self/limits',
      ),
    });
    const res = await run(['info', '--output=json', '/x y'], {
      limits: { cpuSeconds: 7, addressSpaceBytes: 512 * 1024 * 1024 },
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('args: info --output=json /x y');
    expect(res.stdout).toContain('arena=2');
    expect(res.stdout).toMatch(/Max cpu time\s+7\s+7\s+seconds/);
    expect(res.stdout).toMatch(/Max address space\s+536870912\s+536870912\s+bytes/);
  });

  it('without prlimit still runs, with no limits', async () => {
    const run = createQemuImgRunner({
      qemuImg: fakeQemuImg('cat /proc/self/limits'),
      prlimit: null,
    });
    const res = await run([], { limits: { cpuSeconds: 7 } });
    expect(res.stdout).toMatch(/Max cpu time\s+unlimited/);
  });

  it('streams stdout to onStdout and returns stderr', async () => {
    const run = createQemuImgRunner({
      qemuImg: fakeQemuImg(
        'printf "    (0.00/100%%)\\r"; sleep 0.05; printf "    (50.00/100%%)\\r"; echo oops >&2',
      ),
    });
    const chunks: string[] = [];
    const res = await run([], { onStdout: (c) => chunks.push(c) });
    expect(parseProgress(chunks.join(''))).toEqual([0, 50]);
    expect(res.stderr).toBe('oops\n');
  });

  it('kills the child on abort and reports CANCELLED', async () => {
    const run = createQemuImgRunner({ qemuImg: fakeQemuImg('exec sleep 30') });
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 100);
    await expectRejects(run([], { signal: ac.signal }), 'CANCELLED');
    expect(performance.now() - t0).toBeLessThan(5000);
    await expectRejects(run([], { signal: ac.signal }), 'CANCELLED'); // already aborted
  });

  it('kills the child after the wall-clock timeout', async () => {
    const run = createQemuImgRunner({ qemuImg: fakeQemuImg('exec sleep 30') });
    const res = await run([], { timeoutMs: 100 });
    expect(res).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(runFailure(res, 'read', '/x').message).toMatch(/took too long to read \/x/);
  });

  it.skipIf(!hasPrlimit)(
    'a CPU-time limit stops a spinning child',
    async () => {
      const run = createQemuImgRunner({ qemuImg: fakeQemuImg('while :; do :; done') });
      const limits = { cpuSeconds: 1 };
      const res = await run([], { limits, timeoutMs: 20_000 });
      expect(res.timedOut).toBe(false);
      expect(['SIGXCPU', 'SIGKILL']).toContain(res.signal);
      expect(runFailure(res, 'read', '/x', limits).message).toMatch(
        /more than its 1 s of CPU time/,
      );
    },
    25_000,
  );

  it('a missing binary is UNAVAILABLE and names the package', async () => {
    const run = createQemuImgRunner({ qemuImg: path.join(tmp.dir, 'missing'), prlimit: null });
    await expectRejects(run(['info']), 'UNAVAILABLE', /qemu-utils/);
  });
});

describe('runFailure', () => {
  const res = (stderr: string, code = 1): RunResult => ({
    code,
    signal: null,
    stdout: '',
    stderr,
    timedOut: false,
  });

  it('maps the usual qemu-img complaints to codes that say what to do', () => {
    expect(stderrSummary('warn\nqemu-img: Could not open x: bad\n\n')).toBe(
      'Could not open x: bad',
    );
    expect(
      runFailure(
        res('qemu-img: Failed to get "write" lock\nIs another process using the image [x]?'),
        'resize',
        '/x',
      ).code,
    ).toBe('CONFLICT');
    expect(
      runFailure(res('qemu: qemu_thread_create: Resource temporarily unavailable'), 'convert', '/x')
        .code,
    ).toBe('UNAVAILABLE');
    expect(
      runFailure(res("qemu-img: Could not open '/x': No such file or directory"), 'read', '/x')
        .code,
    ).toBe('NOT_FOUND');
    const other = runFailure(res('qemu-img: Image is not in qcow2 format'), 'read', '/x');
    expect(other.code).toBe('BAD_ARGS');
    expect(other.message).toBe('qemu-img could not read /x: Image is not in qcow2 format.');
  });
});
