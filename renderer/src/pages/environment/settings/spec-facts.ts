import type { EnvironmentSpec, EnvironmentSummary } from '../../../../../preload/contract';
import { formatMiB } from '../../../format/sizes';

/** One labelled line of the settings summary. */
export type SpecFact = { label: string; value: string };

/*
 * The summary carries the spec as plain JSON, so each field is read with a check of its type
 * (as spec-summary.ts does) and shown as "not set" when it is not what the contract says. Not
 * zod: its first parse probes `new Function`, which the page's CSP reports as a violation.
 */
type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

const NOT_SET = 'not set';

const NETWORK: Record<EnvironmentSpec['network']['mode'], string> = {
  nat: 'NAT — reaches out; only forwarded ports reach in',
  isolated: 'Isolated — sees only other GenOS environments',
  none: 'None — no network at all',
};

const RESTART: Record<EnvironmentSpec['restartPolicy'], string> = {
  never: 'Never',
  'on-failure': 'When it fails',
  always: 'Always',
};

function fileName(path: string): string {
  return path.split('/').pop() || path;
}

function imageText(image: Json): string {
  switch (image.kind) {
    case 'catalog':
      return image.media === 'installer-iso'
        ? 'The OS catalog’s installer ISO'
        : 'The OS catalog’s image';
    case 'library':
      return `Library image ${text(image.imageId) ?? '?'}`;
    case 'container-image':
      return text(image.ref) ?? NOT_SET;
    case 'kernel': {
      const kernel = text(image.kernel);
      const initrd = text(image.initrd);
      const cmdline = text(image.cmdline);
      return `Kernel ${kernel ? fileName(kernel) : '?'}${initrd ? ` + ${fileName(initrd)}` : ''}${cmdline ? ` (${cmdline})` : ''}`;
    }
    default:
      return NOT_SET;
  }
}

function healthText(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  const check = record(value);
  const what =
    check.kind === 'command'
      ? `runs ${list(check.command).map(String).join(' ')}`
      : check.kind === 'tcp'
        ? `TCP port ${number(check.port) ?? '?'} answers`
        : check.kind === 'file'
          ? `${text(check.path) ?? '?'} exists`
          : NOT_SET;
  const every = number(check.intervalSec);
  return every === null ? what : `${what}, every ${every} s`;
}

function portText(value: unknown): string {
  const port = record(value);
  return `${number(port.host) ?? '?'} → ${number(port.guest) ?? '?'}/${text(port.protocol) ?? 'tcp'}`;
}

function hardeningText(value: unknown): string {
  const h = record(value);
  const caps = list(h.capAdd).map(String);
  const pids = number(h.pidsLimit);
  return [
    h.readOnlyRoot === true ? 'read-only root' : 'writable root',
    h.noNewPrivileges === false ? 'may gain privileges' : 'no new privileges',
    pids === null ? null : `at most ${pids} processes`,
    caps.length ? `adds ${caps.join(', ')}` : 'no added capabilities',
  ]
    .filter(Boolean)
    .join(', ');
}

/** The spec as labelled lines, for the read-only Settings tab. */
export function specFacts(env: EnvironmentSummary): SpecFact[] {
  const spec = env.spec;
  const os = record(spec.os);
  const resources = record(spec.resources);
  const network = record(spec.network);
  const cpus = number(resources.cpus);
  const memory = number(resources.memoryMiB);
  const disk = number(resources.diskGiB);
  const mode = text(network.mode);
  const ports = list(network.ports).map(portText);
  const restart = text(spec.restartPolicy);
  const desktop = text(spec.desktop);
  const apps = list(spec.apps).map(String);
  const requires = list(spec.requires).map(String);

  const facts: SpecFact[] = [
    {
      label: 'Operating system',
      value: `${text(os.id) ?? NOT_SET}${text(os.version) ? ` ${text(os.version)}` : ''}`,
    },
    { label: 'CPUs', value: cpus === null ? NOT_SET : String(cpus) },
    { label: 'Memory', value: memory === null ? NOT_SET : formatMiB(memory) },
    { label: 'Disk', value: disk === null ? NOT_SET : `${disk} GiB` },
    {
      label: 'Network',
      value: mode && mode in NETWORK ? NETWORK[mode as keyof typeof NETWORK] : NOT_SET,
    },
    { label: 'Forwarded ports', value: ports.length ? ports.join(', ') : 'None' },
    {
      label: 'Display',
      value:
        spec.display === 'gui'
          ? `Graphical${desktop ? ` (${desktop})` : ''}`
          : spec.display === 'headless'
            ? 'Headless (console only)'
            : NOT_SET,
    },
    { label: 'Image', value: imageText(record(spec.image)) },
    {
      label: 'Restart policy',
      value: restart && restart in RESTART ? RESTART[restart as keyof typeof RESTART] : NOT_SET,
    },
    { label: 'Health check', value: healthText(spec.healthCheck) },
    {
      label: 'Ephemeral',
      value: spec.ephemeral === true ? 'Yes — removed when it stops' : 'No',
    },
  ];
  if (apps.length) facts.push({ label: 'Apps', value: apps.join(', ') });
  if (requires.length) facts.push({ label: 'Needs', value: requires.join(', ') });
  if (env.backend === 'docker')
    facts.push({ label: 'Hardening', value: hardeningText(spec.hardening) });
  return facts;
}
