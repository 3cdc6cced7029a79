import type { EnvironmentSummary } from '../../../../preload/contract';
import { formatMiB } from '../../format/sizes';

/** The spec's facts a list shows. The spec is the composer's JSON, so every field is checked. */
export type SpecSummary = { os: string; cpus: number | null; memoryMiB: number | null };

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

export function specSummary(env: EnvironmentSummary): SpecSummary {
  const os = record(env.spec.os);
  const resources = record(env.spec.resources);
  const id = typeof os.id === 'string' ? os.id : 'unknown';
  const version = typeof os.version === 'string' ? ` ${os.version}` : '';
  return {
    os: `${id}${version}`,
    cpus: typeof resources.cpus === 'number' ? resources.cpus : null,
    memoryMiB: typeof resources.memoryMiB === 'number' ? resources.memoryMiB : null,
  };
}

export function resourcesLabel(summary: SpecSummary): string {
  const cpus =
    summary.cpus === null ? null : `${summary.cpus} ${summary.cpus === 1 ? 'CPU' : 'CPUs'}`;
  const memory = summary.memoryMiB === null ? null : formatMiB(summary.memoryMiB);
  return [cpus, memory].filter(Boolean).join(', ') || 'unknown';
}

export function backendLabel(backend: EnvironmentSummary['backend']): string {
  return backend === 'qemu' ? 'VM (QEMU)' : 'Container (Docker)';
}
