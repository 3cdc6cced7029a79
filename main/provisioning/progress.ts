/** What a download reports while it runs. */
export type DownloadProgress = {
  stage: 'download' | 'verify' | 'decompress' | 'copy';
  done: number;
  /** null while the server has not said how large the file is */
  total: number | null;
  rateBytesPerSec: number;
  etaSec: number | null;
};

/** At most ~4 events a second: the task layer and every window see them. */
export const PROGRESS_INTERVAL_MS = 250;
/** The rate is measured over the last few seconds, so it follows a changing network. */
const WINDOW_MS = 3000;

/**
 * Turns byte counts into throttled progress events with a rate and an ETA. Bytes resumed from a
 * .part file count towards `done` but not towards the rate (they were not transferred now).
 */
export class ProgressMeter {
  private samples: Array<{ t: number; done: number }> = [];
  private lastEmit = -Infinity;
  private lastDone = -1;

  constructor(
    private readonly emit: ((p: DownloadProgress) => void) | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Call when a transfer (re)starts at `done` bytes. */
  start(done: number): void {
    this.samples = [{ t: this.now(), done }];
  }

  update(done: number, total: number | null, force = false): void {
    if (!this.emit) return;
    const t = this.now();
    if (!force && t - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    // Sampled only when an event goes out (<= 4/s): a sample per socket chunk (~10k/s on a
    // fast link) would cost more than the download.
    this.samples.push({ t, done });
    while (this.samples.length > 2 && t - this.samples[0]!.t > WINDOW_MS) this.samples.shift();
    if (done === this.lastDone && !force) return;
    this.lastEmit = t;
    this.lastDone = done;
    const first = this.samples[0]!;
    const dt = (t - first.t) / 1000;
    const rate = dt > 0 ? Math.max(0, (done - first.done) / dt) : 0;
    const eta = total !== null && rate > 0 ? Math.max(0, (total - done) / rate) : null;
    this.emit({ stage: 'download', done, total, rateBytesPerSec: Math.round(rate), etaSec: eta });
  }

  stage(stage: DownloadProgress['stage'], done: number, total: number | null): void {
    this.emit?.({ stage, done, total, rateBytesPerSec: 0, etaSec: null });
  }
}
