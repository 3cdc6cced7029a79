import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type WebSocket from 'ws';
import type { EnvironmentSummary, TaskInfo } from '../../preload/contract.js';
import { ensureDebianImage, writeDebianCatalog } from './debian-image.js';
import { ServeSession } from './serve-session.js';

/**
 * A `genos serve` whose catalog base for "debian 12" is the image scripts/build-debian-image.sh
 * builds, adopted through the API (as "Add base…" does) before any VM needs it, so the Debian
 * guest tests boot a real cloud-init guest without fetching from the internet.
 */

/** How long a Debian guest under TCG may take to report ready. */
export const DEBIAN_READY_MS = Number(process.env.GENOS_DEBIAN_BOOT_TIMEOUT_SEC || 1500) * 1000;

export class DebianServe extends ServeSession {
  declare readonly dataDir: string;
  readonly tmp: string;

  constructor(tmpPrefix: string) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    super(path.join(tmp, 'data'));
    this.tmp = tmp;
  }

  /** Builds the image if needed, starts serve and adopts the image as the debian 12 base. */
  async startWithBase(watch?: (ws: WebSocket) => void): Promise<void> {
    const image = await ensureDebianImage();
    fs.mkdirSync(this.dataDir, { mode: 0o700 });
    writeDebianCatalog(this.dataDir, image);
    await this.start();
    watch?.(this.ws);
    const { task } = await this.call<{ task: TaskInfo }>('addCatalogBase', {
      osId: 'debian',
      version: '12',
      path: image.file,
    });
    for (let t = task; t.state === 'running';) {
      await new Promise((r) => setTimeout(r, 500));
      t = (await this.call<{ items: TaskInfo[] }>('listTasks', {})).items.find(
        (x) => x.id === task.id,
      )!;
      if (t.state === 'failed') throw new Error(`add-base failed: ${t.error?.message}`);
    }
  }

  /** Polls the environment until provisioning is ready or failed, or `deadline` passes. */
  async provisionOutcome(envId: string, deadline: number): Promise<EnvironmentSummary> {
    let now = await this.call<EnvironmentSummary>('getEnvironment', { id: envId });
    while (now.provision?.stage !== 'ready' && !now.provision?.failed) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
      now = await this.call<EnvironmentSummary>('getEnvironment', { id: envId });
    }
    return now;
  }

  override async close(): Promise<void> {
    await super.close();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
