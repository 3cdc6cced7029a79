import type {
  Backend,
  EnvironmentSpec,
  Explanation,
  HostInfo,
  ImageSource,
  NetworkMode,
  PortForward,
} from '../../../preload/contract';

/**
 * The spec's fields as Compose shows them: one chip each, with the words of the prompt that set
 * it and an editor (compose-field-editors.ts). Pure data and functions, so the rules are tested without a browser.
 */
export type FieldValues = {
  backend: Backend;
  os: EnvironmentSpec['os'];
  image: ImageSource;
  display: EnvironmentSpec['display'];
  apps: string[];
  cpus: number;
  memory: number;
  disk: number;
  network: NetworkMode;
  ports: PortForward[];
  count: number;
  name: string;
  ephemeral: boolean;
  firmware: 'bios' | 'uefi';
  secureBoot: boolean;
  tpm: boolean;
  /** The drivers ISO's library id (image.driversImageId), or null. */
  drivers: string | null;
};
export type FieldId = keyof FieldValues;

export const FIELD_IDS: readonly FieldId[] = [
  'backend',
  'os',
  'image',
  'display',
  'apps',
  'cpus',
  'memory',
  'disk',
  'network',
  'ports',
  'count',
  'name',
  'ephemeral',
  'firmware',
  'secureBoot',
  'tpm',
  'drivers',
];

/** The chips of a VM's firmware and devices: containers have none of them. */
const VM_ONLY: readonly FieldId[] = ['firmware', 'secureBoot', 'tpm', 'drivers'];

/**
 * Whether a spec has this field to show. The drivers ISO goes with an ISO install (or stays
 * shown while one is set, so it can be taken off); `isIso` says whether the spec's library image
 * is an ISO.
 */
export function fieldApplies(spec: EnvironmentSpec, id: FieldId, isIso: boolean): boolean {
  if (!VM_ONLY.includes(id)) return true;
  if (spec.backend !== 'qemu') return false;
  if (id !== 'drivers') return true;
  return spec.image.kind === 'library' && (isIso || spec.image.driversImageId !== undefined);
}

export const FIELD_LABELS: Record<FieldId, string> = {
  backend: 'Backend',
  os: 'OS',
  image: 'Image',
  display: 'Display',
  apps: 'Apps',
  cpus: 'CPUs',
  memory: 'Memory',
  disk: 'Disk',
  network: 'Network',
  ports: 'Ports',
  count: 'Count',
  name: 'Name',
  ephemeral: 'Ephemeral',
  firmware: 'Firmware',
  secureBoot: 'Secure Boot',
  tpm: 'TPM',
  drivers: 'Drivers ISO',
};

/** The composer's explanation keys behind each chip. */
export const FIELD_PATHS: Record<FieldId, readonly string[]> = {
  backend: ['backend'],
  os: ['os.id', 'os.version'],
  image: ['image'],
  display: ['display'],
  apps: ['apps'],
  cpus: ['resources.cpus'],
  memory: ['resources.memoryMiB'],
  disk: ['resources.diskGiB'],
  network: ['network.mode'],
  ports: ['network.ports'],
  count: ['count'],
  name: ['name'],
  ephemeral: ['ephemeral'],
  firmware: ['firmware'],
  secureBoot: ['secureBoot'],
  tpm: ['tpm'],
  drivers: ['image.driversImageId'],
};

export function readField<K extends FieldId>(spec: EnvironmentSpec, id: K): FieldValues[K] {
  const values: FieldValues = {
    backend: spec.backend,
    os: spec.os,
    image: spec.image,
    display: spec.display,
    apps: spec.apps,
    cpus: spec.resources.cpus,
    memory: spec.resources.memoryMiB,
    disk: spec.resources.diskGiB,
    network: spec.network.mode,
    ports: spec.network.ports,
    count: spec.count,
    name: spec.name,
    ephemeral: spec.ephemeral,
    firmware: spec.firmware ?? 'bios',
    secureBoot: spec.secureBoot ?? false,
    tpm: spec.tpm ?? false,
    drivers: (spec.image.kind === 'library' && spec.image.driversImageId) || null,
  };
  return values[id];
}

