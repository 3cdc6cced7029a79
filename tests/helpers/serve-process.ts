import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import WebSocket from 'ws';
import { WIRE_PROTOCOL, WIRE_TOKEN_PREFIX } from '../../preload/contract.js';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const builtCli = path.join(repoRoot, 'out', 'main', 'cli.js');

export type ServeProcess = {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
};

/** Starts the real, built `genos serve` on a free port with a fresh data dir. */
export async function startServe(
  opts: { dataDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServeProcess> {
  if (!fs.existsSync(builtCli)) throw new Error(`${builtCli} is missing: run npm run build first`);
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'genos-serve-'));
  const child = spawn(
    process.execPath,
    [builtCli, 'serve', '--port', '0', '--json', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`genos serve exited with ${code}: ${stderr}`)));
  });
  const info = JSON.parse(first) as { url: string; port: number; token: string };
  return {
    ...info,
    dataDir,
    child,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** A raw WebSocket to the API, for tests that need to see refusals and frames as they are. */
export function openWs(
  port: number,
  opts: { token?: string; origin?: string; host?: string } = {},
): Promise<WebSocket> {
  const protocols = [WIRE_PROTOCOL, ...(opts.token ? [WIRE_TOKEN_PREFIX + opts.token] : [])];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, {
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.host ? { headers: { host: opts.host } } : {}),
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends one frame and waits for the reply with the same id (or id null for unparseable frames). */
export type Reply = {
  id: number | null;
  result?: unknown;
  error?: { code: string; message: string };
};

export function request(
  ws: WebSocket,
  frame: string | Buffer,
  expectId: number | null,
): Promise<Reply> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as Reply | { event: string };
      if ('event' in msg) return;
      if (msg.id === expectId) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(frame);
  });
}
