import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureEnvSshKey } from '../../main/provisioning/ssh-key.js';
import { ConsoleBridge } from '../../main/streams/console-bridge.js';
import { openSshPty, type SshTarget } from '../../main/streams/pty-ssh.js';
import { startStreamServer, type StreamServer } from '../../main/streams/stream-server.js';
import { backendAvailable } from '../helpers/backends.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { baseSpec } from '../helpers/spec-fixture.js';

/**
 * The SSH terminal without a VM: a real OpenSSH server on 127.0.0.1 plays the guest's sshd,
 * trusting only the environment key GenOS makes. The whole terminal path runs for real: the key
 * from ssh-keygen, ssh in node-pty, the console bridge's one-time token and WebSocket, resize
 * control messages reaching the pty, and closing the socket ending the ssh process.
 */

const run = backendAvailable('sshd') ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Collects what the terminal prints and waits for a pattern in it. */
class Screen {
  text = '';
  private waiters: Array<() => void> = [];
  feed(b: Buffer) {
    this.text += b.toString('utf8');
    for (const w of this.waiters.splice(0)) w();
  }
  async waitFor(re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = this.text.match(re);
      if (m) return m;
      if (Date.now() > until)
        throw new Error(`no ${re} in terminal output: ${this.text.slice(-500)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
}

run('SSH terminal into a loopback sshd', () => {
  let dir: string;
  let sshd: ChildProcess;
  let sshdLog = '';
  let target: SshTarget;
  let server: StreamServer;
  const bridge = new ConsoleBridge();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-ssh-'));
    const envDir = path.join(dir, 'env');
    const key = await ensureEnvSshKey(envDir, 'ssh-test-env');
    const authorized = path.join(dir, 'authorized_keys');
    fs.writeFileSync(authorized, `${key.publicKey}\n`, { mode: 0o600 });
    const hostKey = path.join(dir, 'host_ed25519');
    await ensureHostKey(hostKey);
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        `ListenAddress 127.0.0.1`,
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${authorized}`,
        'PidFile none',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PrintMotd no',
        'PrintLastLog no',
        `AllowUsers ${os.userInfo().username}`,
        '',
      ].join('\n'),
    );
    // Its privilege-separation dir; Debian's package makes it only when the service starts.
    // (Not root: sshd then says what is missing, in the error below.)
    try {
      fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    } catch {
      // reported by sshd
    }
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-p', String(port), '-f', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sshd.stderr!.on('data', (b: Buffer) => (sshdLog += b.toString()));
    await waitForPort(port, 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${sshdLog}`);
    });
    target = {
      port,
      user: os.userInfo().username,
      privateKeyPath: key.privateKeyPath,
      knownHostsPath: key.knownHostsPath,
      hostKeyAlias: 'genos-ssh-test-env',
    };
    server = await startStreamServer([bridge]);
  });

  afterAll(async () => {
    bridge.close();
    await server?.close();
    if (sshd?.pid && sshd.exitCode === null) sshd.kill('SIGTERM');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function ensureHostKey(file: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const p = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], {
        stdio: 'ignore',
      });
      p.once('error', reject);
      p.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`ssh-keygen exited ${code}`)),
      );
    });
  }

  it('runs a command, follows resizes and ends ssh when the socket closes', async () => {
    let sshPid = 0;
    const ticket = bridge.issueConsoleToken('ssh-test-env', async () => {
      const opened = await openSshPty(target, { cols: 80, rows: 24 });
      sshPid = opened.pid;
      return opened;
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${ticket.path}`);
    const screen = new Screen();
    ws.on('message', (data: Buffer) => screen.feed(data));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    expect(sshPid).toBeGreaterThan(0);
    expect(alive(sshPid)).toBe(true);

    // The arithmetic runs in the guest's shell, so the echoed command line cannot match.
    ws.send(Buffer.from('echo ssh-$((6*7))\r'));
    await screen.waitFor(/ssh-42/);

    ws.send(JSON.stringify({ type: 'resize', cols: 101, rows: 37 }));
    // Give the pty's SIGWINCH a moment to travel through ssh to the remote TTY.
    await new Promise((r) => setTimeout(r, 500));
    ws.send(Buffer.from('echo size-$(stty size | tr " " x)\r'));
    await screen.waitFor(/size-37x101/);

    // The host key was accepted on first use and kept under the environment's alias.
    expect(fs.readFileSync(target.knownHostsPath, 'utf8')).toMatch(
      /^genos-ssh-test-env ssh-ed25519 /m,
    );

    ws.close();
    const until = Date.now() + 10_000;
    while (alive(sshPid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(alive(sshPid)).toBe(false);
  });

  it('refuses a guest whose host key changed', async () => {
    // What known_hosts says this guest's key is: a valid ed25519 key, just not the one sshd has.
    const other = path.join(dir, 'known_hosts_other');
    const wrongKey = fs.readFileSync(`${target.privateKeyPath}.pub`, 'utf8').split(' ').slice(0, 2);
    fs.writeFileSync(other, `${target.hostKeyAlias} ${wrongKey.join(' ')}\n`);
    const opened = await openSshPty({ ...target, knownHostsPath: other });
    const screen = new Screen();
    opened.stream.on('data', (b: Buffer) => screen.feed(b));
    await new Promise<void>((resolve) => opened.stream.once('end', () => resolve()));
    expect(screen.text).toMatch(
      /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
    );
    opened.close();
  });

  it('says which package to install when ssh is missing', async () => {
    await expect(openSshPty(target, { binary: path.join(dir, 'no-such-ssh') })).rejects.toThrow(
      /openssh-client/,
    );
  });
});

/**
 * Through the real `genos serve`: the API says why SSH is not there, before any VM runs, and
 * refuses an SSH terminal with that reason (the UI shows it beside the disabled choice).
 */
describe('SSH access over the API', () => {
  let serve: ServeProcess;
  let ws: WebSocket;
  let id = 0;
  const call = (name: string, args: unknown) =>
    request(ws, JSON.stringify({ id: ++id, call: name, args }), id);

  beforeAll(async () => {
    serve = await startServe();
    ws = await openWs(serve.port, { token: serve.token });
  });
  afterAll(async () => {
    ws?.close();
    await serve?.stop();
    if (serve) fs.rmSync(serve.dataDir, { recursive: true, force: true });
  });

  const create = async (name: string, mode: 'none' | 'nat') => {
    const r = await call('createEnvironment', {
      spec: baseSpec({ name, network: { mode, ports: [] } }),
    });
    expect(r.error).toBeUndefined();
    return (r.result as { items: Array<{ id: string }> }).items[0]!.id;
  };

  it('says why there is no SSH: no network, not running, unknown environment', async () => {
    const offline = await create('ssh-offline', 'none');
    expect((await call('getSshAccess', { id: offline })).result).toEqual({
      available: false,
      reason: expect.stringMatching(/network "none"/),
    });
    const stopped = await create('ssh-stopped', 'nat');
    expect((await call('getSshAccess', { id: stopped })).result).toEqual({
      available: false,
      reason: expect.stringMatching(/not running: start it/),
    });
    const refused = await call('openTerminal', { id: stopped, mode: 'ssh' });
    expect(refused.error?.code).toBe('CONFLICT');
    expect((await call('getSshAccess', { id: 'no-such-env' })).error?.code).toBe('NOT_FOUND');
    expect((await call('openTerminal', { id: stopped, mode: 'telnet' })).error?.code).toBe(
      'BAD_ARGS',
    );
  });
});
