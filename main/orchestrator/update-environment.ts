import {
  EnvironmentSpec,
  type EnvironmentPatch,
  type EnvironmentSummary,
  type HostInfo,
  type PortForward,
  type Settings,
} from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';
import type { Audit } from '../core/audit.js';
import { GenosError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { ACTIVE_STATES } from './lifecycle.js';
import type { BackendResolver, Orchestrator } from './orchestrator.js';

export type UpdateResult = { env: EnvironmentSummary; changed: string[]; notes: string[] };

export type UpdateDeps = {
  store: Store;
  audit: Audit;
  bus: EventBus;
  orchestrator: Orchestrator;
  backend: BackendResolver;
  hostInfo: () => Promise<HostInfo>;
  settings: () => Settings;
};

/** A draft has never run; a stopped one holds nothing a change could break under it. */
const EDITABLE_STATES = ['stopped', 'draft'] as const;

/** Fields a container is created with: changing one means making the container again. */
const CONTAINER_FIELDS = ['resources.cpus', 'resources.memoryMiB', 'network.mode', 'network.ports'];

function assertEditable(env: EnvironmentSummary): void {
  if (!(EDITABLE_STATES as readonly string[]).includes(env.state)) {
    throw new GenosError(
      'CONFLICT',
      `Cannot change ${env.name}'s settings: it is ${env.state}. Stop it first; changes apply at its next start.`,
    );
  }
}

function merge(spec: EnvironmentSpec, patch: EnvironmentPatch): unknown {
  return {
    ...spec,
    resources: { ...spec.resources, ...patch.resources },
    network: { ...spec.network, ...patch.network },
    restartPolicy: patch.restartPolicy ?? spec.restartPolicy,
  };
}

/** Dotted paths of what differs, over the fields a patch may touch. */
function changedFields(before: EnvironmentSpec, after: EnvironmentSpec): string[] {
  const pairs: Array<[string, unknown, unknown]> = [
    ['resources.cpus', before.resources.cpus, after.resources.cpus],
    ['resources.memoryMiB', before.resources.memoryMiB, after.resources.memoryMiB],
    ['resources.diskGiB', before.resources.diskGiB, after.resources.diskGiB],
    ['network.mode', before.network.mode, after.network.mode],
    ['network.ports', before.network.ports, after.network.ports],
    ['restartPolicy', before.restartPolicy, after.restartPolicy],
  ];
  return pairs.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b)).map(([path]) => path);
}

function valueAt(spec: EnvironmentSpec, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], spec);
}

function portKey(p: PortForward): string {
  return `${p.host}/${p.protocol}`;
}

/**
 * The limits a start would hit anyway, checked now so the user hears about them while editing:
 * more CPUs than the host has, more memory than the admission share allows on its own, a host
 * port forwarded twice. Whether a port is free is checked again at the next start.
 */
function checkLimits(
  name: string,
  spec: EnvironmentSpec,
  host: HostInfo,
  settings: Settings,
): void {
  const { cpus, memoryMiB } = spec.resources;
  if (cpus > host.cpu.count * settings.cpuOvercommit) {
    throw new GenosError(
      'BAD_ARGS',
      `${name} cannot have ${cpus} CPUs: this host has ${host.cpu.count} (x ${settings.cpuOvercommit} overcommit). Pick at most ${host.cpu.count * settings.cpuOvercommit}.`,
    );
  }
  const budget = Math.floor(host.memory.totalMiB * settings.admissionMemoryShare);
  if (memoryMiB > budget) {
    throw new GenosError(
      'BAD_ARGS',
      `${name} cannot have ${memoryMiB} MiB of memory: environments may use ${budget} MiB together ` +
        `(${Math.round(settings.admissionMemoryShare * 100)}% of this host's RAM). Pick less, or raise the share in Settings.`,
    );
  }
  const seen = new Set<string>();
  for (const p of spec.network.ports) {
    if (seen.has(portKey(p)))
      throw new GenosError(
        'BAD_ARGS',
        `Host port ${portKey(p)} is forwarded twice; each host port can forward to one guest port.`,
      );
    seen.add(portKey(p));
  }
  if (spec.network.ports.length > 0 && spec.network.mode !== 'nat') {
    throw new GenosError(
      'BAD_ARGS',
      `Port forwards need network mode "nat"; in "${spec.network.mode}" mode nothing reaches ${name} from the host. Remove the ports or pick nat.`,
    );
  }
}

