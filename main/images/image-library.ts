import fs from 'node:fs';
import path from 'node:path';
import type { ImageFormat, ImageRecord, TaskInfo } from '../../preload/contract.js';
import type { Store } from '../store/store.js';
import type { Audit } from '../core/audit.js';
import type { TaskManager } from '../core/tasks.js';
import { GenosError, isGenosError } from '../core/errors.js';
import { importImage } from './import.js';
import { convertImage } from './convert.js';
import type { DiskFormat, ImageLibrary } from './types.js';

/** Files the library itself writes: images by their format's extension, and their checksums. */
const LIBRARY_FILE = /\.(qcow2|img|raw|vdi|vhdx|vmdk|iso)(\.sha256)?$/;

/**
 * The image library as the API sees it: records in the store, files in <dataDir>/images (copies)
 * or where the user keeps them (references), and the long work on them run as tasks.
 */
export class ImageLibraryService {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly deps: { store: Store; audit: Audit; tasks: TaskManager },
  ) {
    this.dir = path.join(dataDir, 'images');
  }

  library(): ImageLibrary {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const referenced = this.deps.store
      .listImages()
      .map((i) => i.path)
      .filter((p) => path.dirname(p) !== this.dir);
    return { dir: this.dir, referenced };
  }

  list(): ImageRecord[] {
    const users = new Map<string, string[]>();
    for (const env of this.deps.store.listEnvironments({ limit: 500 }).items) {
      const image = (env.spec as { image?: { kind?: string; imageId?: string } }).image;
      if (image?.kind === 'library' && image.imageId)
        users.set(image.imageId, [...(users.get(image.imageId) ?? []), env.name]);
    }
    return this.deps.store.listImages().map((i) => ({ ...i, usedBy: users.get(i.id) ?? [] }));
  }

  get(id: string): ImageRecord {
    const image = this.list().find((i) => i.id === id);
    if (!image)
      throw new GenosError('NOT_FOUND', `There is no image with id "${id}" in the library.`);
    return image;
  }

  startImport(
    req: {
      path: string;
      mode: 'copy' | 'reference';
      format?: ImageFormat;
      name?: string;
      /** Set for serve-mode uploads: the file's name on the user's machine. */
      uploadedAs?: string;
    },
    actor: string,
  ): TaskInfo {
    const title = `Import ${req.uploadedAs ?? path.basename(req.path)}`;
    return this.deps.tasks.start('image.import', title, null, async ({ signal, progress }) => {
      const imported = await importImage({
        source: req.path,
        library: this.library(),
        mode: req.mode,
        ...(req.format ? { format: req.format } : {}),
        ...(req.name ? { name: req.name } : {}),
        signal,
        onProgress: progress,
      })
        .catch((err: unknown) => {
          // Name the file the user dropped, not our temporary copy of it.
          if (req.uploadedAs && isGenosError(err)) {
            throw new GenosError(err.code, err.message.split(req.path).join(req.uploadedAs));
          }
          throw err;
        })
        .finally(() => {
          // An upload is a temporary copy: once imported (or refused) it has served its purpose.
          if (req.uploadedAs) fs.rmSync(req.path, { force: true });
        });
      const { mode: _mode, info: _info, ...record } = imported;
      const saved = this.deps.store.insertImage(
        req.uploadedAs ? { ...record, source: `upload: ${req.uploadedAs}` } : record,
      );
      this.deps.audit.record({
        actor,
        action: 'image.import',
        target: saved.id,
        outcome: 'ok',
        detail: { name: saved.name, format: saved.format, mode: req.mode },
      });
      return { ...saved, usedBy: [] };
    });
  }

  startConvert(req: { id: string; format: DiskFormat; name?: string }, actor: string): TaskInfo {
    const source = this.get(req.id);
    const name = req.name ?? `${source.name}-${req.format}`;
    return this.deps.tasks.start(
      'image.convert',
      `Convert ${source.name} to ${req.format}`,
      source.id,
      async ({ signal, progress }) => {
        const library = this.library();
        const output = path.join(
          this.dir,
          `${path.basename(name).replace(/[^A-Za-z0-9._-]/g, '_')}.${req.format === 'raw' ? 'img' : req.format}`,
        );
        const converted = await convertImage({
          source: source.path,
          sourceFormat: source.format,
          output,
          outputFormat: req.format,
          library,
          signal,
          onProgress: progress,
        });
        const saved = this.deps.store.insertImage({
          name,
          path: converted.path,
          format: converted.format,
          virtualSize: source.virtualSize,
          actualSize: converted.actualSize,
          source: `converted from ${source.id}`,
          sha256: converted.sha256,
        });
        this.deps.audit.record({
          actor,
          action: 'image.convert',
          target: saved.id,
          outcome: 'ok',
          detail: { from: source.id, format: req.format },
        });
        return { ...saved, usedBy: [] };
      },
    );
  }

  /**
   * Removes what an import or conversion cut short by a crash left in the library: the copy in
   * progress (<id>.partial), a conversion's work dir (.genos-convert-*), and an image file (or
   * its .sha256) that no record names — one finished just before the record was written. Run by
   * the owner at start-up, before any task can start; other files are left alone.
   */
  sweepInterrupted(actor: string): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return []; // no library yet
    }
    const recorded = new Set(
      this.deps.store.listImages().flatMap((i) => [i.path, `${i.path}.sha256`]),
    );
    const removed: string[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const leftover =
        name.endsWith('.partial') ||
        name.startsWith('.genos-convert-') ||
        (LIBRARY_FILE.test(name) && !recorded.has(file));
      if (!leftover) continue;
      fs.rmSync(file, { recursive: true, force: true });
      removed.push(name);
    }
    if (removed.length > 0) {
      this.deps.audit.record({
        actor,
        action: 'image.cleanup',
        target: null,
        outcome: 'info',
        detail: { removed, why: 'left by an import or conversion that GenOS was stopped in' },
      });
    }
    return removed;
  }

  /** Forgets the image; a copy in the library is deleted, a referenced file is left where it is. */
  remove(id: string, actor: string): void {
    const image = this.get(id);
    if (image.usedBy.length) {
      throw new GenosError(
        'CONFLICT',
        `${image.name} is used by ${image.usedBy.join(', ')}; delete those environments first.`,
      );
    }
    this.deps.store.deleteImage(id);
    if (path.dirname(image.path) === this.dir) {
      fs.rmSync(image.path, { force: true });
      fs.rmSync(`${image.path}.sha256`, { force: true });
    }
    this.deps.audit.record({
      actor,
      action: 'image.delete',
      target: id,
      outcome: 'ok',
      detail: { name: image.name },
    });
  }
}
