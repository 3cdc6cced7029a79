import fs from 'node:fs/promises';
import path from 'node:path';
import { FirstBootTracker, type FirstBootStage } from '../../provisioning/first-boot.js';
import type { SerialConsole } from '../../streams/serial-console.js';
import type { Progress } from '../backend.js';

/**
 * Follows a catalog VM's first boot on its serial console and reports the stages through the
 * backend's progress callback (the orchestrator turns them into the environment's provision
 * status). The outcome is written to <envDir>/provision.json, so later starts of the same VM
 * (where cloud-init does not provision again) are not watched for markers that never come.
 */
export type ProvisionOutcome = { state: 'ready' | 'failed'; stage: string; message: string };

export const provisionOutcomePath = (envDir: string) => path.join(envDir, 'provision.json');

export async function readProvisionOutcome(envDir: string): Promise<ProvisionOutcome | null> {
  try {
    return JSON.parse(await fs.readFile(provisionOutcomePath(envDir), 'utf8')) as ProvisionOutcome;
  } catch {
    return null;
  }
}

export type FirstBootTimeouts = {
  /** From launch until cloud-init's first marker (the kernel and init booted). */
  firstBootMs: number;
  /** From launch until the ready marker (packages installed). */
  readyMs: number;
};

/** Generous: a TCG guest boots some 10-50x slower than under KVM, and installs slower still. */
export function defaultTimeouts(accel: 'kvm' | 'tcg' | 'none'): FirstBootTimeouts {
  return accel === 'kvm'
    ? { firstBootMs: 5 * 60_000, readyMs: 30 * 60_000 }
    : { firstBootMs: 20 * 60_000, readyMs: 90 * 60_000 };
}

export type WatchOptions = {
  console: SerialConsole;
  instanceId: string;
  packages: string[];
  envDir: string;
  /** Shown in failure messages: where the whole console output can be read. */
  consoleLog: string;
  envName: string;
  progress: Progress;
  timeouts: FirstBootTimeouts;
};

export function watchFirstBoot(o: WatchOptions): { stop(): void } {
  const tracker = new FirstBootTracker(o.instanceId, o.packages);
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const logHint = `See the console log (genos logs ${o.envName}, or ${o.consoleLog}).`;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const t of timers) clearTimeout(t);
    o.console.off('data', onData);
    o.console.off('close', stop);
  };
  const settle = (outcome: ProvisionOutcome) => {
    stop();
    // Kept before it is reported: whoever reacts to "ready" (SSH access) reads the file.
    void fs
      .writeFile(provisionOutcomePath(o.envDir), JSON.stringify({ ...outcome, at: new Date() }))
      .catch(() => undefined)
      .then(() =>
        o.progress(
          outcome.state === 'ready'
            ? { stage: 'ready', message: outcome.message }
            : { stage: 'failed', message: outcome.message },
        ),
      );
  };
  const handle = (text: string) => {
    for (const ev of tracker.feed(text)) {
      if (ev.kind === 'failed') {
        settle({
          state: 'failed',
          stage: ev.stage,
          message: `${label(ev.stage)} failed: ${ev.message} ${logHint}`,
        });
        return;
      }
      if (ev.stage === 'ready') {
        settle({ state: 'ready', stage: 'ready', message: ev.message });
        return;
      }
      o.progress({ stage: ev.stage, message: ev.message });
    }
  };
  const onData = (d: Buffer) => handle(d.toString('latin1'));
  const timeout = (ms: number, what: (stage: FirstBootStage | 'waiting') => boolean) => {
    const t = setTimeout(() => {
      if (stopped || !what(tracker.stage)) return;
      const stage = tracker.stage === 'waiting' ? 'first-boot' : tracker.stage;
      settle({
        state: 'failed',
        stage,
        message: `${label(stage)} failed: no progress marker from the guest within ${Math.round(ms / 60_000)} minutes. ${logHint}`,
      });
    }, ms);
    t.unref();
    timers.push(t);
  };

  o.progress({ stage: 'first-boot', message: 'Booting; waiting for cloud-init' });
  o.console.on('data', onData);
  // A VM that stops before it is ready is watched again at its next start.
  o.console.once('close', stop);
  timeout(o.timeouts.firstBootMs, (s) => s === 'waiting');
  timeout(o.timeouts.readyMs, () => true);
  handle(o.console.recent().toString('latin1'));
  return { stop };
}

function label(stage: string): string {
  return stage === 'installing-packages'
    ? 'Installing packages'
    : stage === 'first-boot'
      ? 'First boot'
      : stage;
}
