import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import type WebSocket from 'ws';
import type { EnvironmentSummary } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { runCli } from '../helpers/run-cli.js';
import {
  builtCli,
  openWs,
  request,
  startServe,
  type ServeProcess,
} from '../helpers/serve-process.js';

/**
 * What streams out of a container through a real `genos serve`: the log followed over a one-time
 * ticket (API and `genos logs -f` through the owner socket), `since`, attaching to the main
 * process (an interactive busybox sh) beside a new shell, and serve stopping promptly on SIGTERM
 * with terminals still open (no hijacked docker socket left holding the process).
 */
describe.runIf(backendAvailable('docker'))('container logs and terminals over the API', () => {
  const docker = testDocker();
  const run = testRunId();
  let serve: ServeProcess;
  let ws: WebSocket;
  let envId = '';
  const name = `streams-${run}`;
  let id = 0;
  const call = async (call: string, args: unknown) =>
    request(ws, JSON.stringify({ id: ++id, call, args }), id);
  const ticketSocket = async (t: { url: string; token: string }) => {
    const sock = new WebSocketClient(
      `ws://127.0.0.1:${serve.port}${t.url}?token=${encodeURIComponent(t.token)}`,
    );
    await new Promise((resolve, reject) => sock.once('open', resolve).once('error', reject));
    return sock;
  };
  const waitFor = (sock: WebSocket, pattern: RegExp, what: string) =>
    new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`no ${what} in: ${seen}`)), 10_000);
      sock.on('message', (d) => {
        seen += d.toString();
        if (pattern.test(seen)) {
          clearTimeout(timer);
          resolve(seen);
        }
      });
    });

  beforeAll(async () => {
    const image = await ensureTestImage(docker);
    serve = await startServe();
    ws = await openWs(serve.port, { token: serve.token });
    const spec = testSpec(image, { name });
    const created = await call('createEnvironment', { spec });
    envId = (created.result as { items: EnvironmentSummary[] }).items[0]!.id;
    expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
      state: 'running',
    });
  }, 120_000);
  afterAll(async () => {
    ws?.close();
    if (serve && serve.child.exitCode === null) await serve.stop();
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`genos.env=${envId}`] },
    });
    for (const c of left) await docker.getContainer(c.Id).remove({ force: true, v: true });
  });

  it('attaches to the main process, and the followed log shows what it printed', async () => {
    const logTicket = (await call('openLogStream', { id: envId })).result as {
      url: string;
      token: string;
    };
    const log = await ticketSocket(logTicket);
    const logged = waitFor(log, /attached-42/, 'attach output in the log');
    // Whatever a log reader sends is ignored: the log is read-only.
    log.send(Buffer.from('echo typed-into-the-log\n'));

    const shellTicket = (await call('openTerminal', { id: envId, mode: 'shell' })).result as {
      url: string;
      token: string;
    };
    const shell = await ticketSocket(shellTicket);
    const pid = waitFor(shell, /ppid=\d+\r?\n/, 'the shell pid');
    shell.send(Buffer.from('echo ppid=$PPID\n'));
    // A shell exec'd beside the main process is not PID 1.
    expect(await pid).toMatch(/ppid=0\r?\n/);

    const attachTicket = (await call('openTerminal', { id: envId, mode: 'attach' })).result as {
      url: string;
      token: string;
    };
    const main = await ticketSocket(attachTicket);
    const answer = waitFor(main, /attached-42\r?\nppid=1\r?\n/, 'the main process answer');
    main.send(Buffer.from('echo attached-$((6*7)); echo ppid=$PPID\n'));
    await answer;
    expect(await logged).toContain('attached-42');
    expect(await logged).not.toContain('typed-into-the-log');
    log.close();
    main.close();
    // The shell stays open: serve must still stop promptly with it (last test).
    // A spent ticket opens nothing.
    await expect(ticketSocket(attachTicket)).rejects.toThrow(/403/);
  });

  it('reads the log since a time: sinceSec, an ISO time, and a future time gives nothing', async () => {
    const recent = await call('consoleLog', { id: envId, sinceSec: 600 });
    expect((recent.result as { text: string }).text).toContain('attached-42');
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(await call('consoleLog', { id: envId, since: future })).toEqual(
      expect.objectContaining({ result: { text: '' } }),
    );
    expect((await call('consoleLog', { id: envId, since: '10m' })).error).toMatchObject({
      code: 'BAD_ARGS',
    });
    expect(
      (await call('consoleLog', { id: envId, since: future, sinceSec: 5 })).error,
    ).toMatchObject({ code: 'BAD_ARGS', message: expect.stringMatching(/not both/) });

    const cli = await runCli(['logs', name, '--since', '10m', '--data-dir', serve.dataDir]);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('attached-42');
    const bad = await runCli(['logs', name, '--since', 'lately', '--data-dir', serve.dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--since takes a duration/);
  });

  it('`genos logs -f` follows through the owner until the container stops', async () => {
    const cli = runCli(['logs', name, '-f', '--data-dir', serve.dataDir]);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    // A new line while it follows, written by the main process.
    const attachTicket = (await call('openTerminal', { id: envId, mode: 'attach' })).result as {
      url: string;
      token: string;
    };
    const main = await ticketSocket(attachTicket);
    const echoed = waitFor(main, /followed-\d+\r?\n/, 'the echo');
    main.send(Buffer.from('echo followed-$((1000+1))\n'));
    await echoed;
    main.close();
    await call('stopEnvironment', { id: envId, timeoutSec: 2 });
    const res = await cli;
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('followed-1001');
    // Ended by the stop, not a timeout of ours.
    expect(Date.now() - t0).toBeLessThan(15_000);
    await call('startEnvironment', { id: envId });
  });

  it('`genos logs -f` ends on Ctrl+C', async () => {
    const child = spawn(
      process.execPath,
      [builtCli, 'logs', name, '-f', '--data-dir', serve.dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const deadline = Date.now() + 10_000;
    while (!out.includes('followed-1001') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toContain('followed-1001');
    const t0 = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('serve stops on SIGTERM within a few seconds with a terminal open', async () => {
    const ticket = (await call('openTerminal', { id: envId })).result as {
      url: string;
      token: string;
    };
    const shell = await ticketSocket(ticket);
    const ready = waitFor(shell, /ready-7\r?\n/, 'the shell');
    shell.send(Buffer.from('echo ready-$((3+4))\n'));
    await ready;
    const t0 = Date.now();
    const code = await serve.stop();
    const took = Date.now() - t0;
    console.log(`serve stopped in ${took} ms with a docker terminal open`);
    expect(code).toBe(0);
    expect(took).toBeLessThan(5000);
    expect(serve.stderr()).not.toMatch(/took too long/);
  });

  it('`genos logs -f` with no owner follows in-process until the container stops', async () => {
    // serve is gone; the container it started runs on.
    const [c] = await docker.listContainers({ filters: { label: [`genos.env=${envId}`] } });
    expect(c?.State).toBe('running');
    const cli = runCli(['logs', name, '-f', '--data-dir', serve.dataDir]);
    await new Promise((r) => setTimeout(r, 2000));
    await docker.getContainer(c!.Id).kill();
    const res = await cli;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('followed-1001');
  });
});
