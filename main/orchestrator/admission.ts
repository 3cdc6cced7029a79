import type { EnvironmentSpec, HostInfo, Settings } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';

export type Running = { name: string; spec: Pick<EnvironmentSpec, 'resources'> };

function gib(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib} MiB`;
}

/**
 * Whether starting `candidate` keeps the running set within the host share the user allows:
 * memory against `admissionMemoryShare` of RAM, vCPUs against `cpuOvercommit` x host CPUs.
 * A refusal names what uses the resources and what to do.
 */
export function checkAdmission(
  candidate: { name: string; spec: Pick<EnvironmentSpec, 'resources'> },
  running: readonly Running[],
  host: Pick<HostInfo, 'cpu' | 'memory'>,
  settings: Pick<Settings, 'admissionMemoryShare' | 'cpuOvercommit'>,
): void {
  const budgetMiB = Math.floor(host.memory.totalMiB * settings.admissionMemoryShare);
  const usedMiB = running.reduce((sum, r) => sum + r.spec.resources.memoryMiB, 0);
  const wantMiB = candidate.spec.resources.memoryMiB;
  const users = [...running]
    .sort((a, b) => b.spec.resources.memoryMiB - a.spec.resources.memoryMiB)
    .map((r) => `${r.name} (${gib(r.spec.resources.memoryMiB)}, ${r.spec.resources.cpus} CPU)`)
    .join(', ');
  if (usedMiB + wantMiB > budgetMiB) {
    const share = Math.round(settings.admissionMemoryShare * 100);
    throw new GenosError(
      'CONFLICT',
      `Not enough memory to start ${candidate.name}: it needs ${gib(wantMiB)}, and ${gib(Math.max(0, budgetMiB - usedMiB))} ` +
        `of the ${share}% share of host RAM (${gib(budgetMiB)}) is free.` +
        (users ? ` Running: ${users}. Stop one of them,` : '') +
        ` lower ${candidate.name}'s memory, or raise the share in Settings.`,
    );
  }
  const cpuBudget = host.cpu.count * settings.cpuOvercommit;
  const usedCpus = running.reduce((sum, r) => sum + r.spec.resources.cpus, 0);
  if (usedCpus + candidate.spec.resources.cpus > cpuBudget) {
    throw new GenosError(
      'CONFLICT',
      `Not enough CPUs to start ${candidate.name}: it needs ${candidate.spec.resources.cpus}, and ${usedCpus} of ` +
        `${cpuBudget} (${host.cpu.count} host CPUs x ${settings.cpuOvercommit} overcommit) are in use.` +
        (users ? ` Running: ${users}. Stop one of them,` : '') +
        ` give ${candidate.name} fewer CPUs, or raise the CPU overcommit in Settings.`,
    );
  }
}
