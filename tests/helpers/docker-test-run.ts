import type Docker from 'dockerode';
import type { Backend, EnvRef } from '../../main/backends/backend.js';
import { DockerBackend } from '../../main/backends/docker/docker-backend.js';
import { cleanupTestRun, testHost, testRunId } from './docker-test-image.js';

/**
 * What the Docker backend tests against the real dockerd share: a run id that labels all they
 * make, backends that add that label, `up` (create, then start, as an environment's first start
 * does), and `cleanup`, which closes a backend and removes everything with the label.
 */
export function dockerTestRun() {
  const runId = testRunId();
  const host = testHost();
  const never = new AbortController().signal;
  const up = async (backend: Pick<Backend, 'create' | 'start'>, e: EnvRef): Promise<EnvRef> => {
    const handles = await backend.create(e, host, () => {}, never);
    return { ...e, handles: await backend.start({ ...e, handles }, host, () => {}, never) };
  };
  const labelledBackend = () => new DockerBackend({ extraLabels: { 'genos.test': runId } });
  const cleanup = async (backend: DockerBackend | undefined, docker: Docker | undefined) => {
    backend?.close();
    if (docker) await cleanupTestRun(docker, runId);
  };
  return { runId, host, never, up, labelledBackend, cleanup };
}