/**
 * Changes a stopped environment's resources, network and restart policy: merged into its spec,
 * validated by the EnvironmentSpec schema and the host limits, stored, audited and pushed. Runs
 * under the environment's lock, so it never interleaves with a start.
 */
export class EnvironmentUpdater {
  constructor(private readonly deps: UpdateDeps) {}

  async update(id: string, patch: EnvironmentPatch, actor: string): Promise<UpdateResult> {
    assertEditable(this.get(id));
    return this.deps.orchestrator.exclusive(id, async () => {
      const env = this.get(id);
      assertEditable(env);
      const before = EnvironmentSpec.parse(env.spec);
      const parsed = EnvironmentSpec.safeParse(merge(before, patch));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new GenosError(
          'BAD_ARGS',
          `The changed spec is not valid: ${issue?.path.join('.') || 'spec'}: ${issue?.message ?? 'invalid'}.`,
        );
      }
      const after = parsed.data;
      const changed = changedFields(before, after);
      if (changed.length === 0) return { env, changed, notes: [] };
      checkLimits(env.name, after, await this.deps.hostInfo(), this.deps.settings());
      const notes = [...this.portNotes(env, after)];
      if (after.resources.diskGiB < before.resources.diskGiB) {
        throw new GenosError(
          'BAD_ARGS',
          `${env.name}'s disk cannot shrink (from ${before.resources.diskGiB} to ${after.resources.diskGiB} GiB): the guest's file system would be cut. Keep ${before.resources.diskGiB} GiB or more.`,
        );
      }
      if (changed.includes('resources.diskGiB')) notes.push(this.diskNote(env, after));
      if (
        env.backend === 'docker' &&
        env.state === 'stopped' &&
        changed.some((f) => CONTAINER_FIELDS.includes(f))
      ) {
        // Docker cannot change these on an existing container: it is removed now, before the
        // spec changes (so a failed removal leaves both as they were), and made again from the
        // new spec at the next start.
        const backend = await this.deps.backend('docker');
        await backend.remove(this.deps.orchestrator.refFor(env));
        notes.push(
          'The container is made again at the next start: files changed inside it since it was created are gone (take a commit snapshot first to keep them).',
        );
      }
      const updated = this.deps.store.setEnvironmentSpec(id, after);
      this.deps.audit.record({
        actor,
        action: 'env.update',
        target: id,
        outcome: 'ok',
        detail: {
          changed,
          from: Object.fromEntries(changed.map((f) => [f, valueAt(before, f)])),
          to: Object.fromEntries(changed.map((f) => [f, valueAt(after, f)])),
        },
      });
      this.deps.bus.emit('environmentChanged', updated);
      return { env: updated, changed, notes };
    });
  }

  private get(id: string): EnvironmentSummary {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    return env;
  }

  /** Another running environment forwarding the same host port: the next start would fail. */
  private portNotes(env: EnvironmentSummary, spec: EnvironmentSpec): string[] {
    const wanted = new Set(spec.network.ports.map(portKey));
    const notes: string[] = [];
    for (const state of ACTIVE_STATES) {
      for (const other of this.deps.store.listEnvironments({ state, limit: 500 }).items) {
        if (other.id === env.id) continue;
        const theirs = EnvironmentSpec.safeParse(other.spec);
        if (!theirs.success) continue;
        for (const p of theirs.data.network.ports) {
          if (wanted.has(portKey(p)))
            notes.push(
              `Host port ${portKey(p)} is forwarded by ${other.name}, which is ${state}: stop it before starting ${env.name}.`,
            );
        }
      }
    }
    return notes;
  }

  /** A VM's disk image grows through resizeDisk, which resizes the file under the same lock. */
  private diskNote(env: EnvironmentSummary, after: EnvironmentSpec): string {
    if (env.backend === 'docker')
      return 'Disk size is recorded, not enforced: container storage (overlay2) has no size limit without xfs project quotas.';
    if (env.state === 'draft') return `The disk is made with ${after.resources.diskGiB} GiB.`;
    throw new GenosError(
      'BAD_ARGS',
      `${env.name}'s disk image exists already: grow it with resizeDisk (the disk field in its Settings tab does), which resizes the image as well as the spec.`,
    );
  }
}
