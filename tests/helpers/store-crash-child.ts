/**
 * Child of tests/integration/store-crash.test.ts: writes to the store in a tight loop until it is
 * SIGKILLed, and reports each transaction on stdout only after its COMMIT returned. Every
 * reported line is therefore a promise the database must keep after the kill.
 *
 * Usage: node --import tsx tests/helpers/store-crash-child.ts <dataDir> <round>
 */
import fs from 'node:fs';
import type { EnvironmentState } from '../../preload/contract.js';
import { openStore } from '../../main/store/store.js';
import type { CrashClaim } from './store-crash-verify.js';

const [dataDir, roundArg] = process.argv.slice(2);
if (!dataDir || !roundArg) throw new Error('usage: store-crash-child.ts <dataDir> <round>');
const round = Number(roundArg);

// fs.writeSync on fd 1: nothing buffered in this process, so a reported line can never be lost
// with the process, and nothing is reported before it happened. The pipe may be non-blocking;
// when the parent is slow to read, wait for room instead of failing.
function say(line: string): void {
  const buf = Buffer.from(`${line}\n`);
  for (let off = 0; off < buf.length;) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

function report(claim: CrashClaim): void {
  say(`C ${JSON.stringify(claim)}`);
}

const store = openStore(dataDir);
say(`READY ${store.listEnvironments({ limit: 1 }).total}`);

const STATES: EnvironmentState[] = [
  'provisioning',
  'starting',
  'running',
  'paused',
  'running',
  'stopping',
  'stopped',
];
const live: Array<{ id: string; step: number }> = [];

for (let burst = 0; ; burst++) {
  const name = `r${round}-e${burst}`;
  const created = store.transaction(() => {
    const env = store.insertEnvironment({
      name,
      backend: burst % 2 ? 'docker' : 'qemu',
      spec: { round, burst },
    });
    const ev = store.appendEvent({
      actor: 'crash',
      action: `create:${name}`,
      target: env.id,
      outcome: 'ok',
    });
    return { id: env.id, seq: ev.seq };
  });
  report({ t: 'env', id: created.id, name, seq: created.seq, action: `create:${name}` });
  live.push({ id: created.id, step: 0 });
  if (live.length > 4) live.shift();

  for (const env of live) {
    const step = env.step + 1;
    const seq = store.transaction(() => {
      store.setEnvironmentState(env.id, STATES[step % STATES.length]!, `step ${step}`, {
        pid: 1000 + step,
      });
      return store.appendEvent({
        actor: 'crash',
        action: `state:${env.id}:${step}`,
        target: env.id,
        outcome: 'info',
      }).seq;
    });
    env.step = step;
    report({ t: 'state', id: env.id, step, seq, action: `state:${env.id}:${step}` });
  }

  const tag = `r${round}-b${burst}`;
  const batch = store.appendEvents(
    Array.from({ length: 25 }, (_, i) => ({
      actor: 'crash',
      action: `${tag}-${i}`,
      outcome: 'ok' as const,
      detail: { i },
    })),
  );
  report({ t: 'events', first: batch[0]!.seq, last: batch.at(-1)!.seq, tag });
}