export function writeField<K extends FieldId>(
  spec: EnvironmentSpec,
  id: K,
  value: FieldValues[K],
): EnvironmentSpec {
  const v = value as FieldValues[FieldId];
  const resources = (patch: Partial<EnvironmentSpec['resources']>) => ({
    ...spec,
    resources: { ...spec.resources, ...patch },
  });
  switch (id) {
    case 'backend':
      return { ...spec, backend: v as Backend };
    case 'os':
      return { ...spec, os: v as FieldValues['os'] };
    case 'image':
      return { ...spec, image: v as ImageSource };
    case 'display':
      return { ...spec, display: v as FieldValues['display'] };
    case 'apps':
      return { ...spec, apps: v as string[] };
    case 'cpus':
      return resources({ cpus: v as number });
    case 'memory':
      return resources({ memoryMiB: v as number });
    case 'disk':
      return resources({ diskGiB: v as number });
    case 'network':
      return { ...spec, network: { ...spec.network, mode: v as NetworkMode } };
    case 'ports':
      return { ...spec, network: { ...spec.network, ports: v as PortForward[] } };
    case 'count':
      return { ...spec, count: v as number };
    case 'name':
      return { ...spec, name: v as string };
    case 'ephemeral':
      return { ...spec, ephemeral: v as boolean };
    case 'firmware':
      return vmOption(spec, 'firmware', v === 'uefi' ? 'uefi' : undefined);
    case 'secureBoot':
      return vmOption(spec, 'secureBoot', v === true || undefined);
    case 'tpm':
      return vmOption(spec, 'tpm', v === true || undefined);
    case 'drivers':
      return withDrivers(spec, v as string | null);
  }
  return spec;
}

/**
 * Sets a VM-only option; the default (BIOS, off) is left out of the spec, as the composer leaves
 * it. A container keeps none of them (an edit made while it was a VM does nothing).
 */
function vmOption<K extends 'firmware' | 'secureBoot' | 'tpm'>(
  spec: EnvironmentSpec,
  key: K,
  value: EnvironmentSpec[K] | undefined,
): EnvironmentSpec {
  if (spec.backend !== 'qemu') return spec;
  const { [key]: _old, ...rest } = spec;
  return (value === undefined ? rest : { ...rest, [key]: value }) as EnvironmentSpec;
}

function withDrivers(spec: EnvironmentSpec, driversImageId: string | null): EnvironmentSpec {
  if (spec.image.kind !== 'library') return spec;
  const { driversImageId: _old, ...image } = spec.image;
  return { ...spec, image: driversImageId ? { ...image, driversImageId } : image };
}

export function formatPorts(ports: readonly PortForward[]): string {
  if (ports.length === 0) return 'none';
  return ports.map((p) => `${p.host} → ${p.guest}${p.protocol === 'udp' ? '/udp' : ''}`).join(', ');
}

