/**
 * Pulling an image with per-layer progress. The engine reports each layer separately (waiting,
 * downloading current/total, extracting, complete, already exists); `PullProgress` folds those
 * into one figure — bytes of all layers whose size is known, and layers finished — so the UI
 * shows one bar that never runs backwards.
 */
import { GenosError } from '../../core/errors.js';
import type { Progress } from '../backend.js';
import { toGenosError } from './docker-errors.js';
import type { DockerEngine } from './engine.js';
import { progressError, readJsonLines } from './json-lines.js';

export type LayerPhase = 'waiting' | 'downloading' | 'downloaded' | 'extracting' | 'complete';
export type LayerState = { phase: LayerPhase; current: number; total: number | null };
export type PullSummary = {
  layers: number;
  complete: number;
  doneBytes: number;
  totalBytes: number;
  message: string;
};

export class PullProgress {
  readonly layers = new Map<string, LayerState>();
  lastStatus = '';
  /** The layer the newest object was about, so the message can name it. */
  lastLayer: string | null = null;

  /** Folds one engine progress object in. Throws (with the engine's words) on an error object. */
  feed(o: Record<string, unknown>): void {
    const err = progressError(o);
    if (err) throw new Error(err);
    const status = typeof o.status === 'string' ? o.status : '';
    const id = typeof o.id === 'string' ? o.id : null;
    const detail = (o.progressDetail ?? {}) as { current?: unknown; total?: unknown };
    const current = typeof detail.current === 'number' ? detail.current : null;
    const total = typeof detail.total === 'number' && detail.total > 0 ? detail.total : null;
    // Objects without a layer id are about the whole pull ("Pulling from", "Digest", "Status").
    if (!id || /^Pulling from|^Digest:|^Status:/.test(status)) {
      if (status) this.lastStatus = status;
      return;
    }
    this.lastLayer = id;
    const layer = this.layers.get(id) ?? { phase: 'waiting', current: 0, total: null };
    if (total !== null && layer.total === null) layer.total = total;
    switch (status) {
      case 'Pulling fs layer':
      case 'Waiting':
        break;
      case 'Downloading':
        layer.phase = 'downloading';
        if (current !== null) layer.current = Math.max(layer.current, current);
        break;
      case 'Verifying Checksum':
      case 'Download complete':
        layer.phase = 'downloaded';
        if (layer.total !== null) layer.current = layer.total;
        break;
      case 'Extracting':
        layer.phase = 'extracting';
        if (layer.total !== null) layer.current = layer.total;
        break;
      case 'Pull complete':
      case 'Already exists':
        layer.phase = 'complete';
        if (layer.total !== null) layer.current = layer.total;
        break;
      default:
        // "Retrying in 5 seconds" and the like: shown, state unchanged.
        this.lastStatus = `${id}: ${status}`;
    }
    this.layers.set(id, layer);
  }

  summary(): PullSummary {
    let doneBytes = 0;
    let totalBytes = 0;
    let complete = 0;
    for (const l of this.layers.values()) {
      if (l.phase === 'complete') complete++;
      if (l.total !== null) {
        totalBytes += l.total;
        doneBytes += Math.min(l.current, l.total);
      }
    }
    const layers = this.layers.size;
    const extracting = [...this.layers.values()].filter((l) => l.phase === 'extracting').length;
    const last = this.lastLayer !== null ? this.layers.get(this.lastLayer) : undefined;
    // "layer <id> <phase> <current>/<total> bytes": what moved last, then the whole.
    const lastPart =
      last && this.lastLayer
        ? `layer ${this.lastLayer} ${last.phase}` +
          (last.total !== null
            ? ` ${Math.min(last.current, last.total)}/${last.total} bytes`
            : '') +
          '; '
        : '';
    const message =
      lastPart +
      `${complete}/${layers} layers complete` +
      (extracting ? `, ${extracting} extracting` : '');
    return { layers, complete, doneBytes, totalBytes, message };
  }
}

/** How to get an image onto a machine that cannot pull it; part of every "image absent" error. */
export function waysToGetImage(ref: string): string {
  return (
    `Ways to get it: import a tarball in GenOS (a \`docker save ${ref} -o image.tar\` file made on a machine that has it, or a root filesystem tarball); ` +
    `or load it yourself with \`docker load -i image.tar\`; or connect to the internet and pull it (\`docker pull ${ref}\`).`
  );
}

export async function pullImage(
  engine: DockerEngine,
  ref: string,
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  const agg = new PullProgress();
  try {
    await engine.run(`pull image ${ref}`, async (docker) => {
      const stream = (await docker.pull(ref, { abortSignal: signal })) as NodeJS.ReadableStream;
      await readJsonLines(
        stream,
        (o) => {
          agg.feed(o);
          const s = agg.summary();
          progress({
            stage: 'pull',
            done: s.doneBytes,
            total: s.totalBytes || undefined,
            message: s.message,
          });
        },
        signal,
      );
    });
  } catch (e) {
    if (signal.aborted) throw new GenosError('CANCELLED', `pull of ${ref} cancelled`);
    const g = e instanceof GenosError ? e : toGenosError(e, `pull image ${ref}`, engine.endpoint);
    if (g.code === 'UNAVAILABLE' && /stopped answering/.test(g.message)) throw g;
    throw new GenosError(
      g.code === 'CANCELLED' ? 'CANCELLED' : 'UNAVAILABLE',
      `Could not pull ${ref}: ${(e as Error).message}. ${waysToGetImage(ref)}`,
    );
  }
}
