import path from 'node:path';
import type { TaskInfo } from '../../../preload/contract.js';
import type { Audit } from '../../core/audit.js';
import { GenosError } from '../../core/errors.js';
import type { TaskManager } from '../../core/tasks.js';
import type { BackendResolver } from '../../orchestrator/orchestrator.js';
import { DockerBackend } from './docker-backend.js';
import { importRootfsTarball, listImages, loadImageTarball, localImageId } from './images.js';
import { pullImage } from './pull.js';

/**
 * Container images for the API: the engine's local images, and offline imports of a
 * `docker save` tarball (docker load) or a root filesystem tarball (docker import), run as tasks
 * with byte progress and cancel.
 */
export class ContainerImageService {
  constructor(
    private readonly deps: { backend: BackendResolver; tasks: TaskManager; audit: Audit },
  ) {}

  private async docker(): Promise<DockerBackend> {
    const backend = await this.deps.backend('docker');
    if (!(backend instanceof DockerBackend))
      throw new GenosError('UNAVAILABLE', 'No Docker-compatible engine is set up.');
    return backend;
  }

  async list() {
    const docker = await this.docker();
    return (await listImages(docker.engine)).map(({ id, tags, sizeBytes, createdAt }) => ({
      id,
      tags,
      sizeBytes,
      createdAt,
    }));
  }

  async startImport(
    req: { path: string; kind: 'docker-save' | 'rootfs'; tag?: string },
    actor: string,
  ): Promise<TaskInfo> {
    const docker = await this.docker();
    const file = path.resolve(req.path);
    const title = `Import ${path.basename(file)} into the container engine`;
    return this.deps.tasks.start(
      'container-image.import',
      title,
      null,
      async ({ signal, progress }) => {
        let tags: string[];
        if (req.kind === 'docker-save') {
          tags = await loadImageTarball(docker.engine, file, progress, signal);
        } else {
          const [repo, tag] = (
            req.tag ?? `imported/${path.basename(file).replace(/\.tar(\.\w+)?$/, '')}:latest`
          ).split(':');
          const id = await importRootfsTarball(
            docker.engine,
            file,
            { repo: repo!, tag: tag ?? 'latest' },
            progress,
            signal,
          );
          tags = [`${repo}:${tag ?? 'latest'}`, id];
        }
        this.deps.audit.record({
          actor,
          action: 'container-image.import',
          target: null,
          outcome: 'ok',
          detail: { file, tags },
        });
        return { tags };
      },
    );
  }

  /** `docker pull` as a task: per-layer progress, cancel ends the engine's pull. */
  async startPull(ref: string, actor: string): Promise<TaskInfo> {
    const docker = await this.docker();
    return this.deps.tasks.start(
      'container-image.pull',
      `Pull ${ref}`,
      null,
      async ({ signal, progress }) => {
        try {
          await pullImage(docker.engine, ref, progress, signal);
        } catch (e) {
          this.deps.audit.record({
            actor,
            action: 'container-image.pull',
            target: null,
            outcome: 'error',
            detail: { ref, cancelled: signal.aborted, error: (e as Error).message },
          });
          throw e;
        }
        const id = await localImageId(docker.engine, ref);
        if (!id) throw new GenosError('INTERNAL', `pulled ${ref}, but the engine does not list it`);
        this.deps.audit.record({
          actor,
          action: 'container-image.pull',
          target: null,
          outcome: 'ok',
          detail: { ref, id },
        });
        return { tags: [ref], id };
      },
    );
  }
}
