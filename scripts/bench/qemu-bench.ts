/**
 * QEMU backend figures (TCG here), each against a baseline measured in the same run:
 * 1. backend.start() -> first serial byte and -> ready marker, vs the same argv run directly by
 *    a bare spawn (no -S, serial socket with wait=on so the bare client misses no output either).
 * 2. Serial bridge throughput: bytes/s through SerialConsole to a viewer and through the
 *    WebSocket console bridge, vs a plain unix-socket client reading the same source.
 * 3. The bridge's idle cost: RSS growth of this process with N idle consoles attached.
 * Run: node --import tsx scripts/bench/qemu-bench.ts   (figures, not a pass/fail test)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { QemuBackend } from '../../main/backends/qemu/qemu-backend.js';
import { runtimePaths } from '../../main/backends/qemu/runtime-paths.js';
import { ConsoleBridge } from '../../main/streams/console-bridge.js';
import { SerialConsole } from '../../main/streams/serial-console.js';
import { startStreamServer } from '../../main/streams/stream-server.js';
import { ensureTestGuest } from '../../tests/helpers/test-guest.js';
import { guestSpec, killAllUnder, tcgHost } from '../../tests/helpers/vm-test-env.js';
import { ms, summarize } from './bench-util.js';

const BOOTS = Number(process.env.GENOS_BENCH_BOOTS ?? 4);
const noop = () => undefined;

type BootTimes = { firstByteMs: number; readyMs: number };

async function viaBackend(dataDir: string, i: number, marker: string): Promise<BootTimes> {
  const guest = await ensureTestGuest();
  const backend = new QemuBackend({ dataDir });
  const env = { id: `b${i}`, spec: guestSpec(guest), handles: {} };
  const t0 = performance.now();
  await backend.start(env, await tcgHost(), noop, new AbortController().signal);
  const inst = await backend.instances.require(env.id);
  let firstByteMs = NaN;
  if (inst.console.totalBytes > 0) firstByteMs = performance.now() - t0;
  else inst.console.once('data', () => (firstByteMs = performance.now() - t0));
  await inst.console.waitFor(marker, 60_000);
  const readyMs = performance.now() - t0;
  await backend.kill(env);
  return { firstByteMs, readyMs };
}

async function bare(dataDir: string, i: number, marker: string): Promise<BootTimes> {
  const guest = await ensureTestGuest();
  const backend = new QemuBackend({ dataDir });
  const env = { id: `r${i}`, spec: guestSpec(guest), handles: {} };
  const host = await tcgHost();
  await backend.create(env, host, noop, new AbortController().signal); // the vmstate disk
  const plan = await backend.plan(env, host);
  if (plan.backend !== 'qemu') throw new Error('not a qemu plan');
  const rt = runtimePaths(plan.runtimeDir);
  await fs.mkdir(rt.dir, { recursive: true, mode: 0o700 });
  const argv = plan.argv
    .filter((a) => a !== '-S')
    .map((a) => (a.startsWith('socket,id=serial0,') ? a.replace('wait=off', 'wait=on') : a));
  const t0 = performance.now();
  const child = spawn(plan.binary, argv, { stdio: 'ignore' });
  try {
    let sock: net.Socket | null = null;
    while (!sock) {
      sock = await new Promise<net.Socket | null>((resolve) => {
        const s = net.createConnection(rt.serial);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (!sock) await new Promise((r) => setTimeout(r, 2));
    }
    let firstByteMs = NaN;
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`bare qemu exited (${code})`)));
      sock.on('data', (d: Buffer) => {
        if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - t0;
        seen = (seen + d.toString('latin1')).slice(-4096);
        if (seen.includes(marker)) resolve();
      });
    });
    const readyMs = performance.now() - t0;
    sock.destroy();
    return { firstByteMs, readyMs };
  } finally {
    child.kill('SIGKILL');
  }
}

function report(label: string, ours: number[], base: number[]): void {
  const o = summarize(ours).p50;
  const b = summarize(base).p50;
  const over = o - b;
  const pct = (over / b) * 100;
  const ok = over <= 150 && pct <= 10 ? 'meets' : 'MISSES';
  console.log(
    `${label}: backend p50 ${ms(o)} vs bare ${ms(b)} -> overhead ${ms(over)} (${pct.toFixed(1)}%), ` +
      `${ok} target <= 10% and <= 150 ms   [n=${ours.length}]`,
  );
}

async function benchBoot(): Promise<void> {
  const guest = await ensureTestGuest();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-bench-'));
  const ours: BootTimes[] = [];
  const base: BootTimes[] = [];
  try {
    for (let i = 0; i < BOOTS; i++) {
      // Alternate, so drift in machine load hits both sides alike.
      base.push(await bare(dataDir, i, guest.readyMarker));
      ours.push(await viaBackend(dataDir, i, guest.readyMarker));
    }
  } finally {
    await killAllUnder(dataDir);
  }
  report(
    'start -> first serial byte',
    ours.map((t) => t.firstByteMs),
    base.map((t) => t.firstByteMs),
  );
  report(
    'start -> ready marker   ',
    ours.map((t) => t.readyMs),
    base.map((t) => t.readyMs),
  );
}

/** A unix socket that pours `total` bytes into each client as fast as it reads. */
async function source(file: string, total: number): Promise<net.Server> {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    let left = total;
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(file, () => r()));
  return server;
}

