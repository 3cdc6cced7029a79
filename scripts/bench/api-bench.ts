/**
 * API round trip over the WebSocket transport of a real `genos serve`, against a bare `ws` echo
 * server measured in the same run (the floor any WebSocket API on this machine can reach).
 * Run: node --import tsx scripts/bench/api-bench.ts   (after npm run build)
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import type WebSocket from 'ws';
import { openWs, startServe } from '../../tests/helpers/serve-process.js';
import { WIRE_PROTOCOL } from '../../preload/contract.js';
import { ms, summarize, verdict } from './bench-util.js';

const SEQUENTIAL = 10_000;
const CLIENTS = 100;
const CALLS_PER_CLIENT = 200;

function roundTrips(
  ws: WebSocket,
  count: number,
  frame: (id: number) => string,
): Promise<number[]> {
  return new Promise((resolve) => {
    const samples: number[] = [];
    let id = 0;
    let sentAt = 0;
    const next = () => {
      if (id === count) {
        ws.off('message', onMessage);
        return resolve(samples);
      }
      id++;
      sentAt = performance.now();
      ws.send(frame(id));
    };
    const onMessage = () => {
      samples.push(performance.now() - sentAt);
      next();
    };
    ws.on('message', onMessage);
    next();
  });
}

async function measure(
  label: string,
  connect: () => Promise<WebSocket>,
  frame: (id: number) => string,
) {
  const warm = await connect();
  await roundTrips(warm, 500, frame);
  const seq = summarize(await roundTrips(warm, SEQUENTIAL, frame));
  warm.close();

  const sockets = await Promise.all(Array.from({ length: CLIENTS }, connect));
  const started = performance.now();
  const all = (
    await Promise.all(sockets.map((ws) => roundTrips(ws, CALLS_PER_CLIENT, frame)))
  ).flat();
  const elapsed = performance.now() - started;
  for (const ws of sockets) ws.close();
  const conc = summarize(all);
  const throughput = all.length / (elapsed / 1000);
  console.log(
    `${label.padEnd(22)} sequential p50 ${ms(seq.p50)} p99 ${ms(seq.p99)} | ` +
      `${CLIENTS} clients: ${throughput.toFixed(0)} calls/s, p99 ${ms(conc.p99)}`,
  );
  return { seq, throughput, conc };
}

async function startEchoServer(): Promise<{ port: number; stop: () => void }> {
  const code = `
    const { WebSocketServer } = require('ws');
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => '${WIRE_PROTOCOL}' });
    wss.on('connection', (ws) => ws.on('message', (d) => { const m = JSON.parse(d); ws.send(JSON.stringify({ id: m.id, result: { pong: true } })); }));
    wss.on('listening', () => console.log(wss.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) =>
    readline.createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { port: Number(line), stop: () => child.kill() };
}

const pingFrame = (id: number) => JSON.stringify({ id, call: 'ping', args: {} });

const serve = await startServe();
const echo = await startEchoServer();
try {
  console.log(
    `API round trip: ${SEQUENTIAL} sequential calls; ${CLIENTS} clients x ${CALLS_PER_CLIENT} calls`,
  );
  const raw = await measure('raw ws echo (floor)', () => openWs(echo.port), pingFrame);
  const genos = await measure(
    'genos serve ping',
    () => openWs(serve.port, { token: serve.token }),
    pingFrame,
  );
  console.log(
    `sequential p99: ${verdict(genos.seq.p99, 2)} ms; ratio to raw ws ${(genos.seq.p99 / raw.seq.p99).toFixed(2)}x`,
  );
  console.log(`throughput ratio to raw ws: ${(genos.throughput / raw.throughput).toFixed(2)}x`);
} finally {
  echo.stop();
  await serve.stop();
}
