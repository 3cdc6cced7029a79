import type {
  EnvironmentSummary,
  ImageRecord,
  Settings,
  TaskInfo,
} from '../../../preload/contract';

export function task(over: Partial<TaskInfo> & { id: string }): TaskInfo {
  return {
    kind: 'image.import',
    title: `Task ${over.id}`,
    target: null,
    state: 'running',
    stage: null,
    done: null,
    total: null,
    message: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    error: null,
    ...over,
  };
}

export function env(over: Partial<EnvironmentSummary> & { id: string }): EnvironmentSummary {
  return {
    name: `env-${over.id}`,
    backend: 'docker',
    state: 'draft',
    stateReason: null,
    spec: { os: { id: 'busybox', version: null }, resources: { cpus: 2, memoryMiB: 512 } },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function image(over: Partial<ImageRecord> & { id: string }): ImageRecord {
  return {
    name: `image-${over.id}`,
    path: `/data/images/${over.id}.qcow2`,
    format: 'qcow2',
    virtualSize: 64 * 1024 * 1024,
    actualSize: 196 * 1024,
    source: null,
    sha256: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    usedBy: [],
    ...over,
  };
}

export function sampleSettings(): Settings {
  return {
    theme: 'system',
    defaultNetworkMode: 'nat',
    admissionMemoryShare: 0.75,
    cpuOvercommit: 2,
    llmEndpoint: null,
    downloadMirrors: [],
    downloadProxy: null,
    sshPublicKey: null,
    pullImages: false,
  };
}