async function benchThroughput(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-tput-'));
  const total = 256 * 1024 * 1024;
  const mbps = (bytes: number, t: number) => `${(bytes / 1e6 / (t / 1000)).toFixed(0)} MB/s`;
  try {
    const file = path.join(dir, 's.sock');
    const server = await source(file, total);
    let t0 = performance.now();
    let got = 0;
    await new Promise<void>((resolve) => {
      const s = net.createConnection(file);
      s.on('data', (d: Buffer) => (got += d.length));
      s.on('end', () => resolve());
    });
    const direct = performance.now() - t0;

    t0 = performance.now();
    got = 0;
    const con = await SerialConsole.open({ socketPath: file, logPath: path.join(dir, 'c.log') });
    const viewer = con.attach();
    await new Promise<void>((resolve) => {
      viewer.on('data', (d: Buffer) => (got += d.length));
      viewer.on('end', () => resolve());
    });
    const viaConsole = performance.now() - t0;
    await con.close();

    const bridge = new ConsoleBridge();
    const http = await startStreamServer([bridge]);
    const con2 = await SerialConsole.open({ socketPath: file, logPath: path.join(dir, 'c2.log') });
    const t = bridge.issueConsoleToken('b', async () => con2.attach());
    t0 = performance.now();
    got = 0;
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(`${http.origin}${t.path}`);
      ws.on('message', (d: Buffer) => (got += d.length));
      ws.on('close', () => resolve());
    });
    const viaWs = performance.now() - t0;
    await con2.close();
    bridge.close();
    await http.close();
    server.close();
    console.log(
      `serial throughput, ${total / 2 ** 20} MiB (console log capped at 4 MiB, rotated):`,
    );
    console.log(`  direct unix-socket client (baseline)  ${mbps(total, direct)}`);
    console.log(
      `  SerialConsole viewer (ring + log)     ${mbps(total, viaConsole)}   target >= 20 MB/s`,
    );
    console.log(
      `  + WebSocket console bridge            ${mbps(total, viaWs)}   target >= 20 MB/s`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function benchIdleRss(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gq-rss-'));
  const n = 20;
  try {
    const servers: net.Server[] = [];
    const files = Array.from({ length: n }, (_, i) => path.join(dir, `s${i}.sock`));
    for (const f of files) {
      const s = net.createServer((c) => c.on('error', () => undefined));
      await new Promise<void>((r) => s.listen(f, () => r()));
      servers.push(s);
    }
    global.gc?.();
    const before = process.memoryUsage().rss;
    const cons = await Promise.all(
      files.map((f, i) =>
        SerialConsole.open({ socketPath: f, logPath: path.join(dir, `c${i}.log`) }),
      ),
    );
    const viewers = cons.map((c) => c.attach());
    global.gc?.();
    const after = process.memoryUsage().rss;
    console.log(
      `idle serial bridges: ${n} consoles + viewers add ${((after - before) / n / 1024).toFixed(0)} KiB RSS each ` +
        `(each ring reserves 256 KiB; its pages count only once output fills them)`,
    );
    viewers.forEach((v) => v.destroy());
    await Promise.all(cons.map((c) => c.close()));
    servers.forEach((s) => s.close());
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await benchBoot();
await benchThroughput();
await benchIdleRss();
