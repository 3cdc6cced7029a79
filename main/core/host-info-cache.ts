import type { HostInfo } from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';

type Probe = () => Promise<HostInfo>;

/**
 * The host probe boots a tiny guest to test KVM, so it takes seconds: run it once, share the
 * answer, and re-run only when asked. Concurrent callers wait on the same probe.
 */
export class HostInfoCache {
  private current: Promise<HostInfo> | null = null;

  constructor(
    private readonly probe: Probe,
    private readonly bus: EventBus,
  ) {}

  get(refresh = false): Promise<HostInfo> {
    if (refresh || !this.current) {
      const run = this.probe();
      this.current = run;
      // A failed probe is not cached: the next caller tries again.
      run.then(
        (info) => this.bus.emit('hostInfoChanged', info),
        () => {
          if (this.current === run) this.current = null;
        },
      );
    }
    return this.current;
  }

  /**
   * Replaces part of the report (the engine, when it goes away or comes back) without re-running
   * the whole probe, and tells the UI. Nothing to patch before the first probe has answered.
   */
  async patch(update: (info: HostInfo) => Promise<HostInfo>): Promise<void> {
    const before = this.current;
    if (!before) return;
    const next = await update(await before);
    // A full probe that started meanwhile has the newer answer.
    if (this.current !== before) return;
    this.current = Promise.resolve(next);
    this.bus.emit('hostInfoChanged', next);
  }
}
