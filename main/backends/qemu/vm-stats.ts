import type { Stats } from '../backend.js';
import { CLOCK_TICKS, PAGE_SIZE, readProcStat } from './proc-info.js';
import { blockStats } from './qmp-commands.js';
import type { QmpClient } from './qmp-client.js';

/**
 * Resource use of one VM: CPU and memory of the qemu process from /proc (what the VM costs the
 * host), disk bytes from QMP. CPU percent is over the interval since the previous sample (100 =
 * one host core), so the first call samples twice, a short interval apart.
 */

type Sample = { atMs: number; ticks: number };
const FIRST_INTERVAL_MS = 200;

export class StatsSampler {
  private readonly last = new Map<number, Sample>();

  private async sample(pid: number): Promise<{ s: Sample; rssBytes: number } | null> {
    const st = await readProcStat(pid);
    if (!st) return null;
    return {
      s: { atMs: performance.now(), ticks: st.utimeTicks + st.stimeTicks },
      rssBytes: st.rssPages * PAGE_SIZE,
    };
  }

  async stats(pid: number, qmp: QmpClient, memoryLimitBytes: number | null): Promise<Stats | null> {
    let prev = this.last.get(pid);
    if (!prev) {
      const first = await this.sample(pid);
      if (!first) return null;
      prev = first.s;
      await new Promise((r) => setTimeout(r, FIRST_INTERVAL_MS));
    }
    const now = await this.sample(pid);
    if (!now) {
      this.last.delete(pid);
      return null;
    }
    this.last.set(pid, now.s);
    const secs = (now.s.atMs - prev.atMs) / 1000;
    const cpuPercent = secs > 0 ? ((now.s.ticks - prev.ticks) / CLOCK_TICKS / secs) * 100 : 0;
    const block = await blockStats(qmp).catch(() => ({ rdBytes: 0, wrBytes: 0 }));
    return {
      at: new Date().toISOString(),
      cpuPercent: Math.max(0, Math.round(cpuPercent * 10) / 10),
      memoryBytes: now.rssBytes,
      memoryLimitBytes,
      // User-mode networking keeps no counters qemu exposes: 0 until a tap/filter backend exists.
      netRxBytes: 0,
      netTxBytes: 0,
      blockReadBytes: block.rdBytes,
      blockWriteBytes: block.wrBytes,
    };
  }

  forget(pid: number): void {
    this.last.delete(pid);
  }
}