/** The chip's value, in words. `imageName` names a library image by its id. */
export function showField(
  spec: EnvironmentSpec,
  id: FieldId,
  imageName: (imageId: string) => string | undefined = () => undefined,
): string {
  switch (id) {
    case 'backend':
      return spec.backend === 'qemu' ? 'qemu (VM)' : 'docker (container)';
    case 'os':
      return `${spec.os.id} ${spec.os.version ?? '(latest)'}`;
    case 'image': {
      const image = spec.image;
      if (image.kind === 'catalog')
        return image.media === 'installer-iso'
          ? "the OS catalog's installer ISO"
          : 'from the OS catalog';
      if (image.kind === 'library') return `library: ${imageName(image.imageId) ?? image.imageId}`;
      if (image.kind === 'container-image') return image.ref;
      return 'kernel boot';
    }
    case 'display':
      return spec.display;
    case 'apps':
      return spec.apps.length ? spec.apps.join(', ') : 'none';
    case 'cpus':
      return String(spec.resources.cpus);
    case 'memory':
      return `${spec.resources.memoryMiB} MiB`;
    case 'disk':
      return `${spec.resources.diskGiB} GiB`;
    case 'network':
      return spec.network.mode === 'nat' ? 'NAT' : spec.network.mode;
    case 'ports':
      return formatPorts(spec.network.ports);
    case 'count':
      return String(spec.count);
    case 'name':
      return spec.name;
    case 'ephemeral':
      return spec.ephemeral ? 'yes, deleted when stopped' : 'no, kept';
    case 'firmware':
      return spec.firmware === 'uefi' ? 'UEFI' : 'BIOS';
    case 'secureBoot':
      return spec.secureBoot ? 'on' : 'off';
    case 'tpm':
      return spec.tpm ? 'TPM 2.0' : 'none';
    case 'drivers': {
      const id = readField(spec, 'drivers');
      return id ? (imageName(id) ?? id) : 'none';
    }
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// Where a field's value came from

export type FieldOrigin =
  | { kind: 'words'; words: string; note: string | null }
  | { kind: 'default'; note: string | null }
  | { kind: 'unknown' };

/** The prompt's words behind a chip ("2 vcpus"), or "default" with its note. */
export function fieldOrigin(explanation: Explanation | null, id: FieldId): FieldOrigin {
  if (!explanation) return { kind: 'unknown' };
  const entries = FIELD_PATHS[id].map((path) => explanation[path]).filter((e) => e !== undefined);
  if (entries.length === 0) return { kind: 'unknown' };
  const words: string[] = [];
  for (const entry of entries) {
    if (entry.words === 'default') continue;
    for (const word of entry.words) if (!words.includes(word)) words.push(word);
  }
  const note = entries.find((e) => e.note)?.note ?? null;
  if (words.length === 0) return { kind: 'default', note };
  return { kind: 'words', words: words.join(' '), note };
}

/**
 * What an edit remembers of the prompt: the words behind its field when it was made. When a new
 * reading of the prompt gives that field other words, the prompt has changed its mind about it
 * and the edit gives way.
 */
export function wordsKey(explanation: Explanation | null, id: FieldId): string {
  if (!explanation) return 'none';
  return JSON.stringify(FIELD_PATHS[id].map((path) => explanation[path]?.words ?? null));
}

// ---------------------------------------------------------------------------------------------
// What the server and the host say about a field

/**
 * The server's refusals of a dry run that are about one field, by the start of its message
 * (main/backends/qemu/firmware.ts, install.ts): the rule stays the server's, and the chip shows
 * its words.
 */
const PLAN_ERRORS: readonly (readonly [FieldId, RegExp])[] = [
  ['secureBoot', /^Secure Boot needs UEFI firmware/],
  ['firmware', /^UEFI firmware \(ovmf\) is not installed/],
  ['drivers', /^The drivers image /],
];

/** The chip a refused dry run's message belongs under, or null (the plan panel says it). */
export function planErrorField(message: string): FieldId | null {
  return PLAN_ERRORS.find(([, pattern]) => pattern.test(message))?.[0] ?? null;
}

/**
 * What the host lacks for this chip's value, as the host probe reports it (`missing`, whose
 * entries main/host/missing.ts names): UEFI needs ovmf, a TPM needs swtpm.
 */
export function hostLack(
  spec: EnvironmentSpec,
  id: FieldId,
  missing: HostInfo['missing'],
): HostInfo['missing'][number] | null {
  const what =
    id === 'firmware' && spec.firmware === 'uefi'
      ? 'UEFI firmware (ovmf)'
      : id === 'tpm' && spec.tpm
        ? 'swtpm'
        : null;
  return missing.find((item) => item.what === what) ?? null;
}
