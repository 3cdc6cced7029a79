import fs from 'node:fs';
import path from 'node:path';
import {
  ProvisionStage,
  type EnvironmentState,
  type EnvironmentSummary,
  type ProvisionStatus,
} from '../../preload/contract.js';

/**
 * Each environment's provisioning stage, as the backend reports it through its progress
 * callback (downloading, preparing-disk, first-boot, installing-packages, ready; 'failed' marks
 * the stage reached as failed). Kept beside the store rather than in it: it changes often while
 * a base downloads, and only its stage changes matter to the audit log. One small JSON file per
 * environment in <dataDir>/provision, so the last stage survives a restart.
 */
export type BackendProgress = { stage: string; done?: number; total?: number; message?: string };

export type ProvisionChange = { id: string; status: ProvisionStatus; stageChanged: boolean };

const STAGES = new Set<string>(ProvisionStage.options);
/** Byte progress is pushed at most this often; a stage change is pushed at once. */
const PUSH_INTERVAL_MS = 250;

export class ProvisionTracker {
  private readonly current = new Map<string, ProvisionStatus | null>();
  private readonly lastPush = new Map<string, number>();

  constructor(
    private readonly dir: string | null,
    private readonly onChange: (c: ProvisionChange) => void,
  ) {}

  get(id: string): ProvisionStatus | null {
    if (this.current.has(id)) return this.current.get(id) ?? null;
    const loaded = this.load(id);
    this.current.set(id, loaded);
    return loaded;
  }

  /** The summary with its provision status (left as it is for environments never provisioned). */
  with(env: EnvironmentSummary): EnvironmentSummary {
    const status = this.get(env.id);
    return status ? { ...env, provision: status } : env;
  }

  /** A backend's progress for `id`; stages that are not provisioning stages are ignored. */
  report(id: string, p: BackendProgress): void {
    const prev = this.get(id);
    if (p.stage === 'failed') {
      this.fail(id, p.message ?? 'Provisioning failed.');
      return;
    }
    if (!STAGES.has(p.stage)) return;
    const stage = p.stage as ProvisionStage;
    const status: ProvisionStatus = {
      stage,
      failed: false,
      message: p.message ?? stage,
      at: new Date().toISOString(),
      done: p.done ?? null,
      total: p.total ?? null,
    };
    const stageChanged = !prev || prev.stage !== stage || prev.failed;
    this.current.set(id, status);
    const now = Date.now();
    if (!stageChanged && now - (this.lastPush.get(id) ?? 0) < PUSH_INTERVAL_MS) return;
    this.lastPush.set(id, now);
    if (stageChanged || stage !== 'downloading') this.save(id, status);
    this.onChange({ id, status, stageChanged });
  }

  /** Marks the stage reached as failed (a no-op once ready, or when it never started). */
  fail(id: string, message: string): void {
    const prev = this.get(id);
    if (!prev || prev.stage === 'ready' || prev.failed) return;
    const status: ProvisionStatus = {
      ...prev,
      failed: true,
      message,
      at: new Date().toISOString(),
    };
    this.current.set(id, status);
    this.save(id, status);
    this.onChange({ id, status, stageChanged: true });
  }

  /**
   * The environment went from `from` to `to`. Stopping, being killed or dying (qemu gone, a
   * failed start) before provisioning reached ready cuts it short: the stage reached is marked
   * failed, saying so, instead of showing a first boot that is no longer happening. Its next start
   * watches the first boot again and reports afresh. provisioning -> stopped is create() finishing.
   */
  leftRunning(
    env: { id: string; name: string },
    from: EnvironmentState,
    to: EnvironmentState,
    reason: string,
  ): void {
    if (to !== 'failed' && !(to === 'stopped' && from !== 'provisioning')) return;
    const prev = this.get(env.id);
    if (!prev || prev.stage === 'ready' || prev.failed) return;
    this.fail(
      env.id,
      `Stopped during ${prev.stage} before provisioning was ready (${reason}). Start it again to finish; see the console log (genos logs ${env.name}).`,
    );
  }

  forget(id: string): void {
    this.current.delete(id);
    this.lastPush.delete(id);
    if (this.dir) fs.rmSync(this.file(id), { force: true });
  }

  private file(id: string): string {
    return path.join(this.dir!, `${id}.json`);
  }

  private load(id: string): ProvisionStatus | null {
    if (!this.dir) return null;
    try {
      return JSON.parse(fs.readFileSync(this.file(id), 'utf8')) as ProvisionStatus;
    } catch {
      return null;
    }
  }

  private save(id: string, status: ProvisionStatus): void {
    if (!this.dir) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.file(id)}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(status));
      fs.renameSync(tmp, this.file(id));
    } catch (err) {
      // Losing the last stage over a restart is not worth failing the provisioning for.
      console.error(`genos: could not save the provisioning stage of ${id}:`, err);
    }
  }
}
