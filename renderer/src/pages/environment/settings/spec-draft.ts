import type {
  EnvironmentPatch,
  EnvironmentSpec,
  EnvironmentState,
  EnvironmentSummary,
} from '../../../../../preload/contract';

/*
 * The editable part of a spec as form text, and back to a patch of what changed. Checked by hand
 * with the contract's bounds (not zod in the page: see spec-facts.ts); the server checks again.
 */

export type PortDraft = { host: string; guest: string; protocol: 'tcp' | 'udp' };

export type SpecDraft = {
  cpus: string;
  memoryMiB: string;
  diskGiB: string;
  mode: EnvironmentSpec['network']['mode'];
  ports: PortDraft[];
  restartPolicy: EnvironmentSpec['restartPolicy'];
};

export type DraftField = 'cpus' | 'memoryMiB' | 'diskGiB' | 'ports';
export type DraftErrors = Partial<Record<DraftField, string>>;

/** What saving does: the patch for updateEnvironment, and a disk to grow first (resizeDisk). */
export type DraftChange = { patch: EnvironmentPatch; growDiskGiB: number | null };

/** States whose settings may change: the server's rule (draft, or stopped). */
export const EDITABLE_STATES: readonly EnvironmentState[] = ['draft', 'stopped'];

type Json = Record<string, unknown>;
const record = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function draftFromSpec(env: EnvironmentSummary): SpecDraft {
  const resources = record(env.spec.resources);
  const network = record(env.spec.network);
  const ports = Array.isArray(network.ports) ? network.ports.map(record) : [];
  const mode = network.mode;
  const restart = env.spec.restartPolicy;
  return {
    cpus: String(num(resources.cpus)),
    memoryMiB: String(num(resources.memoryMiB)),
    diskGiB: String(num(resources.diskGiB)),
    mode: mode === 'isolated' || mode === 'none' ? mode : 'nat',
    ports: ports.map((p) => ({
      host: String(num(p.host)),
      guest: String(num(p.guest)),
      protocol: p.protocol === 'udp' ? 'udp' : 'tcp',
    })),
    restartPolicy: restart === 'on-failure' || restart === 'always' ? restart : 'never',
  };
}

function integer(text: string, min: number, max: number, what: string): number | string {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value))
    return `${what} is a whole number from ${min} to ${max}.`;
  if (value < min || value > max) return `${what} must be from ${min} to ${max}.`;
  return value;
}

const MAX_MEMORY_MIB = 4 * 1024 * 1024;
const MAX_DISK_GIB = 64 * 1024;

/**
 * The draft as a change: only what differs from the environment's spec. A VM's existing disk is
 * grown by resizeDisk (it resizes the image); a draft's disk is only a number in its spec.
 */
export function draftToChange(
  env: EnvironmentSummary,
  draft: SpecDraft,
): { change: DraftChange } | { errors: DraftErrors } {
  const before = draftFromSpec(env);
  const errors: DraftErrors = {};
  const cpus = integer(draft.cpus, 1, 256, 'CPUs');
  const memoryMiB = integer(draft.memoryMiB, 16, MAX_MEMORY_MIB, 'Memory (MiB)');
  const diskGiB = integer(draft.diskGiB, 1, MAX_DISK_GIB, 'Disk (GiB)');
  if (typeof cpus === 'string') errors.cpus = cpus;
  if (typeof memoryMiB === 'string') errors.memoryMiB = memoryMiB;
  if (typeof diskGiB === 'string') errors.diskGiB = diskGiB;
  else if (diskGiB < Number(before.diskGiB) && env.state !== 'draft')
    errors.diskGiB = `A disk can only grow: keep ${before.diskGiB} GiB or more.`;

  const ports: EnvironmentSpec['network']['ports'] = [];
  const seen = new Set<string>();
  for (const [i, p] of draft.ports.entries()) {
    const host = integer(p.host, 1, 65535, `Port ${i + 1}'s host port`);
    const guest = integer(p.guest, 1, 65535, `Port ${i + 1}'s guest port`);
    if (typeof host === 'string' || typeof guest === 'string') {
      errors.ports = typeof host === 'string' ? host : (guest as string);
      break;
    }
    const key = `${host}/${p.protocol}`;
    if (seen.has(key)) {
      errors.ports = `Host port ${key} is forwarded twice.`;
      break;
    }
    seen.add(key);
    ports.push({ host, guest, protocol: p.protocol });
  }
  if (!errors.ports && ports.length > 0 && draft.mode !== 'nat')
    errors.ports = 'Forwarded ports need the NAT network mode; remove them or pick NAT.';
  if (Object.keys(errors).length > 0) return { errors };

  const patch: EnvironmentPatch = {};
  const resources: NonNullable<EnvironmentPatch['resources']> = {};
  if (String(cpus) !== before.cpus) resources.cpus = cpus as number;
  if (String(memoryMiB) !== before.memoryMiB) resources.memoryMiB = memoryMiB as number;
  let growDiskGiB: number | null = null;
  if (String(diskGiB) !== before.diskGiB) {
    if (env.backend === 'qemu' && env.state !== 'draft') growDiskGiB = diskGiB as number;
    else resources.diskGiB = diskGiB as number;
  }
  if (Object.keys(resources).length > 0) patch.resources = resources;
  const network: NonNullable<EnvironmentPatch['network']> = {};
  if (draft.mode !== before.mode) network.mode = draft.mode;
  if (JSON.stringify(ports) !== JSON.stringify(draftToPorts(before.ports))) network.ports = ports;
  if (Object.keys(network).length > 0) patch.network = network;
  if (draft.restartPolicy !== before.restartPolicy) patch.restartPolicy = draft.restartPolicy;
  return { change: { patch, growDiskGiB } };
}

function draftToPorts(ports: PortDraft[]): EnvironmentSpec['network']['ports'] {
  return ports.map((p) => ({ host: Number(p.host), guest: Number(p.guest), protocol: p.protocol }));
}

/** Whether saving re-creates a container (Docker cannot change these on an existing one). */
export function recreatesContainer(env: EnvironmentSummary, patch: EnvironmentPatch): boolean {
  return (
    env.backend === 'docker' &&
    env.state === 'stopped' &&
    (patch.resources?.cpus !== undefined ||
      patch.resources?.memoryMiB !== undefined ||
      patch.network !== undefined)
  );
}
