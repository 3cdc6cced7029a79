import { FIRST_BOOT_MARKER, PROVISIONED_MARKER } from './cloud-init.js';

/**
 * Reads a catalog VM's serial console and says how far its first boot has come. The seed
 * (cloud-init.ts) prints GenOS's own markers on ttyS0; between them, cloud-init's own banner
 * for its final stage ("Cloud-init v. 22.4.2 running 'modules:final' ...", which Debian, Ubuntu
 * and Fedora images send to the console) is where packages are installed. Pure: text in,
 * stage changes out, so the rules are tested without a guest.
 *
 *   first-boot           GENOS-STAGE first-boot <id>        (bootcmd: cloud-init found the seed)
 *   installing-packages  cloud-init's modules:final banner
 *   ready                GENOS-PROVISIONED <id> ok
 *   failed               GENOS-PROVISIONED <id> failed missing:<pkgs>, or cloud-init finished
 *                        with DataSourceNone (it never saw the seed)
 */
export type FirstBootStage = 'first-boot' | 'installing-packages' | 'ready';

export type FirstBootEvent =
  | { kind: 'stage'; stage: FirstBootStage; message: string }
  | { kind: 'failed'; stage: FirstBootStage; message: string };

const ORDER: Array<FirstBootStage | 'waiting'> = [
  'waiting',
  'first-boot',
  'installing-packages',
  'ready',
];
/** Enough to hold a marker cut in two by the chunking of the serial stream. */
const TAIL = 4096;

const FINAL_BANNER = /Cloud-init v\. \S+ running 'modules:final'/;
const NO_DATASOURCE = /Datasource DataSourceNone/;

export class FirstBootTracker {
  private at: FirstBootStage | 'waiting' = 'waiting';
  private tail = '';
  private done = false;

  constructor(
    private readonly instanceId: string,
    private readonly packages: string[],
  ) {}

  get stage(): FirstBootStage | 'waiting' {
    return this.at;
  }

  /** True once it is ready or has failed: later output changes nothing. */
  get settled(): boolean {
    return this.done;
  }

  feed(chunk: string): FirstBootEvent[] {
    if (this.done) return [];
    const text = this.tail + chunk;
    this.tail = text.slice(-TAIL);
    const out: FirstBootEvent[] = [];
    const id = this.instanceId.replace(/[.]/g, '\\.');
    if (this.before('first-boot') && new RegExp(`${FIRST_BOOT_MARKER} ${id}\\b`).test(text)) {
      out.push(this.move('first-boot', 'cloud-init found the seed and is setting up the guest'));
    }
    if (this.before('installing-packages') && this.at !== 'waiting' && FINAL_BANNER.test(text)) {
      out.push(
        this.move(
          'installing-packages',
          this.packages.length
            ? `Installing ${this.packages.length} package${this.packages.length === 1 ? '' : 's'}: ${this.packages.join(', ')}`
            : 'Finishing the first boot (no packages to install)',
        ),
      );
    }
    // Only a whole line counts: a chunk may end inside the list of missing packages.
    const m = new RegExp(`${PROVISIONED_MARKER} ${id} (ok|failed missing:(\\S*))\\r?\\n`).exec(
      text,
    );
    if (m) {
      this.done = true;
      if (m[1] === 'ok') {
        out.push(this.move('ready', 'The guest is set up: user created, packages installed'));
      } else {
        const missing = (m[2] ?? '').split(',').filter(Boolean);
        out.push({
          kind: 'failed',
          stage: 'installing-packages',
          message: `These packages were not installed: ${missing.join(', ')} (no network, or not in the distribution's repositories).`,
        });
      }
    } else if (NO_DATASOURCE.test(text)) {
      this.done = true;
      out.push({
        kind: 'failed',
        stage: this.at === 'waiting' ? 'first-boot' : this.at,
        message:
          'cloud-init did not find the seed (it finished with DataSourceNone): the image may not support NoCloud.',
      });
    }
    return out;
  }

  private before(stage: FirstBootStage): boolean {
    return ORDER.indexOf(this.at) < ORDER.indexOf(stage);
  }

  private move(stage: FirstBootStage, message: string): FirstBootEvent {
    this.at = stage;
    return { kind: 'stage', stage, message };
  }
}
